package sheet

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// rawRow is one row as a format reader produced it.
type rawRow struct {
	num   int
	cells []Cell // len == width when width >= 0; every cell up to the last one otherwise
	extra int    // first column beyond width holding a non-blank value; 0 if none
	note  string // a remark for Warnings, set at most once per kind by the source
}

// rowSource is the format-specific half of a Reader.
type rowSource interface {
	// next returns the next row, blank or not, or io.EOF. With width >= 0
	// the cells are exactly width long; with width < 0 (the header) every
	// cell is kept. Errors are *FileError.
	next(width int) (rawRow, error)
}

// reader is the format-independent half of a Reader: header checks, row
// shaping, cell limits and warnings.
type reader struct {
	file, sheet string
	src         rowSource
	closer      io.Closer
	header      []string
	maxCellLen  int
	warnings    []string
	warnedExtra bool
	err         error // sticky: once set, Next returns it
}

var errClosed = errors.New("sheet: the reader is closed")

// newReader reads and checks the header of src. On error the caller closes
// what it opened; closer is only closed by reader.Close.
func newReader(file, sheet string, src rowSource, closer io.Closer, opts Options, warnings []string) (*reader, error) {
	r := &reader{file: file, sheet: sheet, src: src, closer: closer, maxCellLen: opts.MaxCellLen, warnings: warnings}
	first, err := src.next(-1)
	if errors.Is(err, io.EOF) {
		return nil, r.fail(0, "", msgEmpty, nil)
	}
	if err != nil {
		return nil, err
	}
	r.note(first.note)
	if first.num != 1 || isBlank(first.cells) {
		return nil, r.headerNotInRowOne(first)
	}
	if err := r.checkLengths(first.num, first.cells); err != nil {
		return nil, err
	}
	if r.header, err = r.makeHeader(first.cells); err != nil {
		return nil, err
	}
	return r, nil
}

// headerNotInRowOne explains a blank row 1, after looking ahead for the
// first values so the person knows how many rows to delete.
func (r *reader) headerNotInRowOne(first rawRow) error {
	row := first
	for isBlank(row.cells) {
		var err error
		if row, err = r.src.next(-1); errors.Is(err, io.EOF) {
			return r.fail(0, "", msgEmpty, nil)
		} else if err != nil {
			return err
		}
	}
	return r.fail(1, "", fmt.Sprintf("row 1 is blank, but the header must be in row 1 (the first values are in row %d); delete the rows above the header", row.num), nil)
}

// makeHeader trims the names, drops blank ones after the last name, and
// rejects blank names in between and duplicates (ignoring case, and
// Unicode composition, which differs between Windows and macOS files).
func (r *reader) makeHeader(cells []Cell) ([]string, error) {
	names := make([]string, len(cells))
	last := -1
	for i, c := range cells {
		names[i] = strings.TrimSpace(c.Text)
		if names[i] != "" {
			last = i
		}
	}
	names = names[:last+1]
	seen := make(map[string]int, len(names))
	for i, name := range names {
		letter := colLetter(i + 1)
		if name == "" {
			return nil, r.fail(1, letter, fmt.Sprintf("column %s has no header; give it a name or delete the column", letter), nil)
		}
		key := norm.NFC.String(strings.ToLower(name))
		if j, dup := seen[key]; dup {
			return nil, r.fail(1, name, fmt.Sprintf("header %q appears twice: columns %s and %s; rename or delete one of them", names[j], colLetter(j+1), letter), nil)
		}
		seen[key] = i
	}
	return names, nil
}

func (r *reader) Header() []string  { return slices.Clone(r.header) }
func (r *reader) SheetName() string { return r.sheet }
func (r *reader) Warnings() []string {
	return slices.Clone(r.warnings)
}

func (r *reader) Next() (Row, error) {
	if r.err != nil {
		return Row{}, r.err
	}
	for {
		raw, err := r.src.next(len(r.header))
		if err != nil {
			r.err = err
			return Row{}, err
		}
		r.note(raw.note)
		if raw.extra > 0 && !r.warnedExtra {
			r.warnedExtra = true
			r.warnings = append(r.warnings, fmt.Sprintf("row %d has values beyond the last header column (from column %s); they are ignored", raw.num, colLetter(raw.extra)))
		}
		if err := r.checkLengths(raw.num, raw.cells); err != nil {
			r.err = err
			return Row{}, err
		}
		if !isBlank(raw.cells) {
			return Row{Num: raw.num, Cells: raw.cells}, nil
		}
	}
}

func (r *reader) Close() error {
	if r.err == errClosed {
		return nil
	}
	r.err = errClosed
	if r.closer == nil {
		return nil
	}
	return r.closer.Close()
}

func (r *reader) note(s string) {
	if s != "" {
		r.warnings = append(r.warnings, s)
	}
}

// checkLengths enforces MaxCellLen, counted in characters as Excel does.
func (r *reader) checkLengths(row int, cells []Cell) error {
	for i, c := range cells {
		if len(c.Text) <= r.maxCellLen {
			continue // bytes >= characters: no need to count
		}
		if n := utf8.RuneCountInString(c.Text); n > r.maxCellLen {
			col := r.columnName(i)
			return r.fail(row, col, fmt.Sprintf("%s has %d characters, more than the limit of %d; shorten the text", r.columnPhrase(i), n, r.maxCellLen), nil)
		}
	}
	return nil
}

// columnName is the header name of 0-based column i, or its letter.
func (r *reader) columnName(i int) string {
	if i < len(r.header) {
		return r.header[i]
	}
	return colLetter(i + 1)
}

// columnPhrase names 0-based column i for a message: `column "Email" (C)`.
func (r *reader) columnPhrase(i int) string {
	if i < len(r.header) {
		return "column " + strconv.Quote(r.header[i]) + " (" + colLetter(i+1) + ")"
	}
	return "column " + colLetter(i+1)
}

func (r *reader) fail(row int, column, msg string, err error) *FileError {
	return &FileError{File: r.file, Sheet: r.sheet, Row: row, Column: column, Msg: msg, Err: err}
}

// isBlank reports whether every cell is empty or spaces.
func isBlank(cells []Cell) bool {
	for _, c := range cells {
		if c.Text != "" && strings.TrimSpace(c.Text) != "" {
			return false
		}
	}
	return true
}
