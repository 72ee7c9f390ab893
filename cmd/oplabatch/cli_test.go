package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/oplabatch/oplabatch/opla/oplatest"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// cli runs the command line in-process, as main would.
func cli(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &streams{in: bytes.NewReader(nil), out: &out, err: &errb})
	return code, out.String(), errb.String()
}

// apiEnv points the CLI at an emulator through the environment, like a user would.
func apiEnv(t *testing.T, srv *oplatest.Server) {
	t.Setenv("OPLA_BASE_URL", srv.URL())
	t.Setenv("OPLA_TOKEN", srv.Token())
}

func writeCSV(t *testing.T, path string, rows [][]string) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	w := csv.NewWriter(f)
	require.NoError(t, w.WriteAll(rows))
	require.NoError(t, f.Close())
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

func readSheet(t *testing.T, path, name string) []map[string]string {
	t.Helper()
	x, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer x.Close()
	rows, err := x.GetRows(name)
	require.NoError(t, err)
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			if i < len(r) {
				m[h] = r[i]
			}
		}
		out = append(out, m)
	}
	return out
}

func summaryOf(t *testing.T, path string) map[string]string {
	out := map[string]string{}
	for _, r := range readSheet(t, path, "Summary") {
		out[r["key"]] = r["value"]
	}
	return out
}

const accountsMapping = `entity: accounts
columns:
  "Mã KH": external_id
  "Tên": name
  "Email": email
  "Ngành":
    field: industry_id
    ref: industries.name
defaults:
  is_public: false
`

func TestRetryFixedRowsKeepTheirRowNumbers(t *testing.T) {
	srv := oplatest.NewServer(oplatest.Options{Seed: 3})
	t.Cleanup(srv.Close)
	apiEnv(t, srv)
	dir := t.TempDir()
	mappingPath := filepath.Join(dir, "accounts.yaml")
	writeFile(t, mappingPath, accountsMapping)
	input := filepath.Join(dir, "accounts.csv")
	writeCSV(t, input, [][]string{
		{"Mã KH", "Tên", "Email", "Ngành"},
		{"A-1", "Một", "mot@example.vn", "Retail"},
		{"A-2", "Hai", "hai@example", "Retail"},        // bad e-mail: fixed below
		{"A-3", "Ba", "ba@example.vn", "Công nghệ số"}, // unknown industry: left as is
		{"A-4", "Bốn", "bon@example.vn", "Technology"},
	})
	code, _, stderr := cli(t, "import", "-m", mappingPath, input)
	require.Equal(t, exitFailed, code, stderr)
	res := filepath.Join(dir, "accounts.results.xlsx")
	failed := readSheet(t, res, "Failed")
	require.Len(t, failed, 2)
	firstErrors := map[string]string{}
	for _, f := range failed {
		firstErrors[f["_row"]] = f["_error"]
	}

	// A person fixes the e-mail of A-2 in Excel and saves.
	x, err := excelize.OpenFile(res)
	require.NoError(t, err)
	rows, err := x.GetRows("Failed")
	require.NoError(t, err)
	for i, r := range rows {
		if r[0] == "A-2" {
			require.NoError(t, x.SetCellStr("Failed", "C"+strconv.Itoa(i+1), "hai@example.vn"))
		}
	}
	require.NoError(t, x.Save())
	require.NoError(t, x.Close())

	code, _, stderr = cli(t, "retry", res)
	require.Equal(t, exitFailed, code, stderr)
	retry := filepath.Join(dir, "accounts.results.retry-1.xlsx")
	sum := summaryOf(t, retry)
	require.Equal(t, "2", sum["total"])
	require.Equal(t, "1", sum["created"])
	require.Equal(t, "1", sum["failed"])
	ok := readSheet(t, retry, "Succeeded")
	require.Len(t, ok, 1)
	require.Equal(t, "3", ok[0]["_row"], "the original row number")
	require.Equal(t, "A-2", ok[0]["external_id"])
	again := readSheet(t, retry, "Failed")
	require.Len(t, again, 1)
	require.Equal(t, "4", again[0]["_row"])
	require.Equal(t, firstErrors["4"], again[0]["_error"], "an unfixed row fails with the same sentence")

	// Retrying the retry works the same way and takes the next name.
	code, _, _ = cli(t, "retry", retry)
	require.Equal(t, exitFailed, code)
	require.FileExists(t, filepath.Join(dir, "accounts.results.retry-1.retry-1.xlsx"))
}

func TestImportRefusesAStaleJournal(t *testing.T) {
	srv := oplatest.NewServer(oplatest.Options{Seed: 3})
	t.Cleanup(srv.Close)
	apiEnv(t, srv)
	dir := t.TempDir()
	mappingPath := filepath.Join(dir, "accounts.yaml")
	writeFile(t, mappingPath, accountsMapping)
	input := filepath.Join(dir, "accounts.csv")
	writeCSV(t, input, [][]string{{"Mã KH", "Tên", "Email", "Ngành"}, {"A-1", "Một", "mot@example.vn", "Retail"}})
	journalPath := filepath.Join(dir, "accounts.results.xlsx.journal")
	// A journal from an interrupted run of the same file and mapping.
	code, _, stderr := cli(t, "import", "-m", mappingPath, input)
	require.Equal(t, exitOK, code, stderr)
	require.NoFileExists(t, journalPath, "a finished run removes its journal")

	writeFile(t, journalPath, `{"v":1,"input":"x","input_sha256":"00","mapping":"m","mapping_sha256":"00"}`+"\n")
	code, _, stderr = cli(t, "import", "-m", mappingPath, input)
	require.Equal(t, exitUsage, code)
	require.Contains(t, stderr, "different input file")
	require.Contains(t, stderr, "--restart")

	code, _, stderr = cli(t, "import", "--restart", "-m", mappingPath, input)
	require.Equal(t, exitOK, code, stderr)
	require.Contains(t, stderr, "1 unchanged")

	code, _, stderr = cli(t, "import", "--resume", "-m", mappingPath, input)
	require.Equal(t, exitUsage, code)
	require.Contains(t, stderr, "nothing to resume")
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no mapping", []string{"import", "x.csv"}, "-m MAPPING.yaml is required"},
		{"no file", []string{"import", "-m", "m.yaml"}, "want FILE"},
		{"bad flag", []string{"import", "--nope", "x.csv"}, "unknown flag"},
		{"bad delimiter", []string{"validate", "-m", "m.yaml", "--delimiter", "ab", "x.csv"}, "want one character"},
		{"sandbox not loopback", []string{"sandbox", "--addr", "0.0.0.0:8787"}, "loopback only"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := cli(t, tc.args...)
			require.Equal(t, exitUsage, code)
			require.Contains(t, stderr, tc.want)
		})
	}
}

func TestNoTokenIsAClearError(t *testing.T) {
	t.Setenv("OPLA_TOKEN", "")
	dir := t.TempDir()
	mappingPath := filepath.Join(dir, "a.yaml")
	writeFile(t, mappingPath, accountsMapping)
	input := filepath.Join(dir, "a.csv")
	writeCSV(t, input, [][]string{{"Mã KH", "Tên", "Email", "Ngành"}, {"A-1", "Một", "mot@example.vn", "Retail"}})
	code, _, stderr := cli(t, "import", "-m", mappingPath, input)
	require.Equal(t, exitUsage, code)
	require.Contains(t, stderr, "no API token")
	require.Contains(t, stderr, "--sandbox")
}

func TestValidateSample(t *testing.T) {
	code, _, stderr := cli(t, "validate", "-m", "../../samples/migration/mappings/contacts.yaml", "../../samples/migration/migration.xlsx")
	require.Equal(t, exitFailed, code, stderr)
	require.Contains(t, stderr, "25 rows, 22 valid, 3 invalid")
	code, _, stderr = cli(t, "validate", "-m", "../../samples/migration/mappings/employees.yaml", "../../samples/migration/employees.csv")
	require.Equal(t, exitOK, code, stderr)
	require.Contains(t, stderr, "ignored): Ngày vào làm")
}

func TestJobTwiceIsUnchanged(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "sandbox.json")
	args := []string{"import", "--sandbox", "--sandbox-data", state, "-m", "../../samples/migration/job.yaml", "-o", dir, "../../samples/migration/migration.xlsx"}
	code, _, stderr := cli(t, args...)
	require.Equal(t, exitFailed, code, stderr)
	require.Contains(t, stderr, "opportunities: 10 rows: 10 created")
	code, _, stderr = cli(t, append([]string{"import", "--restart"}, args[1:]...)...)
	require.Equal(t, exitFailed, code, stderr)
	for _, e := range []string{"employees: 5", "accounts: 13", "contacts: 25", "leads: 15", "products: 8", "opportunities: 10"} {
		require.Regexp(t, e+` rows: 0 created, 0 updated, \d+ unchanged`, stderr)
	}
}

func TestPlainHTTPOnlyToLoopback(t *testing.T) {
	t.Setenv("OPLA_TOKEN", "secret-token-xyz")
	dir := t.TempDir()
	mappingPath := filepath.Join(dir, "a.yaml")
	writeFile(t, mappingPath, accountsMapping)
	input := filepath.Join(dir, "a.csv")
	writeCSV(t, input, [][]string{{"Mã KH", "Tên", "Email", "Ngành"}, {"A-1", "Một", "mot@example.vn", "Retail"}})
	code, _, stderr := cli(t, "--base-url", "http://crm.example.com/api", "import", "-m", mappingPath, input)
	require.Equal(t, exitUsage, code)
	require.Contains(t, stderr, "use https://")
	require.NotContains(t, stderr, "secret-token-xyz")
	require.NoFileExists(t, filepath.Join(dir, "a.results.xlsx"))

	t.Setenv("OPLA_BASE_URL", "http://127.0.0.1:9/api") // never the real service from a test
	code, _, stderr = cli(t, "import", "-m", mappingPath, "-o", input, input)
	require.Equal(t, exitUsage, code)
	require.Contains(t, stderr, "would overwrite the input")
}
