package sheet

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

func date(y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, time.UTC)
}

// Cell formats shared by the value tests; the s attribute is the index + 1.
var testFormats = rawBook{
	NumFmts: map[int]string{
		164: "dd/mm/yyyy",
		165: "yyyy-mm-dd hh:mm:ss",
		166: "0.00%",
		167: `"Date: "0`,
		168: "[Red]0.00",
		169: "[h]:mm",
		170: `[$-409]mmmm d, yyyy;@`,
		14:  "0.000", // a workbook may redefine a built-in id
	},
	//         s=1 s=2 s=3 s=4  s=5  s=6  s=7  s=8  s=9  s=10 s=11 s=12
	Xfs: []int{15, 22, 20, 164, 165, 166, 167, 168, 169, 170, 14, 49},
}

func TestXLSXCellValues(t *testing.T) {
	tests := []struct {
		name     string
		cell     string // the <c> element in B2; the header is A1 "Label", B1 "Value"
		shared   []string
		date1904 bool
		want     Cell
		warning  string
	}{
		{name: "integer", cell: `<c r="B2"><v>312345678</v></c>`, want: Cell{Text: "312345678"}},
		{name: "scientific", cell: `<c r="B2"><v>1.23E+09</v></c>`, want: Cell{Text: "1230000000"}},
		{name: "trailing .0", cell: `<c r="B2" t="n"><v>312345678.0</v></c>`, want: Cell{Text: "312345678"}},
		{name: "float noise shown as Excel shows it", cell: `<c r="B2"><v>0.30000000000000004</v></c>`, want: Cell{Text: "0.3"}},
		{name: "tiny", cell: `<c r="B2"><v>1E-7</v></c>`, want: Cell{Text: "0.0000001"}},
		{name: "negative zero", cell: `<c r="B2"><v>-0</v></c>`, want: Cell{Text: "0"}},
		{name: "negative", cell: `<c r="B2"><v>-12.5</v></c>`, want: Cell{Text: "-12.5"}},
		{name: "more than 15 digits", cell: `<c r="B2"><v>123456789012345678</v></c>`, want: Cell{Text: "123456789012346000"}},
		{name: "empty value", cell: `<c r="B2" s="1"/>`, want: Cell{}},
		{name: "shared string keeps leading zeros", cell: `<c r="B2" t="s"><v>1</v></c>`, shared: []string{"<t>x</t>", "<t>0909080808</t>"}, want: Cell{Text: "0909080808"}},
		{
			name:   "shared rich text without phonetic runs",
			cell:   `<c r="B2" t="s"><v>0</v></c>`,
			shared: []string{`<r><t xml:space="preserve">Nguyễn </t></r><r><rPr><b/></rPr><t>Văn</t></r><rPh sb="0" eb="1"><t>ng</t></rPh><phoneticPr fontId="1"/>`},
			want:   Cell{Text: "Nguyễn Văn"},
		},
		{name: "shared string with escapes", cell: `<c r="B2" t="s"><v>0</v></c>`, shared: []string{"<t>line1_x000D_\nline2_x0009_a_x005F_x0041_</t>"}, want: Cell{Text: "line1\nline2\ta_x0041_"}},
		{name: "inline string keeps spaces", cell: inline("B2", "  padded  "), want: Cell{Text: "  padded  "}},
		{name: "inline rich text", cell: `<c r="B2" t="inlineStr"><is><r><t>Hà </t></r><r><t>Nội</t></r></is></c>`, want: Cell{Text: "Hà Nội"}},
		{name: "entities and CDATA", cell: `<c r="B2" t="inlineStr"><is><t>&lt;b&gt; &amp; &#233;&#x1F600; <![CDATA[x<y]]></t></is></c>`, want: Cell{Text: "<b> & é😀 x<y"}},
		{name: "CRLF in text", cell: `<c r="B2" t="inlineStr"><is><t>a&#13;&#10;b&#13;c</t></is></c>`, want: Cell{Text: "a\nb\rc"}},
		{name: "string formula result", cell: `<c r="B2" t="str"><f>A2&amp;"x"</f><v>Labelx</v></c>`, want: Cell{Text: "Labelx"}},
		{name: "number formula result", cell: `<c r="B2"><f>1/3</f><v>0.33333333333333331</v></c>`, want: Cell{Text: "0.333333333333333"}},
		{name: "shared formula without result", cell: `<c r="B2"><f t="shared" si="0"/></c>`, want: Cell{}, warning: "the formula in row 2, column B has no saved result"},
		{name: "boolean true", cell: `<c r="B2" t="b"><v>1</v></c>`, want: Cell{Text: "TRUE"}},
		{name: "boolean false", cell: `<c r="B2" t="b"><f>1=2</f><v>0</v></c>`, want: Cell{Text: "FALSE"}},
		{name: "error", cell: `<c r="B2" t="e"><f>1/0</f><v>#DIV/0!</v></c>`, want: Cell{Text: "#DIV/0!"}},
		{name: "built-in date 15", cell: `<c r="B2" s="1"><v>45356</v></c>`, want: Cell{Text: "2024-03-05", Time: date(2024, 3, 5, 0, 0, 0), IsTime: true}},
		{name: "built-in date-time 22", cell: `<c r="B2" s="2"><v>45356.604166666664</v></c>`, want: Cell{Text: "2024-03-05T14:30:00", Time: date(2024, 3, 5, 14, 30, 0), IsTime: true}},
		{name: "built-in time 20", cell: `<c r="B2" s="3"><v>0.5</v></c>`, want: Cell{Text: "12:00:00", Time: date(1899, 12, 30, 12, 0, 0), IsTime: true}},
		{name: "custom date dd/mm/yyyy", cell: `<c r="B2" s="4"><v>45356</v></c>`, want: Cell{Text: "2024-03-05", Time: date(2024, 3, 5, 0, 0, 0), IsTime: true}},
		{name: "date format keeps the time in Time", cell: `<c r="B2" s="4"><v>45356.75</v></c>`, want: Cell{Text: "2024-03-05", Time: date(2024, 3, 5, 18, 0, 0), IsTime: true}},
		{name: "custom date-time", cell: `<c r="B2" s="5"><v>45356.0000115741</v></c>`, want: Cell{Text: "2024-03-05T00:00:01", Time: date(2024, 3, 5, 0, 0, 1), IsTime: true}},
		{name: "percent is a number", cell: `<c r="B2" s="6"><v>0.15</v></c>`, want: Cell{Text: "0.15"}},
		{name: "quoted d is not a date", cell: `<c r="B2" s="7"><v>45356</v></c>`, want: Cell{Text: "45356"}},
		{name: "bracketed colour is not a date", cell: `<c r="B2" s="8"><v>45356</v></c>`, want: Cell{Text: "45356"}},
		{name: "elapsed hours", cell: `<c r="B2" s="9"><v>0.25</v></c>`, want: Cell{Text: "06:00:00", Time: date(1899, 12, 30, 6, 0, 0), IsTime: true}},
		{name: "locale-prefixed long date", cell: `<c r="B2" s="10"><v>45356</v></c>`, want: Cell{Text: "2024-03-05", Time: date(2024, 3, 5, 0, 0, 0), IsTime: true}},
		{name: "redefined built-in id is a number", cell: `<c r="B2" s="11"><v>45356</v></c>`, want: Cell{Text: "45356"}},
		{name: "text format is a number", cell: `<c r="B2" s="12"><v>7</v></c>`, want: Cell{Text: "7"}},
		{name: "date format on text stays text", cell: `<c r="B2" s="1" t="s"><v>0</v></c>`, shared: []string{"<t>05/03/2024</t>"}, want: Cell{Text: "05/03/2024"}},
		{name: "date format on a negative number", cell: `<c r="B2" s="1"><v>-1</v></c>`, want: Cell{Text: "-1"}},
		{name: "date format beyond year 9999", cell: `<c r="B2" s="1"><v>3000000</v></c>`, want: Cell{Text: "3000000"}},
		{name: "unknown style index", cell: `<c r="B2" s="99"><v>45356</v></c>`, want: Cell{Text: "45356"}},
		{name: "1904 date system", cell: `<c r="B2" s="1"><v>43894</v></c>`, date1904: true, want: Cell{Text: "2024-03-05", Time: date(2024, 3, 5, 0, 0, 0), IsTime: true}},
		{name: "ISO date cell", cell: `<c r="B2" t="d"><v>2024-03-05T00:00:00</v></c>`, want: Cell{Text: "2024-03-05", Time: date(2024, 3, 5, 0, 0, 0), IsTime: true}},
		{name: "ISO date-time cell", cell: `<c r="B2" t="d"><v>2024-03-05T14:30:00Z</v></c>`, want: Cell{Text: "2024-03-05T14:30:00", Time: date(2024, 3, 5, 14, 30, 0), IsTime: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := testFormats
			b.Shared, b.Date1904 = tt.shared, tt.date1904
			b.Sheets = []rawSheet{{Name: "Data", Rows: `<row r="1">` + inline("A1", "Label") + inline("B1", "Value") + `</row>` +
				`<row r="2">` + inline("A2", "Label") + tt.cell + `</row>`}}
			header, rows, warnings, err := readAll(t, b.write(t, "values.xlsx"), Options{})
			require.NoError(t, err)
			require.Equal(t, []string{"Label", "Value"}, header)
			require.Len(t, rows, 1)
			require.Equal(t, 2, rows[0].Num)
			require.Equal(t, tt.want, rows[0].Cells[1])
			if tt.warning == "" {
				require.Empty(t, warnings)
			} else {
				require.Len(t, warnings, 1)
				require.Contains(t, warnings[0], tt.warning)
			}
		})
	}
}

func TestXLSXRowLayout(t *testing.T) {
	header := `<row r="1">` + inline("A1", " Name ") + inline("B1", "Phone") + `<c r="C1" s="1"/>` + inline("D1", "  ") + `</row>`
	tests := []struct {
		name     string
		rows     string
		want     []string
		warnings []string
	}{
		{
			name: "blank rows are skipped and numbers kept",
			rows: header + `<row r="2">` + inline("A2", "An") + `</row>` +
				`<row r="3"><c r="A3" s="1"/>` + inline("B3", "   ") + `</row>` +
				`<row r="4" spans="1:2"/>` +
				`<row r="7">` + inline("B7", "0909") + `</row>`,
			want: []string{"2: An|", "7: |0909"},
		},
		{
			name: "cells and rows without references follow on",
			rows: `<row>` + `<c t="inlineStr"><is><t>Name</t></is></c><c t="inlineStr"><is><t>Phone</t></is></c></row>` +
				`<row><c><v>1</v></c><c><v>2</v></c></row>` +
				`<row r="5"><c r="B5"><v>3</v></c></row>` +
				`<row><c><v>4</v></c></row>`,
			want: []string{"2: 1|2", "5: |3", "6: 4|"},
		},
		{
			name: "values beyond the header are ignored, reported once",
			rows: header + `<row r="2">` + inline("A2", "An") + inline("E2", "stray") + `</row>` +
				`<row r="3">` + inline("A3", "Bình") + inline("F3", "again") + `</row>` +
				`<row r="4">` + inline("C4", " ") + `</row>` + // blank within and beyond
				`<row r="5">` + inline("Z5", "only stray") + `</row>`,
			want:     []string{"2: An|", "3: Bình|"},
			warnings: []string{"row 2 has values beyond the last header column (from column E); they are ignored"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, rows, warnings, err := readAll(t, oneSheet(tt.rows).write(t, "layout.xlsx"), Options{})
			require.NoError(t, err)
			require.Equal(t, []string{"Name", "Phone"}, h)
			require.Equal(t, tt.want, texts(rows))
			require.Equal(t, tt.warnings, warnings)
		})
	}
}

func TestXLSXNamespacePrefixes(t *testing.T) {
	b := oneSheet("")
	b.Parts = map[string]string{"xl/worksheets/sheet1.xml": `<?xml version="1.0"?>
<!-- written by a tool that prefixes everything -->
<x:worksheet xmlns:x="` + nsMain + `">
  <x:sheetData>
    <x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>Name</x:t></x:is></x:c></x:row>
    <x:row r='2'><x:c r='A2' t='inlineStr'><x:is><x:t>An</x:t></x:is></x:c></x:row>
  </x:sheetData>
</x:worksheet>`}
	h, rows, _, err := readAll(t, b.write(t, "prefixed.xlsx"), Options{})
	require.NoError(t, err)
	require.Equal(t, []string{"Name"}, h)
	require.Equal(t, []string{"2: An"}, texts(rows))
}

// TestExcelizeWorkbook reads what excelize writes with its ordinary API,
// shared strings and styles included.
func TestExcelizeWorkbook(t *testing.T) {
	when := date(2024, 3, 5, 14, 30, 0)
	rows := [][]any{
		{"Mã KH", "Họ tên", "Điện thoại", "Số tiền", "Ngày", "Ngày giờ", "Đã mua", "Tỉ lệ"},
		{"KH001", "Nguyễn Văn A", "0909080808", 312345678, when, when, true, 0.1 + 0.2},
		{"KH002", "Trần Thị B\r\nline 2", "'0123", 1.23e9, nil, nil, false, -1.5},
	}
	path := writeExcelize(t, "excelize.xlsx", rows, func(f *excelize.File, cell string, v any) {
		if _, ok := v.(time.Time); ok && strings.HasPrefix(cell, "E") {
			style, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("dd/mm/yyyy")})
			require.NoError(t, err)
			require.NoError(t, f.SetCellStyle("Sheet1", cell, cell, style))
		}
	})
	h, got, warnings, err := readAll(t, path, Options{})
	require.NoError(t, err)
	require.Empty(t, warnings)
	require.Equal(t, []string{"Mã KH", "Họ tên", "Điện thoại", "Số tiền", "Ngày", "Ngày giờ", "Đã mua", "Tỉ lệ"}, h)
	require.Equal(t, []string{
		"2: KH001|Nguyễn Văn A|0909080808|312345678|2024-03-05|2024-03-05T14:30:00|TRUE|0.3",
		"3: KH002|Trần Thị B\nline 2|'0123|1230000000|||FALSE|-1.5",
	}, texts(got))
	require.Equal(t, Cell{Text: "2024-03-05", Time: when, IsTime: true}, got[0].Cells[4])
	require.Equal(t, Cell{Text: "2024-03-05T14:30:00", Time: when, IsTime: true}, got[0].Cells[5])
}

func ptr[T any](v T) *T { return &v }

func TestSheetSelection(t *testing.T) {
	header := func(name string) string { return `<row r="1">` + inline("A1", name) + `</row>` }
	b := rawBook{Sheets: []rawSheet{
		{Name: "Lookups", Rows: header("hidden"), State: "hidden"},
		{Name: "Chart1", Kind: "chartsheet"},
		{Name: "Contacts", Rows: header("contacts")},
		{Name: "Deals", Rows: header("deals")},
	}}
	path := b.write(t, "multi.xlsx")

	names, err := SheetNames(path)
	require.NoError(t, err)
	require.Equal(t, []string{"Lookups", "Contacts", "Deals"}, names)

	tests := []struct {
		sheet, wantName, wantHeader, wantErr string
	}{
		{sheet: "", wantName: "Contacts", wantHeader: "contacts"},
		{sheet: "deals", wantName: "Deals", wantHeader: "deals"},
		{sheet: " Lookups ", wantName: "Lookups", wantHeader: "hidden"},
		{sheet: "Leads", wantErr: `multi.xlsx: the workbook has no sheet "Leads"; its sheets are: Lookups, Contacts, Deals`},
		{sheet: "Chart1", wantErr: `multi.xlsx: sheet "Chart1" is a chartsheet, not a worksheet; its worksheets are: Lookups, Contacts, Deals`},
	}
	for _, tt := range tests {
		t.Run(tt.sheet, func(t *testing.T) {
			r, err := Open(path, Options{Sheet: tt.sheet})
			if tt.wantErr != "" {
				fe := fileError(t, err)
				require.Equal(t, tt.wantErr, strings.TrimPrefix(fe.Error(), filepath.Dir(path)+string(filepath.Separator)))
				return
			}
			require.NoError(t, err)
			defer func() { require.NoError(t, r.Close()) }()
			require.Equal(t, tt.wantName, r.SheetName())
			require.Equal(t, []string{tt.wantHeader}, r.Header())
		})
	}
}

func TestXLSXDamaged(t *testing.T) {
	good := oneSheet(`<row r="1">` + inline("A1", "Name") + `</row><row r="2"><c r="A2" t="s"><v>0</v></c></row>`)
	good.Shared = []string{"<t>An</t>"}
	valid, err := os.ReadFile(good.write(t, "good.xlsx"))
	require.NoError(t, err)

	withPart := func(part, body string) rawBook {
		b := good
		b.Parts = map[string]string{part: body}
		return b
	}
	sheetXML := func(rows string) string {
		return `<worksheet xmlns="` + nsMain + `"><sheetData>` + rows + `</sheetData></worksheet>`
	}
	tests := []struct {
		name    string
		path    func(t *testing.T) string
		wantErr string
		wantRow int
	}{
		{name: "truncated zip", path: func(t *testing.T) string { return writeFile(t, "cut.xlsx", valid[:len(valid)/2]) }, wantErr: msgDamaged},
		{name: "garbled compressed data", path: func(t *testing.T) string {
			b := bytes.Clone(valid)
			for i := 100; i < len(b)/2; i += 7 {
				b[i] ^= 0x5A
			}
			return writeFile(t, "garbled.xlsx", b)
		}, wantErr: msgDamaged},
		{name: "sheet XML cut short", path: func(t *testing.T) string {
			return withPart("xl/worksheets/sheet1.xml", `<worksheet xmlns="`+nsMain+`"><sheetData><row r="1">`+inline("A1", "Name")+`</row><row r="2"><c r="A2"><v>1</v></c></row>`).write(t, "short.xlsx")
		}, wantErr: msgDamaged + " (xl/worksheets/sheet1.xml: unexpected end of XML)"},
		{name: "sheet XML broken mid-tag", path: func(t *testing.T) string {
			return withPart("xl/worksheets/sheet1.xml", `<worksheet><sheetData><row r="1"><c r="A1`).write(t, "midtag.xlsx")
		}, wantErr: msgDamaged, wantRow: 1},
		{name: "missing shared string", path: func(t *testing.T) string {
			return withPart("xl/worksheets/sheet1.xml", sheetXML(`<row r="1">`+inline("A1", "Name")+`</row><row r="2"><c r="A2" t="s"><v>7</v></c></row>`)).write(t, "sst.xlsx")
		}, wantErr: `cell A2 refers to shared string "7", which does not exist`, wantRow: 2},
		{name: "bad row number", path: func(t *testing.T) string {
			return withPart("xl/worksheets/sheet1.xml", sheetXML(`<row r="1">`+inline("A1", "Name")+`</row><row r="x2"/>`)).write(t, "row.xlsx")
		}, wantErr: `row number "x2" is not valid`},
		{name: "rows out of order", path: func(t *testing.T) string {
			return withPart("xl/worksheets/sheet1.xml", sheetXML(`<row r="1">`+inline("A1", "Name")+`</row><row r="5"/><row r="3"/>`)).write(t, "order.xlsx")
		}, wantErr: `row 3 comes after row 5`, wantRow: 3},
		{name: "too many rows", path: func(t *testing.T) string {
			return withPart("xl/worksheets/sheet1.xml", sheetXML(`<row r="1">`+inline("A1", "Name")+`</row><row r="1048576"/><row/>`)).write(t, "rows.xlsx")
		}, wantErr: `more than 1048576 rows`},
		{name: "bad cell reference", path: func(t *testing.T) string {
			return withPart("xl/worksheets/sheet1.xml", sheetXML(`<row r="1">`+inline("A1", "Name")+`</row><row r="2"><c r="12"><v>1</v></c></row>`)).write(t, "ref.xlsx")
		}, wantErr: `cell reference "12" is not valid`, wantRow: 2},
		{name: "unknown entity", path: func(t *testing.T) string {
			return withPart("xl/worksheets/sheet1.xml", sheetXML(`<row r="1">`+inline("A1", "Name")+`</row><row r="2"><c r="A2" t="inlineStr"><is><t>&nbsp;</t></is></c></row>`)).write(t, "entity.xlsx")
		}, wantErr: "unknown XML entity &nbsp;", wantRow: 2},
		{name: "invalid UTF-8", path: func(t *testing.T) string {
			return withPart("xl/worksheets/sheet1.xml", sheetXML(`<row r="1">`+inline("A1", "Name")+`</row><row r="2"><c r="A2" t="inlineStr"><is><t>caf`+"\xe9"+`</t></is></c></row>`)).write(t, "utf8.xlsx")
		}, wantErr: "cell A2 is not valid UTF-8", wantRow: 2},
		{name: "DOCTYPE", path: func(t *testing.T) string {
			return withPart("xl/worksheets/sheet1.xml", `<!DOCTYPE x [<!ENTITY a "b">]>`+sheetXML(``)).write(t, "doctype.xlsx")
		}, wantErr: "DOCTYPE"},
		{name: "not a worksheet", path: func(t *testing.T) string {
			return withPart("xl/worksheets/sheet1.xml", `<chartsheet/>`).write(t, "chart.xlsx")
		}, wantErr: "the part holds <chartsheet>, not a worksheet"},
		{name: "sheet part missing", path: func(t *testing.T) string {
			return withPart("xl/worksheets/sheet1.xml", "").write(t, "nopart.xlsx")
		}, wantErr: `sheet "Data" has no data part`},
		{name: "broken styles", path: func(t *testing.T) string {
			return withPart("xl/styles.xml", `<styleSheet><cellXfs><xf numFmtId="14"`).write(t, "styles.xlsx")
		}, wantErr: msgDamaged + " (xl/styles.xml: unexpected end of XML)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, _, err := readAll(t, tt.path(t), Options{})
			fe := fileError(t, err)
			require.Contains(t, fe.Error(), tt.wantErr)
			require.Contains(t, fe.Msg, msgDamaged)
			require.Equal(t, tt.wantRow, fe.Row)
		})
	}
}

func TestXLSXUnzipLimit(t *testing.T) {
	rows := `<row r="1">` + inline("A1", "Name") + `</row>` + strings.Repeat(`<row><c t="inlineStr"><is><t>`+strings.Repeat("x", 100)+`</t></is></c></row>`, 200)
	path := oneSheet(rows).write(t, "big.xlsx")

	_, got, _, err := readAll(t, path, Options{MaxUnzipSize: 1 << 20})
	require.NoError(t, err)
	require.Len(t, got, 200)

	_, _, _, err = readAll(t, path, Options{MaxUnzipSize: 20_000})
	fe := fileError(t, err)
	require.Contains(t, fe.Msg, "the workbook unzips to more than 20000 bytes (the limit, reached in xl/worksheets/sheet1.xml)")

	// A zip entry that claims to be small but is not: archive/zip stops at
	// the declared size, so the lie shows as damage (the budget also counts
	// the bytes really unzipped, should a reader ever not stop).
	liar := filepath.Join(t.TempDir(), "liar.xlsx")
	parts := oneSheet(rows).parts()
	f, err := os.Create(liar)
	require.NoError(t, err)
	zw := zip.NewWriter(f)
	for name, body := range parts {
		if name != "xl/worksheets/sheet1.xml" {
			w, err := zw.Create(name)
			require.NoError(t, err)
			_, err = w.Write([]byte(body))
			require.NoError(t, err)
			continue
		}
		var deflated bytes.Buffer
		fw, err := flate.NewWriter(&deflated, flate.BestCompression)
		require.NoError(t, err)
		_, err = fw.Write([]byte(body))
		require.NoError(t, err)
		require.NoError(t, fw.Close())
		w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE([]byte(body)),
			CompressedSize64: uint64(deflated.Len()), UncompressedSize64: 100})
		require.NoError(t, err)
		_, err = w.Write(deflated.Bytes())
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
	_, _, _, err = readAll(t, liar, Options{MaxUnzipSize: 20_000})
	fe = fileError(t, err)
	require.Equal(t, "Data", fe.Sheet)
	require.Contains(t, fe.Msg, msgDamaged)
	require.ErrorIs(t, err, zip.ErrFormat)
}

func TestXLSXMaxCellLen(t *testing.T) {
	rows := `<row r="1">` + inline("A1", "Name") + inline("B1", "Notes") + `</row>` +
		`<row r="2">` + inline("A2", "An") + inline("B2", strings.Repeat("ă", 11)) + `</row>`
	path := oneSheet(rows).write(t, "long.xlsx")

	_, got, _, err := readAll(t, path, Options{MaxCellLen: 11})
	require.NoError(t, err)
	require.Len(t, got, 1)

	_, _, _, err = readAll(t, path, Options{MaxCellLen: 10})
	fe := fileError(t, err)
	require.Equal(t, 2, fe.Row)
	require.Equal(t, "Notes", fe.Column)
	require.Equal(t, `long.xlsx: sheet "Data": row 2: column "Notes" (B) has 11 characters, more than the limit of 10; shorten the text`, filepath.Base(fe.Error()))
}

func TestClassifyFormat(t *testing.T) {
	tests := []struct {
		code string
		want fmtKind
	}{
		{"General", kindNumber},
		{"0", kindNumber},
		{"#,##0.00", kindNumber},
		{"0.00E+00", kindNumber},
		{"0.00%", kindNumber},
		{"@", kindNumber},
		{`#,##0 "đ"`, kindNumber},
		{`"Date: "0`, kindNumber},
		{`0\d`, kindNumber},
		{"[Red]0.00;[Blue]-0.00", kindNumber},
		{"[$-409]#,##0", kindNumber},
		{`_(* #,##0_);_(* (#,##0);_(* "-"??_);_(@_)`, kindNumber},
		{"yyyy-mm-dd", kindDate},
		{"dd/mm/yyyy", kindDate},
		{"d-mmm-yy", kindDate},
		{"mmm yyyy", kindDate},
		{"mmmm", kindDate},
		{"[$-F800]dddd, mmmm dd, yyyy", kindDate},
		{`dd"/"mm"/"yyyy`, kindDate},
		{"yyyy-mm-dd hh:mm:ss", kindDateTime},
		{"m/d/yy h:mm AM/PM", kindDateTime},
		{"h:mm", kindTime},
		{"hh:mm:ss", kindTime},
		{"mm:ss.0", kindTime},
		{"[h]:mm:ss", kindTime},
		{"[mm]", kindTime},
		{"h:mm AM/PM", kindTime},
		{"[Red][<=100]0", kindNumber},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			require.Equal(t, tt.want, classifyFormat(tt.code))
		})
	}
}

func TestBuiltinKind(t *testing.T) {
	want := map[int]fmtKind{0: kindNumber, 1: kindNumber, 9: kindNumber, 13: kindNumber, 14: kindDate, 17: kindDate, 18: kindTime, 21: kindTime, 22: kindDateTime,
		23: kindNumber, 27: kindDate, 32: kindTime, 36: kindDate, 44: kindNumber, 45: kindTime, 47: kindTime, 48: kindNumber, 49: kindNumber,
		50: kindDate, 55: kindTime, 58: kindDate, 59: kindNumber}
	for id, kind := range want {
		require.Equalf(t, kind, builtinKind(id), "id %d", id)
	}
}

func TestFormatNumber(t *testing.T) {
	tests := map[string]string{
		"0":                     "0",
		"42":                    "42",
		"-42":                   "-42",
		"312345678":             "312345678",
		"312345678.0":           "312345678",
		"1.23E+09":              "1230000000",
		"1.23e9":                "1230000000",
		"1E+20":                 "100000000000000000000",
		"0.30000000000000004":   "0.3",
		"2.9999999999999998E-2": "0.03",
		"-0":                    "0",
		"-0.0":                  "0",
		"007":                   "7",
		"1234567890123456":      "1234567890123460",
		" 12 ":                  "12",
		"abc":                   "abc",
		"":                      "",
		"NaN":                   "NaN",
		"1e999":                 "1e999",
	}
	for in, want := range tests {
		require.Equalf(t, want, formatNumber(in), "formatNumber(%q)", in)
	}
}

func TestUnescapeOOXML(t *testing.T) {
	tests := map[string]string{
		"plain":                  "plain",
		"a_x000D_b":              "a\rb",
		"_x0009_":                "\t",
		"a_x005F_x0041_":         "a_x0041_",
		"_x005f_":                "_",
		"_xD83D__xDE00_":         "😀",
		"_xD83D_":                "\uFFFD",
		"_x00_":                  "_x00_",
		"_xZZZZ_":                "_xZZZZ_",
		"tail_x0041":             "tail_x0041",
		"_x0041__x0042_":         "AB",
		"snake_case_x_y_z":       "snake_case_x_y_z",
		"_x000d__x000a_":         "\r\n",
		"Nguyễn_x0020_Văn":       "Nguyễn Văn",
		"_x+041_ and _x-041_ ok": "_x+041_ and _x-041_ ok",
	}
	for in, want := range tests {
		require.Equalf(t, want, unescapeOOXML(in), "unescapeOOXML(%q)", in)
	}
}

func TestRefColumn(t *testing.T) {
	tests := map[string]int{"A1": 1, "Z9": 26, "AA10": 27, "XFD1048576": 16384, "xfd1": 16384, "XFE1": 0, "1": 0, "": 0, "$A$1": 0}
	for in, want := range tests {
		require.Equalf(t, want, refColumn([]byte(in)), "refColumn(%q)", in)
	}
}
