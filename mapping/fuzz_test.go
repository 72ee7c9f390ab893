package mapping_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oplabatch/oplabatch/mapping"
	"github.com/oplabatch/oplabatch/opla"
	"github.com/oplabatch/oplabatch/sheet"
	"github.com/stretchr/testify/require"
)

// mappingSeeds are hand-written mappings that reach each branch of Parse;
// testdata/fuzz/FuzzMappingParse holds more, and the crashers found.
var mappingSeeds = []string{
	"entity: contacts\ncolumns:\n  \"Mã\": external_id\n",
	"entity: contacts\nmode: update\nkey: email\nsheet: Liên hệ\nlocale: vi\nphone_region: vn\ntimezone: Asia/Bangkok\n" +
		"columns:\n  A: external_id\n  B: {field: gender, map: {Nam: MALE, \"Nữ\": FEMALE, nu: FEMALE}}\n" +
		"  C: {field: birthday, formats: [\"02/01/2006\", \"2006-01-02\"]}\n  D: {field: owner_id, ref: employees.email, required: true}\n" +
		"  E: {field: account_external_id, ref: accounts}\n  F: custom_fields.Kênh\n  G: {custom_field: Hạng, formats: \"02/01/2006\"}\n" +
		"  H: email\n  I: {field: phone_work, locale: en}\ndefaults:\n  department: Sales\n  description: ~\n",
	"entity: accounts\ncolumns: {A: external_id, B: name, C: {field: custom_fields, separator: \"|\"}, D: {field: industry_id, ref: industries.name}}\ndefaults: {is_public: false, note: \"\"}\n",
	"entity: products\nmode: create\ncolumns: {A: external_id, B: price, C: deleted}\ndefaults: {description: x}\n",
	"entity: opportunities\ncolumns:\n  A: external_id\n  B: contributors\n",
	"entity: contacts\ncolumns:\n\t\"A\": external_id\n",
	"entity: contacts\ncolumn: {A: external_id}\nfoo: 1\n",
	"entity: [contacts]\nmode: {a: b}\ncolumns: [A, B]\ndefaults: [1]\n",
	"entity: contacts\ncolumns:\n  A: external_id\n  B: {field: first_name, required: maybe, formats: {a: b}, map: [x], ref: nope.x}\n",
	"entity: contacts\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\ncolumns: {A: external_id}\ndefaults: {description: *c}\n",
	"entity: contacts\ncolumns: &c {A: external_id, B: *c}\n",
	"entity: contacts\ncolumns: {A: external_id}\ndefaults: {gender: M, birthday: 2024-01-01, description: 1}\n",
	"--- \nentity: contacts\n...\n---\nentity: leads\n",
	"%YAML 1.1\n---\n!!map {? !!str entity : !!str contacts}\n",
	"",
	"- a\n",
	"entity: contacts\ncolumns: {A: external_id}\ntimezone: ../../../../etc/passwd\n",
	"steps:\n  - mapping: a.yaml\n",
}

// FuzzMappingParse feeds arbitrary bytes to Parse: the answer is a mapping or
// errors that each name the file, never a panic, and it comes quickly.
//
//	go test -run x -fuzz FuzzMappingParse -fuzztime 3m ./mapping/
func FuzzMappingParse(f *testing.F) {
	for _, s := range mappingSeeds {
		f.Add([]byte(s))
	}
	samples, err := filepath.Glob(filepath.Join("..", "samples", "migration", "mappings", "*.yaml"))
	require.NoError(f, err)
	for _, path := range samples {
		data, err := os.ReadFile(path)
		require.NoError(f, err)
		f.Add(data)
	}
	prof := opla.DefaultProfile()
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		m, err := mapping.Parse(data, "fuzz.yaml", prof)
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("Parse took %v on %d bytes", d, len(data))
		}
		if err != nil {
			require.Nil(t, m)
			checkMappingErrors(t, err)
			return
		}
		require.NotEmpty(t, m.Entity)
		require.NotNil(t, m.Schema)
		require.Contains(t, []mapping.Mode{mapping.Create, mapping.Update, mapping.Upsert}, m.Mode)
		// A parsed mapping binds to its own headers and applies to any row.
		header := make([]string, len(m.Rules))
		row := sheet.Row{Num: 2, Cells: make([]sheet.Cell, len(m.Rules))}
		for i, r := range m.Rules {
			require.NotEmpty(t, r.Field)
			require.NotEmpty(t, r.Kind)
			header[i] = r.Header
			row.Cells[i] = sheet.Cell{Text: r.Header}
		}
		b, err := m.Bind(header)
		require.NoError(t, err, "a mapping must bind to its own headers")
		rec := b.Apply(row)
		for _, e := range rec.Errors {
			require.NotEmpty(t, e.Error())
		}
	})
}

// checkMappingErrors requires every error joined in err to be a
// *mapping.Error naming the file.
func checkMappingErrors(t *testing.T, err error) {
	t.Helper()
	var leaves []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		leaves = j.Unwrap()
	} else {
		leaves = []error{err}
	}
	require.NotEmpty(t, leaves)
	for _, e := range leaves {
		var me *mapping.Error
		if !errors.As(e, &me) {
			t.Fatalf("%T %v is not a *mapping.Error", e, e)
		}
		require.Equal(t, "fuzz.yaml", me.File)
		require.NotEmpty(t, strings.TrimSpace(me.Msg))
		require.True(t, strings.HasPrefix(e.Error(), "fuzz.yaml"), "%q", e.Error())
	}
}

// applyMapping reaches every coercion kind: string, e-mail, enum with a map,
// boolean, date (a custom field with formats), date-time, number, phone,
// list and reference cells.
const applyMapping = `
entity: accounts
locale: auto
columns:
  "Mã": external_id
  "Tên": {field: name, map: {"Cty": "Công ty"}}
  "Email": email
  "Công khai": {field: is_public, map: {"Có rồi": "true"}}
  "Điện thoại": phone
  "Nhãn": {field: custom_fields, separator: "|"}
  "Ngày": {custom_field: Ngày ký, formats: ["02/01/2006", "2006-01-02 15:04"]}
  "Ngành": {field: industry_id, ref: industries.name}
`

const applyContacts = `
entity: contacts
columns:
  "Mã": external_id
  "Giới tính": {field: gender, map: {Nam: MALE, "Nữ": FEMALE, "Khác": OTHER}}
  "Sinh": {field: birthday, formats: ["02/01/2006"]}
  "Phone": {field: phone_work, required: true}
`

const applyProducts = `
entity: products
locale: vi
columns:
  "Mã": external_id
  "Giá": price
  "Xoá": deleted
`

// FuzzApply coerces arbitrary cells through mappings that use every kind of
// field: every cell either gives a value or a CellError naming its column.
//
//	go test -run x -fuzz FuzzApply -fuzztime 3m ./mapping/
func FuzzApply(f *testing.F) {
	for _, cells := range [][4]string{
		{"ACC-1", "Cty", "An@Example.VN", "Có"},
		{" x ", "1.000.000,50", "0909 123 456", "45123.5"},
		{"", "a|b;c\nd", "31/02/2024", "2024-01-15 10:30"},
		{"\u00a0", "mailto:a@b.c", "+84 28 3823 4567", "Nữ"},
		{"KH\x00", "\xff\xfe", "1e999", "ngày 15 tháng 1 năm 2024"},
		{"a@b@c", "(1.234)", "tel:+84909080808", "✓"},
	} {
		f.Add(cells[0], cells[1], cells[2], cells[3], 0.0)
	}
	f.Add("A", "B", "C", "D", 45356.75)
	prof := opla.DefaultProfile()
	var bindings []*mapping.Binding
	for _, y := range []string{applyMapping, applyContacts, applyProducts} {
		m, err := mapping.Parse([]byte(y), "apply.yaml", prof)
		require.NoError(f, err)
		header := make([]string, len(m.Rules))
		for i, r := range m.Rules {
			header[i] = r.Header
		}
		b, err := m.Bind(header)
		require.NoError(f, err)
		bindings = append(bindings, b)
	}
	f.Fuzz(func(t *testing.T, a, b, c, d string, serial float64) {
		texts := []string{a, b, c, d}
		for _, bind := range bindings {
			for shift := range texts {
				row := sheet.Row{Num: 2, Cells: make([]sheet.Cell, len(bind.Header))}
				for i := range row.Cells {
					row.Cells[i].Text = texts[(i+shift)%len(texts)]
				}
				if serial > 0 && serial < 2958466 {
					// An Excel date cell, as the reader gives it.
					tm := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).Add(time.Duration(serial * 24 * float64(time.Hour)))
					row.Cells[shift%len(row.Cells)] = sheet.Cell{Text: tm.Format("2006-01-02T15:04:05"), Time: tm, IsTime: true}
				}
				rec := bind.Apply(row)
				for _, e := range rec.Errors {
					require.NotEmpty(t, e.Msg)
					require.Equal(t, "validation", e.Code)
					require.Contains(t, bind.Header, e.Column)
					require.True(t, strings.HasPrefix(e.Error(), "Column "), "%q", e.Error())
				}
				for _, field := range rec.Set {
					_, inFields := rec.Fields[field]
					custom := strings.HasPrefix(field, mapping.CustomPrefix)
					require.True(t, inFields || custom, "field %s set but has no value", field)
				}
			}
		}
	})
}
