package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oplabatch/oplabatch/opla/oplatest"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// TestTemplateCommand: a template and its mapping are written, existing files are kept
// unless --force, and a person who fills the template imports it with that mapping.
func TestTemplateCommand(t *testing.T) {
	srv := oplatest.NewServer(oplatest.Options{Seed: 1})
	t.Cleanup(srv.Close)
	apiEnv(t, srv)
	dir := t.TempDir()
	book := filepath.Join(dir, "lien-he.xlsx")
	mapPath := filepath.Join(dir, "lien-he.mapping.yaml")

	code, stdout, stderr := cli(t, "template", "contacts", "--lang", "vi", "-o", book)
	require.Equal(t, exitOK, code, stderr)
	require.Empty(t, stdout)
	require.Contains(t, stderr, "wrote "+book)
	require.Contains(t, stderr, "wrote "+mapPath)
	require.Contains(t, stderr, "lists from "+srv.URL())
	require.FileExists(t, mapPath)
	y, err := os.ReadFile(mapPath)
	require.NoError(t, err)
	require.Contains(t, string(y), `"Giới tính":`)

	code, _, stderr = cli(t, "template", "contacts", "-o", book)
	require.Equal(t, exitUsage, code)
	require.Contains(t, stderr, "--force")
	code, _, stderr = cli(t, "template", "contacts", "--lang", "vi", "-o", book, "--force")
	require.Equal(t, exitOK, code, stderr)

	// Fill two rows, as a person would, and import them with the written mapping.
	x, err := excelize.OpenFile(book)
	require.NoError(t, err)
	header, err := x.GetRows("Contacts")
	require.NoError(t, err)
	values := map[string][]string{
		"Mã LH *": {"CT-901", "CT-902"}, "Tên *": {"Hoa", "Minh"}, "Họ *": {"Lê Thị", "Trần"}, "Mã KH *": {"ACC-001", "ACC-002"},
		"Giới tính": {"Nữ", "Nam"}, "Ngày sinh": {"29/02/1996", "1990-12-01"}, "Email": {"hoa@example.vn", "minh@example.vn"},
		"Điện thoại": {"0909 123 456", "909123457"}, "Người phụ trách": {"an.nguyen@example.vn", ""},
	}
	for j, h := range header[0] {
		col, _ := excelize.ColumnNumberToName(j + 1)
		for i, v := range values[h] {
			require.NoError(t, x.SetCellStr("Contacts", col+string(rune('2'+i)), v))
		}
	}
	require.NoError(t, x.Save())
	require.NoError(t, x.Close())
	code, _, stderr = cli(t, "import", "-m", mapPath, "-o", filepath.Join(dir, "r.xlsx"), book)
	require.Equal(t, exitOK, code, stderr)
	require.Contains(t, stderr, "2 created")
	var hoa map[string]any
	for _, r := range srv.Emulator().Records("contacts") {
		if r["external_id"] == "CT-901" {
			hoa = r
		}
	}
	require.Equal(t, "FEMALE", hoa["gender"])
	require.Equal(t, "MNV_001", hoa["owner_id"])
}

func TestTemplateWithoutToken(t *testing.T) {
	t.Setenv("OPLA_TOKEN", "")
	t.Setenv("OPLA_BASE_URL", "")
	dir := t.TempDir()
	book := filepath.Join(dir, "acc.xlsx")
	code, _, stderr := cli(t, "template", "accounts", "-o", book)
	require.Equal(t, exitOK, code, stderr)
	require.Contains(t, stderr, "note: no API token")
	x, err := excelize.OpenFile(book)
	require.NoError(t, err)
	defer x.Close()
	require.NotContains(t, x.GetSheetList(), "Lists")

	// Products name no list: no note, no API needed.
	code, _, stderr = cli(t, "template", "products", "-o", filepath.Join(dir, "p.xlsx"))
	require.Equal(t, exitOK, code, stderr)
	require.NotContains(t, stderr, "note:")

	// --sandbox gives the lists without a token.
	code, _, stderr = cli(t, "template", "leads", "--sandbox", "-o", filepath.Join(dir, "l.xlsx"))
	require.Equal(t, exitOK, code, stderr)
	require.Contains(t, stderr, "lists from the sandbox")
}

func TestTemplateUsageErrors(t *testing.T) {
	t.Setenv("OPLA_TOKEN", "")
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"template"}, "want ENTITY"},
		{[]string{"template", "opportunity", "-o", filepath.Join(dir, "o.xlsx")}, "did you mean opportunities?"},
		{[]string{"template", "industries", "-o", filepath.Join(dir, "o.xlsx")}, "cannot be imported"},
		{[]string{"template", "contacts", "-o", filepath.Join(dir, "c.csv")}, "name it .xlsx"},
		{[]string{"template", "contacts", "--lang", "fr", "-o", filepath.Join(dir, "c.xlsx")}, "want en or vi"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, _, stderr := cli(t, tc.args...)
			require.Equal(t, exitUsage, code)
			require.Contains(t, stderr, tc.want)
		})
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "nothing is written on a usage error")
}

// TestMappingSuggestCommand: the draft goes to stdout (or -o), it loads, and the summary
// on stderr names what is left to do.
func TestMappingSuggestCommand(t *testing.T) {
	dir := t.TempDir()
	input := filepath.Join(dir, "khach-hang.csv")
	writeCSV(t, input, [][]string{
		{"Mã KH", "Tên công ty", "MST", "Ngành", "Người phụ trách", "Ghi chú", "Số tài khoản"},
		{"KH-1", "Hoa Sen", "0301234567", "Retail", "an.nguyen@example.vn", "", "123"},
	})
	code, stdout, stderr := cli(t, "mapping", "suggest", "-e", "accounts", input)
	require.Equal(t, exitOK, code, stderr)
	require.Contains(t, stdout, "entity: accounts")
	require.Contains(t, stdout, `"MST": tax_identification_number`)
	require.Contains(t, stdout, "ref: industries.name")
	require.Contains(t, stderr, `6 of 7 columns matched; left out: "Số tài khoản"`)

	// The entity is guessed from the file's name when -e is left out.
	code, stdout2, stderr := cli(t, "mapping", "suggest", input)
	require.Equal(t, exitOK, code, stderr)
	require.Contains(t, stderr, "taking the rows as accounts")
	require.Equal(t, stdout, stdout2)

	out := filepath.Join(dir, "accounts.yaml")
	code, stdout, stderr = cli(t, "mapping", "suggest", "-e", "accounts", "-o", out, input)
	require.Equal(t, exitOK, code, stderr)
	require.Empty(t, stdout)
	require.Contains(t, stderr, "wrote "+out)
	code, _, stderr = cli(t, "validate", "-m", out, input)
	require.Equal(t, exitOK, code, stderr)

	code, _, stderr = cli(t, "mapping", "suggest", "-e", "accounts", "-o", out, input)
	require.Equal(t, exitUsage, code)
	require.Contains(t, stderr, "--force")

	code, _, stderr = cli(t, "mapping", "suggest", "-e", "contact", input)
	require.Equal(t, exitUsage, code)
	require.Contains(t, stderr, "did you mean contacts?")

	other := filepath.Join(dir, "data.csv")
	writeCSV(t, other, [][]string{{"A", "B"}, {"1", "2"}})
	code, _, stderr = cli(t, "mapping", "suggest", other)
	require.Equal(t, exitUsage, code)
	require.Contains(t, stderr, "-e ENTITY")

	code, _, stderr = cli(t, "mapping", "suggest", "-e", "accounts", filepath.Join(dir, "missing.csv"))
	require.Equal(t, exitUsage, code)
	require.NotEmpty(t, stderr)
}

// TestMappingSuggestOnTheSample: a draft for the sample's Contacts sheet loads as it is
// and names the deliberate mistakes it saw.
func TestMappingSuggestOnTheSample(t *testing.T) {
	code, stdout, stderr := cli(t, "mapping", "suggest", "-e", "contacts", "-s", "Contacts", "../../samples/migration/migration.xlsx")
	require.Equal(t, exitOK, code, stderr)
	require.Contains(t, stdout, `sheet: "Contacts"`)
	require.Contains(t, stdout, `map: {"Nam": "MALE", "Nữ": "FEMALE", "Khác": "OTHER"}`)
	require.Contains(t, stdout, `TODO: "Nam giới" (row 22)`)
	require.Contains(t, stdout, `"31/02/1990" is not a real date`)
	require.Contains(t, stderr, "1 TODO(s)")
	require.NotContains(t, stderr, "does not load")
}
