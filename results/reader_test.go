package results

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

func TestReadSummaryRoundTrip(t *testing.T) {
	sum := testSum
	sum.Extra = append(sum.Extra, [2]string{"stopped_reason", "401 Unauthorized"}, [2]string{"entity", "shadowed"})
	p := write(t, testHeader, nil, []Failure{{Row: 2, Cells: []string{"a", "b", "c", "d"}, Error: "e", Code: CodeAPI, Column: -1}}, sum)

	run, err := ReadSummary(p)
	require.NoError(t, err)
	require.Equal(t, append(append([]string{}, SummaryKeys...), "dry_run", "journal", "stopped_reason"), run.SummaryKeys)
	require.Len(t, run.Summary, len(run.SummaryKeys))

	tests := []struct {
		key  string
		text string
		n    int
	}{
		{KeyEntity, "contacts", 0}, // the first value of a repeated key wins
		{KeyMapping, "maps/contacts.yaml", 0},
		{KeyInput, "in.xlsx", 0},
		{KeySheet, "Contacts", 0},
		{KeyMode, "upsert", 0},
		{KeyTotal, "5", 5},
		{KeySucceeded, "3", 3},
		{KeyCreated, "1", 1},
		{KeyUpdated, "1", 1},
		{KeyUnchanged, "1", 1},
		{KeyFailed, "2", 2},
		{KeySkipped, "0", 0},
		{"dry_run", "false", 0},
		{"stopped_reason", "401 Unauthorized", 0},
		{"absent", "", 0},
	}
	for _, tt := range tests {
		require.Equal(t, tt.text, run.Get(tt.key), tt.key)
		require.Equal(t, tt.n, run.Int(tt.key), tt.key)
	}
	require.Equal(t, []string{SheetSucceeded}, run.SucceededSheets)
	require.Equal(t, []string{SheetFailed}, run.FailedSheets)
	require.Equal(t, FailedColumns{
		Source:      testHeader,
		SourceIndex: []int{0, 1, 2, 3},
		Row:         4, Error: 5, Field: 6, Code: 7,
	}, run.Failed)
}

func TestFailedHeader(t *testing.T) {
	tests := []struct {
		name   string
		header []string
		want   FailedColumns
	}{
		{"empty", nil, FailedColumns{Row: -1, Error: -1, Field: -1, Code: -1}},
		{
			"as written",
			[]string{"A", "B", "_row", "_error", "_field", "_code"},
			FailedColumns{Source: []string{"A", "B"}, SourceIndex: []int{0, 1}, Row: 2, Error: 3, Field: 4, Code: 5},
		},
		{
			"moved by hand, other _ columns ignored",
			[]string{"_code", "A", " _Row ", "_note", "B", "_error"},
			FailedColumns{Source: []string{"A", "B"}, SourceIndex: []int{1, 4}, Row: 2, Error: 5, Field: -1, Code: 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, FailedHeader(tt.header))
		})
	}
}

func TestNotAResultsWorkbook(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.xlsx")
	f := excelize.NewFile()
	_, err := f.NewSheet("Failed")
	require.NoError(t, err)
	require.NoError(t, f.SaveAs(plain))
	require.NoError(t, f.Close())

	csv := filepath.Join(dir, "in.csv")
	require.NoError(t, os.WriteFile(csv, []byte("a,b\n1,2\n"), 0o644))

	good := write(t, nil, nil, nil, Summary{})

	tests := []struct {
		path string
		is   bool
	}{
		{good, true},
		{plain, false},
		{csv, false},
		{filepath.Join(dir, "missing.xlsx"), false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.is, IsResultsWorkbook(tt.path), tt.path)
		_, err := ReadSummary(tt.path)
		if tt.is {
			require.NoError(t, err)
		} else {
			require.Error(t, err, tt.path)
		}
	}
	_, err = ReadSummary(plain)
	require.ErrorContains(t, err, "no Summary or Succeeded sheet")
}

func TestPartNumber(t *testing.T) {
	tests := []struct {
		name string
		want int
	}{
		{"Failed", 1}, {"failed", 1}, {"Failed (2)", 2}, {"Failed (12)", 12},
		{"Failed (1)", 0}, {"Failed (02)", 0}, {"Failed (2) x", 0}, {"Failedx", 0}, {"Fail", 0}, {"Failed 2", 0},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, partNumber(tt.name, SheetFailed), tt.name)
	}
}
