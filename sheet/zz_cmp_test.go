package sheet

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

func BenchmarkZZExcelizeRows(b *testing.B) {
	path := writeBenchXLSX(b)
	b.ReportAllocs()
	total := 0
	for b.Loop() {
		f, err := excelize.OpenFile(path)
		require.NoError(b, err)
		rows, err := f.Rows("Sheet1")
		require.NoError(b, err)
		n := 0
		for rows.Next() {
			_, err := rows.Columns(excelize.Options{RawCellValue: true})
			require.NoError(b, err)
			n++
		}
		require.NoError(b, rows.Close())
		require.NoError(b, f.Close())
		total += n
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "rows/s")
}
