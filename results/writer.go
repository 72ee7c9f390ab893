package results

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/xuri/excelize/v2"
)

// Summary is the Summary sheet of a run. Counts are written as numbers, the
// rest as text; a zero time is left blank.
type Summary struct {
	Entity, Mapping, Input, Sheet, Mode                            string
	Total, Succeeded, Created, Updated, Unchanged, Failed, Skipped int
	Started, Finished                                              time.Time
	// Extra holds more key/value pairs, written in order after the fixed
	// ones (e.g. dry_run, resumed_from, journal, stopped_reason).
	Extra [][2]string
}

// Success is a row written to the CRM.
type Success struct {
	Row        int    // 1-based row number in the source sheet (header = row 1)
	Action     string // ActionCreated, ActionUpdated or ActionUnchanged
	ExternalID string
	ID         string
	Cells      []string // the source row's cell texts, in source column order
}

// Failure is a row that could not be written.
type Failure struct {
	Row    int      // 1-based row number in the source sheet (header = row 1)
	Cells  []string // the source row's cell texts, in source column order
	Error  string   // a sentence naming the column, the value and what is wrong
	Field  string   // the target field, if any
	Code   string   // one of the Code... constants
	Column int      // index of the offending source column, -1 if none
}

// Writer streams a results workbook to disk. Create it before the first
// row, report each row with Succeeded or Failed as it is done, and finish
// with Close (or Abort). Rows appear in the order they are reported. A
// Writer is safe for concurrent use.
//
// Nothing appears at the destination path until Close succeeds: the
// workbook is written to a temporary file in the same directory and
// renamed into place. After a failed call the Writer keeps returning that
// error; Abort (or Close) then removes the temporary file.
type Writer struct {
	mu      sync.Mutex
	path    string
	tmp     *os.File
	f       *excelize.File
	st      styles
	maxRows int
	succ    *dataSheet
	fail    *dataSheet
	err     error // first error: the Writer is unusable after it
	done    bool  // closed or aborted
}

// errDone is returned by a Writer that has been closed or aborted.
var errDone = errors.New("results: writer already closed")

type styles struct {
	header, text, mark, wrap, number int
}

// Column widths, in Excel character units.
const (
	minColWidth   = 8
	maxColWidth   = 60
	errorColWidth = 70
	widthSample   = 100 // rows looked at to size the columns
)

// Create starts a results workbook that Close will write to path (an
// .xlsx file). header is the source sheet's header row, in order. The
// temporary file is created at once, so an unwritable directory is
// reported here, before any row is processed.
func Create(path string, header []string) (*Writer, error) {
	if path == "" {
		return nil, errors.New("results: no path for the results workbook")
	}
	if ext := filepath.Ext(path); !strings.EqualFold(ext, ".xlsx") {
		return nil, fmt.Errorf("results: %s: the results workbook must be an .xlsx file", path)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("results: %s is a directory", path)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("results: cannot write beside %s: %w", path, err)
	}
	w := &Writer{path: path, tmp: tmp, f: excelize.NewFile(), maxRows: max(MaxSheetRows, 2)}
	if err := w.init(header); err != nil {
		_ = w.cleanup()
		return nil, err
	}
	return w, nil
}

func (w *Writer) init(header []string) error {
	f := w.f
	if err := f.SetSheetName("Sheet1", SheetSummary); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	for _, name := range []string{SheetSucceeded, SheetFailed} {
		if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("results: %w", err)
		}
	}
	var err error
	newStyle := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = f.NewStyle(s)
		return id
	}
	const textFormat = 49 // "@"
	top := &excelize.Alignment{Vertical: "top"}
	w.st = styles{
		header: newStyle(&excelize.Style{
			Font:      &excelize.Font{Bold: true},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}},
			Border:    []excelize.Border{{Type: "bottom", Color: "A6A6A6", Style: 1}},
			Alignment: top,
		}),
		text:   newStyle(&excelize.Style{NumFmt: textFormat, Alignment: top}),
		number: newStyle(&excelize.Style{Alignment: top}),
		wrap:   newStyle(&excelize.Style{NumFmt: textFormat, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}),
		mark: newStyle(&excelize.Style{
			NumFmt:    textFormat,
			Alignment: top,
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}},
			Font:      &excelize.Font{Color: "9C0006"},
		}),
	}
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}

	// Succeeded: _row, _action, external_id, id, then every source column.
	succHeader := append([]string{ColRow, ColAction, ColExternalID, ColID}, header...)
	w.succ = newDataSheet(w, SheetSucceeded, succHeader)
	w.succ.styles[0] = w.st.number

	// Failed: the source columns (less any _row, _error, _field, _code left
	// from an earlier results workbook), then _row, _error, _field, _code.
	var failHeader []string
	pos := make([]int, len(header))
	for i, h := range header {
		pos[i] = -1
		if !isReserved(h) {
			pos[i] = len(failHeader)
			failHeader = append(failHeader, h)
		}
	}
	n := len(failHeader)
	failHeader = append(failHeader, failedTrailer...)
	w.fail = newDataSheet(w, SheetFailed, failHeader)
	w.fail.pos = pos
	w.fail.styles[n] = w.st.number
	w.fail.styles[n+1] = w.st.wrap
	w.fail.fixed = map[int]float64{n + 1: errorColWidth}
	return nil
}

// Succeeded adds a row to the Succeeded sheet.
func (w *Writer) Succeeded(s Success) error {
	switch s.Action {
	case ActionCreated, ActionUpdated, ActionUnchanged:
	default:
		return fmt.Errorf("results: row %d: action %q is not one of created, updated, unchanged", s.Row, s.Action)
	}
	if s.Row < 1 {
		return fmt.Errorf("results: row number %d is not a sheet row", s.Row)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usable(); err != nil {
		return err
	}
	d := w.succ
	vals := d.rowBuffer()
	vals[0] = excelize.Cell{StyleID: w.st.number, Value: s.Row}
	vals[1] = s.Action
	vals[2] = textValue(s.ExternalID)
	vals[3] = textValue(s.ID)
	for i := 4; i < len(vals); i++ {
		if j := i - 4; j < len(s.Cells) {
			vals[i] = textValue(s.Cells[j])
		}
	}
	return w.fault(d.add(vals))
}

// Failed adds a row to the Failed sheet, highlighting the cell of
// f.Column when it is a source column.
func (w *Writer) Failed(f Failure) error {
	switch f.Code {
	case CodeValidation, CodeReference, CodeConflict, CodeAPI, CodeNetwork, CodeInternal:
	default:
		return fmt.Errorf("results: row %d: code %q is not one of validation, reference, conflict, api, network, internal", f.Row, f.Code)
	}
	if f.Row < 1 {
		return fmt.Errorf("results: row number %d is not a sheet row", f.Row)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usable(); err != nil {
		return err
	}
	d := w.fail
	vals := d.rowBuffer()
	for i, cell := range f.Cells {
		if i < len(d.pos) && d.pos[i] >= 0 {
			vals[d.pos[i]] = textValue(cell)
		}
	}
	if f.Column >= 0 && f.Column < len(d.pos) && d.pos[f.Column] >= 0 {
		c := d.pos[f.Column]
		vals[c] = excelize.Cell{StyleID: w.st.mark, Value: vals[c]}
	}
	n := len(vals) - len(failedTrailer)
	vals[n] = excelize.Cell{StyleID: w.st.number, Value: f.Row}
	vals[n+1] = excelize.Cell{StyleID: w.st.wrap, Value: textValue(f.Error)}
	vals[n+2] = textValue(f.Field)
	vals[n+3] = textValue(f.Code)
	return w.fault(d.add(vals))
}

// Close writes the Summary sheet, finishes the data sheets and renames the
// workbook into place. It returns an error (and leaves no file) when any
// earlier call failed.
func (w *Writer) Close(sum Summary) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return errDone
	}
	err := w.err
	if err == nil {
		err = w.finish(sum)
	}
	if err != nil {
		_ = w.cleanup() // the first error is the one to report
		return err
	}
	w.done = true
	return nil
}

// Abort gives up the workbook and removes the temporary file; nothing is
// left at the destination path. Abort after Close does nothing, so
// `defer w.Abort()` is safe.
func (w *Writer) Abort() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return nil
	}
	return w.cleanup()
}

func (w *Writer) usable() error {
	if w.done {
		return errDone
	}
	return w.err
}

// fault records the first error, which makes the Writer unusable.
func (w *Writer) fault(err error) error {
	if err != nil && w.err == nil {
		w.err = fmt.Errorf("results: %w", err)
	}
	if err != nil {
		return w.err
	}
	return nil
}

// cleanup releases everything and removes the temporary file.
func (w *Writer) cleanup() error {
	w.done = true
	var errs []error
	if w.f != nil {
		errs = append(errs, w.f.Close())
		w.f = nil
	}
	if w.tmp != nil {
		_ = w.tmp.Close() // it is removed next; a close error changes nothing
		if err := os.Remove(w.tmp.Name()); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
		w.tmp = nil
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	return nil
}

func (w *Writer) finish(sum Summary) error {
	for _, d := range []*dataSheet{w.succ, w.fail} {
		if err := d.start(); err != nil {
			return fmt.Errorf("results: %s: %w", d.base, err)
		}
	}
	w.f.SetActiveSheet(0)
	if err := w.writeSummary(sum); err != nil {
		return fmt.Errorf("results: %s: %w", SheetSummary, err)
	}
	// Autofilters go in last, once every sheet exists: they refer to the
	// sheets by position.
	for _, d := range []*dataSheet{w.succ, w.fail} {
		if err := d.finish(); err != nil {
			return fmt.Errorf("results: %s: %w", d.base, err)
		}
	}
	if err := w.save(); err != nil {
		return fmt.Errorf("results: writing %s: %w", w.path, err)
	}
	return nil
}

// save zips the workbook into the temporary file and renames it into place.
func (w *Writer) save() error {
	// excelize zips a workbook into a memory buffer; its ZipWriter hook
	// lets the archive go straight to the file instead. Should the hook be
	// ignored, the buffer is copied into the same file: the output is the
	// same either way.
	w.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(w.tmp) })
	if _, err := w.f.WriteTo(w.tmp); err != nil {
		return err
	}
	if err := w.f.Close(); err != nil {
		return err
	}
	w.f = nil
	if err := markZip64(w.tmp); err != nil {
		return err
	}
	if err := w.tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := w.tmp.Sync(); err != nil {
		return err
	}
	name := w.tmp.Name()
	err := w.tmp.Close()
	w.tmp = nil
	if err == nil {
		err = os.Rename(name, w.path)
	}
	if err != nil {
		_ = os.Remove(name)
	}
	return err
}

func (w *Writer) writeSummary(sum Summary) error {
	type kv struct {
		key string
		val any
	}
	when := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.Local().Format(time.RFC3339)
	}
	rows := []kv{
		{KeyEntity, textValue(sum.Entity)},
		{KeyMapping, textValue(sum.Mapping)},
		{KeyInput, textValue(sum.Input)},
		{KeySheet, textValue(sum.Sheet)},
		{KeyMode, textValue(sum.Mode)},
		{KeyTotal, sum.Total},
		{KeySucceeded, sum.Succeeded},
		{KeyCreated, sum.Created},
		{KeyUpdated, sum.Updated},
		{KeyUnchanged, sum.Unchanged},
		{KeyFailed, sum.Failed},
		{KeySkipped, sum.Skipped},
		{KeyStarted, when(sum.Started)},
		{KeyFinished, when(sum.Finished)},
	}
	for _, e := range sum.Extra {
		rows = append(rows, kv{clip(e[0]), textValue(e[1])})
	}
	keyWidth, valWidth := 0, 0
	for _, r := range rows {
		keyWidth = max(keyWidth, displayWidth(r.key))
		if s, ok := r.val.(string); ok {
			valWidth = max(valWidth, displayWidth(s))
		}
	}
	sw, err := w.f.NewStreamWriter(SheetSummary)
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(2, 2, clampWidth(valWidth+2, 12, 100)); err != nil {
		return err
	}
	if err := sw.SetColWidth(1, 1, clampWidth(keyWidth+2, 12, 40)); err != nil {
		return err
	}
	if err := sw.SetPanes(frozenHeader()); err != nil {
		return err
	}
	head := []any{excelize.Cell{StyleID: w.st.header, Value: "key"}, excelize.Cell{StyleID: w.st.header, Value: "value"}}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	for i, r := range rows {
		val := r.val
		if n, ok := val.(int); ok {
			val = excelize.Cell{StyleID: w.st.number, Value: n}
		}
		if err := sw.SetRow("A"+strconv.Itoa(i+2), []any{r.key, val}, excelize.RowOpts{StyleID: w.st.text}); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// frozenHeader freezes row 1.
func frozenHeader() *excelize.Panes {
	return &excelize.Panes{
		Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	}
}

// textValue is a cell value for a text: nil (no cell) when empty, else the
// text cut to fit. excelize writes a Go string as an inline string cell,
// never as a number or a formula.
func textValue(s string) any {
	if s == "" {
		return nil
	}
	return clip(s)
}

// dataSheet is the Succeeded or Failed sheet, and its continuations.
type dataSheet struct {
	w      *Writer
	base   string
	header []string
	styles []int           // column style by column; text unless set
	fixed  map[int]float64 // column widths not taken from the content
	pos    []int           // Failed: sheet column of each source column, -1 if left out
	widths []int           // widest display width seen in the sample

	pending [][]any // the first rows, held until the widths are known
	started bool
	parts   []*part
	buf     []any
}

// part is one sheet of a dataSheet.
type part struct {
	name string
	sw   *excelize.StreamWriter
	rows int // rows written, the header included
}

func newDataSheet(w *Writer, base string, header []string) *dataSheet {
	d := &dataSheet{
		w: w, base: base, header: header,
		styles: make([]int, len(header)),
		widths: make([]int, len(header)),
	}
	for i, h := range header {
		d.styles[i] = w.st.text
		d.widths[i] = displayWidth(h) + 3 // bold, and the filter button
	}
	return d
}

// rowBuffer returns a cleared row to fill. Before the columns are sized,
// rows are held, so each gets its own slice.
func (d *dataSheet) rowBuffer() []any {
	if !d.started {
		return make([]any, len(d.header))
	}
	if d.buf == nil {
		d.buf = make([]any, len(d.header))
	}
	clear(d.buf)
	return d.buf
}

func (d *dataSheet) add(vals []any) error {
	if d.started {
		return d.write(vals)
	}
	for i, v := range vals {
		d.widths[i] = max(d.widths[i], valueWidth(v))
	}
	d.pending = append(d.pending, vals)
	if len(d.pending) < widthSample {
		return nil
	}
	return d.start()
}

// start sizes the columns from the rows seen so far, opens the first
// sheet and writes the held rows.
func (d *dataSheet) start() error {
	if d.started {
		return nil
	}
	d.started = true
	if err := d.open(); err != nil {
		return err
	}
	for _, vals := range d.pending {
		if err := d.write(vals); err != nil {
			return err
		}
	}
	d.pending = nil
	return nil
}

func (d *dataSheet) write(vals []any) error {
	p := d.parts[len(d.parts)-1]
	if p.rows >= d.w.maxRows {
		if err := d.open(); err != nil {
			return err
		}
		p = d.parts[len(d.parts)-1]
	}
	p.rows++
	// The row style makes every cell without a style of its own a text
	// cell, typed-in ones included, and spares excelize a lookup of the
	// column style for each cell.
	return p.sw.SetRow("A"+strconv.Itoa(p.rows), vals, excelize.RowOpts{StyleID: d.w.st.text})
}

// open starts the next sheet of d: sized, styled, frozen, with its header.
func (d *dataSheet) open() error {
	f := d.w.f
	name := partName(d.base, len(d.parts)+1)
	if len(d.parts) > 0 {
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
		// Place it right after the sheet it continues.
		sheets := f.GetSheetList()
		for i, s := range sheets {
			if s == d.parts[len(d.parts)-1].name && i+1 < len(sheets) && sheets[i+1] != name {
				if err := f.MoveSheet(name, sheets[i+1]); err != nil {
					return err
				}
				break
			}
		}
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	// excelize puts each column it is given in front of the ones it has,
	// and Excel wants them in ascending order: set them last to first.
	for i := len(d.header) - 1; i >= 0; i-- {
		width, ok := d.fixed[i]
		if !ok {
			width = clampWidth(d.widths[i], minColWidth, maxColWidth)
		}
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
		if err := sw.SetColStyle(i+1, i+1, d.styles[i]); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(frozenHeader()); err != nil {
		return err
	}
	head := make([]any, len(d.header))
	for i, h := range d.header {
		head[i] = excelize.Cell{StyleID: d.w.st.header, Value: textValue(h)}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	d.parts = append(d.parts, &part{name: name, sw: sw, rows: 1})
	return nil
}

// finish puts an autofilter on each sheet of d and ends its stream.
func (d *dataSheet) finish() error {
	last, err := excelize.ColumnNumberToName(max(len(d.header), 1))
	if err != nil {
		return err
	}
	for _, p := range d.parts {
		if err := d.w.f.AutoFilter(p.name, "A1:"+last+strconv.Itoa(p.rows), nil); err != nil {
			return err
		}
		if err := p.sw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

func clampWidth(w, lo, hi int) float64 {
	return float64(min(max(w, lo), hi))
}

// valueWidth is the display width a cell value needs, padding included.
func valueWidth(v any) int {
	switch v := v.(type) {
	case string:
		return displayWidth(v) + 2
	case int:
		return len(strconv.Itoa(v)) + 2
	case excelize.Cell:
		return valueWidth(v.Value)
	}
	return 0
}
