//go:build bench

package bench

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oplabatch/oplabatch/opla/oplatest"
)

// BenchmarkExport runs `oplabatch export opportunities` as a subprocess against an
// emulator holding 200k opportunities (the sample opportunity, varied: names, amounts,
// dates, stages, custom fields, stage logs) and reads its peak RSS. Target: ≤ 200 MB.
// When the export command is not in the binary yet, the rows are recorded as pending.
func BenchmarkExport(b *testing.B) {
	n := size(20_000, 200_000, 200_000)
	// The export command of the binary, else exporter.Run in a child process (the test
	// binary re-run with BENCH_CHILD=export: the same package code, its own RSS).
	viaCLI := runBinary(b, nil, "export", "--help").code == 0
	loadStart := time.Now()
	srv := newServer(b, oplatest.Options{Dataset: opportunitiesDataset(b, n)})
	b.Logf("loaded %d opportunities into the emulator in %s", n, time.Since(loadStart).Round(time.Millisecond))
	for _, format := range []string{"xlsx", "csv"} {
		b.Run(format, func(b *testing.B) {
			var r procResult
			out := filepath.Join(b.TempDir(), "opportunities."+format)
			for range b.N {
				srv.Emulator().ResetStats()
				if viaCLI {
					r = runBinary(b, []string{"OPLA_BASE_URL=" + srv.URL(), "OPLA_TOKEN=" + srv.Token()},
						"export", "opportunities", "-o", out)
				} else {
					r = runSelf(b, []string{"BENCH_CHILD=export", "BENCH_URL=" + srv.URL(), "BENCH_TOKEN=" + srv.Token(), "BENCH_OUTPUT=" + out})
				}
				if r.code != 0 {
					b.Fatalf("export exit %d: %s", r.code, tail(r.stderr))
				}
			}
			reqs, _ := totalRequests(srv)
			rate := float64(n) / r.wall.Seconds()
			b.ReportMetric(rate, "records/s")
			b.ReportMetric(r.rssMB, "peak-RSS-MB")
			note := ""
			if !viaCLI {
				note = "measured as exporter.Run (defaults, -c 4) in a child process: the export command is not registered in the oplabatch binary yet"
			}
			record(b, Result{Section: "export", Name: fmt.Sprintf("export %s opportunities to %s", rowsLabel(n), strings.ToUpper(format)), Note: note, Values: map[string]float64{
				"rows": float64(n), "wall_s": r.wall.Seconds(), "rows_per_s": rate, "rss_mb": r.rssMB, "requests": float64(reqs), "cpu_s": r.cpu.Seconds(),
				"file_mb": float64(fileSize(out)) / (1 << 20), "cli": boolf(viaCLI)}})
		})
	}
}

// opportunitiesDataset is the sample dataset plus n opportunities built from its first:
// names, stages, owners, dates, products and custom field values vary.
func opportunitiesDataset(b *testing.B, n int) *oplatest.Dataset {
	b.Helper()
	ds := oplatest.SampleDataset()
	if len(ds.Opportunities) == 0 {
		b.Fatal("the sample dataset has no opportunity to copy")
	}
	base := ds.Opportunities[0]
	stages := []string{"Prospecting", "Qualification", "Proposal", "Negotiation"}
	owners := []struct{ id, email string }{{"MNV_001", "an.nguyen@example.vn"}, {"MNV_002", "binh.tran@example.vn"}, {"MNV_003", "cuong.le@example.vn"}}
	var channel any
	if cf, ok := base["custom_fields"].([]any); ok && len(cf) > 0 {
		channel = cf[0]
	}
	for i := range n {
		rec := make(map[string]any, len(base))
		for k, v := range base {
			rec[k] = v
		}
		for _, k := range []string{"id", "short_id", "created_at", "updated_at"} {
			delete(rec, k)
		}
		o := owners[i%len(owners)]
		day := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%700)
		rec["external_id"] = fmt.Sprintf("OPP-%07d", i)
		rec["name"] = fmt.Sprintf("Cơ hội %d – triển khai CRM cho chi nhánh %d", i, i%97)
		rec["sale_process_stage"] = stages[i%len(stages)]
		rec["owner_external_id"], rec["owner_email"] = o.id, o.email
		rec["date_open"] = day.Format("2006-01-02")
		rec["date_closed"] = day.AddDate(0, 2, 0).Format("2006-01-02")
		rec["opportunities_products"] = []any{
			map[string]any{"product_external_id": "PRD-001", "quantity": float64(1 + i%5), "price": float64(12000000), "discount": float64(0)},
			map[string]any{"product_external_id": "PRD-002", "quantity": float64(1), "price": float64(25000000 + (i%10)*1000000), "discount": float64(i % 15)},
		}
		cf := []any{map[string]any{"name": "Xác suất thắng (%)", "value": fmt.Sprint(10 + i%90)}}
		if channel != nil {
			cf = append([]any{channel}, cf...)
		}
		rec["custom_fields"] = cf
		ds.Opportunities = append(ds.Opportunities, rec)
	}
	return ds
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
