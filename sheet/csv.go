package sheet

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

const (
	csvBufSize = 64 << 10
	// maxRecordBytes bounds the memory one CSV record may take. A longer
	// record is nearly always a quote that is never closed, which makes
	// encoding/csv read the rest of the file as one field.
	maxRecordBytes = 16 << 20
	msgNotUTF8     = "invalid UTF-8 (the file is not UTF-8; pass --encoding windows-1258 or windows-1252, or save it as CSV UTF-8)"
	msgNUL         = "contains a NUL byte; the file may be binary or UTF-16 (save it as CSV UTF-8)"
)

var (
	utf8BOM          = []byte("\xEF\xBB\xBF")
	errRecordTooLong = errors.New("csv record too long")
)

// decoderFor maps Options.Encoding to a decoder; nil means UTF-8.
func decoderFor(name string) (transform.Transformer, error) {
	key := strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(name))
	switch key {
	case "", "utf8":
		return nil, nil
	case "windows1258", "cp1258":
		// Windows-1258 writes most Vietnamese tone marks as combining
		// characters; compose them so "Mã KH" matches what people type.
		return transform.Chain(charmap.Windows1258.NewDecoder(), norm.NFC), nil
	case "windows1252", "cp1252":
		return charmap.Windows1252.NewDecoder(), nil
	}
	return nil, fmt.Errorf("sheet: unknown encoding %q; use utf-8, windows-1258 or windows-1252", name)
}

// validDelimiter mirrors the rule encoding/csv applies to Comma.
func validDelimiter(r rune) bool {
	return r != 0 && r != '"' && r != '\r' && r != '\n' && utf8.ValidRune(r) && r != utf8.RuneError
}

// newCSVReader sets up decoding and the delimiter, then reads the header.
// fallback is the delimiter when sniffing finds none.
func newCSVReader(r io.Reader, name string, opts Options, closer io.Closer, fallback rune) (Reader, error) {
	dec, err := decoderFor(opts.Encoding)
	if err != nil {
		return nil, err
	}
	if opts.Delimiter != 0 && !validDelimiter(opts.Delimiter) {
		return nil, fmt.Errorf("sheet: %q cannot separate CSV fields", opts.Delimiter)
	}
	fail := func(msg string, err error) error { return &FileError{File: name, Msg: msg, Err: err} }

	raw := bufio.NewReaderSize(r, csvBufSize)
	head, err := raw.Peek(8)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fail("cannot read the file: "+causeText(err), err)
	}
	var warnings []string
	switch kind := sniff(head); {
	case len(head) == 0:
		return nil, fail(msgEmpty, nil)
	case bytes.HasPrefix(head, []byte("\xFF\xFE")), bytes.HasPrefix(head, []byte("\xFE\xFF")):
		return nil, fail(msgUTF16, nil)
	case kind == formatXLSX:
		return nil, fail(msgZipAsCSV, nil)
	case kind == formatXLS:
		return nil, fail(msgXLS, nil)
	case bytes.HasPrefix(head, utf8BOM):
		_, _ = raw.Discard(len(utf8BOM))
		if dec != nil {
			warnings = append(warnings, "the file starts with a UTF-8 byte order mark, so it is read as UTF-8 and the encoding option is ignored")
			dec = nil
		}
	}
	var text io.Reader = raw
	if dec != nil {
		text = transform.NewReader(raw, dec)
	}
	guard := &sizeGuard{r: text, max: maxRecordBytes}
	in := bufio.NewReaderSize(guard, csvBufSize)
	start, err := in.Peek(csvBufSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fail("cannot read the file: "+causeText(err), err)
	}

	src := &csvSource{file: name, guard: guard}
	delim := opts.Delimiter
	if d, n, ok := sepLine(start); ok {
		// Excel's "sep=;" line: it sets the delimiter and is not a row.
		_, _ = in.Discard(n)
		src.lineOffset = 1
		if delim == 0 {
			delim = d
		}
	} else if delim == 0 {
		delim = sniffDelimiter(start, fallback)
	}
	src.cr = csv.NewReader(in)
	src.cr.Comma = delim
	src.cr.FieldsPerRecord = -1
	src.cr.ReuseRecord = true // fields are copied into Cells before the next Read
	rd, err := newReader(name, "", src, closer, opts, warnings)
	if err != nil {
		return nil, err
	}
	return rd, nil
}

// sepLine recognises an Excel "sep=X" first line; n is its length with the
// line break.
func sepLine(b []byte) (delim rune, n int, ok bool) {
	nl := bytes.IndexByte(b, '\n')
	if nl < 0 {
		return 0, 0, false
	}
	line := bytes.TrimSuffix(b[:nl], []byte("\r"))
	if len(line) < 5 || !bytes.EqualFold(line[:4], []byte("sep=")) {
		return 0, 0, false
	}
	d, size := utf8.DecodeRune(line[4:])
	if 4+size != len(line) || !validDelimiter(d) {
		return 0, 0, false
	}
	return d, nl + 1, true
}

// sniffDelimiter picks the most frequent of ',', ';' and '\t' outside
// quotes in the first record of b; ties and no candidates go to fallback.
func sniffDelimiter(b []byte, fallback rune) rune {
	candidates := [...]rune{',', ';', '\t'}
	var counts [len(candidates)]int
	quoted := false
scan:
	for _, c := range b {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\n':
			break scan
		default:
			for i, d := range candidates {
				if rune(c) == d {
					counts[i]++
				}
			}
		}
	}
	best, bestCount := fallback, 0
	for i, d := range candidates {
		if counts[i] > bestCount || (counts[i] == bestCount && bestCount > 0 && d == fallback) {
			best, bestCount = d, counts[i]
		}
	}
	return best
}

// sizeGuard counts the bytes read since the last reset and fails once they
// pass max, so that one broken record cannot pull a whole file into memory.
type sizeGuard struct {
	r      io.Reader
	n, max int64
}

func (g *sizeGuard) Read(p []byte) (int, error) {
	if g.n > g.max {
		return 0, errRecordTooLong
	}
	n, err := g.r.Read(p)
	g.n += int64(n)
	return n, err
}

func (g *sizeGuard) reset() { g.n = 0 }

// csvSource turns encoding/csv records into rows numbered as Excel shows
// them: Excel counts a blank line as a row and a record with line breaks
// inside quotes as one row.
type csvSource struct {
	file       string
	cr         *csv.Reader
	guard      *sizeGuard
	lineOffset int // lines before the CSV data (an Excel "sep=" line)
	quotedNL   int // line breaks inside the fields of the records read so far
	lastRow    int
}

func (s *csvSource) next(width int) (rawRow, error) {
	rec, err := s.cr.Read()
	s.guard.reset()
	if err != nil {
		return rawRow{}, s.readError(err)
	}
	line, _ := s.cr.FieldPos(0)
	row := rawRow{num: line - s.quotedNL}
	s.lastRow = row.num
	n := width
	if n < 0 {
		n = len(rec)
	}
	row.cells = make([]Cell, n)
	for i, f := range rec {
		if strings.IndexByte(f, 0) >= 0 {
			return rawRow{}, &FileError{File: s.file, Row: row.num, Msg: msgNUL}
		}
		if !utf8.ValidString(f) {
			return rawRow{}, &FileError{File: s.file, Row: row.num, Msg: msgNotUTF8}
		}
		s.quotedNL += strings.Count(f, "\n")
		switch {
		case i < n:
			row.cells[i].Text = f
		case row.extra == 0 && strings.TrimSpace(f) != "":
			row.extra = i + 1
		}
	}
	return row, nil
}

func (s *csvSource) readError(err error) error {
	if errors.Is(err, io.EOF) {
		return io.EOF
	}
	fe := &FileError{File: s.file, Err: err}
	if pe, ok := errors.AsType[*csv.ParseError](err); ok {
		fe.Row = pe.StartLine - s.quotedNL
		fe.Line = pe.Line + s.lineOffset
		switch {
		case errors.Is(pe.Err, csv.ErrBareQuote):
			fe.Msg = `a double quote (") is inside a field that does not start with one; put the whole field in double quotes and write the inner quote twice ("")`
		case errors.Is(pe.Err, csv.ErrQuote):
			fe.Msg = `a quoted field is never closed, or text follows its closing quote; check the double quotes (") from this row on`
		default:
			fe.Msg = pe.Err.Error()
		}
		return fe
	}
	if errors.Is(err, errRecordTooLong) {
		fe.Row = s.lastRow + 1
		fe.Msg = fmt.Sprintf(`the record starting here is longer than %s; a double quote (") is probably never closed, or the file is not CSV text`, humanBytes(maxRecordBytes))
		return fe
	}
	fe.Msg = "cannot read the file: " + causeText(err)
	return fe
}
