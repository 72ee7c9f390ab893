package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oplabatch/oplabatch/opla/oplatest"
	"github.com/stretchr/testify/require"
)

var updateBad = flag.Bool("update-bad", false, "rewrite the bad-input corpus in testdata/bad/")

// badDir holds the committed bad-input corpus; the big cases are made at run time.
const badDir = "../../testdata/bad"

// The sheet every input case is read with: the accounts mapping of cli_test.go.
var badHeader = []string{"Mã KH", "Tên", "Email", "Ngành"}

// badCorpus is every committed file of testdata/bad, made by this code so that
// the corpus can be regenerated (go test ./cmd/oplabatch -run TestWriteBadCorpus -update-bad).
func badCorpus() map[string][]byte {
	header := strings.Join(badHeader, ",") + "\n"
	row := "A-1,Công ty Một,mot@example.vn,Retail\n"
	good := [][]string{badHeader, {"A-1", "Công ty Một", "mot@example.vn", "Retail"}}
	c := map[string][]byte{
		"accounts.yaml":         []byte(accountsMapping),
		"empty.csv":             nil,
		"empty.xlsx":            nil,
		"blank.csv":             []byte("\n\n  \n"),
		"header-only.csv":       []byte(header),
		"header-only.xlsx":      xlsxBook(sheetXML(good[:1])),
		"truncated.xlsx":        nil, // below: the first 60% of a good workbook
		"xls-renamed.xlsx":      oleFile(),
		"not-a-workbook.xlsx":   zipOf(map[string]string{"readme.txt": "photos of the office party\n", "img/1.jpg": "\xff\xd8\xff\xe0"}),
		"nul.csv":               []byte(header + "A-1,Công ty\x00Một,mot@example.vn,Retail\n"),
		"nul.xlsx":              xlsxBook(sheetXML([][]string{badHeader, {"A-1", "Công ty\x00Một", "mot@example.vn", "Retail"}})),
		"invalid-utf8.csv":      []byte(header + "A-1,C\xf4ng ty M\xf4\xf2t,mot@example.vn,Retail\n"), // Windows-1258 bytes
		"utf16.csv":             utf16File(header + row),
		"duplicate-headers.csv": []byte("Mã KH,Tên,Email,Ngành,tên\n" + strings.TrimSuffix(row, "\n") + ",x\n"),
		"blank-header.csv":      []byte("Mã KH,Tên,,Email,Ngành\nA-1,Công ty Một,x,mot@example.vn,Retail\n"),
		"cell-32767.xlsx":       xlsxBook(sheetXML([][]string{badHeader, {"A-1", strings.Repeat("ố", 32767), "mot@example.vn", "Retail"}})),
		"cell-32768.xlsx":       xlsxBook(sheetXML([][]string{badHeader, {"A-1", "Công ty Một", "mot@example.vn", "Retail"}, {"A-2", strings.Repeat("ố", 32768), "hai@example.vn", "Retail"}})),
		"mapping-tabs.yaml":     []byte("entity: accounts\ncolumns:\n\t\"Mã KH\": external_id\n\t\"Tên\": name\n"),
		"mapping-unknown.yaml":  []byte("entity: accounts\ncolumns:\n  \"Mã KH\": external_id\n  \"Tên\":\n    field: name\n    fromat: \"02/01/2006\"\ncolums: {}\n"),
		"mapping-types.yaml":    []byte("entity: accounts\nmode: [create]\ncolumns:\n  \"Mã KH\": external_id\n  \"Tên\": {field: name, required: maybe}\ndefaults:\n  is_public: 12\n"),
		"mapping-alias-bomb.yaml": []byte("entity: accounts\ncolumns:\n  \"Mã KH\": external_id\n" +
			"a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n" +
			"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n" +
			"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n" +
			"h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n" +
			"defaults:\n  description: *i\n"),
		"unclosed-quote.csv": []byte(header + row + "A-2,\"Công ty Hai,hai@example.vn,Retail\nA-3,Ba,ba@example.vn,Retail\n"),
		"good.csv":           []byte(header + row),
	}
	full := xlsxBook(sheetXML(good))
	c["truncated.xlsx"] = full[:len(full)*3/5]
	return c
}

// TestWriteBadCorpus checks testdata/bad is what badCorpus makes, or rewrites it with -update-bad.
func TestWriteBadCorpus(t *testing.T) {
	for name, data := range badCorpus() {
		path := filepath.Join(badDir, name)
		if *updateBad {
			require.NoError(t, os.MkdirAll(badDir, 0o755))
			require.NoError(t, os.WriteFile(path, data, 0o644))
			continue
		}
		got, err := os.ReadFile(path)
		require.NoError(t, err, "run go test ./cmd/oplabatch -run TestWriteBadCorpus -update-bad")
		if strings.HasSuffix(name, ".xlsx") && bytes.HasPrefix(data, []byte("PK")) {
			continue // deflate output may change with the Go version: the committed file stands
		}
		require.True(t, bytes.Equal(data, got), "%s is stale: run go test ./cmd/oplabatch -run TestWriteBadCorpus -update-bad", name)
	}
}

// sheetXML is a worksheet of inline strings, row 1 first.
func sheetXML(rows [][]string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	for r, row := range rows {
		fmt.Fprintf(&b, `<row r="%d">`, r+1)
		for _, v := range row {
			b.WriteString(`<c t="inlineStr"><is><t>`)
			b.WriteString(strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(v))
			b.WriteString(`</t></is></c>`)
		}
		b.WriteString(`</row>`)
	}
	b.WriteString(`</sheetData></worksheet>`)
	return b.String()
}

// bookParts are the parts of a one-sheet workbook around its sheet.
func bookParts() map[string]string {
	const rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	return map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"_rels/.rels":         `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="` + rel + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml":     `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="` + rel + `"><sheets><sheet name="Accounts" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="` + rel + `/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
	}
}

// xlsxBook is a deflated one-sheet workbook.
func xlsxBook(sheet string) []byte {
	parts := bookParts()
	parts["xl/worksheets/sheet1.xml"] = sheet
	return zipOf(parts)
}

// zipOf zips parts, deflated, in name order, with a fixed time so the bytes are stable.
func zipOf(parts map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(parts))
	for n := range parts {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate, Modified: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)})
		if err != nil {
			panic(err)
		}
		if _, err := io.WriteString(w, parts[n]); err != nil {
			panic(err)
		}
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// oleFile is the head of an OLE2 compound file: what an Excel 97-2003 .xls starts with.
func oleFile() []byte {
	b := make([]byte, 1536)
	copy(b, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")
	binary.LittleEndian.PutUint16(b[0x1A:], 3)
	binary.LittleEndian.PutUint16(b[0x1C:], 0xFFFE)
	binary.LittleEndian.PutUint16(b[0x1E:], 9)
	binary.LittleEndian.PutUint32(b[0x30:], 1)
	for i, r := range "Workbook" {
		binary.LittleEndian.PutUint16(b[1024+2*i:], uint16(r))
	}
	return b
}

// utf16File is text as Excel's "Unicode Text" saves it: UTF-16LE with a byte order mark.
func utf16File(s string) []byte {
	b := []byte{0xFF, 0xFE}
	for _, r := range s {
		b = binary.LittleEndian.AppendUint16(b, uint16(r))
	}
	return b
}

// bitWriter writes a DEFLATE bit stream (RFC 1951): values least significant bit first,
// Huffman codes most significant bit first.
type bitWriter struct {
	buf []byte
	acc uint64
	n   uint
}

func (w *bitWriter) bits(v uint64, n uint) {
	w.acc |= v << w.n
	w.n += n
	for w.n >= 8 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc >>= 8
		w.n -= 8
	}
}

func (w *bitWriter) code(c uint64, n uint) {
	var r uint64
	for i := uint(0); i < n; i++ {
		r = r<<1 | (c>>i)&1
	}
	w.bits(r, n)
}

func (w *bitWriter) align() {
	if w.n > 0 {
		w.bits(0, 8-w.n)
	}
}

// stored writes a stored block holding data (at most 65535 bytes).
func (w *bitWriter) stored(data string, final bool) {
	f := uint64(0)
	if final {
		f = 1
	}
	w.bits(f, 1)
	w.bits(0, 2)
	w.align()
	w.bits(uint64(len(data)), 16)
	w.bits(uint64(^uint16(len(data))), 16)
	w.buf = append(w.buf, data...)
}

// bomb is a raw DEFLATE stream that inflates to prefix, then pattern repeated, then
// suffix, where prefix ends with one copy of the pattern: about 258 bytes of pattern for
// each copy, in 2 to 4 bits a copy. It is what a zip bomb is made of: one dynamic Huffman
// block whose only codes are "copy 258 bytes from len(pattern) back" and "end".
func bomb(prefix string, pattern int, suffix string, copies int) []byte {
	// The distance code of pattern and its extra bits (RFC 1951, 3.2.5).
	dcode, extra, base := 0, uint(0), 1
	for base+(1<<extra) <= pattern {
		base += 1 << extra
		dcode++
		if dcode >= 4 && dcode%2 == 0 {
			extra++
		}
	}
	w := &bitWriter{}
	w.stored(prefix, false)
	w.bits(0, 1) // not final
	w.bits(2, 2) // dynamic Huffman
	w.bits(286-257, 5)
	w.bits(uint64(dcode), 5) // dcode+1 distance codes
	w.bits(18-4, 4)          // code length codes, in the order 16 17 18 0 8 7 9 6 10 5 11 4 12 3 13 2 14 1
	for _, l := range []uint64{0, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2} {
		w.bits(l, 3)
	}
	// Code length codes (2 bits each, canonical): 0→00, 1→01, 17→10, 18→11.
	zeros := func(n int) {
		for n > 0 {
			switch {
			case n >= 11:
				k := min(n, 138)
				w.code(3, 2)
				w.bits(uint64(k-11), 7)
				n -= k
			case n >= 3:
				w.code(2, 2)
				w.bits(uint64(n-3), 3)
				n = 0
			default:
				w.code(0, 2)
				n--
			}
		}
	}
	one := func() { w.code(1, 2) }
	zeros(256) // no literals
	one()      // 256: end of block
	zeros(28)
	one()        // 285: length 258
	zeros(dcode) // unused distance codes
	one()        // the pattern's distance code
	// A copy is 285 (code 1), the distance code (code 0, its only one) and its extra bits.
	pairs := func(n int) {
		for range n {
			w.code(1, 1)
			w.code(0, 1)
			w.bits(uint64(pattern-base), extra)
		}
	}
	pairs(8)
	start := len(w.buf)
	pairs(8)
	group := slices.Clone(w.buf[start:]) // 8 copies are whole bytes: the same ones from now on
	w.buf = append(w.buf, bytes.Repeat(group, copies/8-2)...)
	w.code(0, 1) // end of block
	w.stored(suffix, true)
	w.align()
	return w.buf
}

// bombSize is how many bytes bomb inflates to.
func bombSize(prefix, suffix string, copies int) int64 {
	return int64(len(prefix)) + int64(copies/8*8)*258 + int64(len(suffix))
}

func TestBombInflates(t *testing.T) {
	for _, pattern := range []string{"<x/>", "x", "<si><t/></si>", "<row/><!-- 17 -->", strings.Repeat("ab", 700)} {
		for _, n := range []int{16, 24, 400} {
			prefix, suffix := "<a>"+pattern, "</a>"
			data, err := io.ReadAll(flate.NewReader(bytes.NewReader(bomb(prefix, len(pattern), suffix, n))))
			require.NoError(t, err)
			require.Equal(t, bombSize(prefix, suffix, n), int64(len(data)))
			body := strings.Repeat(pattern, n*258/len(pattern)+2)[:n/8*8*258]
			require.Equal(t, prefix+body+suffix, string(data), "%q ×%d", pattern, n)
		}
	}
}

// zipBomb writes a workbook whose part name inflates from data; declared is the size its
// zip headers claim.
func zipBomb(t *testing.T, path, name string, data []byte, declared int64) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for n, body := range bookParts() {
		w, err := zw.Create(n)
		require.NoError(t, err)
		_, err = io.WriteString(w, body)
		require.NoError(t, err)
	}
	// CRC 0: archive/zip does not check it, as with an archiver that left it out.
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CompressedSize64: uint64(len(data)), UncompressedSize64: uint64(declared)})
	require.NoError(t, err)
	_, err = w.Write(data)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
}

// memWatch samples the heap while a command runs.
type memWatch struct {
	stop      chan struct{}
	done      sync.WaitGroup
	base      runtime.MemStats
	peakInuse uint64
}

func watchMemory() *memWatch {
	runtime.GC()
	m := &memWatch{stop: make(chan struct{})}
	runtime.ReadMemStats(&m.base)
	m.peakInuse = m.base.HeapInuse
	m.done.Add(1)
	go func() {
		defer m.done.Done()
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		var s runtime.MemStats
		for {
			select {
			case <-m.stop:
				return
			case <-tick.C:
				runtime.ReadMemStats(&s)
				m.peakInuse = max(m.peakInuse, s.HeapInuse)
			}
		}
	}()
	return m
}

// end returns the growth of the heap in use at its peak and the bytes allocated.
func (m *memWatch) end() (peakGrowth, allocated uint64) {
	close(m.stop)
	m.done.Wait()
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	m.peakInuse = max(m.peakInuse, s.HeapInuse)
	return m.peakInuse - m.base.HeapInuse, s.TotalAlloc - m.base.TotalAlloc
}

// writes lists the requests that write (anything but GET) the emulator has seen.
func writes(srv *oplatest.Server) []string {
	var out []string
	for route, n := range srv.Emulator().Stats().Requests {
		if n > 0 && !strings.HasPrefix(route, "GET ") {
			out = append(out, fmt.Sprintf("%s ×%d", route, n))
		}
	}
	slices.Sort(out)
	return out
}

// listDir names the files in dir.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// badCase is one bad input: a file (or mapping) that must be refused before anything is
// written to the CRM, with a message that names the file, where in it, and what to do.
type badCase struct {
	name    string
	input   string                                // file of testdata/bad (default good.csv)
	gen     func(t *testing.T, dir string) string // or: makes the input in dir, returns its name
	mapping string                                // file of testdata/bad (default accounts.yaml)
	genMap  func(t *testing.T, dir string) string // or: makes the mapping in dir, returns its path
	flags   func(t *testing.T, dir string) []string
	codes   []int    // accepted exit codes of import and validate (default: 2 only)
	want    []string // substrings of stderr, both commands; the input's or mapping's name is always wanted
	names   string   // what the message must name instead, when it is neither
	// importOnly skips validate (for what validate never reads, like the token).
	importOnly bool
	// accepted: the input is good and may be written (codes 0/1); the other checks stay.
	accepted bool
	maxHeap  uint64 // growth of the heap in use at its peak; default 32 MiB
	maxErr   int    // bytes of stderr; default 16 KiB
}

const mib = 1 << 20

// wideSheet is the accounts header and one row, widened to n columns with unmapped ones.
func wideSheet(n int) [][]string {
	header := slices.Clone(badHeader)
	row := []string{"A-1", "Công ty Một", "mot@example.vn", "Retail"}
	for i := len(header); i < n; i++ {
		header = append(header, fmt.Sprintf("Cột %d", i+1))
		row = append(row, "x")
	}
	return [][]string{header, row}
}

func writeTo(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	return name
}

func csvOf(rows [][]string) []byte {
	var b bytes.Buffer
	for _, r := range rows {
		b.WriteString(strings.Join(r, ",") + "\n")
	}
	return b.Bytes()
}

// endlessPipe returns a path that reads as a stream of n bytes of b (a pipe: a FIFO, a
// /dev/zero, a terminal); the pipe is closed when the test ends.
func endlessPipe(t *testing.T, b byte, n int) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("needs /dev/fd")
	}
	r, w, err := os.Pipe()
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		chunk := bytes.Repeat([]byte{b}, 64<<10)
		for sent := 0; sent < n; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		_ = w.Close()
	}()
	t.Cleanup(func() {
		_ = r.Close()
		<-done
		_ = w.Close()
	})
	return fmt.Sprintf("/dev/fd/%d", r.Fd())
}

// bookHead is a worksheet up to the header row and the start of row 2.
func bookHead(extra string) string {
	s := sheetXML([][]string{badHeader})
	return strings.TrimSuffix(s, `</sheetData></worksheet>`) + extra
}

func badCases() []badCase {
	return []badCase{
		{name: "empty csv", input: "empty.csv", want: []string{"the sheet is empty: no header row"}},
		{name: "empty xlsx", input: "empty.xlsx", want: []string{"the sheet is empty: no header row"}},
		{name: "only blank lines", input: "blank.csv", want: []string{"empty"}},
		// A header with no rows below it: nothing to do, which is not an error (exit 0).
		// The summary line says "0 rows" and import writes its (empty) results workbook,
		// the record that the run happened; nothing reaches the CRM.
		{name: "header only csv", input: "header-only.csv", codes: []int{0}, want: []string{"0 rows"}},
		{name: "header only xlsx", input: "header-only.xlsx", codes: []int{0}, want: []string{"0 rows"}},
		{name: "truncated xlsx", input: "truncated.xlsx", want: []string{"damaged or truncated", "re-export"}},
		{name: "xls renamed xlsx", input: "xls-renamed.xlsx", want: []string{"old Excel 97-2003 .xls", "save it as .xlsx"}},
		{name: "zip but no workbook", input: "not-a-workbook.xlsx", want: []string{"not an Excel workbook", "save it as .xlsx"}},
		{
			// 1.1 MB that inflates to 1.1 GB, with honest zip headers: refused before inflating.
			name: "zip bomb", want: []string{"unzips to more than 1 GiB", "too large to import"},
			gen: func(t *testing.T, dir string) string {
				head, tail := bookHead(`<row r="2"><x/>`), `</row></sheetData></worksheet>`
				n := 4_400_000
				zipBomb(t, filepath.Join(dir, "bomb.xlsx"), "xl/worksheets/sheet1.xml", bomb(head, 4, tail, n), bombSize(head, tail, n))
				return "bomb.xlsx"
			},
		},
		{
			// The same bomb, its headers claiming 4 KB: caught after 4 KB.
			name: "zip bomb with lying sizes", want: []string{"damaged or truncated"},
			gen: func(t *testing.T, dir string) string {
				head, tail := bookHead(`<row r="2"><x/>`), `</row></sheetData></worksheet>`
				zipBomb(t, filepath.Join(dir, "liar.xlsx"), "xl/worksheets/sheet1.xml", bomb(head, 4, tail, 4_400_000), 4096)
				return "liar.xlsx"
			},
		},
		{
			// 60 KB whose shared strings inflate to 30 MB of empty strings (2.4 million):
			// under the unzip limit, so it may be read (the sheet is a header only) or
			// refused, but not by holding 16+ bytes for each of them.
			name: "shared strings bomb", codes: []int{0, 2}, maxHeap: 16 * mib,
			gen: func(t *testing.T, dir string) string {
				head, tail := `<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t/></si>`, `</sst>`
				n := 120_000
				path := filepath.Join(dir, "sst-bomb.xlsx")
				zipBomb(t, path, "xl/sharedStrings.xml", bomb(head, 13, tail, n), bombSize(head, tail, n))
				addPart(t, path, "xl/worksheets/sheet1.xml", sheetXML([][]string{badHeader}), `<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`)
				return "sst-bomb.xlsx"
			},
		},
		{
			// 20 KB whose styles inflate to 10 MB of cell formats (2 million; Excel allows 65,490).
			name: "styles bomb", codes: []int{0, 2}, maxHeap: 16 * mib,
			gen: func(t *testing.T, dir string) string {
				head, tail := `<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs><xf/>`, `</cellXfs></styleSheet>`
				n := 40_000
				path := filepath.Join(dir, "styles-bomb.xlsx")
				zipBomb(t, path, "xl/styles.xml", bomb(head, 5, tail, n), bombSize(head, tail, n))
				addPart(t, path, "xl/worksheets/sheet1.xml", sheetXML([][]string{badHeader}), `<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>`)
				return "styles-bomb.xlsx"
			},
		},
		{
			// Excel's widest sheet. The results workbook adds _row, _action, external_id
			// and id (Succeeded) or _row, _error, _field, _code (Failed) to the source
			// columns, so it cannot hold more than 16,380 of them: such an input must be
			// refused before anything is written, not after.
			name: "16384 columns xlsx", want: []string{"columns"},
			gen: func(t *testing.T, dir string) string {
				return writeTo(t, dir, "wide.xlsx", xlsxBook(sheetXML(wideSheet(16384))))
			},
		},
		{
			name: "16384 columns csv", want: []string{"columns"},
			gen: func(t *testing.T, dir string) string {
				return writeTo(t, dir, "wide.csv", csvOf(wideSheet(16384)))
			},
		},
		{
			name: "16385 columns xlsx", want: []string{"row 1", "more than 16384 columns"},
			gen: func(t *testing.T, dir string) string {
				return writeTo(t, dir, "wider.xlsx", xlsxBook(sheetXML(wideSheet(16385))))
			},
		},
		{name: "32767 characters", input: "cell-32767.xlsx", accepted: true, codes: []int{0}},
		{name: "32768 characters xlsx", input: "cell-32768.xlsx", want: []string{`sheet "Accounts": row 3`, `column "Tên" (B) has 32768 characters`, "shorten the text"}},
		{
			name: "32768 characters csv", want: []string{"row 3", `column "Tên" (B) has 32768 characters`, "shorten the text"},
			gen: func(t *testing.T, dir string) string {
				return writeTo(t, dir, "long.csv", csvOf([][]string{badHeader, {"A-1", "Một", "mot@example.vn", "Retail"}, {"A-2", strings.Repeat("ố", 32768), "hai@example.vn", "Retail"}}))
			},
		},
		{name: "NUL byte csv", input: "nul.csv", want: []string{"row 2", "NUL", "save it as CSV UTF-8"}},
		{name: "NUL byte xlsx", input: "nul.xlsx", want: []string{"row 2", "NUL"}},
		{name: "invalid UTF-8", input: "invalid-utf8.csv", want: []string{"row 2", "invalid UTF-8", "--encoding windows-1258"}},
		{name: "UTF-16", input: "utf16.csv", want: []string{"UTF-16", "save it as CSV UTF-8"}},
		{name: "duplicate headers", input: "duplicate-headers.csv", want: []string{"row 1", `header "Tên" appears twice: columns B and E`, "rename or delete"}},
		{name: "blank header", input: "blank-header.csv", want: []string{"row 1", "column C has no header", "give it a name or delete"}},
		{name: "unclosed quote", input: "unclosed-quote.csv", want: []string{"row 3", "double quote"}},
		{name: "mapping with tabs", mapping: "mapping-tabs.yaml", want: []string{"line 3", "tab characters", "spaces"}},
		{name: "mapping with unknown keys", mapping: "mapping-unknown.yaml", want: []string{"mapping-unknown.yaml:6", `unknown key "fromat"`, "mapping-unknown.yaml:7", `did you mean "columns"`}},
		{name: "mapping with wrong types", mapping: "mapping-types.yaml", want: []string{"mapping-types.yaml:2: mode: want a single value", "mapping-types.yaml:5", "required: want true or false", "mapping-types.yaml:7", "is_public: want true or false"}},
		{name: "mapping alias bomb", mapping: "mapping-alias-bomb.yaml", want: []string{"mapping-alias-bomb.yaml:14", "excessive aliasing"}},
		{
			name: "2 MB mapping", want: []string{"larger than"},
			genMap: func(t *testing.T, dir string) string {
				var b strings.Builder
				b.WriteString(accountsMapping + "# ")
				for b.Len() < 2*mib {
					b.WriteString("Mã KH, Tên, Email, Ngành. ")
				}
				return filepath.Join(dir, writeTo(t, dir, "big.yaml", []byte(b.String()+"\n")))
			},
		},
		{
			// 1 MB of 50,000 wrong columns: the first problems, not 5 MB of them.
			// (yaml.v3 takes some 60 bytes of heap a byte of YAML: 1 MB is the cap.)
			name: "mapping with 50000 mistakes", want: []string{"big-wrong.yaml:4", `no field "nme"`}, maxHeap: 96 * mib,
			genMap: func(t *testing.T, dir string) string {
				var b strings.Builder
				b.WriteString("entity: accounts\ncolumns:\n  \"Mã KH\": external_id\n")
				for i := 0; b.Len() < 1000<<10; i++ {
					fmt.Fprintf(&b, "  \"Cột %d\": nme\n", i)
				}
				return filepath.Join(dir, writeTo(t, dir, "big-wrong.yaml", []byte(b.String())))
			},
		},
		{
			// -m /dev/stdin, a FIFO or /dev/zero: read no more than a mapping can be.
			name: "mapping that never ends", want: []string{"larger than"}, maxHeap: 16 * mib,
			genMap: func(t *testing.T, dir string) string { return endlessPipe(t, '#', 24*mib) },
		},
		{
			name: "token file that never ends", importOnly: true, names: "token file", maxHeap: 16 * mib,
			flags: func(t *testing.T, dir string) []string {
				return []string{"--token-file", endlessPipe(t, 'x', 24*mib)}
			},
		},
	}
}

// addPart adds a part to the workbook at path and a relationship to the workbook part.
func addPart(t *testing.T, path, name, body, rel string) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	require.NoError(t, err)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if f.Name == "xl/_rels/workbook.xml.rels" {
			rc, err := f.Open()
			require.NoError(t, err)
			rels, err := io.ReadAll(rc)
			require.NoError(t, err)
			w, err := zw.Create(f.Name)
			require.NoError(t, err)
			_, err = io.WriteString(w, strings.Replace(string(rels), "</Relationships>", rel+"</Relationships>", 1))
			require.NoError(t, err)
			continue
		}
		require.NoError(t, zw.Copy(f))
	}
	w, err := zw.Create(name)
	require.NoError(t, err)
	_, err = io.WriteString(w, body)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	require.NoError(t, zr.Close())
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
}

// TestBadInput runs import (against an emulator) and validate on every bad input:
// the wanted exit code (2: nothing written), a message naming the file and saying what to
// do, no write request reaching the emulator, no file left beside the input, no panic,
// bounded memory and time.
func TestBadInput(t *testing.T) {
	for _, tc := range badCases() {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			input := tc.input
			switch {
			case tc.gen != nil:
				input = tc.gen(t, dir)
			case input == "":
				input = "good.csv"
			}
			if tc.gen == nil {
				data, err := os.ReadFile(filepath.Join(badDir, input))
				require.NoError(t, err)
				writeTo(t, dir, input, data)
			}
			mappingPath := filepath.Join(dir, "accounts.yaml")
			switch {
			case tc.genMap != nil:
				mappingPath = tc.genMap(t, dir)
			case tc.mapping != "":
				data, err := os.ReadFile(filepath.Join(badDir, tc.mapping))
				require.NoError(t, err)
				mappingPath = filepath.Join(dir, writeTo(t, dir, tc.mapping, data))
			default:
				writeTo(t, dir, "accounts.yaml", []byte(accountsMapping))
			}
			named := input // the message names the input, or the mapping when that is at fault
			if tc.mapping != "" || tc.genMap != nil {
				named = filepath.Base(mappingPath)
				if strings.HasPrefix(mappingPath, "/dev/fd/") {
					named = "" // a pipe has no name to speak of
				}
			}
			if tc.names != "" {
				named = tc.names
			}
			codes := tc.codes
			if codes == nil {
				codes = []int{exitUsage}
			}
			var flags []string
			if tc.flags != nil {
				flags = tc.flags(t, dir)
			}
			for _, command := range []string{"validate", "import"} {
				if command == "validate" && tc.importOnly {
					continue
				}
				srv := oplatest.NewServer(oplatest.Options{Seed: 1})
				apiEnv(t, srv)
				before := listDir(t, dir)
				args := append(append([]string{command}, flags...), "-m", mappingPath, filepath.Join(dir, input))

				mem := watchMemory()
				start := time.Now()
				code, stdout, stderr := cli(t, args...)
				elapsed := time.Since(start)
				peak, allocated := mem.end()
				srv.Close()
				t.Logf("%s: exit %d in %v, heap +%.1f MiB at peak, %.1f MiB allocated: %s", command, code, elapsed.Round(time.Millisecond),
					float64(peak)/mib, float64(allocated)/mib, firstLine(stderr))

				require.Contains(t, codes, code, "%s exit code; stderr:\n%.2000s", command, stderr)
				require.NotContains(t, stderr+stdout, "panic")
				require.NotContains(t, stderr+stdout, "goroutine ")
				if code == exitUsage {
					require.Contains(t, stderr, "oplabatch: ")
					if named != "" {
						require.Contains(t, stderr, named, "the message names the file")
					}
					for _, w := range tc.want {
						require.Contains(t, stderr, w)
					}
					require.Equal(t, before, listDir(t, dir), "nothing is written beside the input")
				} else if !tc.accepted {
					for _, w := range tc.want {
						require.Contains(t, stderr, w)
					}
				}
				if !tc.accepted {
					require.Empty(t, writes(srv), "no request that writes")
				}
				if command == "validate" {
					require.Empty(t, srv.Emulator().Stats().Requests, "validate is offline")
				}
				maxHeap := tc.maxHeap
				if maxHeap == 0 {
					maxHeap = 32 * mib
				}
				require.Less(t, peak, maxHeap, "heap growth at its peak")
				maxErr := tc.maxErr
				if maxErr == 0 {
					maxErr = 16 << 10
				}
				require.Less(t, len(stderr), maxErr, "stderr is a message, not a flood:\n%.3000s", stderr)
				require.Less(t, elapsed, timeScale()*5*time.Second)
			}
		})
	}
}

// timeScale is how much slower the race detector makes a run.
func timeScale() time.Duration {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" && s.Value == "true" {
				return 10
			}
		}
	}
	return 1
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// TestValidateWritesResults: validate -o writes a results workbook (the invalid rows in
// Failed), as its help says, instead of stopping on the valid rows, which have no action.
func TestValidateWritesResults(t *testing.T) {
	dir := t.TempDir()
	mappingPath := filepath.Join(dir, "accounts.yaml")
	writeFile(t, mappingPath, accountsMapping)
	input := filepath.Join(dir, "accounts.csv")
	writeCSV(t, input, [][]string{badHeader, {"A-1", "Một", "mot@example.vn", "Retail"}, {"A-2", "Hai", "hai@", "Retail"}})
	out := filepath.Join(dir, "checked.xlsx")
	code, _, stderr := cli(t, "validate", "-o", out, "-m", mappingPath, input)
	require.Equal(t, exitFailed, code, stderr)
	failed := readSheet(t, out, "Failed")
	require.Len(t, failed, 1)
	require.Equal(t, "3", failed[0]["_row"])
	require.Equal(t, "2", summaryOf(t, out)["total"])
}

// TestRetryRefusesBadFiles: retry reads a results workbook; anything else stops with a
// message naming the file, before any request.
func TestRetryRefusesBadFiles(t *testing.T) {
	srv := oplatest.NewServer(oplatest.Options{Seed: 1})
	t.Cleanup(srv.Close)
	apiEnv(t, srv)
	dir := t.TempDir()
	for _, name := range []string{"empty.xlsx", "truncated.xlsx", "xls-renamed.xlsx", "header-only.xlsx", "good.csv", "nul.csv"} {
		data, err := os.ReadFile(filepath.Join(badDir, name))
		require.NoError(t, err)
		path := filepath.Join(dir, writeTo(t, dir, name, data))
		code, _, stderr := cli(t, "retry", path)
		require.Equal(t, exitUsage, code, stderr)
		require.Contains(t, stderr, name)
		require.NotContains(t, stderr, "panic")
	}
	require.Empty(t, srv.Emulator().Stats().Requests)
	require.Len(t, listDir(t, dir), 6, "nothing written")
}
