package migration

// Checks of the sample as a whole: every mapping parses against the API profile and fits
// its sheet, the workbook and the CSV files read the same, and the only rows that fail are
// the deliberate errors listed in README.md, each with the message a user sees.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/oplabatch/oplabatch/importer"
	"github.com/oplabatch/oplabatch/mapping"
	"github.com/oplabatch/oplabatch/mapping/coerce"
	"github.com/oplabatch/oplabatch/opla"
	"github.com/oplabatch/oplabatch/sheet"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// importOrder is the order the sheets are imported in: each one only names records of
// the sheets before it (or of the CRM).
var importOrder = []struct {
	Sheet   string
	Mapping string
	Entity  string
	Ignored []string // headers the mapping leaves out on purpose
}{
	{"Employees", "mappings/employees.yaml", "employees", []string{"Ngày vào làm"}},
	{"Accounts", "mappings/accounts.yaml", "accounts", nil},
	{"Contacts", "mappings/contacts.yaml", "contacts", nil},
	{"Leads", "mappings/leads.yaml", "leads", nil},
	{"Products", "mappings/products.yaml", "products", nil},
	{"Opportunities", "mappings/opportunities.yaml", "opportunities", nil},
}

// problem is a failed row as the results workbook's Failed sheet reports it.
type problem struct {
	Sheet  string
	Row    int
	Column string
	Code   string // validation | reference
	Msg    string // the row's _error (in deliberateErrors: a part of it)
}

// deliberateErrors are the mistakes built into the sample (README.md lists them), in
// import order, each with the gist of its message. Validation messages come from the
// mapping package itself; reference and duplicate messages are the importer's, which this
// offline test mimics (it cannot reach an OplaCRM).
var deliberateErrors = []problem{
	{"Accounts", 12, "Ngành", "reference", `Column "Ngành": "Công nghệ thông tin" is not an existing industry`},
	{"Accounts", 14, "Mã KH", "validation", `Column "Mã KH": "ACC-105" is a duplicate of row 6`},
	{"Contacts", 9, "Ngày sinh", "validation", `Column "Ngày sinh": "31/02/1990" is not a real date: February 1990 has 28 days`},
	{"Contacts", 14, "Email", "validation", `Column "Email": "ngoc.tran@beanhouse" is not an e-mail address`},
	{"Contacts", 19, "Công ty", "reference", `Column "Công ty": there is no account with external_id "ACC-999"`},
	{"Contacts", 22, "Giới tính", "validation", `Column "Giới tính": "Nam giới" is not one of`},
	{"Leads", 6, "Trạng thái", "reference", `Column "Trạng thái": "Qualifed" is not an existing lead status in OplaCRM; closest: "Qualified"`},
	{"Leads", 11, "Điện thoại", "validation", `Column "Điện thoại": "12345" is not a valid phone number`},
}

func TestMappingsLoad(t *testing.T) {
	p := opla.DefaultProfile()
	for _, s := range importOrder {
		m, err := mapping.Load(s.Mapping, p)
		require.NoError(t, err, s.Mapping)
		assert.Equal(t, s.Entity, m.Entity, s.Mapping)
		assert.Equal(t, s.Sheet, m.Sheet, s.Mapping)
		assert.Equal(t, mapping.Upsert, m.Mode, s.Mapping)
		assert.Equal(t, "external_id", m.Key, s.Mapping)
	}
	files, err := filepath.Glob("mappings/*.yaml")
	require.NoError(t, err)
	assert.Len(t, files, len(importOrder), "every mapping in mappings/ is in importOrder")
}

// TestJob checks that job.yaml loads and runs the sheets in the documented order.
func TestJob(t *testing.T) {
	job, err := importer.LoadJob("job.yaml", opla.DefaultProfile())
	require.NoError(t, err)
	var got, want []string
	for _, s := range job.Steps {
		got = append(got, s.Mapping.Entity+"/"+s.Sheet)
	}
	for _, s := range importOrder {
		want = append(want, s.Entity+"/"+s.Sheet)
	}
	assert.Equal(t, want, got)
}

// seed is the part of samples/sandbox/seed.json the sample refers to.
type seed struct {
	Industries     []named `json:"industries"`
	Sources        []named `json:"sources"`
	LeadStatuses   []named `json:"lead_statuses"`
	SalesProcesses []struct {
		Name   string  `json:"name"`
		Stages []named `json:"stages"`
	} `json:"sales_processes"`
	CustomFields map[string][]struct {
		Name    string `json:"name"`
		Type    string `json:"type"`
		Options []struct {
			Value string `json:"value"`
		} `json:"master_data_custom_fields"`
	} `json:"custom_fields"`
	Employees []struct {
		Email      string `json:"email"`
		ExternalID string `json:"external_id"`
	} `json:"employees"`
	Accounts []keyed `json:"accounts"`
	Contacts []keyed `json:"contacts"`
	Products []keyed `json:"products"`
}

type named struct {
	Name string `json:"name"`
}

type keyed struct {
	ExternalID string `json:"external_id"`
}

func loadSeed(t *testing.T) *seed {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "sandbox", "seed.json"))
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("samples/sandbox/seed.json is not there yet")
	}
	require.NoError(t, err)
	var s seed
	require.NoError(t, json.Unmarshal(data, &s))
	return &s
}

// readRecords reads one sheet (xlsx) or file (CSV) through a mapping.
func readRecords(t *testing.T, m *mapping.Mapping, path, sheetName string) ([]*mapping.Record, *mapping.Binding) {
	t.Helper()
	rd, err := sheet.Open(path, sheet.Options{Sheet: sheetName})
	require.NoError(t, err, path)
	defer rd.Close()
	b, err := m.Bind(rd.Header())
	require.NoError(t, err, "%s does not fit %s", m.File, path)
	var recs []*mapping.Record
	for {
		r, err := rd.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, path)
		recs = append(recs, b.Apply(r))
	}
	assert.Empty(t, rd.Warnings(), path)
	return recs, b
}

// TestSampleErrors reads every sheet of migration.xlsx and every CSV file through its
// mapping, checks the two agree, and resolves references the way an import against the
// sandbox would (seed data plus the rows of earlier sheets that succeed). The rows that
// fail must be exactly the deliberate errors.
func TestSampleErrors(t *testing.T) {
	sd := loadSeed(t)
	p := opla.DefaultProfile()
	known := newDirectory(sd)
	var got []problem
	for _, s := range importOrder {
		m, err := mapping.Load(s.Mapping, p)
		require.NoError(t, err)
		recs, b := readRecords(t, m, workbookName, s.Sheet)
		csvRecs, _ := readRecords(t, m, csvName(s.Sheet), "")
		assert.Equal(t, s.Ignored, b.Ignored, "%s: ignored headers", s.Sheet)
		require.Len(t, csvRecs, len(recs), "%s: rows in the workbook and in the CSV", s.Sheet)
		for i := range recs {
			assert.Equal(t, describeRecord(recs[i]), describeRecord(csvRecs[i]), "%s row %d: workbook and CSV read differently", s.Sheet, recs[i].Row)
		}

		firstRow := map[string]int{}
		for _, rec := range recs {
			var errs []*mapping.CellError
			errs = append(errs, rec.Errors...)
			if first, dup := firstRow[rec.Key]; dup {
				errs = append(errs, &mapping.CellError{Column: b.Header[keyColumn(b)], Code: "validation",
					Msg: fmt.Sprintf("%q is a duplicate of row %d; each %s must appear once in the file", rec.Key, first, m.Key)})
			} else if rec.Key != "" {
				firstRow[rec.Key] = rec.Row
			}
			if len(errs) == 0 {
				errs = known.check(m, b, rec)
			}
			for _, e := range errs {
				got = append(got, problem{Sheet: s.Sheet, Row: rec.Row, Column: e.Column, Code: e.Code, Msg: e.Error()})
			}
			if len(errs) == 0 {
				known.add(s.Entity, rec)
			}
		}
	}
	t.Logf("failed rows:\n%s", listProblems(got))
	require.Equal(t, len(deliberateErrors), len(got), "failed rows:\n%s", listProblems(got))
	for i, want := range deliberateErrors {
		g := got[i]
		assert.Equal(t, []any{want.Sheet, want.Row, want.Column, want.Code}, []any{g.Sheet, g.Row, g.Column, g.Code}, "deliberate error %d", i+1)
		assert.Contains(t, g.Msg, want.Msg, "%s row %d", want.Sheet, want.Row)
	}
}

func keyColumn(b *mapping.Binding) int {
	for i, r := range b.M.Rules {
		if r.Field == b.M.Key {
			return b.ColumnIndex(i)
		}
	}
	return -1
}

func describeRecord(r *mapping.Record) string {
	fields, _ := json.Marshal(r.Fields)
	custom, _ := json.Marshal(r.Custom)
	var errs []string
	for _, e := range r.Errors {
		errs = append(errs, e.Error())
	}
	return fmt.Sprintf("row %d key %s fields %s custom %s errors %q", r.Row, r.Key, fields, custom, errs)
}

func listProblems(ps []problem) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "  %s row %d [%s] %s\n", p.Sheet, p.Row, p.Code, p.Msg)
	}
	return b.String()
}

// directory is what references can name: the seed's records and master data, plus the
// records of earlier sheets that did not fail.
type directory struct {
	seed      *seed
	byKey     map[string]map[string]bool // entity -> external_id
	empEmails map[string]bool            // lower-cased
}

func newDirectory(sd *seed) *directory {
	d := &directory{seed: sd, byKey: map[string]map[string]bool{}, empEmails: map[string]bool{}}
	add := func(entity string, ids ...string) {
		if d.byKey[entity] == nil {
			d.byKey[entity] = map[string]bool{}
		}
		for _, id := range ids {
			d.byKey[entity][id] = true
		}
	}
	for _, e := range sd.Employees {
		add("employees", e.ExternalID)
		d.empEmails[strings.ToLower(e.Email)] = true
	}
	for _, a := range sd.Accounts {
		add("accounts", a.ExternalID)
	}
	for _, c := range sd.Contacts {
		add("contacts", c.ExternalID)
	}
	for _, p := range sd.Products {
		add("products", p.ExternalID)
	}
	return d
}

func (d *directory) add(entity string, rec *mapping.Record) {
	if d.byKey[entity] == nil {
		d.byKey[entity] = map[string]bool{}
	}
	d.byKey[entity][rec.Key] = true
	if email, ok := rec.Fields["email"].(string); ok && entity == "employees" {
		d.empEmails[strings.ToLower(email)] = true
	}
}

// check resolves a record's references and custom fields, with the importer's wording.
func (d *directory) check(m *mapping.Mapping, b *mapping.Binding, rec *mapping.Record) []*mapping.CellError {
	var errs []*mapping.CellError
	for _, i := range rec.Refs {
		rule := m.Rules[i]
		var values []string
		switch v := rec.Fields[rule.Field].(type) {
		case string:
			values = []string{v}
		case []string:
			values = v
		}
		for _, v := range values {
			if msg := d.resolve(rule.Ref, v, rec.Fields); msg != "" {
				errs = append(errs, &mapping.CellError{Column: b.Column(i), Field: rule.Field, Value: v, Code: "reference", Msg: msg})
				break
			}
		}
	}
	for _, cv := range rec.Custom {
		if msg := d.customValue(m.Entity, cv); msg != "" {
			errs = append(errs, &mapping.CellError{Column: "custom_fields." + cv.Name, Code: "api", Msg: msg})
		}
	}
	return errs
}

func (d *directory) resolve(ref *mapping.Ref, v string, fields map[string]any) string {
	labels := map[string]string{"accounts": "account", "contacts": "contact", "products": "product",
		"industries": "industry", "sources": "source", "lead-statuses": "lead status",
		"sales-processes": "sales process", "sales-process-stages": "sales process stage", "employees": "employee"}
	var names []string
	switch ref.Entity {
	case "accounts", "contacts", "products":
		if d.byKey[ref.Entity][v] {
			return ""
		}
		return fmt.Sprintf("there is no %s with external_id %q in OplaCRM (nor earlier in this run)", labels[ref.Entity], v)
	case "employees":
		if ref.By == "email" || strings.Contains(v, "@") {
			if d.empEmails[strings.ToLower(v)] {
				return ""
			}
		} else if d.byKey["employees"][v] {
			return ""
		}
		return fmt.Sprintf("%q is not an existing employee in OplaCRM", v)
	case "industries":
		names = namesOf(d.seed.Industries)
	case "sources":
		names = namesOf(d.seed.Sources)
	case "lead-statuses":
		names = namesOf(d.seed.LeadStatuses)
	case "sales-processes":
		for _, sp := range d.seed.SalesProcesses {
			names = append(names, sp.Name)
		}
	case "sales-process-stages":
		proc, _ := fields["sale_process"].(string)
		for _, sp := range d.seed.SalesProcesses {
			if proc == "" || coerce.Fold(sp.Name) == coerce.Fold(proc) {
				names = append(names, namesOf(sp.Stages)...)
			}
		}
	}
	if slices.ContainsFunc(names, func(n string) bool { return coerce.Fold(n) == coerce.Fold(v) }) {
		return ""
	}
	msg := fmt.Sprintf("%q is not an existing %s in OplaCRM", v, labels[ref.Entity])
	if close := coerce.Closest(v, names, 3); len(close) > 0 {
		msg += fmt.Sprintf("; closest: %q", close[0])
		for _, c := range close[1:] {
			msg += fmt.Sprintf(", %q", c)
		}
	}
	return msg
}

func (d *directory) customValue(entity string, cv mapping.CustomValue) string {
	for _, f := range d.seed.CustomFields[entity] {
		if f.Name != cv.Name {
			continue
		}
		if f.Type != "select" || cv.Value == "" {
			return ""
		}
		for _, o := range f.Options {
			if o.Value == cv.Value {
				return ""
			}
		}
		return fmt.Sprintf("custom field %s has no option %q", cv.Name, cv.Value)
	}
	return fmt.Sprintf("%s have no custom field %q in the sandbox seed", entity, cv.Name)
}

func namesOf(ns []named) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Name
	}
	return out
}
