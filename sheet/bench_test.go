package sheet

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

const (
	benchRows = 100_000
	benchCols = 10
)

// benchRecord is a contacts-like row: ids, names, phones with leading
// zeros, amounts, a date.
func benchRecord(i int) []any {
	return []any{
		"KH" + strconv.Itoa(100000+i),
		fmt.Sprintf("Nguyễn Văn %d", i),
		fmt.Sprintf("09%08d", i),
		fmt.Sprintf("user%d@example.com", i),
		i * 1000,
		float64(i) / 7,
		time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%1000),
		i%2 == 0,
		"Hà Nội",
		"ghi chú " + strconv.Itoa(i%97),
	}
}

func benchHeader() []any {
	h := make([]any, benchCols)
	for i := range h {
		h[i] = "Column " + strconv.Itoa(i+1)
	}
	return h
}

func writeBenchCSV(b *testing.B) string {
	path := filepath.Join(b.TempDir(), "bench.csv")
	f, err := os.Create(path)
	require.NoError(b, err)
	w := csv.NewWriter(f)
	rec := make([]string, benchCols)
	for i := -1; i < benchRows; i++ {
		vals := benchHeader()
		if i >= 0 {
			vals = benchRecord(i)
		}
		for j, v := range vals {
			if t, ok := v.(time.Time); ok {
				v = t.Format("2006-01-02")
			}
			rec[j] = fmt.Sprint(v)
		}
		require.NoError(b, w.Write(rec))
	}
	w.Flush()
	require.NoError(b, w.Error())
	require.NoError(b, f.Close())
	return path
}

func writeBenchXLSX(b *testing.B) string {
	path := filepath.Join(b.TempDir(), "bench.xlsx")
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	require.NoError(b, err)
	require.NoError(b, sw.SetRow("A1", benchHeader()))
	for i := range benchRows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		require.NoError(b, sw.SetRow(cell, benchRecord(i)))
	}
	require.NoError(b, sw.Flush())
	require.NoError(b, f.SaveAs(path))
	require.NoError(b, f.Close())
	return path
}

func benchRead(b *testing.B, path string) {
	b.Helper()
	st, err := os.Stat(path)
	require.NoError(b, err)
	b.SetBytes(st.Size())
	b.ReportAllocs()
	total := 0
	for b.Loop() {
		r, err := Open(path, Options{})
		require.NoError(b, err)
		n := 0
		for {
			_, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(b, err)
			n++
		}
		require.NoError(b, r.Close())
		require.Equal(b, benchRows, n)
		total += n
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkReadCSV reads a 100k-row, 10-column CSV file.
func BenchmarkReadCSV(b *testing.B) { benchRead(b, writeBenchCSV(b)) }

// BenchmarkReadXLSX reads a 100k-row, 10-column workbook made by
// excelize's StreamWriter.
func BenchmarkReadXLSX(b *testing.B) { benchRead(b, writeBenchXLSX(b)) }
