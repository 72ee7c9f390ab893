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
		"accounts.yaml":          []byte(accountsMapping),
		"empty.csv":              nil,
		"empty.xlsx":             nil,
		"blank.csv":              []byte("\n\n  \n"),
		"header-only.csv":        []byte(header),
		"header-only.xlsx":       xlsxBook(sheetXML(good[:1])),
		"truncated.xlsx":         nil, // below: the first 60% of a good workbook
		"xls-renamed.xlsx":       oleFile(),
		"not-a-workbook.xlsx":    zipOf(map[string]string{"readme.txt": "photos of the office party\n", "img/1.jpg": "\xff\xd8\xff\xe0"}),
		"nul.csv":                []byte(header + "A-1,Công ty\x00Một,mot@example.vn,Retail\n"),
		"nul.xlsx":               xlsxBook(sheetXML([][]string{badHeader, {"A-1", "Công ty\x00Một", "mot@example.vn", "Retail"}})),
		"invalid-utf8.csv":       []byte(header + "A-1,C\xf4ng ty M\xf4\xf2t,mot@example.vn,Retail\n"), // Windows-1258 bytes
		"utf16.csv":              utf16File(header + row),
		"duplicate-headers.csv":  []byte("Mã KH,Tên,Email,Ngành,tên\n" + strings.TrimSuffix(row, "\n") + ",x\n"),
		"blank-header.csv":       []byte("Mã KH,Tên,,Email,Ngành\nA-1,Công ty Một,x,mot@example.vn,Retail\n"),
		"cell-32767.xlsx":        xlsxBook(sheetXML([][]string{badHeader, {"A-1", strings.Repeat("ố", 32767), "mot@example.vn", "Retail"}})),
		"cell-32768.xlsx":        xlsxBook(sheetXML([][]string{badHeader, {"A-1", "Công ty Một", "mot@example.vn", "Retail"}, {"A-2", strings.Repeat("ố", 32768), "hai@example.vn", "Retail"}})),
		"mapping-tabs.yaml":      []byte("entity: accounts\ncolumns:\n\t\"Mã KH\": external_id\n\t\"Tên\": name\n"),
		"mapping-unknown.yaml":   []byte("entity: accounts\ncolumns:\n  \"Mã KH\": external_id\n  \"Tên\":\n    field: name\n    fromat: \"02/01/2006\"\ncolums: {}\n"),
		"mapping-types.yaml":     []byte("entity: accounts\nmode: [create]\ncolumns:\n  \"Mã KH\": external_id\n  \"Tên\": {field: name, required: maybe}\ndefaults:\n  is_public: 12\n"),
		"mapping-alias-bomb.yaml": []byte("entity: accounts\ncolumns:\n  \"Mã KH\": external_id\n" +
			"a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n" +
			"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n" +
			"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n" +
			"h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n" +
			"defaults:\n  description: *i\n"),
		"good.csv": []byte(header + row),
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
