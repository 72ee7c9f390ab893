package exporter

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oplabatch/oplabatch/opla"
	"github.com/oplabatch/oplabatch/opla/oplatest"
)

// BenchmarkExport200k exports 200,000 opportunities with nested fields (owner, stage,
// custom fields, stage logs, products, accounts, users) from the emulator to XLSX and to
// CSV. It is a benchmark, not a test:
//
//	go test ./exporter -run '^$' -bench Export200k -benchtime 1x
//
// The emulator runs in this process; each export runs in a child process (this test
// binary again, as TestBenchChild), so its peak RSS is the exporter's alone. Reported:
// records/s end to end (the emulator's rendering included) and the child's peak RSS.
// BENCH_RECORDS overrides the record count.
func BenchmarkExport200k(b *testing.B) {
	n := 200_000
	if s := os.Getenv("BENCH_RECORDS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	start := time.Now()
	srv := oplatest.NewServer(oplatest.Options{Seed: 1, Dataset: benchDataset(n)})
	defer srv.Close()
	b.Logf("emulator with %d opportunities ready in %s", n, time.Since(start).Round(time.Millisecond))
	for _, format := range []string{"xlsx", "csv"} {
		b.Run(format, func(b *testing.B) {
			dir := b.TempDir()
			for i := 0; b.Loop(); i++ {
				out := filepath.Join(dir, fmt.Sprintf("opps-%d.%s", i, format))
				cmd := exec.Command(os.Args[0], "-test.run=^TestBenchChild$", "-test.count=1")
				cmd.Env = append(os.Environ(), "BENCH_CHILD_URL="+srv.URL(), "BENCH_CHILD_TOKEN="+srv.Token(), "BENCH_CHILD_OUT="+out)
				cmd.Stderr = os.Stderr
				stdout, err := cmd.StdoutPipe()
				if err != nil {
					b.Fatal(err)
				}
				if err := cmd.Start(); err != nil {
					b.Fatal(err)
				}
				var records int
				var elapsed time.Duration
				var hwm int64 // KiB
				sc := bufio.NewScanner(stdout)
				for sc.Scan() {
					if rest, ok := strings.CutPrefix(sc.Text(), "BENCH "); ok {
						fmt.Sscanf(rest, "records=%d elapsed=%d hwm=%d", &records, &elapsed, &hwm)
					}
				}
				if err := cmd.Wait(); err != nil {
					b.Fatalf("export child: %v", err)
				}
				if records != n+1 { // + the sample's own opportunity
					b.Fatalf("exported %d records, want %d", records, n+1)
				}
				// The child's own VmHWM: its rusage would count the parent's pages it shared
				// between fork and exec.
				rss := float64(hwm) / 1024
				st, _ := os.Stat(out)
				b.ReportMetric(float64(records)/elapsed.Seconds(), "records/s")
				b.ReportMetric(rss, "peak-RSS-MiB")
				b.ReportMetric(elapsed.Seconds(), "s/export")
				b.Logf("%s: %d records in %s (%.0f records/s), peak RSS %.0f MiB, main file %.1f MiB",
					format, records, elapsed.Round(time.Millisecond), float64(records)/elapsed.Seconds(), rss, float64(st.Size())/(1<<20))
			}
		})
	}
}

// TestBenchChild is the export half of BenchmarkExport200k; it runs only in the
// benchmark's child process.
func TestBenchChild(t *testing.T) {
	url := os.Getenv("BENCH_CHILD_URL")
	if url == "" {
		t.Skip("runs only as BenchmarkExport200k's child process")
	}
	c, err := opla.New(opla.Options{BaseURL: url, Token: os.Getenv("BENCH_CHILD_TOKEN")})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), Options{Client: c, Entity: "opportunities", Output: os.Getenv("BENCH_CHILD_OUT"), Concurrency: 8})
	if err != nil {
		t.Fatal(err)
	}
	var hwm int64
	if data, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				fmt.Sscanf(strings.TrimSpace(rest), "%d", &hwm)
			}
		}
	}
	fmt.Printf("BENCH records=%d elapsed=%d hwm=%d\n", rep.Records, rep.Elapsed, hwm)
	t.Logf("pages %d, child rows %v", rep.Pages, rep.Children)
}

// benchDataset is the sample dataset plus n opportunities like the sample one: an owner,
// an account, a contact, two product lines, two stage logs, a contributor and two custom
// field values each.
func benchDataset(n int) *oplatest.Dataset {
	ds := oplatest.SampleDataset()
	tmpl := ds.Opportunities[0]
	stages := []string{"Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won"}
	for i := range n {
		rec := make(map[string]any, len(tmpl))
		for k, v := range tmpl {
			rec[k] = v
		}
		delete(rec, "id")
		rec["short_id"] = fmt.Sprintf("2025.%06d", i+1)
		rec["external_id"] = fmt.Sprintf("BENCH-%06d", i+1)
		rec["name"] = fmt.Sprintf("Cơ hội %d", i+1)
		rec["date_closed"] = time.Date(2026, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		rec["sale_process_stage"] = stages[i%len(stages)]
		rec["created_at"] = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute).Format("2006-01-02T15:04:05.000Z")
		rec["opportunities_products"] = []any{
			map[string]any{"product_external_id": "PRD-001", "quantity": 1 + i%5, "price": 12000000, "discount": 0},
			map[string]any{"product_external_id": "PRD-002", "quantity": 1, "price": 25000000, "discount": i % 20},
		}
		ds.Opportunities = append(ds.Opportunities, rec)
	}
	return ds
}
