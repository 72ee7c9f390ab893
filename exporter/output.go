package exporter

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// sink is an output file set being written: sheets of a workbook, or CSV files. Nothing
// appears under a final name before commit; abort removes every temporary file.
type sink interface {
	open(plan *sheetPlan) (table, error)
	commit() ([]string, error) // the final paths, main file first
	abort()
}

// table is one sheet (or CSV file) being written.
type table interface {
	// row writes one data row and says where it went (sheet name, 1-based row number
	// as Excel shows it).
	row(cells []cell) (sheet string, num int, err error)
	rows() int
}

// tempFile creates a temporary file beside path, so the final rename stays on one file
// system and is atomic.
func tempFile(path string) (*os.File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("create output: %w", err)
	}
	return f, nil
}

// finishFile syncs, closes and renames a temporary file to its final name.
func finishFile(f *os.File, final string) error {
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), final)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", final, err)
	}
	return nil
}

// ---------------------------------------------------------------- XLSX

// maxSheetRows is the data rows one worksheet takes: Excel's 1,048,576 rows less the
// header. Tests lower it.
var maxSheetRows = excelize.TotalRows - 1

type xlsxSink struct {
	path    string
	f       *excelize.File
	first   bool // the default Sheet1 is still unused
	names   map[string]bool
	styles  map[string]int
	bold    int
	tables  []*xlsxTable  // worksheets written live (the main sheet)
	spools  []*spoolTable // other sheets, spooled until commit
	aborted bool
}

func newXLSXSink(path string) (*xlsxSink, error) {
	f := excelize.NewFile(excelize.Options{TmpDir: filepath.Dir(path)})
	s := &xlsxSink{path: path, f: f, first: true, names: map[string]bool{}, styles: map[string]int{}}
	var err error
	s.bold, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "center"}})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// style returns the cell style for a number format ("" for none; "@" is text).
func (s *xlsxSink) style(format string) (int, error) {
	if format == "" {
		return 0, nil
	}
	if id, ok := s.styles[format]; ok {
		return id, nil
	}
	st := &excelize.Style{}
	if format == fmtText {
		st.NumFmt = 49
	} else {
		f := format
		st.CustomNumFmt = &f
	}
	id, err := s.f.NewStyle(st)
	if err != nil {
		return 0, fmt.Errorf("number format %q: %w", format, err)
	}
	s.styles[format] = id
	return id, nil
}

// sheetName makes a valid, unique worksheet name: at most 31 characters, none of
// []:*?/\, unique without regard to case.
func (s *xlsxSink) sheetName(want string) string {
	clean := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, strings.Trim(want, "'"))
	if clean == "" {
		clean = "Sheet"
	}
	name := truncRunes(clean, 31)
	for i := 2; s.names[strings.ToLower(name)]; i++ {
		suffix := fmt.Sprintf(" (%d)", i)
		name = truncRunes(clean, 31-len(suffix)) + suffix
	}
	s.names[strings.ToLower(name)] = true
	return name
}

func truncRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}

func (s *xlsxSink) open(plan *sheetPlan) (table, error) {
	for _, c := range plan.cols {
		format := c.format
		if format == "" && c.typ == tText {
			format = fmtText
		}
		id, err := s.style(format)
		if err != nil {
			return nil, err
		}
		c.style = id
	}
	if !plan.main {
		// Child sheets are spooled and written one after the other at commit: excelize
		// keeps an in-memory buffer of up to 32 MiB per open stream writer.
		sp, err := newSpool(s, plan)
		if err != nil {
			return nil, err
		}
		s.spools = append(s.spools, sp)
		return sp, nil
	}
	t := &xlsxTable{s: s, plan: plan, base: plan.name}
	if err := t.start(); err != nil {
		return nil, err
	}
	s.tables = append(s.tables, t)
	return t, nil
}

func (s *xlsxSink) commit() ([]string, error) {
	for _, t := range s.tables {
		if err := t.end(); err != nil {
			s.abort()
			return nil, err
		}
	}
	for _, sp := range s.spools {
		if err := sp.replay(); err != nil {
			s.abort()
			return nil, err
		}
	}
	out, err := tempFile(s.path)
	if err != nil {
		s.abort()
		return nil, err
	}
	// File.WriteTo builds the whole zip in a bytes.Buffer before writing it (as large as
	// the workbook); a zip writer on the file itself streams it instead, and leaves that
	// buffer empty.
	s.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(out) })
	if _, err := s.f.WriteTo(io.Discard); err != nil {
		out.Close()
		os.Remove(out.Name())
		s.abort()
		return nil, fmt.Errorf("write %s: %w", s.path, err)
	}
	_ = s.f.Close()
	if err := finishFile(out, s.path); err != nil {
		return nil, err
	}
	return []string{s.path}, nil
}

func (s *xlsxSink) abort() {
	if !s.aborted {
		s.aborted = true
		for _, sp := range s.spools {
			sp.remove()
		}
		_ = s.f.Close() // removes the stream writers' temporary files
	}
}

type xlsxTable struct {
	s     *xlsxSink
	plan  *sheetPlan
	base  string
	name1 string // the first worksheet's name, when reserved in advance
	part  int
	sheet string
	sw    *excelize.StreamWriter
	n     int // data rows in the current worksheet
	total int
	vals  []any
	cells []excelize.Cell
}

// start opens the next worksheet of the table and writes its header.
func (t *xlsxTable) start() error {
	t.part++
	if t.part == 1 && t.name1 != "" {
		t.sheet = t.name1
	} else {
		t.sheet = t.s.sheetName(partName(t.base, t.part))
	}
	f := t.s.f
	if t.s.first {
		t.s.first = false
		if err := f.SetSheetName(f.GetSheetName(0), t.sheet); err != nil {
			return err
		}
	} else if _, err := f.NewSheet(t.sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(t.sheet)
	if err != nil {
		return err
	}
	t.sw, t.n = sw, 0
	for i, c := range t.plan.cols {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return err
	}
	header := make([]any, len(t.plan.cols))
	for i, c := range t.plan.cols {
		header[i] = excelize.Cell{StyleID: t.s.bold, Value: c.header}
	}
	if err := sw.SetRow("A1", header, excelize.RowOpts{StyleID: t.s.bold}); err != nil {
		return err
	}
	t.vals = make([]any, len(t.plan.cols))
	t.cells = make([]excelize.Cell, len(t.plan.cols))
	return nil
}

// end adds the filter buttons over the written range and flushes the worksheet.
func (t *xlsxTable) end() error {
	if t.sw == nil {
		return nil
	}
	last, err := excelize.CoordinatesToCellName(max(1, len(t.plan.cols)), t.n+1)
	if err != nil {
		return err
	}
	if err := t.s.f.AutoFilter(t.sheet, "A1:"+last, nil); err != nil {
		return fmt.Errorf("sheet %s: filter: %w", t.sheet, err)
	}
	err = t.sw.Flush()
	releaseStreamBuffer(t.sw)
	t.sw = nil
	return err
}

// partName names the n-th worksheet of a table: "Opportunities", "Opportunities (2)" …
func partName(base string, n int) string {
	if n == 1 {
		return base
	}
	return fmt.Sprintf("%s (%d)", base, n)
}

func (t *xlsxTable) rows() int { return t.total }

func (t *xlsxTable) row(cells []cell) (string, int, error) {
	if t.n >= maxSheetRows {
		if err := t.end(); err != nil {
			return "", 0, err
		}
		if err := t.start(); err != nil {
			return "", 0, err
		}
	}
	for i, c := range cells {
		col := t.plan.cols[i]
		switch c.kind {
		case cEmpty:
			t.vals[i] = nil
			continue
		case cText:
			t.cells[i] = excelize.Cell{StyleID: col.style, Value: c.s} // always a value, never a formula
		case cNumber:
			t.cells[i] = excelize.Cell{StyleID: col.style, Value: c.f}
		case cTime:
			t.cells[i] = excelize.Cell{StyleID: col.style, Value: c.f}
		case cBool:
			t.cells[i] = excelize.Cell{StyleID: col.style, Value: c.b}
		}
		if c.kind == cText && col.typ != tText {
			t.cells[i].StyleID = 0 // a word in a number column: no number format
		}
		t.vals[i] = &t.cells[i]
	}
	t.n++
	t.total++
	ref, err := excelize.CoordinatesToCellName(1, t.n+1)
	if err != nil {
		return "", 0, err
	}
	if err := t.sw.SetRow(ref, t.vals); err != nil {
		return "", 0, fmt.Errorf("sheet %s row %d: %w", t.sheet, t.n+1, err)
	}
	return t.sheet, t.n + 1, nil
}

// ---------------------------------------------------------------- CSV

type csvSink struct {
	path  string
	bom   bool
	delim rune
	files []*csvTable
	used  map[string]bool
}

func newCSVSink(path string, bom bool, delim rune) *csvSink {
	if delim == 0 {
		delim = ','
	}
	return &csvSink{path: path, bom: bom, delim: delim, used: map[string]bool{}}
}

// filePath is OUT.csv for the main table and OUT-<suffix>.csv for the others.
func (s *csvSink) filePath(plan *sheetPlan) string {
	if plan.main {
		return s.path
	}
	ext := filepath.Ext(s.path)
	stem := strings.TrimSuffix(s.path, ext)
	suffix := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`<>:"/\|?*`, r) || r < ' ' {
			return '_'
		}
		return r
	}, plan.file)
	p := stem + "-" + suffix + ext
	for i := 2; s.used[p]; i++ {
		p = fmt.Sprintf("%s-%s-%d%s", stem, suffix, i, ext)
	}
	return p
}

func (s *csvSink) open(plan *sheetPlan) (table, error) {
	final := s.filePath(plan)
	s.used[final] = true
	f, err := tempFile(final)
	if err != nil {
		return nil, err
	}
	t := &csvTable{final: final, f: f, plan: plan}
	t.bw = bufio.NewWriterSize(f, 256<<10)
	if s.bom {
		_, _ = t.bw.WriteString("\uFEFF")
	}
	t.w = csv.NewWriter(t.bw)
	t.w.Comma = s.delim
	t.w.UseCRLF = true
	t.rec = make([]string, len(plan.cols))
	for i, c := range plan.cols {
		t.rec[i] = neutralize(c.header)
	}
	if err := t.w.Write(t.rec); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	s.files = append(s.files, t)
	return t, nil
}

func (s *csvSink) commit() ([]string, error) {
	for _, t := range s.files {
		t.w.Flush()
		if err := t.w.Error(); err != nil {
			s.abort()
			return nil, fmt.Errorf("write %s: %w", t.final, err)
		}
		if err := t.bw.Flush(); err != nil {
			s.abort()
			return nil, fmt.Errorf("write %s: %w", t.final, err)
		}
	}
	// The main file last: once it is there, everything it refers to is too.
	files := slices.Clone(s.files)
	slices.SortStableFunc(files, func(a, b *csvTable) int {
		switch {
		case a.plan.main == b.plan.main:
			return 0
		case a.plan.main:
			return 1
		}
		return -1
	})
	for _, t := range files {
		if err := finishFile(t.f, t.final); err != nil {
			t.done = true
			s.abort()
			return nil, err
		}
		t.done = true
	}
	paths := []string{files[len(files)-1].final}
	for _, t := range files[:len(files)-1] {
		paths = append(paths, t.final)
	}
	return paths, nil
}

func (s *csvSink) abort() {
	for _, t := range s.files {
		if !t.done {
			t.f.Close()
			os.Remove(t.f.Name())
			t.done = true
		}
	}
}

type csvTable struct {
	final string
	f     *os.File
	bw    *bufio.Writer
	w     *csv.Writer
	plan  *sheetPlan
	rec   []string
	n     int
	done  bool
}

func (t *csvTable) rows() int { return t.n }

func (t *csvTable) row(cells []cell) (string, int, error) {
	for i, c := range cells {
		col := t.plan.cols[i]
		switch c.kind {
		case cEmpty:
			t.rec[i] = ""
		case cText:
			t.rec[i] = neutralize(c.s)
		case cNumber:
			t.rec[i] = c.s
		case cTime:
			t.rec[i] = c.t.Format(col.layout)
		case cBool:
			if c.b {
				t.rec[i] = "TRUE"
			} else {
				t.rec[i] = "FALSE"
			}
		}
	}
	t.n++
	if err := t.w.Write(t.rec); err != nil {
		return "", 0, fmt.Errorf("write %s: %w", t.final, err)
	}
	return filepath.Base(t.final), t.n + 1, nil
}
