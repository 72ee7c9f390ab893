//go:build bench

package bench

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/oplabatch/oplabatch/opla/oplatest"
	"github.com/oplabatch/oplabatch/sheet"
	"github.com/xuri/excelize/v2"
)

func rowsLabel(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

// BenchmarkValidate runs `oplabatch validate` (offline: read, map, coerce every cell,
// duplicate keys) as a subprocess on generated accounts files and reads its peak RSS.
// Workbooks are laid out as Excel saves them (text in the shared-string table, which a
// reader must hold); one is written with inline strings for comparison. Targets:
// ≤ 150 MB for a 1M-row CSV and a 200k-row XLSX.
func BenchmarkValidate(b *testing.B) {
	type input struct {
		format string
		rows   int
	}
	inputs := []input{{"csv", 100_000}, {"csv", 1_000_000}, {"xlsx", 100_000}, {"xlsx", 200_000}, {"xlsx", 1_000_000}, {"xlsx-inline", 200_000}}
	if quick() {
		inputs = []input{{"csv", 100_000}, {"xlsx", 100_000}}
	}
	for _, in := range inputs {
		b.Run(fmt.Sprintf("%s/%s", in.format, rowsLabel(in.rows)), func(b *testing.B) {
			path := accountsFile(b, in.format, in.rows, 0)
			var r procResult
			for range b.N {
				r = runBinary(b, nil, "validate", "-m", accountsMappingPath(), path)
				if r.code != 0 {
					b.Fatalf("validate exit %d: %s", r.code, tail(r.stderr))
				}
			}
			rate := float64(in.rows) / r.wall.Seconds()
			mb := float64(fileSize(path)) / (1 << 20)
			b.ReportMetric(rate, "rows/s")
			b.ReportMetric(r.rssMB, "peak-RSS-MB")
			name := fmt.Sprintf("validate %s %s rows", strings.ToUpper(in.format), rowsLabel(in.rows))
			if in.format == "xlsx-inline" {
				name = fmt.Sprintf("validate XLSX %s rows, inline strings", rowsLabel(in.rows))
			}
			record(b, Result{Section: "read", Name: name, Values: map[string]float64{
				"rows": float64(in.rows), "file_mb": mb, "wall_s": r.wall.Seconds(), "rows_per_s": rate, "mb_per_s": mb / r.wall.Seconds(), "rss_mb": r.rssMB,
				"cpu_s": r.cpu.Seconds(), "xlsx": boolf(in.format != "csv")}})
		})
	}
}

// BenchmarkDryRun runs `oplabatch import --dry-run` (upsert, the sample mapping's mode)
// of a 1M-row CSV against an emulator on loopback: references are resolved, the cost
// model reads the accounts list once, and the results workbook lists every row with its
// planned action. Target: ≤ 150 MB peak RSS.
func BenchmarkDryRun(b *testing.B) {
	rows := size(100_000, 1_000_000, 1_000_000)
	path := accountsFile(b, "csv", rows, 0)
	var r procResult
	var reqs int
	for range b.N {
		srv := newServer(b, oplatest.Options{})
		out := filepath.Join(b.TempDir(), "dry.results.xlsx")
		r = runBinary(b, []string{"OPLA_BASE_URL=" + srv.URL(), "OPLA_TOKEN=" + srv.Token()},
			"import", "--dry-run", "-m", accountsMappingPath(), "-o", out, path)
		if r.code != 0 {
			b.Fatalf("import --dry-run exit %d: %s", r.code, tail(r.stderr))
		}
		reqs, _ = totalRequests(srv)
		srv.Close()
	}
	rate := float64(rows) / r.wall.Seconds()
	b.ReportMetric(rate, "rows/s")
	b.ReportMetric(r.rssMB, "peak-RSS-MB")
	record(b, Result{Section: "read", Name: fmt.Sprintf("import --dry-run CSV %s rows", rowsLabel(rows)), Values: map[string]float64{
		"rows": float64(rows), "file_mb": float64(fileSize(path)) / (1 << 20), "wall_s": r.wall.Seconds(), "rows_per_s": rate,
		"mb_per_s": float64(fileSize(path)) / (1 << 20) / r.wall.Seconds(), "rss_mb": r.rssMB, "requests": float64(reqs), "dryrun": 1, "cpu_s": r.cpu.Seconds()}})
}

// BenchmarkReaders compares, in-process, reading the same 100k rows with the sheet
// package's CSV reader, its own streaming XLSX reader (no excelize), and excelize's
// Rows iterator (formatted values, and RawCellValue), to see whether reading XLSX is
// what limits validate.
func BenchmarkReaders(b *testing.B) {
	rows := size(50_000, 100_000, 100_000)
	csvPath := accountsFile(b, "csv", rows, 0)
	xlsxPath := accountsFile(b, "xlsx", rows, 0)
	type reader struct {
		name string
		path string
		read func(b *testing.B, path string) int
	}
	readers := []reader{
		{"sheet CSV reader", csvPath, readSheet},
		{"sheet XLSX reader (own XML scanner)", xlsxPath, readSheet},
		{"excelize Rows + Columns()", xlsxPath, func(b *testing.B, p string) int { return readExcelize(b, p, false) }},
		{"excelize Rows + Columns(RawCellValue)", xlsxPath, func(b *testing.B, p string) int { return readExcelize(b, p, true) }},
	}
	for _, rd := range readers {
		b.Run(strings.Fields(rd.name)[0]+"-"+strings.Fields(rd.name)[1]+"-"+fmt.Sprint(strings.Contains(rd.name, "Raw")), func(b *testing.B) {
			var ms0, ms1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms0)
			start := time.Now()
			n := 0
			for range b.N {
				n = rd.read(b, rd.path)
			}
			wall := time.Since(start) / time.Duration(b.N)
			runtime.ReadMemStats(&ms1)
			if n != rows {
				b.Fatalf("read %d rows, want %d", n, rows)
			}
			mb := float64(fileSize(rd.path)) / (1 << 20)
			allocs := float64(ms1.Mallocs-ms0.Mallocs) / float64(b.N) / float64(rows)
			bytesPerRow := float64(ms1.TotalAlloc-ms0.TotalAlloc) / float64(b.N) / float64(rows)
			b.ReportMetric(float64(rows)/wall.Seconds(), "rows/s")
			b.ReportMetric(allocs, "allocs/row")
			record(b, Result{Section: "reader", Name: rd.name, Values: map[string]float64{
				"rows": float64(rows), "file_mb": mb, "wall_s": wall.Seconds(), "rows_per_s": float64(rows) / wall.Seconds(),
				"mb_per_s": mb / wall.Seconds(), "allocs_per_row": allocs, "bytes_per_row": bytesPerRow}})
		})
	}
}

func readSheet(b *testing.B, path string) int {
	r, err := sheet.Open(path, sheet.Options{Sheet: "Accounts"})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	n := 0
	for {
		_, err := r.Next()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
}

func readExcelize(b *testing.B, path string, raw bool) int {
	f, err := excelize.OpenFile(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rows, err := f.Rows("Accounts")
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	n := -1 // the header
	var opts []excelize.Options
	if raw {
		opts = append(opts, excelize.Options{RawCellValue: true})
	}
	for rows.Next() {
		if _, err := rows.Columns(opts...); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if err := rows.Error(); err != nil {
		b.Fatal(err)
	}
	return n
}

func tail(s string) string {
	if len(s) > 2000 {
		return "…" + s[len(s)-2000:]
	}
	return s
}

func boolf(v bool) float64 {
	if v {
		return 1
	}
	return 0
}
