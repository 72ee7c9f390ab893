package results

import (
	"archive/zip"
	"cmp"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Run is what a results workbook says about the run that wrote it.
type Run struct {
	// Summary maps each Summary key to its value, as text ("12" for a
	// count). A key that appears twice keeps its first value.
	Summary map[string]string
	// SummaryKeys lists the keys in the order of the sheet.
	SummaryKeys []string

	// SucceededSheets and FailedSheets name the data sheets in order:
	// "Failed", then "Failed (2)", ... when the rows overflowed a sheet.
	SucceededSheets []string
	FailedSheets    []string
	// Failed is the layout of the header row of the first Failed sheet.
	Failed FailedColumns
}

// Get returns the value of a Summary key, "" when the key is absent.
func (r *Run) Get(key string) string { return r.Summary[key] }

// Int returns a Summary count, 0 when the key is absent or not a number.
func (r *Run) Int(key string) int {
	s := strings.TrimSpace(r.Summary[key])
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(int(f)) {
		return int(f)
	}
	return 0
}

// FailedColumns locates the columns of a Failed sheet's header row. All
// indexes are 0-based; -1 means the column is absent.
type FailedColumns struct {
	// Source holds the headers of the source columns (the ones not
	// starting with "_"), in order, and SourceIndex their indexes.
	Source      []string
	SourceIndex []int
	// Row, Error, Field and Code are the indexes of _row, _error, _field
	// and _code.
	Row, Error, Field, Code int
}

// FailedHeader reads the header row of a Failed sheet. Headers are
// compared trimmed and ignoring case.
func FailedHeader(header []string) FailedColumns {
	fc := FailedColumns{Row: -1, Error: -1, Field: -1, Code: -1}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if !strings.HasPrefix(h, "_") {
			fc.Source = append(fc.Source, h)
			fc.SourceIndex = append(fc.SourceIndex, i)
			continue
		}
		for _, c := range []struct {
			name string
			idx  *int
		}{{ColRow, &fc.Row}, {ColError, &fc.Error}, {ColField, &fc.Field}, {ColCode, &fc.Code}} {
			if strings.EqualFold(h, c.name) && *c.idx < 0 {
				*c.idx = i
			}
		}
	}
	return fc
}

// ReadSummary reads the Summary of a results workbook, the names of its
// data sheets and the header of its Failed sheet. A workbook without the
// Summary, Succeeded and Failed sheets is an error.
func ReadSummary(file string) (*Run, error) {
	f, err := excelize.OpenFile(file)
	if err != nil {
		return nil, fmt.Errorf("results: %s: %w", file, err)
	}
	defer func() { _ = f.Close() }()

	run := &Run{Summary: map[string]string{}}
	var summary string
	type numbered struct {
		name string
		n    int
	}
	var succ, fail []numbered
	for _, name := range f.GetSheetList() {
		if strings.EqualFold(name, SheetSummary) {
			summary = name
		}
		if n := partNumber(name, SheetSucceeded); n > 0 {
			succ = append(succ, numbered{name, n})
		}
		if n := partNumber(name, SheetFailed); n > 0 {
			fail = append(fail, numbered{name, n})
		}
	}
	byNumber := func(a, b numbered) int { return cmp.Compare(a.n, b.n) }
	slices.SortFunc(succ, byNumber)
	slices.SortFunc(fail, byNumber)
	for _, s := range succ {
		run.SucceededSheets = append(run.SucceededSheets, s.name)
	}
	for _, s := range fail {
		run.FailedSheets = append(run.FailedSheets, s.name)
	}
	var missing []string
	if summary == "" {
		missing = append(missing, SheetSummary)
	}
	if len(succ) == 0 || succ[0].n != 1 {
		missing = append(missing, SheetSucceeded)
	}
	if len(fail) == 0 || fail[0].n != 1 {
		missing = append(missing, SheetFailed)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("results: %s is not a results workbook: it has no %s sheet", file, strings.Join(missing, " or "))
	}

	rows, err := f.Rows(summary)
	if err != nil {
		return nil, fmt.Errorf("results: %s: %w", file, err)
	}
	defer func() { _ = rows.Close() }()
	for n := 1; rows.Next(); n++ {
		cols, err := rows.Columns()
		if err != nil {
			return nil, fmt.Errorf("results: %s: %s row %d: %w", file, summary, n, err)
		}
		key, val := cell(cols, 0), cell(cols, 1)
		if n == 1 {
			if !strings.EqualFold(strings.TrimSpace(key), "key") || !strings.EqualFold(strings.TrimSpace(val), "value") {
				return nil, fmt.Errorf("results: %s: sheet %s does not start with the header key, value", file, summary)
			}
			continue
		}
		key = strings.TrimSpace(key)
		if key == "" {
			continue
		}
		if _, seen := run.Summary[key]; seen {
			continue
		}
		run.Summary[key] = val
		run.SummaryKeys = append(run.SummaryKeys, key)
	}
	if err := rows.Error(); err != nil {
		return nil, fmt.Errorf("results: %s: %w", file, err)
	}

	header, err := firstRow(f, run.FailedSheets[0])
	if err != nil {
		return nil, fmt.Errorf("results: %s: %w", file, err)
	}
	run.Failed = FailedHeader(header)
	return run, nil
}

func cell(cols []string, i int) string {
	if i < len(cols) {
		return cols[i]
	}
	return ""
}

func firstRow(f *excelize.File, sheet string) ([]string, error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	if !rows.Next() {
		return nil, rows.Error()
	}
	return rows.Columns()
}

// IsResultsWorkbook reports whether path is a workbook with the sheets
// Summary, Succeeded and Failed. It reads only the workbook's sheet list,
// so it is cheap even for a large file.
func IsResultsWorkbook(path string) bool {
	names, err := sheetNames(path)
	if err != nil {
		return false
	}
	for _, want := range []string{SheetSummary, SheetSucceeded, SheetFailed} {
		if !slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, want) }) {
			return false
		}
	}
	return true
}

// sheetNames lists the sheet names of an .xlsx file from its workbook part.
func sheetNames(file string) ([]string, error) {
	zr, err := zip.OpenReader(file)
	if err != nil {
		return nil, err
	}
	defer func() { _ = zr.Close() }()
	part := workbookPart(&zr.Reader)
	for _, zf := range zr.File {
		if !strings.EqualFold(zf.Name, part) {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return nil, err
		}
		defer func() { _ = rc.Close() }()
		var names []string
		dec := xml.NewDecoder(io.LimitReader(rc, 64<<20))
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				return names, nil
			}
			if err != nil {
				return nil, err
			}
			if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "sheet" {
				for _, a := range se.Attr {
					if a.Name.Local == "name" && a.Name.Space == "" {
						names = append(names, a.Value)
					}
				}
			}
		}
	}
	return nil, errors.New("no workbook part")
}

// workbookPart finds the workbook part through the package relationships,
// falling back on the usual xl/workbook.xml.
func workbookPart(zr *zip.Reader) string {
	const fallback = "xl/workbook.xml"
	for _, zf := range zr.File {
		if !strings.EqualFold(zf.Name, "_rels/.rels") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return fallback
		}
		defer func() { _ = rc.Close() }()
		var rels struct {
			Rel []struct {
				Type   string `xml:"Type,attr"`
				Target string `xml:"Target,attr"`
			} `xml:"Relationship"`
		}
		if err := xml.NewDecoder(io.LimitReader(rc, 1<<20)).Decode(&rels); err != nil {
			return fallback
		}
		for _, r := range rels.Rel {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				return strings.TrimPrefix(path.Clean("/"+r.Target), "/")
			}
		}
	}
	return fallback
}
