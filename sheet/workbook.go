package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The parts of a workbook are read straight from the zip with xmlScanner
// rather than through excelize: excelize's Rows iterator gives no per-cell
// style, which is how a date is told from a number, and excelize.OpenFile
// reads the whole file into memory first.

const xmlBufSize = 64 << 10

// workbook is an opened .xlsx: its parts, its sheets and what the sheets
// share. Every part is read through one unzip budget.
type workbook struct {
	path          string
	files         map[string]*zip.File // by normalised part name
	folded        map[string]*zip.File // by lower-case part name, for sloppy writers
	limit         int64
	left          int64 // unzip budget left, in bytes
	part          string
	sheets        []sheetEntry
	date1904      bool
	styles        string // part holding cell formats, "" if none
	sharedStrings string // part holding shared strings, "" if none
}

type sheetEntry struct {
	name   string
	part   string // zip part of the sheet XML
	kind   string // last segment of the relationship type: "worksheet", "chartsheet", …
	hidden bool
}

// openWorkbook reads the zip directory, the workbook part and its
// relationships; it reads no sheet yet.
func openWorkbook(ra io.ReaderAt, size int64, file string, opts Options) (*workbook, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, &FileError{File: file, Msg: msgDamaged, Err: err}
	}
	wb := &workbook{
		path:   file,
		files:  make(map[string]*zip.File, len(zr.File)),
		folded: make(map[string]*zip.File, len(zr.File)),
		limit:  opts.MaxUnzipSize,
		left:   opts.MaxUnzipSize,
	}
	for _, zf := range zr.File {
		name := strings.TrimPrefix(strings.ReplaceAll(zf.Name, `\`, "/"), "/")
		wb.files[name] = zf
		wb.folded[strings.ToLower(name)] = zf
	}
	if err := wb.checkOpenDocument(); err != nil {
		return nil, err
	}
	rootRels, err := wb.readRels("")
	if err != nil {
		return nil, err
	}
	wb.part = firstOfKind(rootRels, "officeDocument")
	if wb.part == "" {
		wb.part = "xl/workbook.xml"
	}
	switch {
	case strings.HasSuffix(strings.ToLower(wb.part), ".bin") || (wb.file(wb.part) == nil && wb.file("xl/workbook.bin") != nil):
		return nil, wb.fail(msgXLSB, nil)
	case wb.file(wb.part) == nil:
		return nil, wb.fail(msgNotBook, nil)
	}
	ids, err := wb.readWorkbookPart()
	if err != nil {
		return nil, err
	}
	if err := wb.resolveSheets(ids); err != nil {
		return nil, err
	}
	return wb, nil
}

func (wb *workbook) fail(msg string, err error) *FileError {
	return &FileError{File: wb.path, Msg: msg, Err: err}
}

// damaged reports a part that cannot be read, keeping limit errors as they are.
func (wb *workbook) damaged(part string, err error) error {
	if fe, ok := errors.AsType[*FileError](err); ok {
		return fe
	}
	return wb.fail(fmt.Sprintf("%s (%s: %v)", msgDamaged, part, err), err)
}

func (wb *workbook) file(name string) *zip.File {
	if zf, ok := wb.files[name]; ok {
		return zf
	}
	return wb.folded[strings.ToLower(name)]
}

// checkOpenDocument spots .ods files, which are zips with a mimetype entry.
func (wb *workbook) checkOpenDocument() error {
	zf := wb.file("mimetype")
	if zf == nil {
		return nil
	}
	rc, err := wb.open("mimetype", zf)
	if err != nil {
		return err
	}
	defer func() { _ = rc.Close() }()
	head, err := io.ReadAll(io.LimitReader(rc, 256))
	if err != nil {
		return wb.damaged("mimetype", err)
	}
	if strings.Contains(string(head), "opendocument") {
		return wb.fail(msgODS, nil)
	}
	return nil
}

// open opens a part for reading within the unzip budget.
func (wb *workbook) open(name string, zf *zip.File) (io.ReadCloser, error) {
	if zf.UncompressedSize64 > uint64(max(wb.left, 0)) {
		return nil, wb.tooBig(name)
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, wb.damaged(name, err)
	}
	return &budgetReader{rc: rc, wb: wb, name: name}, nil
}

func (wb *workbook) tooBig(part string) *FileError {
	return wb.fail(fmt.Sprintf("the workbook unzips to more than %s (the limit, reached in %s); it is too large to import, or not a genuine workbook", humanBytes(wb.limit), part), nil)
}

// budgetReader counts the bytes really unzipped, since the sizes a zip
// declares can lie.
type budgetReader struct {
	rc   io.ReadCloser
	wb   *workbook
	name string
}

func (b *budgetReader) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.wb.left -= int64(n)
	if b.wb.left < 0 {
		return n, b.wb.tooBig(b.name)
	}
	return n, err
}

// Close releases the part. A decompression error it would return is not one of closing:
// Read reported it, or it lies beyond what was read.
func (b *budgetReader) Close() error { _ = b.rc.Close(); return nil }

// parse streams the XML of a part through fn, one token at a time.
func (wb *workbook) parse(name string, fn func(*xmlScanner) error) error {
	zf := wb.file(name)
	if zf == nil {
		return wb.damaged(name, errors.New("part missing"))
	}
	rc, err := wb.open(name, zf)
	if err != nil {
		return err
	}
	defer func() { _ = rc.Close() }()
	sc := newXMLScanner(rc)
	for sc.next() {
		if err := fn(sc); err != nil {
			return err
		}
	}
	if sc.err != nil {
		return wb.damaged(name, sc.err)
	}
	return nil
}

// relsPart names the relationships part of a part ("" is the package).
func relsPart(part string) string {
	return path.Join(path.Dir(part), "_rels", path.Base(part)+".rels")
}

// relationship links a part to another; kind is the last segment of its
// type ("worksheet", "styles", …) and target the part name it points to.
type relationship struct{ id, kind, target string }

func firstOfKind(rels []relationship, kind string) string {
	for _, r := range rels {
		if r.kind == kind {
			return r.target
		}
	}
	return ""
}

// readRels reads the internal relationships of part ("" is the package).
func (wb *workbook) readRels(part string) ([]relationship, error) {
	name := "_rels/.rels"
	if part != "" {
		name = relsPart(part)
	}
	var rels []relationship
	if wb.file(name) == nil {
		return nil, nil
	}
	err := wb.parse(name, func(sc *xmlScanner) error {
		if !sc.is(tokStart, "Relationship") || strings.EqualFold(sc.attrString("TargetMode"), "External") {
			return nil
		}
		rels = append(rels, relationship{
			id:     sc.attrString("Id"),
			kind:   path.Base(sc.attrString("Type")),
			target: resolveTarget(part, sc.attrString("Target")),
		})
		return nil
	})
	return rels, err
}

// resolveTarget turns a relationship target into a part name.
func resolveTarget(base, target string) string {
	target = strings.ReplaceAll(target, `\`, "/")
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Join(path.Dir(base), target), "/")
}

// readWorkbookPart reads sheet names, states and relationship ids, and the
// date system, and returns the relationship id per sheet.
func (wb *workbook) readWorkbookPart() ([]string, error) {
	var ids []string
	err := wb.parse(wb.part, func(sc *xmlScanner) error {
		switch {
		case sc.is(tokStart, "workbookPr"):
			v := sc.attrString("date1904")
			wb.date1904 = v == "1" || strings.EqualFold(v, "true")
		case sc.is(tokStart, "sheet"):
			state := sc.attrString("state")
			wb.sheets = append(wb.sheets, sheetEntry{name: sc.attrString("name"), hidden: state == "hidden" || state == "veryHidden"})
			ids = append(ids, sc.attrString("id")) // r:id
		}
		return nil
	})
	return ids, err
}

func (wb *workbook) resolveSheets(ids []string) error {
	rels, err := wb.readRels(wb.part)
	if err != nil {
		return err
	}
	for i := range wb.sheets {
		if j := slices.IndexFunc(rels, func(r relationship) bool { return r.id == ids[i] }); j >= 0 {
			wb.sheets[i].part, wb.sheets[i].kind = rels[j].target, rels[j].kind
		}
	}
	wb.styles = partOr(firstOfKind(rels, "styles"), wb.file("xl/styles.xml"), "xl/styles.xml")
	wb.sharedStrings = partOr(firstOfKind(rels, "sharedStrings"), wb.file("xl/sharedStrings.xml"), "xl/sharedStrings.xml")
	return nil
}

// partOr returns part, or else the conventional name when that part exists.
func partOr(part string, conventional *zip.File, name string) string {
	if part == "" && conventional != nil {
		return name
	}
	return part
}

func (wb *workbook) worksheetNames() []string {
	var names []string
	for _, s := range wb.sheets {
		if s.kind == "worksheet" {
			names = append(names, s.name)
		}
	}
	return names
}

// pick finds the sheet to read: by name, ignoring case as Excel does, or
// the first visible worksheet.
func (wb *workbook) pick(name string) (sheetEntry, error) {
	names := wb.worksheetNames()
	if len(names) == 0 {
		return sheetEntry{}, wb.fail("the workbook has no worksheet (only charts or macros)", nil)
	}
	name = strings.TrimSpace(name)
	if name == "" {
		i := slices.IndexFunc(wb.sheets, func(s sheetEntry) bool { return s.kind == "worksheet" && !s.hidden })
		if i < 0 {
			i = slices.IndexFunc(wb.sheets, func(s sheetEntry) bool { return s.kind == "worksheet" })
		}
		return wb.sheets[i], nil
	}
	for _, s := range wb.sheets {
		if !strings.EqualFold(s.name, name) {
			continue
		}
		if s.kind != "worksheet" {
			return sheetEntry{}, wb.fail(fmt.Sprintf("sheet %q is a %s, not a worksheet; its worksheets are: %s", s.name, s.kind, strings.Join(names, ", ")), nil)
		}
		return s, nil
	}
	return sheetEntry{}, wb.fail(fmt.Sprintf("the workbook has no sheet %q; its sheets are: %s", name, strings.Join(names, ", ")), nil)
}

// readStyles returns the kind of number format of each cell format
// (cellXfs), which a cell's s attribute indexes.
func (wb *workbook) readStyles() ([]fmtKind, error) {
	part := wb.styles
	if part == "" {
		return nil, nil
	}
	codes := map[int]string{}
	var ids []int
	inCellXfs := false
	err := wb.parse(part, func(sc *xmlScanner) error {
		switch {
		case sc.is(tokStart, "numFmt"):
			if id, err := strconv.Atoi(sc.attrString("numFmtId")); err == nil {
				codes[id] = sc.attrString("formatCode")
			}
		case sc.is(tokStart, "cellXfs"):
			inCellXfs = true
		case sc.is(tokEnd, "cellXfs"):
			inCellXfs = false
		case inCellXfs && sc.is(tokStart, "xf") && len(ids) < 1<<16: // Excel allows 65,490 formats; more is a bomb, not a workbook
			id, _ := strconv.Atoi(sc.attrString("numFmtId"))
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	kinds := make([]fmtKind, len(ids))
	for i, id := range ids {
		if code, ok := codes[id]; ok {
			kinds[i] = classifyFormat(code)
		} else {
			kinds[i] = builtinKind(id)
		}
	}
	return kinds, nil
}

// sharedStrings is the shared-string table packed in one byte slice with the end offset
// of each string: a few bytes of overhead a string instead of a Go string header and an
// allocation each, so a sheet of 200,000 rows of distinct texts stays well under 100 MB.
type sharedStrings struct {
	data []byte
	ends []uint32
}

func (t *sharedStrings) add(s string) {
	t.data = append(t.data, s...)
	t.ends = append(t.ends, uint32(len(t.data)))
}

func (t *sharedStrings) len() int {
	if t == nil {
		return 0
	}
	return len(t.ends)
}

// get returns string i; the caller checks i < len().
func (t *sharedStrings) get(i int) string {
	start := uint32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	return string(t.data[start:t.ends[i]])
}

// readSharedStrings loads the shared-string table. Rich text runs are
// joined; phonetic runs (rPh) are left out, as Excel shows them only on
// request.
func (wb *workbook) readSharedStrings() (*sharedStrings, error) {
	part := wb.sharedStrings
	if part == "" {
		return nil, nil
	}
	if zf := wb.file(part); zf != nil && zf.UncompressedSize64 > 8<<20 && zf.UncompressedSize64 > 100*zf.CompressedSize64 {
		return nil, wb.fail(fmt.Sprintf("the workbook's shared strings (%s) unzip to %d MB from %d KB, which no genuine workbook does; it looks like a zip bomb", part, zf.UncompressedSize64>>20, zf.CompressedSize64>>10), nil)
	}
	var (
		sst       = &sharedStrings{}
		buf       []byte
		inSI, inT bool
		phonetic  int
	)
	err := wb.parse(part, func(sc *xmlScanner) error {
		switch sc.kind {
		case tokStart:
			switch string(sc.name) {
			case "sst":
				if n, err := strconv.Atoi(sc.attrString("uniqueCount")); err == nil && sst.ends == nil {
					sst.ends = make([]uint32, 0, min(max(n, 0), 1<<20))
				}
			case "si":
				inSI, buf = true, buf[:0]
			case "t":
				inT = inSI && phonetic == 0
			case "rPh":
				phonetic++
			}
		case tokEnd:
			switch string(sc.name) {
			case "si":
				if !utf8.Valid(buf) {
					return wb.damaged(part, fmt.Errorf("shared string %d is not valid UTF-8", sst.len()))
				}
				if bytes.IndexByte(buf, 0) >= 0 {
					return wb.damaged(part, fmt.Errorf("shared string %d holds a NUL character, which XML does not allow", sst.len()))
				}
				sst.add(cellText(buf))
				inSI = false
			case "t":
				inT = false
			case "rPh":
				phonetic--
			}
		case tokText:
			if inT {
				buf = append(buf, sc.text...)
			}
		}
		return nil
	})
	return sst, err
}
