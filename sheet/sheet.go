// Package sheet reads spreadsheet rows from CSV and XLSX files as a stream.
//
// Both formats come out the same way: a header (row 1, trimmed) and then the
// non-blank data rows, each with exactly one cell per header column and the
// row number a person sees in Excel. Cell text is what a person sees, not
// what a library would print: numbers in plain decimal, text with its
// leading zeros, dates as ISO text plus a time.Time. Problems that stop
// reading are *FileError values that say where they are and what to do.
//
// Nothing is read whole into memory: a CSV file is read record by record and
// a worksheet is decoded from the zip as a stream. Only the shared-string
// table and the styles of a workbook are held, as Excel itself requires.
package sheet

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf16"
)

// Cell is one source cell.
type Cell struct {
	// Text is what a person sees, normalised: numbers in plain decimal
	// with the 15 significant digits Excel shows ("312345678", never
	// "3.12345678E+08" or "312345678.0"; 0.1+0.2 is "0.3"), text as typed
	// (leading zeros kept, not trimmed, "\r\n" turned into "\n"), booleans
	// as TRUE or FALSE, formulas as their saved result. Number formats
	// other than dates are not applied: 15% reads "0.15". For a date cell
	// it is an ISO form: 2006-01-02, 2006-01-02T15:04:05, or 15:04:05 for
	// a time of day.
	Text string
	// Time is the value of an Excel date/time cell (a number shown with a
	// date or time format), as a wall-clock time in time.UTC; Excel stores
	// no time zone, so the caller applies the one the sheet was made in.
	// It keeps the whole value even when the format shows only the date.
	Time   time.Time
	IsTime bool // Time is set
}

// Row is one data row.
type Row struct {
	// Num is the 1-based row number as Excel shows it; the header is row 1.
	// For CSV it is the record number, a blank line counting as one (blank)
	// record, which is also what Excel shows when it opens the file.
	Num int
	// Cells has exactly one cell per header column: short rows are padded
	// with empty cells, and values beyond the last header column are left
	// out (Reader.Warnings mentions the first such row).
	Cells []Cell
}

// Options tune how a file is read. The zero value reads the first sheet of
// a workbook, or a UTF-8 CSV file with a sniffed delimiter.
type Options struct {
	// Sheet names the worksheet to read (case-insensitive, as in Excel).
	// "" reads the first visible worksheet. Ignored for CSV.
	Sheet string
	// Delimiter separates CSV fields. 0 picks the most frequent of ',', ';'
	// and '\t' in the first line (',' if none; '\t' for .tsv files). An
	// Excel "sep=;" first line also sets it.
	Delimiter rune
	// Encoding of a CSV file: "" or "utf-8" (a byte order mark is optional),
	// "windows-1258" or "windows-1252" (also "cp1258", "cp1252"; any case).
	// A UTF-8 byte order mark wins over a Windows encoding, as in Excel.
	Encoding string
	// MaxUnzipSize caps how many bytes are unzipped from a workbook in all,
	// which defeats zip bombs. 0 means DefaultMaxUnzipSize.
	MaxUnzipSize int64
	// MaxCellLen caps the characters in one cell; a longer cell is a
	// FileError. 0 means DefaultMaxCellLen, Excel's own limit.
	MaxCellLen int
}

const (
	// DefaultMaxUnzipSize is the unzip limit when Options.MaxUnzipSize is 0.
	DefaultMaxUnzipSize int64 = 1 << 30
	// DefaultMaxCellLen is the cell length limit when Options.MaxCellLen is 0.
	DefaultMaxCellLen = 32767
)

func (o Options) withDefaults() Options {
	if o.MaxUnzipSize <= 0 {
		o.MaxUnzipSize = DefaultMaxUnzipSize
	}
	if o.MaxCellLen <= 0 {
		o.MaxCellLen = DefaultMaxCellLen
	}
	return o
}

// Reader streams the rows of one sheet. It is not safe for concurrent use.
type Reader interface {
	// Header returns the header row: the names in row 1, trimmed, in source
	// order, without the blank cells after the last name.
	Header() []string
	// Next returns the next non-blank data row, or io.EOF after the last
	// one. Rows whose cells are all empty or spaces are skipped. After any
	// other error the reader is unusable and returns that error again.
	Next() (Row, error)
	// SheetName returns the name of the worksheet being read; "" for CSV.
	SheetName() string
	// Warnings returns remarks that do not stop reading, such as values
	// beyond the last header column; each kind is reported once. The list
	// grows as rows are read, so ask after the last row.
	Warnings() []string
	// Close releases the file. It is safe to call more than once.
	Close() error
}

// Messages shared by Open, SheetNames and OpenCSV.
const (
	msgEmpty      = "the sheet is empty: no header row"
	msgXLS        = "the file is an old Excel 97-2003 .xls workbook; open it in Excel or LibreOffice and save it as .xlsx or CSV UTF-8"
	msgEncrypted  = "the workbook is password-protected; open it in Excel, remove the password and save it again"
	msgODS        = "the file is an OpenDocument spreadsheet (.ods); open it in LibreOffice or Excel and save it as .xlsx"
	msgXLSB       = "the file is a binary Excel workbook (.xlsb); open it in Excel and save it as .xlsx"
	msgNotBook    = "the file is a zip archive but not an Excel workbook; check that it is the right file, or open it in Excel and save it as .xlsx"
	msgDamaged    = "the file is damaged or truncated (not a readable .xlsx); re-export it"
	msgWebPage    = "the file is a web page (HTML or XML) with a spreadsheet name, as some systems export; open it in Excel or LibreOffice and save it as .xlsx or CSV UTF-8"
	msgNotZip     = "the file is not an Excel workbook (it is not a zip archive); if it is CSV text, rename it to .csv, otherwise re-export it"
	msgUTF16      = "the file is UTF-16 text; save it as CSV UTF-8"
	msgZipAsCSV   = "the data is a zip archive (an .xlsx workbook?), not CSV text; save it as CSV UTF-8"
	supportedExts = ".csv, .tsv, .txt, .xlsx or .xlsm"
)

// format is what a file holds, judged from its name and its first bytes.
type format int

const (
	formatUnknown format = iota
	formatCSV
	formatXLSX
	formatXLS     // OLE2 compound file: .xls, or an encrypted .xlsx
	formatWebPage // HTML or XML text
)

var (
	magicZip = []string{"PK\x03\x04", "PK\x05\x06", "PK\x07\x08"}
	magicOLE = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"
)

// sniff judges the format from the first bytes of a file; formatUnknown
// means plain text or anything else without a signature.
func sniff(head []byte) format {
	s := string(head)
	for _, m := range magicZip {
		if strings.HasPrefix(s, m) {
			return formatXLSX
		}
	}
	if strings.HasPrefix(s, magicOLE) {
		return formatXLS
	}
	t := strings.TrimLeft(strings.TrimPrefix(s, "\uFEFF"), " \t\r\n")
	if strings.HasPrefix(t, "<") {
		return formatWebPage
	}
	return formatUnknown
}

// extFormat judges the format from the file name alone.
func extFormat(path string) (format, string) {
	ext := strings.ToLower(filepath.Ext(path))
	switch ext {
	case ".csv", ".tsv", ".txt":
		return formatCSV, ext
	case ".xlsx", ".xlsm", ".xltx", ".xltm", ".xls":
		return formatXLSX, ext
	}
	return formatUnknown, ext
}

// openFile opens path and decides how to read it.
func openFile(path string) (*os.File, int64, format, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, formatUnknown, &FileError{File: path, Msg: "cannot open the file: " + causeText(err), Err: err}
	}
	size, kind, ferr := detect(f, path)
	if ferr != nil {
		_ = f.Close()
		return nil, 0, formatUnknown, ferr
	}
	return f, size, kind, nil
}

// detect judges an open file by its first bytes, then by its name: content
// signatures win, so a renamed workbook is still read as one.
func detect(f *os.File, path string) (int64, format, *FileError) {
	fail := func(msg string, err error) (int64, format, *FileError) {
		return 0, formatUnknown, &FileError{File: path, Msg: msg, Err: err}
	}
	st, err := f.Stat()
	switch {
	case err != nil:
		return fail("cannot read the file: "+causeText(err), err)
	case st.IsDir():
		return fail("the path is a directory, not a file", nil)
	case st.Size() == 0:
		return fail(msgEmpty, nil)
	}
	head := make([]byte, 512)
	n, err := f.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return fail("cannot read the file: "+causeText(err), err)
	}
	byExt, ext := extFormat(path)
	switch content := sniff(head[:n]); {
	case content == formatXLS && isEncryptedOOXML(f):
		return fail(msgEncrypted, nil)
	case content == formatXLS:
		return fail(msgXLS, nil)
	case content == formatXLSX:
		return st.Size(), formatXLSX, nil
	case byExt == formatCSV:
		return st.Size(), formatCSV, nil
	case byExt == formatXLSX && content == formatWebPage:
		return fail(msgWebPage, nil)
	case byExt == formatXLSX:
		return fail(msgNotZip, nil)
	case ext == ".ods":
		return fail(msgODS, nil)
	case ext == "":
		return fail("the file name has no extension, so its type is unknown; use "+supportedExts, nil)
	default:
		return fail(fmt.Sprintf("files of type %q cannot be read; use %s", ext, supportedExts), nil)
	}
}

// causeText drops the operation and path that *os.PathError repeats.
func causeText(err error) string {
	if pe, ok := errors.AsType[*os.PathError](err); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// Open opens a CSV file or a workbook and reads its header. The extension
// chooses the format (.csv, .tsv, .txt: CSV; .xlsx, .xlsm: workbook) but the
// content has the last word, so a workbook renamed .csv is still read as a
// workbook, and .xls, .xlsb, .ods and web pages get an error saying how to
// convert them. Errors about the file are *FileError.
func Open(path string, opts Options) (Reader, error) {
	opts = opts.withDefaults()
	f, size, kind, err := openFile(path)
	if err != nil {
		return nil, err
	}
	if kind == formatXLSX {
		r, err := openXLSX(f, size, path, opts)
		if err != nil {
			_ = f.Close()
			return nil, err
		}
		return r, nil
	}
	fallback := ','
	if strings.EqualFold(filepath.Ext(path), ".tsv") {
		fallback = '\t'
	}
	r, err := newCSVReader(f, path, opts, f, fallback)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return r, nil
}

// OpenCSV reads CSV text from r and reads its header; name is used in error
// messages. Closing the Reader does not close r.
func OpenCSV(r io.Reader, name string, opts Options) (Reader, error) {
	return newCSVReader(r, name, opts.withDefaults(), nil, ',')
}

// SheetNames lists the worksheets of a workbook in tab order, hidden ones
// included. A CSV file has no sheets: the result is nil.
func SheetNames(path string) ([]string, error) {
	f, size, kind, err := openFile(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	if kind != formatXLSX {
		return nil, nil
	}
	opts := Options{}.withDefaults()
	wb, err := openWorkbook(f, size, path, opts)
	if err != nil {
		return nil, err
	}
	return wb.worksheetNames(), nil
}

// isEncryptedOOXML tells a password-protected .xlsx, which Excel stores in
// an OLE2 compound file like an .xls, from a real .xls: its first directory
// sector names an "EncryptedPackage" stream.
func isEncryptedOOXML(f io.ReaderAt) bool {
	var hdr [0x34]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil {
		return false
	}
	shift := uint(binary.LittleEndian.Uint16(hdr[0x1E:]))
	if shift != 9 && shift != 12 {
		return false
	}
	dirSector := int64(binary.LittleEndian.Uint32(hdr[0x30:]))
	sector := make([]byte, 1<<shift)
	n, _ := f.ReadAt(sector, (dirSector+1)<<shift)
	name := utf16le("EncryptedPackage")
	return bytes.Contains(sector[:n], name)
}

func utf16le(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}
