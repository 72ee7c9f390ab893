package exporter

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/oplabatch/oplabatch/opla"
	"github.com/oplabatch/oplabatch/opla/oplatest"
)

// newServer starts an emulator; the client waits at most a few milliseconds between
// retries (the emulator's Retry-After says whole seconds) and retries long enough to
// outlast a rate limit.
func newServer(t testing.TB, opts oplatest.Options) (*oplatest.Server, *opla.Client) {
	t.Helper()
	if opts.Seed == 0 {
		opts.Seed = 7
	}
	srv := oplatest.NewServer(opts)
	t.Cleanup(srv.Close)
	return srv, srv.Client(func(o *opla.Options) {
		o.MaxRetries = 200
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(min(d, 20*time.Millisecond))
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				return nil
			}
		}
	})
}

// putOpportunities stores n opportunities modelled on the sample one, with varied
// amounts, close dates and stage logs. It returns their external ids.
func putOpportunities(t testing.TB, e *oplatest.Emulator, n int) []string {
	t.Helper()
	tmpl := oplatest.SampleDataset().Opportunities[0]
	ids := make([]string, 0, n)
	for i := range n {
		rec := map[string]any{}
		for k, v := range tmpl {
			rec[k] = v
		}
		delete(rec, "id")
		delete(rec, "short_id")
		ext := fmt.Sprintf("OPP-%06d", i+1)
		rec["external_id"] = ext
		rec["name"] = fmt.Sprintf("Cơ hội %d", i+1)
		rec["date_closed"] = time.Date(2026, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		rec["opportunities_products"] = []any{
			map[string]any{"product_external_id": "PRD-001", "quantity": 1 + i%3, "price": 12000000, "discount": 0},
		}
		e.Put("opportunities", rec)
		ids = append(ids, ext)
	}
	return ids
}

// readCSV reads a whole CSV file.
func readCSV(t testing.TB, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	require.NoError(t, err)
	if len(rows) > 0 && len(rows[0]) > 0 {
		rows[0][0] = strings.TrimPrefix(rows[0][0], "\uFEFF")
	}
	return rows
}

// column returns the values of one column by header.
func colValues(t testing.TB, rows [][]string, header string) []string {
	t.Helper()
	i := slices.Index(rows[0], header)
	require.GreaterOrEqual(t, i, 0, "no column %q in %v", header, rows[0])
	var out []string
	for _, r := range rows[1:] {
		out = append(out, r[i])
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}

// TestExportPagingAgainstEmulator exports thousands of opportunities while the emulator
// clamps take, inserts records at the head, fails requests and rate-limits: every record
// that was there from the start comes out exactly once.
func TestExportPagingAgainstEmulator(t *testing.T) {
	tests := []struct {
		name string
		opts oplatest.Options
		conc int
		v1   bool
	}{
		{name: "plain", conc: 4},
		{name: "clamped take", opts: oplatest.Options{ClampTake: 70}, conc: 4},
		{name: "head inserts", opts: oplatest.Options{HeadInsertEvery: 2}, conc: 6},
		{name: "head insert every request, clamped", opts: oplatest.Options{HeadInsertEvery: 1, ClampTake: 120}, conc: 8},
		{name: "5xx", opts: oplatest.Options{FailRate: 0.2}, conc: 4},
		{name: "429", opts: oplatest.Options{RateLimit: 15}, conc: 8},
		{name: "everything at once", opts: oplatest.Options{ClampTake: 90, HeadInsertEvery: 3, FailRate: 0.2, RateLimit: 20}, conc: 6, v1: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			knobs := oplatest.Knobs{FailRate: tc.opts.FailRate, RateLimit: tc.opts.RateLimit, ClampTake: tc.opts.ClampTake, HeadInsertEvery: tc.opts.HeadInsertEvery}
			tc.opts.FailRate, tc.opts.RateLimit, tc.opts.ClampTake, tc.opts.HeadInsertEvery = 0, 0, 0, 0
			srv, c := newServer(t, tc.opts)
			want := append(putOpportunities(t, srv.Emulator(), 2000), "OPP-001")
			srv.Emulator().SetKnobs(knobs) // faults only for the export itself
			out := filepath.Join(t.TempDir(), "opps.csv")
			rep, err := Run(context.Background(), Options{Client: c, Entity: "opportunities", Output: out, Concurrency: tc.conc, V1: tc.v1})
			require.NoError(t, err)
			rows := readCSV(t, out)
			ext := colValues(t, rows, "external_id")
			seen := map[string]int{}
			for _, id := range colValues(t, rows, "id") {
				seen[id]++
			}
			for id, n := range seen {
				require.Equal(t, 1, n, "id %s exported %d times", id, n)
			}
			var got []string
			for _, e := range ext {
				if !strings.HasPrefix(e, "HEAD-") {
					got = append(got, e)
				}
			}
			require.Equal(t, sorted(want), sorted(got), "every record that existed for the whole export, once")
			require.Equal(t, len(rows)-1, rep.Records)
			if knobs.ClampTake > 0 {
				require.Equal(t, knobs.ClampTake, rep.PageSize)
			} else {
				require.Equal(t, 200, rep.PageSize)
			}
			if knobs.FailRate > 0 || knobs.RateLimit > 0 {
				require.Positive(t, rep.Retries, "faults were injected")
				require.Greater(t, rep.Requests, int64(rep.Pages))
			}
			stats := srv.Emulator().Stats()
			route := "GET /public/opportunities"
			if tc.v1 {
				route = "GET /public/v1/opportunities"
			}
			require.Positive(t, stats.Requests[route])
		})
	}
}

// TestExportXLSXTypes reads a workbook back: numbers are numbers with a thousands
// format, dates are dates in the zone, ids and phones are text, the header is bold,
// frozen and filtered, and nothing is a formula.
func TestExportXLSXTypes(t *testing.T) {
	srv, c := newServer(t, oplatest.Options{})
	srv.Emulator().Put("accounts", map[string]any{
		"name": "=HYPERLINK(\"http://evil\",\"x\")", "long_name": "@SUM(A1)", "external_id": "ACC-EVIL",
		"tax_identification_number": "0312345678", "phone": map[string]any{"phone": "909080808", "call_code": "+84", "country_code": "VN", "country_name": "Vietnam"},
		"owner_id": "MNV_001", "note": "+cmd|' /C calc'!A0", "is_public": true,
	})
	out := filepath.Join(t.TempDir(), "out.xlsx")
	_, err := Run(context.Background(), Options{Client: c, Entity: "opportunities", Output: out})
	require.NoError(t, err)
	accOut := filepath.Join(t.TempDir(), "acc.xlsx")
	_, err = Run(context.Background(), Options{Client: c, Entity: "accounts", Output: accOut})
	require.NoError(t, err)

	f, err := excelize.OpenFile(out)
	require.NoError(t, err)
	defer f.Close()
	require.Equal(t, []string{"Opportunities", "accounts_opportunities", "contributors", "invoices", "opportunities_products", "stage_logs", "users_opportunities"}, sortedSheets(f))
	sheet := "Opportunities"
	header := rowOf(t, f, sheet, 1)
	cellOf := func(sheet, name string, row int) string {
		i := slices.Index(rowOf(t, f, sheet, 1), name)
		require.GreaterOrEqual(t, i, 0, name)
		ref, _ := excelize.CoordinatesToCellName(i+1, row)
		return ref
	}
	require.Equal(t, []string{"id", "short_id", "external_id", "name", "amount", "amount_usd_dollar"}, header[:6])

	// amount: a number with a thousands format
	ref := cellOf(sheet, "amount", 2)
	raw, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	require.Equal(t, "34500000", raw)
	typ, err := f.GetCellType(sheet, ref)
	require.NoError(t, err)
	require.Contains(t, []excelize.CellType{excelize.CellTypeUnset, excelize.CellTypeNumber}, typ)
	require.Equal(t, "#,##0", numFmt(t, f, sheet, ref))
	shown, err := f.GetCellValue(sheet, ref)
	require.NoError(t, err)
	require.Equal(t, "34,500,000", shown)
	require.Equal(t, "#,##0.00", numFmt(t, f, sheet, cellOf(sheet, "amount_usd_dollar", 2)))

	// date_closed: a real date; created_at: a date-time in Asia/Ho_Chi_Minh (UTC+7)
	ref = cellOf(sheet, "date_closed", 2)
	raw, _ = f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	require.Equal(t, "46112", raw) // 2026-03-31
	require.Equal(t, fmtDate, numFmt(t, f, sheet, ref))
	shown, _ = f.GetCellValue(sheet, ref)
	require.Equal(t, "2026-03-31", shown)
	ref = cellOf(sheet, "created_at", 2)
	shown, _ = f.GetCellValue(sheet, ref)
	require.Equal(t, "2026-01-09 09:48:00", shown) // 02:48Z
	require.Equal(t, fmtDateTime, numFmt(t, f, sheet, ref))

	// ids are text
	for _, name := range []string{"id", "short_id", "external_id", "owner_id"} {
		ref := cellOf(sheet, name, 2)
		typ, err := f.GetCellType(sheet, ref)
		require.NoError(t, err)
		require.Equal(t, excelize.CellTypeInlineString, typ, name)
	}
	// custom field labels
	v, _ := f.GetCellValue(sheet, cellOf(sheet, "Kênh bán hàng", 2))
	require.Equal(t, "Trực tiếp", v)

	// header: bold, frozen, with filter buttons
	st, err := f.GetCellStyle(sheet, "A1")
	require.NoError(t, err)
	style, err := f.GetStyle(st)
	require.NoError(t, err)
	require.True(t, style.Font != nil && style.Font.Bold)
	panes, err := f.GetPanes(sheet)
	require.NoError(t, err)
	require.True(t, panes.Freeze)
	require.Equal(t, 1, panes.YSplit)
	require.Contains(t, definedNames(f), "_xlnm._FilterDatabase")
	width, err := f.GetColWidth(sheet, "A")
	require.NoError(t, err)
	require.Greater(t, width, 30.0, "a uuid column is wide enough")

	// child sheet: keyed by the parent's id and short_id
	logs, err := f.GetRows("stage_logs")
	require.NoError(t, err)
	require.Equal(t, []string{"parent.id", "parent.short_id", "parent.external_id"}, logs[0][:3])
	require.Len(t, logs, 3)
	require.Equal(t, "2026.00001", logs[1][1])
	products, err := f.GetRows("opportunities_products")
	require.NoError(t, err)
	require.Contains(t, products[0], "product.name")

	// accounts: phones and tax numbers text, formulas never formulas
	a, err := excelize.OpenFile(accOut)
	require.NoError(t, err)
	defer a.Close()
	rows, err := a.GetRows("Accounts")
	require.NoError(t, err)
	var evil []string
	for _, r := range rows {
		if slices.Contains(r, "ACC-EVIL") {
			evil = r
		}
	}
	require.NotNil(t, evil)
	hdr := rows[0]
	at := func(name string) string { return evil[slices.Index(hdr, name)] }
	require.Equal(t, "=HYPERLINK(\"http://evil\",\"x\")", at("name"))
	require.Equal(t, "@SUM(A1)", at("long_name"))
	require.Equal(t, "+84 909 080 808", at("phone"))
	require.Equal(t, "0312345678", at("tax_identification_number"))
	require.Equal(t, "TRUE", at("is_public"))
	cells, err := a.GetRows("Accounts", excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	for r := range cells {
		for col := range cells[r] {
			ref, _ := excelize.CoordinatesToCellName(col+1, r+1)
			formula, err := a.GetCellFormula("Accounts", ref)
			require.NoError(t, err)
			require.Empty(t, formula, ref)
		}
	}
}

func rowOf(t testing.TB, f *excelize.File, sheet string, n int) []string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(rows), n)
	return rows[n-1]
}

func numFmt(t testing.TB, f *excelize.File, sheet, ref string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, ref)
	require.NoError(t, err)
	st, err := f.GetStyle(id)
	require.NoError(t, err)
	if st.CustomNumFmt != nil {
		return *st.CustomNumFmt
	}
	return fmt.Sprintf("builtin:%d", st.NumFmt)
}

func definedNames(f *excelize.File) []string {
	var out []string
	for _, d := range f.GetDefinedName() {
		out = append(out, d.Name)
	}
	return out
}

func sortedSheets(f *excelize.File) []string {
	names := f.GetSheetList()
	rest := sorted(names[1:])
	return append(names[:1:1], rest...)
}

// TestExportCSV covers injection, the BOM, the delimiter and child files.
func TestExportCSV(t *testing.T) {
	srv, c := newServer(t, oplatest.Options{})
	srv.Emulator().Put("contacts", map[string]any{
		"first_name": "=1+1", "last_name": "-2+3", "email": "@x", "external_id": "CT-EVIL", "department": "\tTab",
		"description": "-5", "phone_work": map[string]any{"phone": "909080808", "call_code": "+84", "country_code": "VN"},
		"account_external_id": "ACC-001", "owner_id": "MNV_001",
	})
	dir := t.TempDir()
	out := filepath.Join(dir, "contacts.csv")
	rep, err := Run(context.Background(), Options{Client: c, Entity: "contacts", Output: out, BOM: true, Delimiter: ';'})
	require.NoError(t, err)
	require.Equal(t, []string{out}, rep.Files)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(data), "\uFEFFid;"), "BOM then ; separated")
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(data), "\uFEFF")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	require.NoError(t, err)
	var evil map[string]string
	for _, row := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = row[i]
		}
		if m["external_id"] == "CT-EVIL" {
			evil = m
		}
	}
	require.NotNil(t, evil)
	require.Equal(t, "'=1+1", evil["first_name"])
	require.Equal(t, "'-2+3", evil["last_name"])
	require.Equal(t, "'@x", evil["email"])
	require.Equal(t, "'\tTab", evil["department"])
	require.Equal(t, "-5", evil["description"])
	require.Equal(t, "+84 909 080 808", evil["phone_work"])
	require.Equal(t, "=1+1 -2+3", strings.TrimPrefix(evil["name"], "'"))

	// opportunities: one file per child list beside the main one
	out = filepath.Join(dir, "opps.csv")
	rep, err = Run(context.Background(), Options{Client: c, Entity: "opportunities", Output: out})
	require.NoError(t, err)
	require.Equal(t, out, rep.Files[0])
	require.Contains(t, rep.Files, filepath.Join(dir, "opps-stage_logs.csv"))
	logs := readCSV(t, filepath.Join(dir, "opps-stage_logs.csv"))
	require.Equal(t, []string{"2026-01-09 09:48:00", "2026-01-20 10:00:00"}, colValues(t, logs, "created_at"))
	require.Equal(t, []string{"2026.00001", "2026.00001"}, colValues(t, logs, "parent.short_id"))
	main := readCSV(t, out)
	require.Equal(t, []string{"34500000"}, colValues(t, main, "amount"))
	require.Equal(t, []string{"2026-03-31"}, colValues(t, main, "date_closed"))
}

// TestExportAtomic: a failed export leaves no file under the final name (an older one
// stays as it was) and no temporary file behind.
func TestExportAtomic(t *testing.T) {
	for _, ext := range []string{".xlsx", ".csv"} {
		t.Run(ext, func(t *testing.T) {
			srv, c := newServer(t, oplatest.Options{Latency: 10 * time.Millisecond})
			putOpportunities(t, srv.Emulator(), 1200)
			dir := t.TempDir()
			out := filepath.Join(dir, "opps"+ext)
			require.NoError(t, os.WriteFile(out, []byte("previous export"), 0o644))
			fail := srv.Client(func(o *opla.Options) { o.MaxRetries = -1 })
			pages := 0
			_, err := Run(context.Background(), Options{Client: fail, Entity: "opportunities", Output: out, Concurrency: 2,
				Progress: func(p Progress) {
					if pages == 0 && p.Pages >= 2 {
						pages = p.Pages
						srv.Emulator().SetKnobs(oplatest.Knobs{FailRate: 1})
					}
				}})
			require.ErrorContains(t, err, "503")
			require.Positive(t, pages, "the export failed midway")
			srv.Emulator().SetKnobs(oplatest.Knobs{})
			data, err := os.ReadFile(out)
			require.NoError(t, err)
			require.Equal(t, "previous export", string(data))
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			require.Len(t, entries, 1, "no temporary or child files left: %v", entries)

			// a cancelled export too
			ctx, cancel := context.WithCancel(context.Background())
			_, err = Run(ctx, Options{Client: c, Entity: "opportunities", Output: out, Progress: func(p Progress) { cancel() }})
			require.ErrorIs(t, err, context.Canceled)
			entries, _ = os.ReadDir(dir)
			require.Len(t, entries, 1)
		})
	}
}

// TestExportMapping: chosen, renamed and typed columns, row filters, a month, and
// chosen child sheets.
func TestExportMapping(t *testing.T) {
	srv, c := newServer(t, oplatest.Options{})
	putOpportunities(t, srv.Emulator(), 60)
	spec, err := ParseSpec([]byte(`
entity: opportunities
sheet: Cơ hội
columns:
  - {path: short_id, header: Mã}
  - {path: name, header: Tên}
  - {path: amount, header: Giá trị, type: number, format: "#,##0 \"₫\""}
  - {path: date_closed, header: Ngày chốt, type: date, format: dd/mm/yyyy}
  - {path: Kênh bán hàng}
  - {path: opportunity_process_stage.opportunity_stage.name, header: Giai đoạn}
  - {path: owner_email, header: Phụ trách}
  - {path: external_id, type: text}
where:
  stage_compact: OPEN
  amount: {gte: 24000000}
children:
  stage_logs:
    sheet: Lịch sử
    columns: [parent.short_id, new_stage, {path: created_at, header: Lúc, format: "dd/mm/yyyy hh:mm"}]
`), "finance.yaml")
	require.NoError(t, err)
	dir := t.TempDir()
	out := filepath.Join(dir, "nov.csv")
	rep, err := Run(context.Background(), Options{Client: c, Entity: "opportunities", Output: out, Spec: spec,
		Since: "2026-11-01", Until: "2026-12-01"})
	require.NoError(t, err)
	require.Equal(t, []string{out, filepath.Join(dir, "nov-Lịch sử.csv")}, rep.Files)
	rows := readCSV(t, out)
	require.Equal(t, []string{"Mã", "Tên", "Giá trị", "Ngày chốt", "Kênh bán hàng", "Giai đoạn", "Phụ trách", "external_id"}, rows[0])
	// November closes with quantity 2 or 3: i%12 == 10 and i%3 != 0 among 60
	var want []string
	for i := range 60 {
		if i%12 == 10 && i%3 != 0 {
			want = append(want, fmt.Sprintf("OPP-%06d", i+1))
		}
	}
	require.Equal(t, sorted(want), sorted(colValues(t, rows, "external_id")))
	require.Equal(t, rep.Records, len(want))
	require.Equal(t, 61-len(want), rep.Filtered)
	for _, d := range colValues(t, rows, "Ngày chốt") {
		require.Regexp(t, `^\d\d/11/2026$`, d)
	}
	for _, v := range colValues(t, rows, "Kênh bán hàng") {
		require.Equal(t, "Trực tiếp", v)
	}
	logs := readCSV(t, filepath.Join(dir, "nov-Lịch sử.csv"))
	require.Equal(t, []string{"parent.short_id", "new_stage", "Lúc"}, logs[0])
	require.Equal(t, "09/01/2026 09:48", logs[1][2]) // 2026-01-09T02:48:00.000Z in UTC+7

	// the same as a workbook: formats as asked
	xout := filepath.Join(dir, "nov.xlsx")
	_, err = Run(context.Background(), Options{Client: c, Entity: "opportunities", Output: xout, Spec: spec,
		Since: "2026-11-01", Until: "2026-12-01"})
	require.NoError(t, err)
	f, err := excelize.OpenFile(xout)
	require.NoError(t, err)
	defer f.Close()
	require.Equal(t, []string{"Cơ hội", "Lịch sử"}, f.GetSheetList())
	require.Equal(t, "#,##0 \"₫\"", numFmt(t, f, "Cơ hội", "C2"))
	require.Equal(t, "dd/mm/yyyy", numFmt(t, f, "Cơ hội", "D2"))
	v, _ := f.GetCellValue("Cơ hội", "C2")
	require.Regexp(t, `^\d{2},000,000 ₫$`, v)
}

func TestExportMappingErrors(t *testing.T) {
	srv, c := newServer(t, oplatest.Options{})
	_ = srv
	dir := t.TempDir()
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"entity", Options{Entity: "things", Output: "x.csv"}, `cannot export "things"`},
		{"extension", Options{Entity: "leads", Output: "x.json"}, "want a .xlsx or .csv"},
		{"folder", Options{Entity: "leads", Output: filepath.Join(dir, "nope", "x.csv")}, "does not exist"},
		{"filter", Options{Entity: "leads", Output: "x.csv", Query: url.Values{"owner": {"x"}}}, "takes external_id"},
		{"v1", Options{Entity: "leads", Output: "x.csv", V1: true}, "no V1 list route"},
		{"since", Options{Entity: "leads", Output: "x.csv", Since: "someday"}, "is not a date"},
		{"range", Options{Entity: "leads", Output: "x.csv", Since: "2026-12-01", Until: "2026-11-01"}, "is not before"},
		{"mapping entity", Options{Entity: "leads", Output: "x.csv", Spec: &Spec{Source: "m.yaml", Entity: "contacts"}}, "for contacts, not leads"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Client = c
			_, err := Run(context.Background(), tc.opts)
			require.ErrorContains(t, err, tc.want)
			var oe *OptionError
			require.ErrorAs(t, err, &oe)
		})
	}
}

// TestExportSheetSplit: a sheet never takes more rows than Excel allows; the rest goes on
// "<name> (2)" with the header again.
func TestExportSheetSplit(t *testing.T) {
	defer func(n int) { maxSheetRows = n }(maxSheetRows)
	maxSheetRows = 10
	srv, c := newServer(t, oplatest.Options{})
	putOpportunities(t, srv.Emulator(), 24)
	out := filepath.Join(t.TempDir(), "opps.xlsx")
	_, err := Run(context.Background(), Options{Client: c, Entity: "opportunities", Output: out,
		Spec: &Spec{Children: map[string]*ChildSpec{"stage_logs": {}}, childOrder: []string{"stage_logs"}}})
	require.NoError(t, err)
	f, err := excelize.OpenFile(out)
	require.NoError(t, err)
	defer f.Close()
	require.Equal(t, []string{"Opportunities", "Opportunities (2)", "Opportunities (3)",
		"stage_logs", "stage_logs (2)", "stage_logs (3)", "stage_logs (4)", "stage_logs (5)"}, f.GetSheetList())
	total := map[string]int{}
	for _, s := range f.GetSheetList() {
		rows, err := f.GetRows(s)
		require.NoError(t, err)
		require.Contains(t, []string{"id", "parent.id"}, rows[0][0], s)
		require.LessOrEqual(t, len(rows)-1, 10)
		total[strings.Fields(s)[0]] += len(rows) - 1
	}
	require.Equal(t, map[string]int{"Opportunities": 25, "stage_logs": 50}, total)
}

// TestExportLateFields: a field first seen after the planning window has no column; its
// values go to the Extra sheet, nothing is lost.
func TestExportLateFields(t *testing.T) {
	defer func(n int) { windowSize = n }(windowSize)
	windowSize = 5
	srv, c := newServer(t, oplatest.Options{})
	tmpl := oplatest.SampleDataset().Products[0]
	for i := range 12 {
		rec := map[string]any{}
		for k, v := range tmpl {
			rec[k] = v
		}
		delete(rec, "id")
		rec["name"], rec["external_id"], rec["price"] = fmt.Sprintf("P%d", i), fmt.Sprintf("PRD-X%02d", i), 1000*i
		if i == 0 { // the oldest of these: listed after the window
			rec["colour"] = "đỏ"
		}
		srv.Emulator().Put("products", rec)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "products.csv")
	rep, err := Run(context.Background(), Options{Client: c, Entity: "products", Output: out})
	require.NoError(t, err)
	require.Equal(t, 1, rep.Extra)
	require.Len(t, rep.Warnings, 1)
	require.NotContains(t, readCSV(t, out)[0], "colour")
	extra := readCSV(t, filepath.Join(dir, "products-extra.csv"))
	require.Equal(t, []string{"sheet", "row", "id", "column", "value"}, extra[0])
	require.Equal(t, "colour", extra[1][3])
	require.Equal(t, "đỏ", extra[1][4])
}

// TestExportEveryEntity exports each entity of the sample to both formats.
func TestExportEveryEntity(t *testing.T) {
	_, c := newServer(t, oplatest.Options{})
	dir := t.TempDir()
	sample := oplatest.SampleDataset()
	counts := map[string]int{
		"accounts": len(sample.Accounts), "contacts": len(sample.Contacts), "leads": len(sample.Leads),
		"opportunities": len(sample.Opportunities), "employees": len(sample.Employees), "products": len(sample.Products),
		"sources": len(sample.Sources), "industries": len(sample.Industries), "lead-statuses": len(sample.LeadStatuses),
		"sales-processes": len(sample.SalesProcesses),
	}
	for _, entity := range Entities() {
		for _, ext := range []string{".csv", ".xlsx"} {
			out := filepath.Join(dir, entity+ext)
			rep, err := Run(context.Background(), Options{Client: c, Entity: entity, Output: out})
			require.NoError(t, err, entity)
			require.Equal(t, counts[entity], rep.Records, entity)
			if ext == ".csv" {
				require.Len(t, readCSV(t, out), counts[entity]+1, entity)
			}
		}
	}
	stages := 0
	for _, p := range sample.SalesProcesses {
		stages += len(p.Stages)
	}
	rows := readCSV(t, filepath.Join(dir, "sales-processes-stages.csv"))
	require.Len(t, rows, stages+1)
	require.Equal(t, []string{"parent.id", "parent.name"}, rows[0][:2])

	// a server-side filter
	out := filepath.Join(dir, "one.csv")
	rep, err := Run(context.Background(), Options{Client: c, Entity: "contacts", Output: out, Query: url.Values{"account_external_id": {"ACC-001"}}})
	require.NoError(t, err)
	for _, v := range colValues(t, readCSV(t, out), "account_external_id") {
		require.Equal(t, "ACC-001", v)
	}
	require.Positive(t, rep.Records)
}

func TestFormatOf(t *testing.T) {
	for in, want := range map[string]Format{"a.xlsx": XLSX, "B.XLSX": XLSX, "c.csv": CSV} {
		got, err := FormatOf(in)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	_, err := FormatOf("d.xls")
	require.Error(t, err)
	_ = io.EOF
}

// TestExportWarnings: a mapping that names a path no record has, filters that keep
// nothing and a child list that does not exist are reported, not silently ignored.
func TestExportWarnings(t *testing.T) {
	_, c := newServer(t, oplatest.Options{})
	spec, err := ParseSpec([]byte(`
columns: [external_id, {path: ownr.email}]
where: {stage_compact: NOPE}
children: [stage_log]
`), "m.yaml")
	require.NoError(t, err)
	rep, err := Run(context.Background(), Options{Client: c, Entity: "opportunities", Output: filepath.Join(t.TempDir(), "o.csv"), Spec: spec})
	require.NoError(t, err)
	require.Zero(t, rep.Records)
	all := strings.Join(rep.Warnings, "\n")
	require.Contains(t, all, `column "ownr.email": no record in the first 1000 had this path`)
	require.Contains(t, all, "owner_email")
	require.Contains(t, all, "the filters kept none of the 1 records")
	require.Contains(t, all, `child list "stage_log": no opportunities record has it`)
}
