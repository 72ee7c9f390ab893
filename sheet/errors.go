package sheet

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// FileError is a problem with an input file that stops reading it. It carries
// the coordinates a person needs to find the problem: the file, the sheet, the
// row as Excel shows it and the column.
//
// Error reads like
//
//	contacts.csv: row 7: invalid UTF-8 (the file is not UTF-8; pass --encoding windows-1258 or windows-1252, or save it as CSV UTF-8)
//	contacts.xlsx: sheet "Contacts": row 1: header "Email" appears twice: columns B and E; rename or delete one of them
type FileError struct {
	File  string // path or name given to Open or OpenCSV
	Sheet string // xlsx: the sheet being read; "" for CSV and for workbook-level problems
	Row   int    // 1-based row as Excel shows it (header = 1); 0 if the problem is not in a row
	// Line is the 1-based physical line of a CSV file where a syntax problem
	// was found; it differs from Row when earlier fields span lines. 0 if unknown.
	Line int
	// Column is the header name of the column concerned, or its letter when
	// the column has no usable header; "" if the problem is not in a column.
	Column string
	// Msg says what is wrong and what to do; it already names the column
	// where one is concerned, so Error does not print Column again.
	Msg string
	Err error // the underlying cause, for errors.Is and errors.As; may be nil
}

// Error returns "file: sheet "S": row N (line L): message", leaving out the
// parts that do not apply.
func (e *FileError) Error() string {
	var b strings.Builder
	sep := func() {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
	}
	b.WriteString(e.File)
	if e.Sheet != "" {
		sep()
		b.WriteString("sheet ")
		b.WriteString(strconv.Quote(e.Sheet))
	}
	if e.Row > 0 {
		sep()
		b.WriteString("row ")
		b.WriteString(strconv.Itoa(e.Row))
		if e.Line > 0 && e.Line != e.Row {
			fmt.Fprintf(&b, " (line %d)", e.Line)
		}
	}
	msg := e.Msg
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	sep()
	b.WriteString(msg)
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *FileError) Unwrap() error { return e.Err }

// colLetter returns the letter of a 1-based column number ("A", "AB", …).
func colLetter(col int) string {
	name, err := excelize.ColumnNumberToName(col)
	if err != nil {
		return "#" + strconv.Itoa(col)
	}
	return name
}

// humanBytes renders a byte count the way a limit is usually stated.
func humanBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}
