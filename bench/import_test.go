//go:build bench

package bench

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oplabatch/oplabatch/importer"
	"github.com/oplabatch/oplabatch/opla"
	"github.com/oplabatch/oplabatch/opla/oplatest"
	"github.com/oplabatch/oplabatch/sheet"
)

// latency is the emulator's added latency for the efficiency, baseline and rate-limit
// runs: a realistic round trip to a hosted API.
const latency = 20 * time.Millisecond

// efficiencyRows is how many rows a -c level imports: 5,000 where that takes seconds;
// fewer at -c 1 and 4, whose wall time is rows × 20 ms ÷ c (100 s and 25 s for 5,000)
// and whose efficiency does not depend on the count (BENCH_SIZE=full uses 5,000 for all).
func efficiencyRows(c int) int {
	switch {
	case c == 1:
		return size(100, 500, 5000)
	case c <= 4:
		return size(400, 2000, 5000)
	}
	return size(1000, 5000, 5000)
}

// repeats is how many times a -c level of the efficiency benchmark runs (the median is
// reported): -c 32, the target's level, three times, as a shared 2-core machine is noisy.
func repeats(c int) int {
	if quick() || c != 32 { // the reference rows run at -c 32 too
		return 1
	}
	return 3
}

// BenchmarkImportEfficiency: (rows × latency ÷ concurrency) ÷ wall time, creating
// accounts through the sample mapping (industry, source and owner references) against
// a fresh 20 ms emulator. 1.0 is the network's limit. Two reference rows at -c 32: the
// opla client alone (32 goroutines posting the same rows: the harness's own ceiling)
// and oplabatch with its results workbook and journal on tmpfs (no disk fsync).
func BenchmarkImportEfficiency(b *testing.B) {
	type level struct {
		name string
		c    int
		raw  bool   // the client alone
		dir  string // results (and journal) folder; "" = a temp dir on disk
	}
	levels := []level{{"c=1", 1, false, ""}, {"c=4", 4, false, ""}, {"c=16", 16, false, ""}, {"c=32", 32, false, ""}, {"c=64", 64, false, ""},
		{"ref-client-only-c=32", 32, true, ""}}
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		levels = append(levels, level{"ref-tmpfs-c=32", 32, false, "/dev/shm"})
	}
	for _, lv := range levels {
		b.Run(lv.name, func(b *testing.B) {
			c := lv.c
			rows := efficiencyRows(c)
			input := accountsFile(b, "csv", rows, 0)
			m := loadMapping(b, "create")
			var walls []time.Duration
			var reqs int
			for range b.N {
				walls = walls[:0]
				for range repeats(c) {
					b.StopTimer()
					srv := newServer(b, oplatest.Options{Latency: latency})
					b.StartTimer()
					var w time.Duration
					if lv.raw {
						w = clientOnly(b, srv, input, c)
					} else {
						mod := func(o *importer.Options) {}
						if lv.dir != "" {
							dir, err := os.MkdirTemp(lv.dir, "oplabatch-bench-")
							if err != nil {
								b.Fatal(err)
							}
							defer os.RemoveAll(dir)
							mod = func(o *importer.Options) { o.Output = filepath.Join(dir, "results.xlsx") }
						}
						rep, wall, _ := importRun(b, srv, m, input, c, mod)
						if rep.Summary.Created != rows || rep.Summary.Failed != 0 {
							b.Fatalf("created %d of %d, failed %d: %v", rep.Summary.Created, rows, rep.Summary.Failed, rep.Errors)
						}
						w = wall
					}
					b.StopTimer()
					walls = append(walls, w)
					reqs, _ = totalRequests(srv)
					srv.Close()
					b.StartTimer()
				}
			}
			slices.Sort(walls)
			wall := walls[len(walls)/2]
			ideal := time.Duration(rows) * latency / time.Duration(c)
			eff := ideal.Seconds() / wall.Seconds()
			b.ReportMetric(eff, "efficiency")
			b.ReportMetric(float64(rows)/wall.Seconds(), "rows/s")
			name := fmt.Sprintf("-c %d", c)
			section := "efficiency"
			switch {
			case lv.raw:
				name, section = "opla client alone, 32 goroutines (harness ceiling)", "efficiency-ref"
			case lv.dir != "":
				name, section = "oplabatch -c 32, results + journal on tmpfs", "efficiency-ref"
			}
			record(b, Result{Section: section, Name: name, Values: map[string]float64{
				"c": float64(c), "rows": float64(rows), "wall_s": wall.Seconds(), "ideal_s": ideal.Seconds(),
				"efficiency": eff, "rows_per_s": float64(rows) / wall.Seconds(), "requests": float64(reqs),
				"runs": float64(len(walls)), "eff_min": ideal.Seconds() / walls[len(walls)-1].Seconds(), "eff_max": ideal.Seconds() / walls[0].Seconds()}})
		})
	}
}

// clientOnly posts the file's rows with c goroutines calling the opla client directly:
// no mapping, journal, results or references; the same bodies as the importer sends.
func clientOnly(b *testing.B, srv *oplatest.Server, input string, c int) time.Duration {
	b.Helper()
	cl := cliClient(srv, c)
	rd, err := sheet.Open(input, sheet.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var bodies []opla.AccountCreate
	for {
		row, err := rd.Next()
		if err != nil {
			break
		}
		v := make([]string, len(row.Cells))
		for i, cell := range row.Cells {
			v[i] = cell.Text
		}
		bodies = append(bodies, opla.AccountCreate{ExternalID: v[0], Name: v[1], LongName: v[2], TaxIdentificationNumber: v[3],
			Phone: opla.Phone{Phone: v[4], CallCode: "+84", CountryCode: "VN", CountryName: "Vietnam"}, Email: v[5], Address: v[6], Website: v[7],
			Note: v[11], AccountType: "Khách hàng doanh nghiệp"})
	}
	_ = rd.Close()
	ch := make(chan opla.AccountCreate)
	var wg sync.WaitGroup
	var failed atomic.Int64
	start := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for body := range ch {
				if _, err := cl.Accounts.Create(context.Background(), body); err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	for _, body := range bodies {
		ch <- body
	}
	close(ch)
	wg.Wait()
	w := time.Since(start)
	if failed.Load() > 0 {
		b.Fatalf("client-only: %d creates failed", failed.Load())
	}
	return w
}

// BenchmarkRequestsPerRow counts the emulator's requests (every route: reference lists,
// the token check, probes, list pages, GETs and writes) per row of the file, by mode.
// One emulator: create, then upsert of the same file (unchanged), then update with a
// new name and note on every row; a fresh one for upsert of new rows.
func BenchmarkRequestsPerRow(b *testing.B) {
	rows := size(1000, 5000, 5000)
	const c = 32
	input := accountsFile(b, "csv", rows, 0)
	changed := accountsFile(b, "csv", rows, 1)
	for range b.N {
		srv := newServer(b, oplatest.Options{})
		type step struct {
			name, key, mode, input string
			srv                    *oplatest.Server
			want                   func(s importerSummary) bool
		}
		fresh := newServer(b, oplatest.Options{})
		steps := []step{
			{"create", "create", "create", input, srv, func(s importerSummary) bool { return s.Created == rows }},
			{"upsert, unchanged rows", "unchanged", "upsert", input, srv, func(s importerSummary) bool { return s.Unchanged == rows }},
			{"update (every row changed)", "update", "update", changed, srv, func(s importerSummary) bool { return s.Updated == rows }},
			{"upsert, new rows", "upsert-new", "upsert", input, fresh, func(s importerSummary) bool { return s.Created == rows }},
		}
		for _, st := range steps {
			st.srv.Emulator().ResetStats()
			rep, wall, _ := importRun(b, st.srv, loadMapping(b, st.mode), st.input, c, nil)
			s := importerSummary{rep.Summary.Created, rep.Summary.Updated, rep.Summary.Unchanged, rep.Summary.Failed}
			n, by := totalRequests(st.srv)
			note := ""
			if !st.want(s) || s.Failed > 0 {
				note = fmt.Sprintf("unexpected outcome: %d created, %d updated, %d unchanged, %d failed", s.Created, s.Updated, s.Unchanged, s.Failed)
				b.Logf("%s: %s; first errors: %v", st.name, note, rep.Errors)
			}
			written := s.Created + s.Updated
			per := float64(n) / float64(rows)
			b.ReportMetric(per, st.key+"-req/row")
			b.Logf("%s: %d requests for %d rows (%.4f/row) in %s: %s", st.name, n, rows, per, wall.Round(time.Millisecond), routes(by))
			record(b, Result{Section: "requests", Name: st.name, Note: note + routesNote(by), Values: map[string]float64{
				"rows": float64(rows), "requests": float64(n), "per_row": per, "written": float64(written),
				"created": float64(s.Created), "updated": float64(s.Updated), "unchanged": float64(s.Unchanged), "failed": float64(s.Failed)}})
		}
		srv.Close()
		fresh.Close()
	}
}

type importerSummary struct{ Created, Updated, Unchanged, Failed int }

func routes(by map[string]int) string {
	var parts []string
	for k, v := range by {
		parts = append(parts, fmt.Sprintf("%s=%d", k, v))
	}
	return strings.Join(sortStrings(parts), ", ")
}

// routesNote names the routes with their counts, for the table's notes.
func routesNote(by map[string]int) string {
	var parts []string
	for k, v := range by {
		k = strings.Replace(k, "/public/", "/", 1)
		parts = append(parts, fmt.Sprintf("%s ×%d", k, v))
	}
	return strings.Join(sortStrings(parts), "; ")
}

func sortStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

// BenchmarkSerialBaseline is what a hand-written script does: one row at a time, a GET
// by external_id before each create (404, then POST), with the reference ids looked
// up once at the start (generous to the script). It runs on a smaller count (its wall
// time is linear: 2 × 20 ms a row) and oplabatch -c 32 imports the same rows in the same
// run; the report also compares per-row times with the 5,000-row -c 32 run.
func BenchmarkSerialBaseline(b *testing.B) {
	rows := size(100, 500, 5000)
	input := accountsFile(b, "csv", rows, 0)
	for range b.N {
		srv := newServer(b, oplatest.Options{Latency: latency})
		c := cliClient(srv, 1)
		start := time.Now()
		n := serialImport(b, c, input)
		serial := time.Since(start)
		if n != rows {
			b.Fatalf("serial baseline created %d of %d", n, rows)
		}
		srv.Close()

		srv2 := newServer(b, oplatest.Options{Latency: latency})
		rep, tool, _ := importRun(b, srv2, loadMapping(b, "create"), input, 32, nil)
		if rep.Summary.Created != rows {
			b.Fatalf("oplabatch created %d of %d: %v", rep.Summary.Created, rows, rep.Errors)
		}
		srv2.Close()
		ratio := serial.Seconds() / tool.Seconds()
		b.ReportMetric(ratio, "serial/oplabatch")
		b.ReportMetric(serial.Seconds(), "serial-s")
		record(b, Result{Section: "serial", Name: "serial script vs oplabatch -c 32", Values: map[string]float64{
			"rows": float64(rows), "serial_s": serial.Seconds(), "tool_s": tool.Seconds(), "ratio": ratio,
			"serial_per_row_ms": serial.Seconds() * 1000 / float64(rows)}})
	}
}

// serialImport creates every row of an accounts CSV the way a script would.
func serialImport(b *testing.B, c *opla.Client, input string) int {
	b.Helper()
	ctx := context.Background()
	industries, err := c.Accounts.Industries(ctx)
	if err != nil {
		b.Fatal(err)
	}
	srcs, err := c.Accounts.Sources(ctx)
	if err != nil {
		b.Fatal(err)
	}
	emps, err := opla.All[map[string]any](ctx, c, "employees.list", url.Values{})
	if err != nil {
		b.Fatal(err)
	}
	ids := map[string]string{}
	for _, it := range industries {
		ids["i:"+it.Name] = it.ID
	}
	for _, it := range srcs {
		ids["s:"+it.Name] = it.ID
	}
	for _, e := range emps {
		ids["e:"+fmt.Sprint(e["email"])] = fmt.Sprint(e["external_id"])
	}
	rd, err := sheet.Open(input, sheet.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer rd.Close()
	created := 0
	for {
		row, err := rd.Next()
		if err != nil {
			break
		}
		v := make([]string, len(row.Cells))
		for i, cell := range row.Cells {
			v[i] = cell.Text
		}
		if _, err := c.Accounts.Get(ctx, v[0]); err == nil {
			continue // exists: a script would update it
		} else if ae, ok := opla.AsAPIError(err); !ok || ae.StatusCode != 404 {
			b.Fatalf("GET %s: %v", v[0], err)
		}
		phone := opla.Phone{Phone: strings.TrimPrefix(v[4], "0"), CallCode: "+84", CountryCode: "VN", CountryName: "Vietnam"}
		if strings.HasPrefix(v[4], "+84") {
			phone.Phone = strings.ReplaceAll(strings.TrimPrefix(v[4], "+84 "), " ", "")
		}
		_, err = c.Accounts.Create(ctx, opla.AccountCreate{
			ExternalID: v[0], Name: v[1], LongName: v[2], TaxIdentificationNumber: v[3], Phone: phone, Email: v[5],
			Address: v[6], Website: v[7], IndustryID: ids["i:"+v[8]], SourceID: ids["s:"+v[9]], OwnerID: ids["e:"+v[10]],
			Note: v[11], AccountType: "Khách hàng doanh nghiệp",
		})
		if err != nil {
			b.Fatalf("create %s: %v", v[0], err)
		}
		created++
	}
	return created
}

// BenchmarkAdaptiveConcurrency imports against an emulator that answers 429 (with
// Retry-After) above R requests/s, with 20 ms latency: throughput should reach 0.9 × R
// with no failed row, whatever -c says. -c 64 runs three times (median reported): how
// fast the client settles on the limit varies from run to run.
func BenchmarkAdaptiveConcurrency(b *testing.B) {
	const R = 100.0
	levels := []int{16, 64}
	if quick() {
		levels = []int{64}
	}
	for _, c := range levels {
		b.Run(fmt.Sprintf("R=%.0f/c=%d", R, c), func(b *testing.B) {
			rows := size(400, 1500, 3000)
			input := accountsFile(b, "csv", rows, 0)
			runs := 1
			if c == 64 && !quick() {
				runs = 3
			}
			type run struct {
				rate, paced, wall float64
				created, failed   int
				reqs, retries     int64
			}
			var all []run
			for range b.N {
				all = all[:0]
				for range runs {
					srv := newServer(b, oplatest.Options{Latency: latency, RateLimit: R})
					rep, wall, cl := importRun(b, srv, loadMapping(b, "create"), input, c, func(o *importer.Options) { o.KeepGoing = true })
					n, _ := totalRequests(srv)
					_, retries := cl.Stats()
					all = append(all, run{rate: float64(rep.Summary.Created) / wall.Seconds(), paced: cl.PacedRate(), wall: wall.Seconds(),
						created: rep.Summary.Created, failed: rep.Summary.Failed, reqs: int64(n), retries: retries})
					srv.Close()
				}
			}
			slices.SortFunc(all, func(x, y run) int { return cmp.Compare(x.rate, y.rate) })
			m := all[len(all)/2]
			failed := 0
			for _, r := range all {
				failed = max(failed, r.failed)
			}
			b.ReportMetric(m.rate, "rows/s")
			b.ReportMetric(m.rate/R, "of-R")
			b.ReportMetric(float64(failed), "failed")
			record(b, Result{Section: "adaptive", Name: fmt.Sprintf("R = %.0f req/s, -c %d", R, c), Values: map[string]float64{
				"R": R, "c": float64(c), "rows": float64(rows), "created": float64(m.created), "failed": float64(failed),
				"wall_s": m.wall, "rows_per_s": m.rate, "of_R": m.rate / R, "requests": float64(m.reqs), "refused": float64(m.retries),
				"paced_rate": m.paced, "runs": float64(len(all)), "of_R_min": all[0].rate / R, "of_R_max": all[len(all)-1].rate / R}})
		})
	}
}
