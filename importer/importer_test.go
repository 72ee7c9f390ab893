package importer_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oplabatch/oplabatch/importer"
	"github.com/oplabatch/oplabatch/mapping"
	"github.com/oplabatch/oplabatch/opla"
	"github.com/oplabatch/oplabatch/opla/oplatest"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// fixture is one import against a fresh emulator.
type fixture struct {
	t   *testing.T
	srv *oplatest.Server
	dir string
}

func newFixture(t *testing.T, opts oplatest.Options) *fixture {
	t.Helper()
	if opts.Seed == 0 {
		opts.Seed = 7
	}
	srv := oplatest.NewServer(opts)
	t.Cleanup(srv.Close)
	return &fixture{t: t, srv: srv, dir: t.TempDir()}
}

func (f *fixture) client() *opla.Client {
	return f.srv.Client(func(o *opla.Options) {
		o.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	})
}

func (f *fixture) writeCSV(name string, rows [][]string) string {
	f.t.Helper()
	path := filepath.Join(f.dir, name)
	fh, err := os.Create(path)
	require.NoError(f.t, err)
	w := csv.NewWriter(fh)
	require.NoError(f.t, w.WriteAll(rows))
	require.NoError(f.t, fh.Close())
	return path
}

func (f *fixture) writeXLSX(name, sheetName string, rows [][]string) string {
	f.t.Helper()
	path := filepath.Join(f.dir, name)
	x := excelize.NewFile()
	require.NoError(f.t, x.SetSheetName("Sheet1", sheetName))
	for i, row := range rows {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			require.NoError(f.t, x.SetCellStr(sheetName, cell, v))
		}
	}
	require.NoError(f.t, x.SaveAs(path))
	return path
}

func (f *fixture) mapping(yaml string) *mapping.Mapping {
	f.t.Helper()
	m, err := mapping.Parse([]byte(yaml), "test.yaml", opla.DefaultProfile())
	require.NoError(f.t, err)
	return m
}

func (f *fixture) run(m *mapping.Mapping, input string, mod func(*importer.Options)) *importer.Report {
	f.t.Helper()
	o := importer.Options{Mapping: m, Client: f.client(), Input: input, Concurrency: 4}
	if mod != nil {
		mod(&o)
	}
	rep, err := importer.Run(context.Background(), o)
	require.NoError(f.t, err)
	return rep
}

// sheetRows reads a sheet of a results workbook as maps keyed by header.
func sheetRows(t *testing.T, path, name string) []map[string]string {
	t.Helper()
	x, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer x.Close()
	rows, err := x.GetRows(name)
	require.NoError(t, err)
	require.NotEmpty(t, rows, "sheet %s has no header", name)
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			if i < len(r) {
				m[h] = r[i]
			} else {
				m[h] = ""
			}
		}
		out = append(out, m)
	}
	return out
}

func summary(t *testing.T, path string) map[string]string {
	out := map[string]string{}
	for _, r := range sheetRows(t, path, "Summary") {
		out[r["key"]] = r["value"]
	}
	return out
}

func findRecord(t *testing.T, srv *oplatest.Server, entity, key string) map[string]any {
	t.Helper()
	for _, r := range srv.Emulator().Records(entity) {
		if r["external_id"] == key {
			return r
		}
	}
	return nil
}

const contactsMapping = `
entity: contacts
columns:
  "Mã LH": external_id
  "Họ": last_name
  "Tên": first_name
  "Giới tính":
    field: gender
    map: {Nam: MALE, "Nữ": FEMALE, "Khác": OTHER}
  "Ngày sinh":
    field: birthday
    formats: ["02/01/2006"]
  "Email": email
  "Điện thoại": phone_work
  "Công ty":
    field: account_external_id
    ref: accounts
  "Người phụ trách":
    field: owner_id
    ref: employees.email
`

var contactRows = [][]string{
	{"Mã LH", "Họ", "Tên", "Giới tính", "Ngày sinh", "Email", "Điện thoại", "Công ty", "Người phụ trách", "Ghi chú"},
	{"CT-101", "Nguyễn Văn", "Hải", "Nam", "14/03/1988", "hai.nguyen@example.vn", "909123456", "ACC-001", "an.nguyen@example.vn", "x"},
	{"CT-102", "Trần Thị", "Mai", "nữ", "01/12/1990", "mai.tran@example.vn", "+84 28 3823 4567", "ACC-002", "BINH.TRAN@example.vn", ""},
	{"", "", "", "", "", "", "", "", "", ""},
	{"CT-103", "Lê", "Hoa", "Nữ", "31/02/1990", "hoa.le@example.vn", "", "ACC-001", "", ""},
	{"CT-104", "Phạm", "Long", "Nam", "", "long.pham@example.vn", "", "ACC-999", "", ""},
	{"CT-101", "Nguyễn Văn", "Hải (trùng)", "Nam", "", "", "", "ACC-001", "", ""},
	{"CT-105", "Võ", "Minh", "Nam giới", "", "not-an-email", "12345", "ACC-001", "", ""},
}

func TestImportContactsEndToEnd(t *testing.T) {
	for _, format := range []string{"csv", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			f := newFixture(t, oplatest.Options{})
			var input string
			if format == "csv" {
				input = f.writeCSV("contacts.csv", contactRows)
			} else {
				input = f.writeXLSX("contacts.xlsx", "Contacts", contactRows)
			}
			m := f.mapping(contactsMapping)
			rep := f.run(m, input, nil)
			require.NoError(t, rep.Stopped)
			require.Equal(t, []string{"Ghi chú"}, rep.Ignored)
			s := rep.Summary
			require.Equal(t, 6, s.Total, "blank rows count nowhere")
			require.Equal(t, 2, s.Created)
			require.Equal(t, 4, s.Failed)
			require.Equal(t, 0, s.Skipped)

			out := rep.Output
			require.Equal(t, importer.DefaultOutput(input), out)
			sum := summary(t, out)
			require.Equal(t, "contacts", sum["entity"])
			require.Equal(t, "6", sum["total"])
			require.Equal(t, "2", sum["succeeded"])
			require.Equal(t, "4", sum["failed"])

			ok := sheetRows(t, out, "Succeeded")
			require.Len(t, ok, 2)
			require.Equal(t, "2", ok[0]["_row"])
			require.Equal(t, "created", ok[0]["_action"])
			require.Equal(t, "CT-101", ok[0]["external_id"])
			require.NotEmpty(t, ok[0]["id"])

			failed := sheetRows(t, out, "Failed")
			require.Len(t, failed, 4)
			byRow := map[string]map[string]string{}
			for _, r := range failed {
				byRow[r["_row"]] = r
			}
			require.Contains(t, byRow["5"]["_error"], `Column "Ngày sinh"`)
			require.Contains(t, byRow["5"]["_error"], "31/02/1990")
			require.Equal(t, "validation", byRow["5"]["_code"])
			require.Equal(t, "birthday", byRow["5"]["_field"])
			require.Equal(t, "Hoa", byRow["5"]["Tên"], "Failed keeps the source columns")

			require.Equal(t, "reference", byRow["6"]["_code"])
			require.Contains(t, byRow["6"]["_error"], `"ACC-999"`)

			require.Equal(t, "validation", byRow["7"]["_code"])
			require.Contains(t, byRow["7"]["_error"], "duplicate of row 2")

			require.Contains(t, byRow["8"]["_error"], `Column "Giới tính"`)
			require.Contains(t, byRow["8"]["_error"], `Column "Email"`)
			require.Contains(t, byRow["8"]["_error"], `Column "Điện thoại"`)

			// What is stored equals what the sheet said.
			c := findRecord(t, f.srv, "contacts", "CT-101")
			require.NotNil(t, c)
			require.Equal(t, "Hải", c["first_name"])
			require.Equal(t, "MALE", c["gender"])
			require.Equal(t, "ACC-001", c["account_external_id"])
			require.Equal(t, "MNV_001", c["owner_id"])
			require.Equal(t, "1988-03-13T17:00:00.000Z", c["birthday"], "a date is midnight in Vietnam")
			phone := c["phone_work"].(map[string]any)
			require.Equal(t, "909123456", phone["phone"])
			require.Equal(t, "+84", phone["call_code"])
			c2 := findRecord(t, f.srv, "contacts", "CT-102")
			require.Equal(t, "FEMALE", c2["gender"])
			require.Equal(t, "MNV_002", c2["owner_id"], "owner e-mail matched case-insensitively")
			require.Nil(t, findRecord(t, f.srv, "contacts", "CT-103"))

			// The same file again changes nothing.
			rep2 := f.run(m, input, func(o *importer.Options) { o.Output = filepath.Join(f.dir, "again.xlsx") })
			require.Equal(t, 2, rep2.Summary.Unchanged)
			require.Equal(t, 0, rep2.Summary.Created+rep2.Summary.Updated)
		})
	}
}

func TestImportFailedSheetReimports(t *testing.T) {
	f := newFixture(t, oplatest.Options{})
	input := f.writeCSV("contacts.csv", contactRows)
	m := f.mapping(contactsMapping)
	rep := f.run(m, input, nil)
	require.Equal(t, 4, rep.Summary.Failed)

	// Fix the bad date row in the Failed sheet, as a person would, then import the sheet.
	x, err := excelize.OpenFile(rep.Output)
	require.NoError(t, err)
	rows, err := x.GetRows("Failed")
	require.NoError(t, err)
	for i, r := range rows {
		if len(r) > 0 && r[0] == "CT-103" {
			cell, _ := excelize.CoordinatesToCellName(5, i+1)
			require.NoError(t, x.SetCellStr("Failed", cell, "28/02/1990"))
		}
	}
	fixed := filepath.Join(f.dir, "fixed.xlsx")
	require.NoError(t, x.SaveAs(fixed))
	require.NoError(t, x.Close())

	rep2 := f.run(m, fixed, func(o *importer.Options) { o.Sheet = "Failed" })
	require.Equal(t, 4, rep2.Summary.Total)
	require.Equal(t, 1, rep2.Summary.Created, "the fixed row")
	require.Equal(t, 1, rep2.Summary.Updated, "the former in-file duplicate is alone in the Failed sheet")
	require.Equal(t, 2, rep2.Summary.Failed)
	require.NotNil(t, findRecord(t, f.srv, "contacts", "CT-103"))
}

func TestImportModes(t *testing.T) {
	rows := [][]string{{"Mã", "Tên", "Giá"}, {"PRD-001", "CRM gói Chuẩn (mới)", "12.500.000"}, {"PRD-900", "Máy pha cà phê", "45.000.000"}}
	const products = `
entity: products
mode: %s
columns:
  "Mã": external_id
  "Tên": name
  "Giá": price
`
	tests := []struct {
		mode                               string
		created, updated, unchanged, fails int
		code                               string
	}{
		{mode: "create", created: 1, fails: 1, code: "conflict"},
		{mode: "update", updated: 1, fails: 1, code: "reference"},
		{mode: "upsert", created: 1, updated: 1},
	}
	for _, tc := range tests {
		t.Run(tc.mode, func(t *testing.T) {
			f := newFixture(t, oplatest.Options{})
			input := f.writeCSV("p.csv", rows)
			rep := f.run(f.mapping(strings.Replace(products, "%s", tc.mode, 1)), input, nil)
			s := rep.Summary
			require.Equal(t, tc.created, s.Created)
			require.Equal(t, tc.updated, s.Updated)
			require.Equal(t, tc.fails, s.Failed)
			if tc.code != "" {
				failed := sheetRows(t, rep.Output, "Failed")
				require.Equal(t, tc.code, failed[0]["_code"], failed[0]["_error"])
			}
			if tc.mode != "create" {
				p := findRecord(t, f.srv, "products", "PRD-001")
				require.Equal(t, "CRM gói Chuẩn (mới)", p["name"])
				require.EqualValues(t, 12500000, p["price"])
				require.Equal(t, "SUP-001", p["supplier_id"], "update keeps fields the sheet does not map")
			}
		})
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	f := newFixture(t, oplatest.Options{})
	input := f.writeCSV("contacts.csv", contactRows)
	rep := f.run(f.mapping(contactsMapping), input, func(o *importer.Options) { o.DryRun = true })
	require.Equal(t, 2, rep.Summary.Created, "planned")
	require.Equal(t, 4, rep.Summary.Failed)
	for route, n := range f.srv.Emulator().Stats().Requests {
		require.False(t, strings.HasPrefix(route, "POST") || strings.HasPrefix(route, "PUT"), "dry run sent %s %d times", route, n)
	}
	require.Nil(t, findRecord(t, f.srv, "contacts", "CT-101"))
	require.Equal(t, "created", sheetRows(t, rep.Output, "Succeeded")[0]["_action"])
}

func TestUnauthorizedStops(t *testing.T) {
	f := newFixture(t, oplatest.Options{})
	input := f.writeCSV("contacts.csv", contactRows)
	c := f.srv.Client(func(o *opla.Options) { o.Token = "wrong-token-123" })
	m := f.mapping(`
entity: contacts
columns:
  "Mã LH": external_id
  "Tên": first_name
`)
	_, err := importer.Run(context.Background(), importer.Options{Mapping: m, Client: c, Input: input})
	require.Error(t, err)
	require.True(t, opla.IsAuth(err), err.Error())
	require.NotContains(t, err.Error(), "wrong-token-123")
}

func TestLostResponsesCreateOnce(t *testing.T) {
	f := newFixture(t, oplatest.Options{LostResponseRate: 0.05, Seed: 42})
	rows := [][]string{{"Mã", "Tên", "Giá"}}
	for i := range 2000 {
		rows = append(rows, []string{"P-" + strconv.Itoa(i), "Sản phẩm " + strconv.Itoa(i), "1000"})
	}
	input := f.writeCSV("p.csv", rows)
	m := f.mapping(`
entity: products
mode: create
columns: {"Mã": external_id, "Tên": name, "Giá": price}
`)
	rep := f.run(m, input, func(o *importer.Options) { o.Concurrency = 8 })
	require.Equal(t, 0, rep.Summary.Failed, rep.Errors)
	require.Equal(t, 2000, rep.Summary.Created)
	seen := map[any]int{}
	for _, r := range f.srv.Emulator().Records("products") {
		seen[r["external_id"]]++
	}
	for k, n := range seen {
		require.Equal(t, 1, n, "%v stored %d times", k, n)
	}
}

func requests(srv *oplatest.Server) (total int, byRoute map[string]int) {
	byRoute = srv.Emulator().Stats().Requests
	for _, n := range byRoute {
		total += n
	}
	return total, byRoute
}

func TestRequestsPerRow(t *testing.T) {
	f := newFixture(t, oplatest.Options{})
	rows := [][]string{{"Mã", "Tên", "Email"}}
	for i := range 300 {
		rows = append(rows, []string{fmt.Sprintf("R-%03d", i), "Công ty " + strconv.Itoa(i), fmt.Sprintf("c%d@example.vn", i)})
	}
	input := f.writeCSV("a.csv", rows)
	const yaml = "entity: accounts\nmode: %s\ncolumns: {\"Mã\": external_id, \"Tên\": name, \"Email\": email}\n"
	measure := func(mode string) (perRow float64, rep *importer.Report) {
		f.srv.Emulator().ResetStats()
		rep = f.run(f.mapping(strings.Replace(yaml, "%s", mode, 1)), input, func(o *importer.Options) { o.Output = filepath.Join(f.dir, mode+".xlsx") })
		require.Zero(t, rep.Summary.Failed, rep.Errors)
		n, _ := requests(f.srv)
		return float64(n) / 300, rep
	}
	perRow, rep := measure("create")
	require.Equal(t, 300, rep.Summary.Created)
	require.LessOrEqual(t, perRow, 1.01, "create: one POST per row")

	perRow, rep = measure("upsert")
	require.Equal(t, 300, rep.Summary.Unchanged)
	require.LessOrEqual(t, perRow, 0.05, "upsert of unchanged rows reads the list once")

	rows[1][1] = "Đổi tên"
	input = f.writeCSV("a.csv", rows)
	perRow, rep = measure("update")
	require.Equal(t, 1, rep.Summary.Updated)
	require.Equal(t, 299, rep.Summary.Unchanged)
	require.LessOrEqual(t, perRow, 0.05)
}

func TestCostModel(t *testing.T) {
	tests := []struct {
		rows, pages int
		list        bool
	}{
		{rows: 10, pages: 1, list: false},  // tiny file: a GET per row is cheap and fresh
		{rows: 20, pages: 10, list: true},  // the list costs half the GETs
		{rows: 20, pages: 11, list: false}, // more than half: GETs
		{rows: 5000, pages: 25, list: true},
		{rows: 5000, pages: 5000, list: false},
	}
	for _, tc := range tests {
		require.Equal(t, tc.list, importer.ListIsCheaper(tc.rows, tc.pages), "%+v", tc)
	}
}

func TestFirstHundredRowsAllFailingStops(t *testing.T) {
	f := newFixture(t, oplatest.Options{})
	rows := [][]string{{"Mã", "Tên", "Công ty"}}
	for i := range 1000 {
		rows = append(rows, []string{fmt.Sprintf("C-%03d", i), "Tên", "ACC-NOPE"})
	}
	input := f.writeCSV("c.csv", rows)
	m := f.mapping("entity: contacts\ncolumns: {\"Mã\": external_id, \"Tên\": first_name, \"Công ty\": account_external_id}\n")
	rep := f.run(m, input, nil)
	require.ErrorIs(t, rep.Stopped, importer.ErrTooManyErrors)
	require.GreaterOrEqual(t, rep.Summary.Failed, 100)
	// Rows already read ahead or in flight still finish: at most the reorder window.
	require.Less(t, rep.Summary.Failed, 100+4*32+4, "stops soon after the 100th")
	require.Equal(t, 1000, rep.Summary.Failed+rep.Summary.Skipped)
	require.FileExists(t, rep.Journal, "resumable")

	rep = f.run(m, input, func(o *importer.Options) { o.KeepGoing = true; o.Restart = true })
	require.NoError(t, rep.Stopped)
	require.Equal(t, 1000, rep.Summary.Failed)

	rep = f.run(m, input, func(o *importer.Options) { o.MaxErrors = 10; o.Restart = true })
	require.ErrorIs(t, rep.Stopped, importer.ErrTooManyErrors)
	require.Contains(t, rep.Stopped.Error(), "--max-errors 10")
}

func TestLostResponsesUpsertKeepsIDs(t *testing.T) {
	f := newFixture(t, oplatest.Options{LostResponseRate: 0.05, Seed: 43})
	rows := [][]string{{"Mã", "Tên", "Email"}}
	for i := range 600 {
		rows = append(rows, []string{fmt.Sprintf("L-%03d", i), "Công ty " + strconv.Itoa(i), fmt.Sprintf("l%d@example.vn", i)})
	}
	input := f.writeCSV("a.csv", rows)
	m := f.mapping("entity: accounts\ncolumns: {\"Mã\": external_id, \"Tên\": name, \"Email\": email}\n")
	rep := f.run(m, input, func(o *importer.Options) { o.Concurrency = 8 })
	require.Zero(t, rep.Summary.Failed, rep.Errors)
	require.Equal(t, 600, rep.Summary.Created)
	stored := map[any]map[string]any{}
	for _, r := range f.srv.Emulator().Records("accounts") {
		require.NotContains(t, stored, r["external_id"], "stored twice")
		stored[r["external_id"]] = r
	}
	for _, s := range sheetRows(t, rep.Output, "Succeeded") {
		require.Equal(t, stored[s["external_id"]]["id"], s["id"], "the id of %s, even when the answer was lost", s["external_id"])
	}
}

func TestSameValue(t *testing.T) {
	date := opla.Field{Type: "string", Format: "date"}
	dt := opla.Field{Type: "string", Format: "datetime"}
	tests := []struct {
		f    opla.Field
		a, b any
		same bool
	}{
		{date, "2026-01-12", "2026-01-12T00:00:00+00:00", true},
		{date, "2026-01-12", "2026-01-13T00:00:00+00:00", false},
		{dt, "1988-03-13T17:00:00.000Z", "1988-03-14T00:00:00+07:00", true},
		{dt, "1988-03-13T17:00:00.000Z", "1988-03-13T17:00:01Z", false},
		{opla.Field{Type: "number"}, 12500000.0, json.Number("12500000"), true},
		{opla.Field{Type: "string[]"}, []string{"A", "B"}, []any{"A", "B"}, true},
		{opla.Field{Type: "string"}, "a", "A", false},
		{opla.Field{Type: "object"}, map[string]any{"phone": "9"}, map[string]any{"phone": "9"}, true},
	}
	for _, tc := range tests {
		require.Equal(t, tc.same, importer.SameValue(tc.f, tc.a, tc.b), "%v vs %v", tc.a, tc.b)
	}
}

// panicky panics on the create of one key, as a bug would.
type panicky struct {
	next http.RoundTripper
	key  string
}

func (p panicky) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && r.Body != nil {
		body, _ := io.ReadAll(r.Body)
		if bytes.Contains(body, []byte(p.key)) {
			panic("boom on " + p.key)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	return p.next.RoundTrip(r)
}

func TestPanicInAWriterFailsOnlyThatRow(t *testing.T) {
	f := newFixture(t, oplatest.Options{})
	input := f.writeCSV("p.csv", [][]string{{"Mã", "Tên", "Giá"}, {"P-1", "A", "1"}, {"P-BOOM", "B", "2"}, {"P-3", "C", "3"}})
	c := f.srv.Client(func(o *opla.Options) {
		o.HTTPClient = &http.Client{Transport: panicky{next: opla.NewTransport(4), key: "P-BOOM"}}
	})
	m := f.mapping("entity: products\nmode: create\ncolumns: {\"Mã\": external_id, \"Tên\": name, \"Giá\": price}\n")
	rep, err := importer.Run(context.Background(), importer.Options{Mapping: m, Client: c, Input: input})
	require.NoError(t, err)
	require.Equal(t, 2, rep.Summary.Created)
	require.Equal(t, 1, rep.Summary.Failed)
	failed := sheetRows(t, rep.Output, "Failed")
	require.Equal(t, "internal", failed[0]["_code"])
	require.Contains(t, failed[0]["_error"], "boom on P-BOOM")
}
