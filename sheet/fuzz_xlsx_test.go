package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// FuzzXLSX feeds whole files to Open, as a person's download folder would:
// mutations of small workbooks (testdata/fuzz/FuzzXLSX holds stored,
// uncompressed ones whose CRCs are left out, so that mutations reach the
// XML instead of stopping at a checksum; see TestWriteFuzzXLSXSeeds) and of
// the committed fixtures. Whatever the bytes, Open and every Next end in
// io.EOF or a *FileError that names the file and says something; nothing
// panics or hangs.
//
//	go test -run x -fuzz FuzzXLSX -fuzztime 3m ./sheet/
func FuzzXLSX(f *testing.F) {
	for _, name := range []string{"contacts.xlsx", "truncated.xlsx", "encrypted.xlsx", "legacy.xls"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(f, err)
		f.Add(data)
	}
	path := filepath.Join(f.TempDir(), "fuzz.xlsx")
	f.Fuzz(func(t *testing.T, data []byte) {
		require.NoError(t, os.WriteFile(path, data, 0o600))
		start := time.Now()
		if _, err := SheetNames(path); err != nil {
			checkFileError(t, path, err)
		}
		for _, opts := range []Options{
			{},
			{Sheet: "Lookups", MaxCellLen: 5, MaxUnzipSize: 4 << 10},
		} {
			drainFile(t, path, opts)
		}
		// Every input is a few KB: reading it takes milliseconds, not seconds.
		if d := time.Since(start); d > 10*time.Second {
			t.Fatalf("reading %d bytes took %v", len(data), d)
		}
	})
}

// drainFile opens path and reads every row, checking what callers rely on.
func drainFile(t *testing.T, path string, opts Options) {
	t.Helper()
	r, err := Open(path, opts)
	if err != nil {
		checkFileError(t, path, err)
		return
	}
	defer func() { require.NoError(t, r.Close()) }()
	header := r.Header()
	for i, h := range header {
		if h == "" || h != strings.TrimSpace(h) {
			t.Fatalf("header %d is %q", i, h)
		}
	}
	last := 1
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			checkFileError(t, path, err)
			// A failed reader stays failed.
			_, again := r.Next()
			require.Equal(t, err, again)
			break
		}
		require.Len(t, row.Cells, len(header), "row %d", row.Num)
		require.Greater(t, row.Num, last)
		require.LessOrEqual(t, row.Num, maxRows)
		require.False(t, isBlank(row.Cells), "blank row %d", row.Num)
		for _, c := range row.Cells {
			if len(c.Text) > opts.withDefaults().MaxCellLen*4 { // UTF-8: at most 4 bytes a character
				t.Fatalf("row %d: a cell of %d bytes passed the %d character limit", row.Num, len(c.Text), opts.withDefaults().MaxCellLen)
			}
		}
		last = row.Num
	}
	for _, w := range r.Warnings() {
		require.NotEmpty(t, w)
	}
}

// checkFileError requires err to be a *FileError about path with a message.
func checkFileError(t *testing.T, path string, err error) {
	t.Helper()
	fe, ok := errors.AsType[*FileError](err)
	if !ok {
		t.Fatalf("%T %v is not a *FileError", err, err)
	}
	require.Equal(t, path, fe.File)
	require.True(t, strings.HasPrefix(fe.Error(), path+": "), "%q", fe.Error())
	require.NotEmpty(t, strings.TrimSpace(strings.TrimPrefix(fe.Error(), path+": ")))
}

// fuzzSeedBooks are the workbooks testdata/fuzz/FuzzXLSX starts from: each
// small, each reaching a different part of the reader.
func fuzzSeedBooks() map[string]rawBook {
	plain := oneSheet(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>Phone</t></is></c><c r="C1" t="s"><v>2</v></c></row>` +
		`<row r="2"><c r="A2" s="1"><v>45356.5</v></c><c r="B2" t="s"><v>1</v></c><c r="C2" t="b"><v>1</v></c></row>` +
		`<row r="4"><c r="A4" t="d"><v>2024-03-05T10:00:00</v></c><c r="B4" t="e"><v>#N/A</v></c><c r="C4" t="str"><f>A1</f><v>x&amp;y&#x41;</v></c></row>` +
		`<row r="5"><c r="B5" s="2"><v>0.5</v></c><c r="C5"><f>1/0</f></c></row>`)
	plain.Shared = []string{"<t>Name</t>", "<t xml:space=\"preserve\"> 0909 </t>", `<r><t>Gh</t></r><r><rPr><b/></rPr><t>i chú</t></r><rPh><t>x</t></rPh>`}
	plain.Xfs = []int{14, 20}

	book1904 := oneSheet(`<row><c t="inlineStr"><is><t>Ngày</t></is></c><c t="inlineStr"><is><t>Số</t></is></c></row>` +
		`<row><c s="1"><v>1</v></c><c><v>1.23E+09</v></c></row><row/><row><c r="XFD7"><v>9</v></c></row>`)
	book1904.Date1904 = true
	book1904.NumFmts = map[int]string{164: `[$-vi-VN]dd/mm/yyyy\ hh:mm;@`}
	book1904.Xfs = []int{164}

	twoSheets := contactsBook()

	noShared := oneSheet(`<row r="1"><c r="A1" t="inlineStr"><is><t>A</t></is></c></row><row r="2"><c r="A2" t="s"><v>7</v></c></row>`)
	noShared.Parts = map[string]string{"xl/sharedStrings.xml": "", "xl/styles.xml": ""}

	chart := rawBook{Sheets: []rawSheet{{Name: "Chart", Kind: "chartsheet"}, {Name: "Data", Rows: `<row r="1"><c r="A1" t="inlineStr"><is><t>A</t></is></c></row>`}}}

	ods := oneSheet(`<row r="1"><c r="A1" t="inlineStr"><is><t>A</t></is></c></row>`)
	ods.Parts = map[string]string{"mimetype": "application/vnd.oasis.opendocument.spreadsheet"}

	return map[string]rawBook{"plain": plain, "date1904": book1904, "contacts": twoSheets, "noshared": noShared, "chart": chart, "ods": ods}
}

// storedZip writes parts uncompressed with no CRC, which archive/zip then
// does not check: a mutated byte reaches the XML scanner.
func storedZip(t testing.TB, parts map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range slices.Sorted(maps.Keys(parts)) {
		body := parts[name]
		w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Store, CompressedSize64: uint64(len(body)), UncompressedSize64: uint64(len(body))})
		require.NoError(t, err)
		_, err = io.WriteString(w, body)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// TestWriteFuzzXLSXSeeds rewrites testdata/fuzz/FuzzXLSX with
// go test ./sheet -run TestWriteFuzzXLSXSeeds -update. Crashers the fuzzer
// finds are added there by go test itself and must be kept.
func TestWriteFuzzXLSXSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzXLSX")
	for name, b := range fuzzSeedBooks() {
		data := storedZip(t, b.parts())
		// The seeds must read (or fail) as the fuzz target expects.
		path := writeFile(t, name+".xlsx", data)
		drainFile(t, path, Options{})
		if !*update {
			continue
		}
		require.NoError(t, os.MkdirAll(dir, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "seed-"+name), fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", data), 0o644))
	}
}

// TestXLSXRefusesNUL: XML cannot hold a NUL character, and the CSV reader refuses one;
// a workbook cell with a raw NUL byte must not reach the CRM either.
func TestXLSXRefusesNUL(t *testing.T) {
	for name, b := range map[string]rawBook{
		"inline": oneSheet(`<row r="1">` + inline("A1", "Name") + `</row><row r="2">` + inline("A2", "An\x00") + `</row>`),
		"shared": {Sheets: []rawSheet{{Name: "Data", Rows: `<row r="1">` + inline("A1", "Name") + `</row><row r="2"><c r="A2" t="s"><v>0</v></c></row>`}}, Shared: []string{"<t>B\x00nh</t>"}},
	} {
		t.Run(name, func(t *testing.T) {
			path := b.write(t, "nul.xlsx")
			r, err := Open(path, Options{})
			if err == nil {
				_, err = r.Next()
				require.NoError(t, r.Close())
			}
			require.Error(t, err)
			checkFileError(t, path, err)
			require.Contains(t, err.Error(), "NUL")
		})
	}
}

// TestStylesAreCapped: a styles part of millions of cell formats (Excel allows 65,490)
// is a bomb; reading it must not hold one int for each.
func TestStylesAreCapped(t *testing.T) {
	b := oneSheet(`<row r="1">` + inline("A1", "Name") + `</row><row r="2"><c r="A2" s="3"><v>45356</v></c></row>`)
	b.Parts = map[string]string{"xl/styles.xml": `<styleSheet><cellXfs><xf numFmtId="0"/><xf numFmtId="0"/><xf numFmtId="0"/><xf numFmtId="14"/>` +
		strings.Repeat(`<xf numFmtId="14"/>`, 200_000) + `</cellXfs></styleSheet>`}
	path := b.write(t, "styles.xlsx")
	f, err := os.Open(path)
	require.NoError(t, err)
	defer func() { require.NoError(t, f.Close()) }()
	st, err := f.Stat()
	require.NoError(t, err)
	wb, err := openWorkbook(f, st.Size(), path, Options{}.withDefaults())
	require.NoError(t, err)
	kinds, err := wb.readStyles()
	require.NoError(t, err)
	require.LessOrEqual(t, len(kinds), 1<<16)
	require.Equal(t, kindDate, kinds[3], "the formats before the cap still count")
}

// TestXLSXChecksTheChecksum: a zip stores a CRC-32 of every part, which archive/zip
// checks when a part is read to its end. The reader stops at </sheetData>, so a sheet
// whose bytes changed after it was written ("1000" became "9000") was read without a
// word; it must be refused as damaged before any row reaches the CRM.
func TestXLSXChecksTheChecksum(t *testing.T) {
	b := oneSheet(`<row r="1">` + inline("A1", "Amount") + `</row><row r="2"><c r="A2"><v>1000</v></c></row>`)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	parts := b.parts()
	for _, name := range slices.Sorted(maps.Keys(parts)) {
		body := parts[name]
		crc := crc32.ChecksumIEEE([]byte(body))
		if name == "xl/worksheets/sheet1.xml" {
			body = strings.Replace(body, "<v>1000</v>", "<v>9000</v>", 1) // one byte flipped on the way
		}
		w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Store, CRC32: crc, CompressedSize64: uint64(len(body)), UncompressedSize64: uint64(len(body))})
		require.NoError(t, err)
		_, err = io.WriteString(w, body)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	path := writeFile(t, "flipped.xlsx", buf.Bytes())

	r, err := Open(path, Options{})
	require.NoError(t, err)
	defer func() { require.NoError(t, r.Close()) }()
	for {
		row, err := r.Next()
		if err == nil {
			t.Logf("row %d: %q", row.Num, row.Cells[0].Text)
			continue
		}
		require.NotErrorIs(t, err, io.EOF, "the changed sheet was read to its end without an error")
		checkFileError(t, path, err)
		require.Contains(t, err.Error(), "damaged")
		return
	}
}
