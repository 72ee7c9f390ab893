package mapping_test

import (
	"strings"
	"testing"

	"github.com/oplabatch/oplabatch/mapping"
	"github.com/oplabatch/oplabatch/opla"
	"github.com/oplabatch/oplabatch/sheet"
	"github.com/stretchr/testify/require"
)

func parse(t *testing.T, y string) (*mapping.Mapping, error) {
	t.Helper()
	return mapping.Parse([]byte(y), "m.yaml", opla.DefaultProfile())
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // substrings of the error
	}{
		{"empty", "", []string{"m.yaml", "empty"}},
		{"not a map", "- a\n- b\n", []string{"m.yaml:1", "YAML map"}},
		{"tabs", "entity: contacts\ncolumns:\n\t\"A\": external_id\n", []string{"tab characters"}},
		{"no entity", "columns: {A: external_id}\n", []string{"entity: is missing"}},
		{"unknown entity", "entity: contact\ncolumns: {A: external_id}\n", []string{"m.yaml:1", `did you mean "contacts"`}},
		{"unknown top key", "entity: contacts\ncolumn: {A: external_id}\n", []string{"m.yaml:2", `unknown key "column"`, `did you mean "columns"`}},
		{"unknown field", "entity: contacts\ncolumns:\n  A: external_id\n  B: frist_name\n", []string{"m.yaml:4", `no field "frist_name"`, `did you mean "first_name"`}},
		{"unknown rule key", "entity: contacts\ncolumns:\n  A: external_id\n  B:\n    field: first_name\n    fromat: x\n", []string{"m.yaml:6", `unknown key "fromat"`}},
		{"bad mode", "entity: contacts\nmode: insert\ncolumns: {A: external_id}\n", []string{"m.yaml:2", "create, update or upsert"}},
		{"header twice", "entity: contacts\ncolumns:\n  A: external_id\n  A: first_name\n", []string{"m.yaml:4"}},
		{"field twice", "entity: contacts\ncolumns:\n  A: external_id\n  B: first_name\n  C: first_name\n", []string{"m.yaml:5", "filled by two columns (also on line 4)"}},
		{"bad ref", "entity: contacts\ncolumns:\n  A: external_id\n  B: {field: owner_id, ref: employee.email}\n", []string{"m.yaml:4", "unknown entity", `did you mean "employees"`}},
		{"ref on plain field", "entity: contacts\ncolumns:\n  A: external_id\n  B: {field: first_name, ref: accounts}\n", []string{"does not name another record"}},
		{"wrong ref entity", "entity: contacts\ncolumns:\n  A: external_id\n  B: {field: owner_id, ref: accounts}\n", []string{"names employees, not accounts"}},
		{"no key column", "entity: contacts\ncolumns:\n  B: first_name\n", []string{"no column fills the key external_id"}},
		{"default type", "entity: accounts\ncolumns: {A: external_id}\ndefaults:\n  is_public: maybe\n", []string{"m.yaml:4", "want true or false"}},
		{"default enum", "entity: contacts\ncolumns: {A: external_id}\ndefaults:\n  gender: M\n", []string{"not one of MALE, FEMALE, OTHER"}},
		{"not yaml", "entity: [contacts\n", []string{"not valid YAML"}},
		{"object list column", "entity: opportunities\ncolumns:\n  A: external_id\n  B: contributors\n", []string{"list of objects"}},
		{"custom fields on employees", "entity: employees\ncolumns:\n  A: external_id\n  B: custom_fields.X\n", []string{"have no custom fields"}},
		{"alias bomb", "entity: contacts\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\ncolumns: {A: external_id}\n", []string{"m.yaml"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse(t, tc.yaml)
			require.Error(t, err)
			for _, w := range tc.want {
				require.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestParseFull(t *testing.T) {
	m, err := parse(t, `
entity: contacts
mode: update
sheet: Liên hệ
columns:
  "Mã LH": external_id
  "Giới tính":
    field: gender
    map: {Nam: MALE, "Nữ": FEMALE}
  "Ngày sinh":
    field: birthday
    formats: ["02/01/2006"]
  "Người phụ trách":
    field: owner_id
    ref: employees.email
  "Công ty": account_external_id
defaults:
  description: "nhập từ Excel"
`)
	require.NoError(t, err)
	require.Equal(t, mapping.Update, m.Mode)
	require.Equal(t, "Liên hệ", m.Sheet)
	require.Len(t, m.Rules, 5)
	require.Equal(t, mapping.KindEnum, m.Rules[1].Kind)
	require.Equal(t, "FEMALE", m.Rules[1].Map["Nữ"])
	require.Equal(t, mapping.KindDateTime, m.Rules[2].Kind)
	require.Equal(t, &mapping.Ref{Entity: "employees", By: "email"}, m.Rules[3].Ref)
	require.Equal(t, &mapping.Ref{Entity: "accounts"}, m.Rules[4].Ref, "implied by the field")
	require.Equal(t, 7, m.Rules[1].Line)
	require.Len(t, m.Defaults, 1)
}

func TestBind(t *testing.T) {
	m, err := parse(t, "entity: contacts\ncolumns:\n  \"Mã LH\": external_id\n  \"Ngày sinh\": birthday\n  \"Email\": email\n")
	require.NoError(t, err)

	_, err = m.Bind([]string{"ma lh", "Email", "Ghi chú", "_error"})
	require.Error(t, err)
	require.Contains(t, err.Error(), `no column "Ngày sinh" (mapping line 4)`)

	_, err = m.Bind([]string{"MÃ LH", "Ngay sinh", "Emial"})
	require.Error(t, err)
	require.Contains(t, err.Error(), `closest headers: "Emial"`)

	b, err := m.Bind([]string{"MÃ LH", "Ngày sinh", "Email", "Ghi chú", "_error"})
	require.NoError(t, err, "headers match ignoring case and accents")
	require.Equal(t, []string{"Ghi chú"}, b.Ignored, "_ columns are ignored silently")
}

func TestApply(t *testing.T) {
	m, err := parse(t, `
entity: contacts
columns:
  "Mã": external_id
  "Giới tính": {field: gender, map: {Nam: MALE, "Nữ": FEMALE}}
  "Ngày sinh": {field: birthday, formats: ["02/01/2006"]}
  "Điện thoại": phone_work
  "Tên": {field: first_name, required: true}
defaults:
  department: Sales
`)
	require.NoError(t, err)
	b, err := m.Bind([]string{"Mã", "Giới tính", "Ngày sinh", "Điện thoại", "Tên"})
	require.NoError(t, err)
	row := func(cells ...string) sheet.Row {
		r := sheet.Row{Num: 2}
		for _, c := range cells {
			r.Cells = append(r.Cells, sheet.Cell{Text: c})
		}
		return r
	}

	rec := b.Apply(row(" C-1 ", "NỮ", "14/03/1988", "909123456", "Lan"))
	require.Empty(t, rec.Errors)
	require.Equal(t, "C-1", rec.Key)
	require.Equal(t, "FEMALE", rec.Fields["gender"])
	require.Equal(t, "1988-03-13T17:00:00.000Z", rec.Fields["birthday"])
	require.Equal(t, "Sales", rec.Fields["department"])
	require.Contains(t, rec.Set, "phone_work")

	rec = b.Apply(row("C-2", "Nam giới", "31/02/1988", "12345", ""))
	require.Len(t, rec.Errors, 4)
	msgs := []string{}
	for _, e := range rec.Errors {
		msgs = append(msgs, e.Error())
		require.Equal(t, "validation", e.Code)
	}
	all := strings.Join(msgs, "\n")
	require.Contains(t, all, `Column "Giới tính": "Nam giới"`)
	require.Contains(t, all, `Column "Ngày sinh": "31/02/1988" is not a real date`)
	require.Contains(t, all, `Column "Điện thoại": "12345"`)
	require.Contains(t, all, `Column "Tên": is empty, but first_name needs a value here.`)

	rec = b.Apply(row("", "", "", "", "X"))
	require.Len(t, rec.Errors, 1)
	require.Equal(t, "external_id", rec.Errors[0].Field)
}

func TestSchemas(t *testing.T) {
	p := opla.DefaultProfile()
	for _, e := range mapping.Importable {
		s, err := mapping.SchemaFor(p, e)
		require.NoError(t, err, e)
		require.Contains(t, s.Fields, "external_id", e)
	}
	_, err := mapping.SchemaFor(p, "industries")
	require.Error(t, err)
}
