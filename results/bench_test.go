package results

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
)

// BenchmarkWrite100kSuccesses writes a results workbook of 100,000
// succeeded rows of eight source columns, Close included.
func BenchmarkWrite100kSuccesses(b *testing.B) {
	const rows = 100_000
	header := []string{"Mã KH", "Họ tên", "Điện thoại", "Email", "Ngày sinh", "Công ty", "Giới tính", "Ghi chú"}
	cells := make([][]string, 1000)
	for i := range cells {
		cells[i] = []string{
			fmt.Sprintf("KH%06d", i), "Nguyễn Văn " + strconv.Itoa(i), fmt.Sprintf("09%08d", i),
			fmt.Sprintf("user%d@example.vn", i), "01/02/1990", "ACC" + strconv.Itoa(i%50), "Nam", "=not a formula",
		}
	}
	dir := b.TempDir()
	var peak uint64
	b.ReportAllocs()
	for b.Loop() {
		w, err := Create(filepath.Join(dir, "bench.xlsx"), header)
		if err != nil {
			b.Fatal(err)
		}
		for i := range rows {
			c := cells[i%len(cells)]
			if err := w.Succeeded(Success{Row: i + 2, Action: ActionCreated, ExternalID: c[0], ID: "6f1c2b9e-0000-4000-8000-" + c[2][:10] + "00", Cells: c}); err != nil {
				b.Fatal(err)
			}
			if i%20_000 == 0 {
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}
		if err := w.Close(Summary{Total: rows, Succeeded: rows, Created: rows}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "MiB-heap-inuse")
}
