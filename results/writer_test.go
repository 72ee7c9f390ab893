package results

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

var (
	testHeader = []string{"Mã KH", "Họ tên", "Điện thoại", "Ghi chú"}
	testStart  = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	testSum    = Summary{
		Entity: "contacts", Mapping: "maps/contacts.yaml", Input: "in.xlsx", Sheet: "Contacts", Mode: "upsert",
		Total: 5, Succeeded: 3, Created: 1, Updated: 1, Unchanged: 1, Failed: 2, Skipped: 0,
		Started: testStart, Finished: testStart.Add(90 * time.Second),
		Extra: [][2]string{{"dry_run", "false"}, {"journal", "in.journal"}},
	}
)

func TestWorkbookLayout(t *testing.T) {
	p := write(t, testHeader,
		[]Success{{Row: 2, Action: ActionCreated, ExternalID: "KH1", ID: "u-1", Cells: []string{"KH1", "An", "0901", "x"}}},
		[]Failure{{Row: 3, Cells: []string{"KH2", "", "12", strings.Repeat("y", 500)}, Error: "bad", Field: "phone", Code: CodeValidation, Column: 2}},
		testSum)
	f := open(t, p)

	require.Equal(t, []string{SheetSummary, SheetSucceeded, SheetFailed}, f.GetSheetList())
	require.Equal(t, 0, f.GetActiveSheetIndex())

	for _, sheet := range f.GetSheetList() {
		panes, err := f.GetPanes(sheet)
		require.NoError(t, err)
		require.True(t, panes.Freeze, sheet)
		require.Equal(t, 1, panes.YSplit, sheet)
		require.Equal(t, "A2", panes.TopLeftCell, sheet)

		id, err := f.GetCellStyle(sheet, "A1")
		require.NoError(t, err)
		st, err := f.GetStyle(id)
		require.NoError(t, err)
		require.True(t, st.Font != nil && st.Font.Bold, "%s header bold", sheet)
	}

	filters := map[string]string{}
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm._FilterDatabase" {
			filters[dn.Scope] = strings.ReplaceAll(dn.RefersTo, "$", "")
		}
	}
	require.Equal(t, map[string]string{
		SheetSucceeded: "'Succeeded'!A1:H2",
		SheetFailed:    "'Failed'!A1:H2",
	}, filters)

	// Widths: capped, _error wide and wrapped.
	for _, sheet := range []string{SheetSucceeded, SheetFailed} {
		for col := 1; col <= 8; col++ {
			name, _ := excelize.ColumnNumberToName(col)
			width, err := f.GetColWidth(sheet, name)
			require.NoError(t, err)
			require.GreaterOrEqual(t, width, float64(minColWidth), "%s!%s", sheet, name)
			if sheet == SheetFailed && col == 6 {
				require.Equal(t, float64(errorColWidth), width)
				id, err := f.GetColStyle(sheet, name)
				require.NoError(t, err)
				st, err := f.GetStyle(id)
				require.NoError(t, err)
				require.True(t, st.Alignment != nil && st.Alignment.WrapText)
				continue
			}
			require.LessOrEqual(t, width, float64(maxColWidth), "%s!%s", sheet, name)
		}
	}
	// Cells typed in while fixing a row stay text: data rows and source
	// columns carry the Text format.
	for _, ref := range []string{"B2", "Z2"} {
		id, err := f.GetCellStyle(SheetFailed, ref)
		require.NoError(t, err)
		st, err := f.GetStyle(id)
		require.NoError(t, err)
		require.Equal(t, 49, st.NumFmt, ref)
	}
	for _, col := range []string{"A", "D"} {
		id, err := f.GetColStyle(SheetFailed, col)
		require.NoError(t, err)
		st, err := f.GetStyle(id)
		require.NoError(t, err)
		require.Equal(t, 49, st.NumFmt, col)
	}

	// Excel wants <col> elements in ascending order, without overlaps.
	for _, sheet := range f.GetSheetList() {
		ws := readWorksheet(t, p, sheet)
		require.NotEmpty(t, ws.Cols, sheet)
		for i, c := range ws.Cols {
			require.LessOrEqual(t, c.Min, c.Max, sheet)
			if i > 0 {
				require.Greater(t, c.Min, ws.Cols[i-1].Max, "%s cols out of order", sheet)
			}
		}
	}

	// The 500-character note is capped; the short ones are not.
	width, err := f.GetColWidth(SheetFailed, "D")
	require.NoError(t, err)
	require.Equal(t, float64(maxColWidth), width)
	width, err = f.GetColWidth(SheetFailed, "A")
	require.NoError(t, err)
	require.Less(t, width, float64(maxColWidth))
}

func TestSummarySheet(t *testing.T) {
	p := write(t, testHeader, nil, nil, testSum)
	f := open(t, p)
	local := func(tm time.Time) string { return tm.In(time.Local).Format(time.RFC3339) }
	want := [][]string{
		{"key", "value"},
		{"entity", "contacts"},
		{"mapping", "maps/contacts.yaml"},
		{"input", "in.xlsx"},
		{"sheet", "Contacts"},
		{"mode", "upsert"},
		{"total", "5"},
		{"succeeded", "3"},
		{"created", "1"},
		{"updated", "1"},
		{"unchanged", "1"},
		{"failed", "2"},
		{"skipped", "0"},
		{"started", local(testSum.Started)},
		{"finished", local(testSum.Finished)},
		{"dry_run", "false"},
		{"journal", "in.journal"},
	}
	require.Equal(t, want, rowsOf(t, f, SheetSummary))

	raw := rawSheet(t, p, SheetSummary)
	for i, row := range want[1:] {
		ref := fmt.Sprintf("B%d", i+2)
		switch row[0] {
		case "total", "succeeded", "created", "updated", "unchanged", "failed", "skipped":
			require.Contains(t, []string{"", "n"}, raw[ref].Type, "%s is a number", row[0])
		default:
			require.Equal(t, "inlineStr", raw[ref].Type, "%s is text", row[0])
		}
		require.Equal(t, "inlineStr", raw[fmt.Sprintf("A%d", i+2)].Type)
	}
	started, err := time.Parse(time.RFC3339, want[13][1])
	require.NoError(t, err)
	require.True(t, started.Equal(testSum.Started))
}

func TestSummaryZeroTimesAreBlank(t *testing.T) {
	p := write(t, nil, nil, nil, Summary{Entity: "leads"})
	run, err := ReadSummary(p)
	require.NoError(t, err)
	require.Equal(t, "", run.Get(KeyStarted))
	require.Equal(t, "", run.Get(KeyFinished))
	require.Equal(t, SummaryKeys, run.SummaryKeys)
}

// trickyCells are texts a spreadsheet likes to reinterpret.
var trickyCells = []string{
	"0901234567", "=1+1", "=HYPERLINK(\"http://x\")", "+84 90 123", "-5", "1e5", "1.000.000", "TRUE",
	"2025-03-01", "  padded  ", "line1\nline2", "tab\there", "_x000D_", "<b>&amp;</b>", "Nguyễn Văn Á", "😀", "@sum",
}

func TestCellsStayText(t *testing.T) {
	header := make([]string, len(trickyCells))
	for i := range header {
		header[i] = fmt.Sprintf("C%d", i+1)
	}
	p := write(t, header,
		[]Success{{Row: 2, Action: ActionUpdated, ExternalID: "007", ID: "=id", Cells: trickyCells}},
		[]Failure{{Row: 3, Cells: trickyCells, Error: "=error", Field: "phone", Code: CodeAPI, Column: -1}},
		Summary{})
	f := open(t, p)

	tests := []struct {
		sheet    string
		row      []string
		textFrom int // first column index holding text
	}{
		{SheetSucceeded, append([]string{"2", ActionUpdated, "007", "=id"}, trickyCells...), 1},
		{SheetFailed, append(append([]string{}, trickyCells...), "3", "=error", "phone", CodeAPI), 0},
	}
	for _, tt := range tests {
		t.Run(tt.sheet, func(t *testing.T) {
			rows := rowsOf(t, f, tt.sheet)
			require.Len(t, rows, 2)
			require.Equal(t, tt.row, rows[1])
			raw := rawSheet(t, p, tt.sheet)
			for col, v := range tt.row {
				ref := cellName(t, col+1, 2)
				c := raw[ref]
				require.Nil(t, c.Formula, "%s has no formula", ref)
				ct, err := f.GetCellType(tt.sheet, ref)
				require.NoError(t, err)
				if v == "2" || v == "3" { // _row
					require.NotEqual(t, excelize.CellTypeInlineString, ct, ref)
					continue
				}
				require.Equal(t, "inlineStr", c.Type, "%s %q", ref, v)
				require.Equal(t, excelize.CellTypeInlineString, ct, ref)
			}
		})
	}
}

func TestRowsShorterOrLongerThanHeader(t *testing.T) {
	p := write(t, []string{"a", "b"},
		[]Success{
			{Row: 2, Action: ActionCreated, Cells: []string{"1"}},
			{Row: 3, Action: ActionCreated, Cells: []string{"1", "2", "3"}},
		},
		[]Failure{
			{Row: 4, Cells: nil, Error: "e", Code: CodeInternal, Column: 5},
			{Row: 5, Cells: []string{"1", "2", "3"}, Error: "e", Code: CodeInternal, Column: 2},
		}, Summary{})
	f := open(t, p)
	require.Equal(t, [][]string{
		{"_row", "_action", "external_id", "id", "a", "b"},
		{"2", "created", "", "", "1"},
		{"3", "created", "", "", "1", "2"},
	}, rowsOf(t, f, SheetSucceeded))
	require.Equal(t, [][]string{
		{"a", "b", "_row", "_error", "_field", "_code"},
		{"", "", "4", "e", "", "internal"},
		{"1", "2", "5", "e", "", "internal"},
	}, rowsOf(t, f, SheetFailed))
}

func TestHighlightOnlyTheOffendingCell(t *testing.T) {
	tests := []struct {
		name   string
		column int
		want   string // highlighted cell, "" for none
	}{
		{"second column", 1, "B2"},
		{"empty cell", 2, "C2"},
		{"no column", -1, ""},
		{"beyond the header", 9, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := write(t, []string{"id", "phone", "email"}, nil,
				[]Failure{{Row: 2, Cells: []string{"1", "abc", ""}, Error: "phone abc is not a phone number", Field: "phone", Code: CodeValidation, Column: tt.column}},
				Summary{})
			f := open(t, p)
			var marked []string
			for col := 1; col <= 7; col++ {
				for row := 1; row <= 2; row++ {
					ref := cellName(t, col, row)
					id, err := f.GetCellStyle(SheetFailed, ref)
					require.NoError(t, err)
					st, err := f.GetStyle(id)
					require.NoError(t, err)
					if len(st.Fill.Color) > 0 && st.Fill.Color[0] == "FFC7CE" {
						require.NotNil(t, st.Font)
						require.Equal(t, "9C0006", st.Font.Color)
						require.Equal(t, 49, st.NumFmt, "still a text cell")
						marked = append(marked, ref)
					}
				}
			}
			if tt.want == "" {
				require.Empty(t, marked)
			} else {
				require.Equal(t, []string{tt.want}, marked)
			}
			// The value is untouched.
			require.Equal(t, []string{"1", "abc", "", "2", "phone abc is not a phone number", "phone", "validation"}, rowsOf(t, f, SheetFailed)[1])
		})
	}
}

func TestFailedHeaderRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		header []string
		want   []string // source headers of the Failed sheet
		column int      // offending source column
		mark   string   // cell that gets highlighted
	}{
		{"plain", []string{"Mã KH", "Tên", "SĐT"}, []string{"Mã KH", "Tên", "SĐT"}, 2, "C2"},
		{"original text kept", []string{" Name ", "E-mail (chính)", "Số tiền (VNĐ)"}, []string{" Name ", "E-mail (chính)", "Số tiền (VNĐ)"}, 0, "A2"},
		{"no columns", nil, nil, -1, ""},
		{
			"an earlier Failed sheet fed back",
			[]string{"Name", "Phone", "_row", "_error", "_field", "_code"},
			[]string{"Name", "Phone"}, 1, "B2",
		},
		{
			"reserved names in between",
			[]string{"Name", "_ROW", "Phone", "_note"},
			[]string{"Name", "Phone", "_note"}, 2, "B2",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cells := make([]string, len(tt.header))
			for i := range cells {
				cells[i] = fmt.Sprintf("v%d", i)
			}
			p := write(t, tt.header, nil,
				[]Failure{{Row: 7, Cells: cells, Error: "err", Field: "f", Code: CodeReference, Column: tt.column}},
				Summary{})
			f := open(t, p)
			rows := rowsOf(t, f, SheetFailed)
			require.Equal(t, append(append([]string{}, tt.want...), "_row", "_error", "_field", "_code"), rows[0])

			fc := FailedHeader(rows[0])
			var source []string
			for _, h := range tt.want {
				if !strings.HasPrefix(h, "_") {
					source = append(source, strings.TrimSpace(h))
				}
			}
			require.Equal(t, source, fc.Source)
			n := len(tt.want)
			require.Equal(t, [4]int{n, n + 1, n + 2, n + 3}, [4]int{fc.Row, fc.Error, fc.Field, fc.Code})

			// The source cells line up under their headers.
			for i, h := range tt.header {
				if isReserved(h) {
					continue
				}
				col := indexOf(tt.want, h)
				require.Equal(t, cells[i], rows[1][col], h)
			}
			if tt.mark != "" {
				id, err := f.GetCellStyle(SheetFailed, tt.mark)
				require.NoError(t, err)
				st, err := f.GetStyle(id)
				require.NoError(t, err)
				require.Equal(t, []string{"FFC7CE"}, st.Fill.Color)
			}
		})
	}
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

func TestAtomicWrite(t *testing.T) {
	entries := func(dir string) []string {
		es, err := os.ReadDir(dir)
		require.NoError(t, err)
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		return names
	}

	t.Run("nothing until Close", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "out.xlsx")
		w, err := Create(p, []string{"a"})
		require.NoError(t, err)
		require.NoError(t, w.Succeeded(Success{Row: 2, Action: ActionCreated, Cells: []string{"x"}}))
		require.NoFileExists(t, p)
		require.Len(t, entries(dir), 1, "only the temporary file")
		require.True(t, strings.HasPrefix(entries(dir)[0], ".out.xlsx."))
		require.NoError(t, w.Close(Summary{}))
		require.Equal(t, []string{"out.xlsx"}, entries(dir))
		fi, err := os.Stat(p)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o644), fi.Mode().Perm())

		require.NoError(t, w.Abort(), "Abort after Close is a no-op")
		require.FileExists(t, p)
		require.Error(t, w.Close(Summary{}), "Close twice")
		require.Error(t, w.Succeeded(Success{Row: 2, Action: ActionCreated}), "write after Close")
	})

	t.Run("Abort leaves nothing", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "out.xlsx")
		w, err := Create(p, []string{"a"})
		require.NoError(t, err)
		require.NoError(t, w.Failed(Failure{Row: 2, Cells: []string{"x"}, Error: "e", Code: CodeNetwork, Column: 0}))
		require.NoError(t, w.Abort())
		require.Empty(t, entries(dir))
		require.NoError(t, w.Abort())
		require.Error(t, w.Close(Summary{}))
		require.Empty(t, entries(dir))
	})

	t.Run("replaces an earlier file whole", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "out.xlsx")
		require.NoError(t, os.WriteFile(p, []byte("old"), 0o644))
		w, err := Create(p, []string{"a"})
		require.NoError(t, err)
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		require.Equal(t, "old", string(b))
		require.NoError(t, w.Close(Summary{Entity: "accounts"}))
		run, err := ReadSummary(p)
		require.NoError(t, err)
		require.Equal(t, "accounts", run.Get("entity"))
		require.Equal(t, []string{"out.xlsx"}, entries(dir))
	})

	t.Run("refused", func(t *testing.T) {
		dir := t.TempDir()
		for _, p := range []string{"", filepath.Join(dir, "out.csv"), filepath.Join(dir, "missing", "out.xlsx")} {
			w, err := Create(p, nil)
			require.Error(t, err, p)
			require.Nil(t, w)
		}
		require.NoError(t, os.Mkdir(filepath.Join(dir, "d.xlsx"), 0o755))
		_, err := Create(filepath.Join(dir, "d.xlsx"), nil)
		require.ErrorContains(t, err, "directory")
		require.Equal(t, []string{"d.xlsx"}, entries(dir))
	})
}

func TestInvalidRowsAreRefused(t *testing.T) {
	w, err := Create(filepath.Join(t.TempDir(), "r.xlsx"), nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, w.Abort()) }()
	require.ErrorContains(t, w.Succeeded(Success{Row: 2, Action: "deleted"}), `"deleted"`)
	require.ErrorContains(t, w.Failed(Failure{Row: 2, Code: "oops"}), `"oops"`)
	require.Error(t, w.Succeeded(Success{Row: 0, Action: ActionCreated}))
	require.Error(t, w.Failed(Failure{Row: -1, Code: CodeAPI}))
	// A refused row does not spoil the writer.
	require.NoError(t, w.Succeeded(Success{Row: 2, Action: ActionCreated}))
}

func TestOverflowToMoreSheets(t *testing.T) {
	withMaxRows(t, 3) // a header and two rows per sheet
	dir := t.TempDir()
	p := filepath.Join(dir, "big.xlsx")
	w, err := Create(p, []string{"n"})
	require.NoError(t, err)
	// Interleaved, so that Succeeded overflows again after Failed has.
	for i := 1; i <= 5; i++ {
		require.NoError(t, w.Succeeded(Success{Row: i + 1, Action: ActionUnchanged, Cells: []string{fmt.Sprint("s", i)}}))
		if i <= 3 {
			require.NoError(t, w.Failed(Failure{Row: 100 + i, Cells: []string{fmt.Sprint("f", i)}, Error: "e", Code: CodeConflict, Column: 0}))
		}
	}
	require.NoError(t, w.Close(Summary{Succeeded: 5, Failed: 3}))

	f := open(t, p)
	require.Equal(t, []string{"Summary", "Succeeded", "Succeeded (2)", "Succeeded (3)", "Failed", "Failed (2)"}, f.GetSheetList())
	require.Equal(t, 0, f.GetActiveSheetIndex())
	want := map[string][][]string{
		"Succeeded":     {{"_row", "_action", "external_id", "id", "n"}, {"2", "unchanged", "", "", "s1"}, {"3", "unchanged", "", "", "s2"}},
		"Succeeded (2)": {{"_row", "_action", "external_id", "id", "n"}, {"4", "unchanged", "", "", "s3"}, {"5", "unchanged", "", "", "s4"}},
		"Succeeded (3)": {{"_row", "_action", "external_id", "id", "n"}, {"6", "unchanged", "", "", "s5"}},
		"Failed":        {{"n", "_row", "_error", "_field", "_code"}, {"f1", "101", "e", "", "conflict"}, {"f2", "102", "e", "", "conflict"}},
		"Failed (2)":    {{"n", "_row", "_error", "_field", "_code"}, {"f3", "103", "e", "", "conflict"}},
	}
	for sheet, rows := range want {
		require.Equal(t, rows, rowsOf(t, f, sheet), sheet)
		panes, err := f.GetPanes(sheet)
		require.NoError(t, err)
		require.True(t, panes.Freeze, sheet)
	}
	// Each autofilter belongs to its own sheet and covers its rows.
	filters := map[string]string{}
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm._FilterDatabase" {
			filters[dn.Scope] = strings.ReplaceAll(dn.RefersTo, "$", "")
		}
	}
	require.Equal(t, map[string]string{
		"Succeeded":     "'Succeeded'!A1:E3",
		"Succeeded (2)": "'Succeeded (2)'!A1:E3",
		"Succeeded (3)": "'Succeeded (3)'!A1:E2",
		"Failed":        "'Failed'!A1:E3",
		"Failed (2)":    "'Failed (2)'!A1:E2",
	}, filters)

	run, err := ReadSummary(p)
	require.NoError(t, err)
	require.Equal(t, []string{"Succeeded", "Succeeded (2)", "Succeeded (3)"}, run.SucceededSheets)
	require.Equal(t, []string{"Failed", "Failed (2)"}, run.FailedSheets)
	require.True(t, IsResultsWorkbook(p))
}

func TestLongCellsAreCut(t *testing.T) {
	tests := []struct {
		name string
		in   string
		cut  bool
	}{
		{"short", "abc", false},
		{"exactly the limit", strings.Repeat("a", MaxCellChars), false},
		{"one over", strings.Repeat("a", MaxCellChars+1), true},
		{"multi-byte at the limit", strings.Repeat("ễ", MaxCellChars), false},
		{"multi-byte over", strings.Repeat("ễ", MaxCellChars+5), true},
		{"surrogate pairs over", strings.Repeat("😀", MaxCellChars), true},
		{"a pair across the cut", strings.Repeat("a", MaxCellChars-2) + "😀😀", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := clip(tt.in)
			units := len(utf16.Encode([]rune(got)))
			require.LessOrEqual(t, units, MaxCellChars)
			if !tt.cut {
				require.Equal(t, tt.in, got)
				return
			}
			require.True(t, strings.HasSuffix(got, ellipsis))
			require.True(t, strings.HasPrefix(tt.in, strings.TrimSuffix(got, ellipsis)))
			require.GreaterOrEqual(t, units, MaxCellChars-1)
		})
	}

	long := strings.Repeat("0123456789", 4000)
	p := write(t, []string{"note"},
		[]Success{{Row: 2, Action: ActionCreated, Cells: []string{long}}},
		[]Failure{{Row: 3, Cells: []string{long}, Error: long, Code: CodeValidation, Column: 0}},
		Summary{})
	f := open(t, p)
	for _, ref := range []string{SheetSucceeded + "!E2", SheetFailed + "!A2", SheetFailed + "!C2"} {
		sheet, cell, _ := strings.Cut(ref, "!")
		v, err := f.GetCellValue(sheet, cell)
		require.NoError(t, err)
		require.Equal(t, long[:MaxCellChars-1]+ellipsis, v, ref)
	}
}

func TestConcurrentWriters(t *testing.T) {
	withMaxRows(t, 50)
	dir := t.TempDir()
	p := filepath.Join(dir, "c.xlsx")
	w, err := Create(p, []string{"k"})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 40 {
				row := 2 + g*40 + i
				if i%4 == 0 {
					require.NoError(t, w.Failed(Failure{Row: row, Cells: []string{fmt.Sprint(row)}, Error: "e", Code: CodeNetwork, Column: 0}))
				} else {
					require.NoError(t, w.Succeeded(Success{Row: row, Action: ActionCreated, Cells: []string{fmt.Sprint(row)}}))
				}
			}
		})
	}
	wg.Wait()
	require.NoError(t, w.Close(Summary{}))
	run, err := ReadSummary(p)
	require.NoError(t, err)
	f := open(t, p)
	seen := map[string]bool{}
	for _, sheets := range [][]string{run.SucceededSheets, run.FailedSheets} {
		for _, s := range sheets {
			rows := rowsOf(t, f, s)
			require.LessOrEqual(t, len(rows), 50)
			for _, r := range rows[1:] {
				key := r[0]
				if strings.HasPrefix(s, SheetSucceeded) {
					key = r[4]
				}
				require.False(t, seen[key], key)
				seen[key] = true
			}
		}
	}
	require.Len(t, seen, 320)
}

// TestExcelizeStreamWritersAtOnce checks what the Writer relies on:
// excelize keeps several StreamWriters of one file open at once, rows
// interleaved, each sheet on its own stream, before any is flushed.
func TestExcelizeStreamWritersAtOnce(t *testing.T) {
	f := excelize.NewFile()
	defer func() { require.NoError(t, f.Close()) }()
	for _, s := range []string{"A", "B", "C"} {
		_, err := f.NewSheet(s)
		require.NoError(t, err)
	}
	ws := map[string]*excelize.StreamWriter{}
	for _, s := range []string{"A", "B"} {
		sw, err := f.NewStreamWriter(s)
		require.NoError(t, err)
		ws[s] = sw
	}
	const n = 2000
	for i := 1; i <= n; i++ {
		for _, s := range []string{"A", "B"} {
			require.NoError(t, ws[s].SetRow(fmt.Sprintf("A%d", i), []any{s, i, strings.Repeat(s, i%50)}))
		}
	}
	// A third stream opened last and flushed first.
	sw, err := f.NewStreamWriter("C")
	require.NoError(t, err)
	require.NoError(t, sw.SetRow("A1", []any{"c"}))
	require.NoError(t, sw.Flush())
	require.NoError(t, ws["B"].Flush())
	require.NoError(t, ws["A"].Flush())
	p := filepath.Join(t.TempDir(), "s.xlsx")
	require.NoError(t, f.SaveAs(p))

	g := open(t, p)
	for _, s := range []string{"A", "B"} {
		rows := rowsOf(t, g, s)
		require.Len(t, rows, n, s)
		for i, r := range rows {
			require.Equal(t, s, r[0])
			require.Equal(t, fmt.Sprint(i+1), r[1])
		}
	}
	require.Equal(t, [][]string{{"c"}}, rowsOf(t, g, "C"))
}

func TestZip64LocalHeaders(t *testing.T) {
	old := zip64Limit
	zip64Limit = 0 // treat every entry as a Zip64 one
	t.Cleanup(func() { zip64Limit = old })
	p := write(t, []string{"a"}, []Success{{Row: 2, Action: ActionCreated, Cells: []string{"x"}}}, nil, Summary{})
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	var headers int
	for i := 0; i+30 <= len(b); i++ {
		if string(b[i:i+4]) == "PK\x03\x04" {
			headers++
			require.Equal(t, byte(45), b[i+4], "version needed at offset %d", i)
		}
	}
	require.Greater(t, headers, 5)
	f := open(t, p) // still a good workbook
	require.Equal(t, "x", rowsOf(t, f, SheetSucceeded)[1][4])
}

func TestDisplayWidth(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"Nguyễn", 6},
		{"Nguye\u0302\u0303n", 6}, // decomposed marks take no room
		{"東京", 4},
		{"short\nmuch longer line", 16},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, displayWidth(tt.in), tt.in)
	}
}

// TestStreamsSpillToDisk writes more than excelize keeps in memory per
// stream (16 MiB) to both data sheets at once, rows interleaved, so that
// both spill to temporary files while open.
func TestStreamsSpillToDisk(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("writes 40 MB: slow under -short or -race")
	}
	spill := t.TempDir()
	t.Setenv("TMPDIR", spill) // where excelize spills
	big := strings.Repeat("x", MaxCellChars-10)
	const n = 650 // 650 × 32 KB ≈ 21 MB a sheet
	p := filepath.Join(t.TempDir(), "big.xlsx")
	w, err := Create(p, []string{"k", "blob"})
	require.NoError(t, err)
	for i := range n {
		require.NoError(t, w.Succeeded(Success{Row: i + 2, Action: ActionCreated, Cells: []string{fmt.Sprint("s", i), big}}))
		require.NoError(t, w.Failed(Failure{Row: i + 2, Cells: []string{fmt.Sprint("f", i), big}, Error: "e", Code: CodeAPI, Column: 1}))
	}
	spilled, err := filepath.Glob(filepath.Join(spill, "excelize-*"))
	require.NoError(t, err)
	require.Len(t, spilled, 2, "both streams spilled to disk")
	require.NoError(t, w.Close(Summary{}))
	spilled, err = filepath.Glob(filepath.Join(spill, "excelize-*"))
	require.NoError(t, err)
	require.Empty(t, spilled, "and cleaned up")

	f := open(t, p)
	for _, s := range []struct{ sheet, prefix string }{{SheetSucceeded, "s"}, {SheetFailed, "f"}} {
		rows, err := f.Rows(s.sheet)
		require.NoError(t, err)
		i := -1
		for rows.Next() {
			cols, err := rows.Columns()
			require.NoError(t, err)
			if i >= 0 {
				if s.sheet == SheetSucceeded {
					cols = cols[4:]
				}
				require.Equal(t, fmt.Sprint(s.prefix, i), cols[0])
				require.Len(t, cols[1], len(big))
			}
			i++
		}
		require.NoError(t, rows.Close())
		require.Equal(t, n, i, s.sheet)
	}
}
