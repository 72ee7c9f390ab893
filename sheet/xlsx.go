package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

const (
	maxRows    = 1 << 20 // Excel's sheet size
	maxColumns = 1 << 14
	// maxSerial is 10000-01-01, where Excel dates end.
	maxSerial    = 2958466
	layoutDate   = "2006-01-02"
	layoutDT     = "2006-01-02T15:04:05"
	layoutTime   = "15:04:05"
	msgNoFormula = "the formula in row %d, column %s has no saved result, so it reads as empty (and may not be the only one); open the file in Excel and save it again"
)

// openXLSX opens the chosen worksheet of the workbook in f for streaming
// and reads its header. f stays open until the Reader is closed; on error
// the caller closes it.
func openXLSX(f *os.File, size int64, file string, opts Options) (Reader, error) {
	wb, err := openWorkbook(f, size, file, opts)
	if err != nil {
		return nil, err
	}
	entry, err := wb.pick(opts.Sheet)
	if err != nil {
		return nil, err
	}
	kinds, err := wb.readStyles()
	if err != nil {
		return nil, err
	}
	sst, err := wb.readSharedStrings()
	if err != nil {
		return nil, err
	}
	zf := wb.file(entry.part)
	if zf == nil {
		return nil, wb.damaged(entry.part, fmt.Errorf("sheet %q has no data part", entry.name))
	}
	rc, err := wb.open(entry.part, zf)
	if err != nil {
		return nil, err
	}
	src := &xlsxSource{
		wb:       wb,
		sheet:    entry.name,
		part:     entry.part,
		sc:       newXMLScanner(rc),
		sst:      sst,
		kinds:    kinds,
		date1904: wb.date1904,
	}
	r, err := newReader(file, entry.name, src, closers{rc, f}, opts, nil)
	if err != nil {
		_ = rc.Close()
		return nil, err
	}
	return r, nil
}

// closers closes the sheet part, then the file.
type closers []io.Closer

func (cs closers) Close() error {
	var errs []error
	for _, c := range cs {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// cellType is a cell's t attribute.
type cellType uint8

const (
	typeNumber cellType = iota // "n" or absent
	typeShared                 // "s": an index into the shared strings
	typeInline                 // "inlineStr": text in <is>
	typeString                 // "str": the text result of a formula
	typeBool                   // "b"
	typeError                  // "e": #N/A and the like
	typeDate                   // "d": an ISO 8601 date
)

func parseCellType(t []byte) cellType {
	switch string(t) {
	case "s":
		return typeShared
	case "inlineStr":
		return typeInline
	case "str":
		return typeString
	case "b":
		return typeBool
	case "e":
		return typeError
	case "d":
		return typeDate
	}
	return typeNumber
}

// xlsxSource streams the rows of one worksheet part.
type xlsxSource struct {
	wb          *workbook
	sheet, part string
	sc          *xmlScanner
	sst         *sharedStrings
	kinds       []fmtKind // by cell format index
	date1904    bool
	root        bool // the <worksheet> root element was seen
	inData      bool // inside <sheetData>
	done        bool // </sheetData> seen
	lastRow     int
	v, t        []byte // text of the current cell's <v> and inline <t>, reused
	warnedF     bool   // a formula without a saved result was reported
}

func (s *xlsxSource) next(width int) (rawRow, error) {
	for !s.done {
		if !s.sc.next() {
			if s.sc.err == nil && !s.inData {
				break // no sheetData at all: an empty sheet
			}
			return rawRow{}, s.damaged(0, s.sc.failure())
		}
		if s.sc.kind == tokStart && !s.root {
			if string(s.sc.name) != "worksheet" {
				return rawRow{}, s.damaged(0, fmt.Errorf("the part holds <%s>, not a worksheet", s.sc.name))
			}
			s.root = true
		}
		switch {
		case s.sc.is(tokStart, "sheetData"):
			s.inData = true
		case s.inData && s.sc.is(tokStart, "row"):
			return s.readRow(width)
		case s.sc.is(tokEnd, "sheetData"):
			s.done = true
		}
	}
	// Read the part to its end, where archive/zip checks its CRC-32.
	if _, err := io.Copy(io.Discard, s.sc.src); err != nil {
		return rawRow{}, s.damaged(0, err)
	}
	return rawRow{}, io.EOF
}

// damaged reports a worksheet that cannot be read, keeping limit errors.
func (s *xlsxSource) damaged(row int, err error) error {
	if fe, ok := errors.AsType[*FileError](err); ok {
		fe.Sheet, fe.Row = s.sheet, row
		return fe
	}
	return &FileError{File: s.wb.path, Sheet: s.sheet, Row: row, Msg: fmt.Sprintf("%s (%s: %v)", msgDamaged, s.part, err), Err: err}
}

func (s *xlsxSource) readRow(width int) (rawRow, error) {
	row := rawRow{num: s.lastRow + 1}
	if v, ok := s.sc.attr("r"); ok {
		n, ok := atoi(v)
		if !ok || n < 1 {
			return rawRow{}, s.damaged(0, fmt.Errorf("row number %q is not valid", v))
		}
		if n <= s.lastRow {
			return rawRow{}, s.damaged(n, fmt.Errorf("row %d comes after row %d", n, s.lastRow))
		}
		row.num = n
	}
	if row.num > maxRows {
		return rawRow{}, s.damaged(0, fmt.Errorf("more than %d rows", maxRows))
	}
	s.lastRow = row.num
	if width >= 0 {
		row.cells = make([]Cell, width)
	}
	if s.sc.pending { // <row/>
		s.sc.next()
		return row, nil
	}
	col := 0
	for {
		if !s.sc.next() {
			return rawRow{}, s.damaged(row.num, s.sc.failure())
		}
		if s.sc.is(tokEnd, "row") {
			return row, nil
		}
		if !s.sc.is(tokStart, "c") {
			continue
		}
		c, ref, noResult, err := s.readCell(row.num)
		if err != nil {
			return rawRow{}, err
		}
		if ref > 0 {
			col = ref
		} else {
			col++ // no reference: the cell after the previous one
		}
		if col > maxColumns {
			return rawRow{}, s.damaged(row.num, fmt.Errorf("more than %d columns", maxColumns))
		}
		if noResult && !s.warnedF {
			s.warnedF = true
			row.note = fmt.Sprintf(msgNoFormula, row.num, colLetter(col))
		}
		switch {
		case width < 0:
			if c.Text != "" {
				for len(row.cells) < col {
					row.cells = append(row.cells, Cell{})
				}
				row.cells[col-1] = c
			}
		case col <= width:
			row.cells[col-1] = c
		case row.extra == 0 && strings.TrimSpace(c.Text) != "":
			row.extra = col
		}
	}
}

// readCell reads one <c> element, the scanner being on its start tag. ref
// is its column from the r attribute (0 if absent); noResult tells a
// formula without a saved value.
func (s *xlsxSource) readCell(rowNum int) (c Cell, ref int, noResult bool, err error) {
	if v, ok := s.sc.attr("r"); ok && len(v) > 0 {
		if ref = refColumn(v); ref == 0 {
			return Cell{}, 0, false, s.damaged(rowNum, fmt.Errorf("cell reference %q is not valid", v))
		}
	}
	style := 0
	if v, ok := s.sc.attr("s"); ok {
		style, _ = atoi(v)
	}
	t, _ := s.sc.attr("t")
	typ := parseCellType(t)
	s.v, s.t = s.v[:0], s.t[:0]
	var hasF, hasV, inV, inIS, inT bool
	phonetic := 0
	for done := s.sc.pending; !done; {
		if !s.sc.next() {
			return Cell{}, 0, false, s.damaged(rowNum, s.sc.failure())
		}
		switch s.sc.kind {
		case tokStart:
			switch string(s.sc.name) {
			case "v":
				inV, hasV = true, true
			case "f":
				hasF = true
			case "is":
				inIS = true
			case "t":
				inT = inIS && phonetic == 0
			case "rPh":
				phonetic++
			}
		case tokEnd:
			switch string(s.sc.name) {
			case "c":
				done = true
			case "v":
				inV = false
			case "is":
				inIS = false
			case "t":
				inT = false
			case "rPh":
				phonetic--
			}
		case tokText:
			switch {
			case inV:
				s.v = append(s.v, s.sc.text...)
			case inT:
				s.t = append(s.t, s.sc.text...)
			}
		}
	}
	if s.sc.pending { // <c .../>: consume its end
		s.sc.next()
	}
	if !utf8.Valid(s.v) || !utf8.Valid(s.t) {
		return Cell{}, 0, false, s.damaged(rowNum, fmt.Errorf("cell %s%d is not valid UTF-8", colLetterOr(ref), rowNum))
	}
	if bytes.IndexByte(s.v, 0) >= 0 || bytes.IndexByte(s.t, 0) >= 0 {
		return Cell{}, 0, false, s.damaged(rowNum, fmt.Errorf("cell %s%d holds a NUL character, which XML does not allow", colLetterOr(ref), rowNum))
	}
	noResult = hasF && !hasV && typ != typeInline
	c, err = s.value(typ, style, rowNum, ref)
	return c, ref, noResult, err
}

// value turns a cell's type, format and stored text into a Cell.
func (s *xlsxSource) value(typ cellType, style, rowNum, col int) (Cell, error) {
	switch typ {
	case typeShared:
		if len(s.v) == 0 {
			return Cell{}, nil
		}
		i, ok := atoi(bytes.TrimSpace(s.v))
		if !ok || i >= s.sst.len() {
			return Cell{}, s.damaged(rowNum, fmt.Errorf("cell %s%d refers to shared string %q, which does not exist", colLetterOr(col), rowNum, s.v))
		}
		return Cell{Text: s.sst.get(i)}, nil
	case typeInline:
		if len(s.t) == 0 {
			return Cell{Text: cellText(s.v)}, nil
		}
		return Cell{Text: cellText(s.t)}, nil
	case typeString:
		return Cell{Text: cellText(s.v)}, nil
	case typeBool:
		switch v := string(bytes.TrimSpace(s.v)); v {
		case "1", "true":
			return Cell{Text: "TRUE"}, nil
		case "0", "false":
			return Cell{Text: "FALSE"}, nil
		default:
			return Cell{Text: v}, nil
		}
	case typeError:
		return Cell{Text: string(s.v)}, nil
	case typeDate:
		return isoDateCell(string(bytes.TrimSpace(s.v)), s.kind(style)), nil
	}
	if len(s.v) == 0 {
		return Cell{}, nil
	}
	raw := string(s.v)
	if kind := s.kind(style); kind != kindNumber {
		if c, ok := s.serialCell(raw, kind); ok {
			return c, nil
		}
	}
	return Cell{Text: formatNumber(raw)}, nil
}

// atoi parses a non-negative decimal number without allocating.
func atoi(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func colLetterOr(col int) string {
	if col == 0 {
		return "?"
	}
	return colLetter(col)
}

func (s *xlsxSource) kind(style int) fmtKind {
	if style < 0 || style >= len(s.kinds) {
		return kindNumber
	}
	return s.kinds[style]
}

// serialCell converts an Excel serial date shown with a date or time
// format; numbers Excel itself could not show as a date stay numbers.
func (s *xlsxSource) serialCell(raw string, kind fmtKind) (Cell, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
	if err != nil || f < 0 || f >= maxSerial {
		return Cell{}, false
	}
	t, err := excelize.ExcelDateToTime(f, s.date1904)
	if err != nil {
		return Cell{}, false
	}
	layout := layoutDT
	switch {
	case kind == kindDate:
		layout = layoutDate
	case kind == kindTime && f < 1:
		layout = layoutTime
	}
	return Cell{Text: t.Format(layout), Time: t, IsTime: true}, true
}

// isoDateCell reads a t="d" cell, which holds an ISO 8601 date as text.
func isoDateCell(v string, kind fmtKind) Cell {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", layoutDate, layoutTime} {
		t, err := time.Parse(layout, v)
		if err != nil {
			continue
		}
		t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
		out := layoutDT
		switch {
		case layout == layoutTime:
			out = layoutTime
		case kind == kindDate, kind != kindDateTime && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0:
			out = layoutDate
		}
		return Cell{Text: t.Format(out), Time: t, IsTime: true}
	}
	return Cell{Text: v}
}

// refColumn returns the 1-based column of a cell reference such as "AB12",
// or 0 if it has no valid column.
func refColumn(ref []byte) int {
	col := 0
	for i := 0; i < len(ref); i++ {
		c := ref[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			if i == 0 {
				return 0
			}
			break
		}
		if col = col*26 + int(c-'a'+1); col > maxColumns {
			return 0
		}
	}
	return col
}
