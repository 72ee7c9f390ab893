package sheet

import (
	"bytes"
	"encoding/binary"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
)

var update = flag.Bool("update", false, "rewrite the fixtures in testdata/")

// TestWriteFixtures rewrites testdata/ with go test ./sheet -run TestWriteFixtures -update.
// The files are small and made by hand, so that a change in how they are
// read shows up as a diff.
func TestWriteFixtures(t *testing.T) {
	if !*update {
		t.Skip("pass -update to rewrite testdata/")
	}
	write := func(name string, data []byte) {
		require.NoError(t, os.WriteFile(filepath.Join("testdata", name), data, 0o644))
	}
	require.NoError(t, os.MkdirAll("testdata", 0o755))

	// Excel's "CSV UTF-8": BOM, semicolons in a Vietnamese locale, CRLF, a
	// line break inside a quoted cell, a blank line.
	write("contacts.csv", []byte("\uFEFFMã KH;Họ tên;Điện thoại;Ghi chú\r\n"+
		"KH001;Nguyễn Văn An;0909080808;\"Khách VIP; gọi trước\r\nsau 9h\"\r\n"+
		"\r\n"+
		"KH002;Trần Thị Bình;0123456789;\r\n"))

	// The same in Windows-1258, as older Vietnamese Excel saves "CSV":
	// tone marks as combining characters.
	cp1258, err := charmap.Windows1258.NewEncoder().String("Ma\u0303 KH,Ho\u0323 tên,Điê\u0323n thoa\u0323i\r\nKH001,Nguyê\u0303n Văn An,0909080808\r\n")
	require.NoError(t, err)
	write("contacts-cp1258.csv", []byte(cp1258))

	write("utf16.csv", append([]byte{0xFF, 0xFE}, utf16le("Name,Phone\r\nAn,1\r\n")...))
	write("legacy.xls", compoundFile("Root Entry", "Workbook", "\x05SummaryInformation"))
	write("encrypted.xlsx", compoundFile("Root Entry", "EncryptionInfo", "EncryptedPackage"))

	path := contactsBook().write(t, "contacts.xlsx")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	write("contacts.xlsx", data)
	write("truncated.xlsx", data[:len(data)*3/5])
}

// contactsBook is shaped like what Excel writes: shared strings, styles,
// a date, a formula with its saved result, a blank row, a hidden sheet.
func contactsBook() rawBook {
	b := rawBook{
		Shared: []string{
			"<t>Mã KH</t>", "<t>Họ tên</t>", "<t>Điện thoại</t>", "<t>Ngày sinh</t>", "<t>Doanh số</t>", "<t>Ghi chú</t>",
			"<t>KH001</t>", "<t>Nguyễn Văn An</t>", "<t>0909080808</t>",
			`<r><t xml:space="preserve">Khách </t></r><r><rPr><b/></rPr><t>VIP</t></r>`,
			"<t>KH002</t>", "<t>Trần Thị Bình</t>", "<t>mã vùng</t>",
		},
		NumFmts: map[int]string{164: "dd/mm/yyyy"},
		Xfs:     []int{164, 3},
	}
	b.Sheets = []rawSheet{
		{Name: "Khách hàng", Rows: `<row r="1" spans="1:6">` +
			`<c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c></row>` +
			`<row r="2" spans="1:6"><c r="A2" t="s"><v>6</v></c><c r="B2" t="s"><v>7</v></c><c r="C2" t="s"><v>8</v></c>` +
			`<c r="D2" s="1"><v>33604</v></c><c r="E2" s="2"><v>1.23E+9</v></c><c r="F2" t="s"><v>9</v></c></row>` +
			`<row r="3" spans="1:6"><c r="D3" s="1"/></row>` +
			`<row r="4" spans="1:6"><c r="A4" t="s"><v>10</v></c><c r="B4" t="s"><v>11</v></c><c r="C4" t="str"><f>"0"&amp;"123456789"</f><v>0123456789</v></c>` +
			`<c r="E4" s="2"><f>E2/3</f><v>410000000.00000006</v></c><c r="F4" t="s"><v>12</v></c></row>`},
		{Name: "Lookups", State: "hidden", Rows: `<row r="1"><c r="A1" t="inlineStr"><is><t>Code</t></is></c></row>`},
	}
	return b
}

// compoundFile is the start of an OLE2 compound file, as .xls files and
// password-protected .xlsx files are: a header and a directory sector with
// the given stream names. Only the parts a sniffer looks at are real.
func compoundFile(names ...string) []byte {
	const sector = 512
	b := make([]byte, 3*sector)
	copy(b, magicOLE)
	binary.LittleEndian.PutUint16(b[0x18:], 0x3E) // minor version
	binary.LittleEndian.PutUint16(b[0x1A:], 3)    // major version
	binary.LittleEndian.PutUint16(b[0x1C:], 0xFFFE)
	binary.LittleEndian.PutUint16(b[0x1E:], 9) // 512-byte sectors
	binary.LittleEndian.PutUint16(b[0x20:], 6)
	binary.LittleEndian.PutUint32(b[0x2C:], 1) // one FAT sector
	binary.LittleEndian.PutUint32(b[0x30:], 1) // directory in sector 1
	dir := b[2*sector:]
	for i, name := range names {
		entry := dir[i*128:]
		copy(entry, utf16le(name))
		binary.LittleEndian.PutUint16(entry[0x40:], uint16(2*len(name)+2))
	}
	return b
}

func TestFixtures(t *testing.T) {
	tests := []struct {
		file    string
		opts    Options
		sheet   string
		header  []string
		rows    []string
		wantErr string
	}{
		{
			file:   "contacts.csv",
			header: []string{"Mã KH", "Họ tên", "Điện thoại", "Ghi chú"},
			rows:   []string{"2: KH001|Nguyễn Văn An|0909080808|Khách VIP; gọi trước\nsau 9h", "4: KH002|Trần Thị Bình|0123456789|"},
		},
		{
			file:    "contacts-cp1258.csv",
			wantErr: "testdata/contacts-cp1258.csv: row 1: " + msgNotUTF8,
		},
		{
			file:   "contacts-cp1258.csv",
			opts:   Options{Encoding: "windows-1258"},
			header: []string{"Mã KH", "Họ tên", "Điện thoại"},
			rows:   []string{"2: KH001|Nguyễn Văn An|0909080808"},
		},
		{
			file:   "contacts.xlsx",
			sheet:  "Khách hàng",
			header: []string{"Mã KH", "Họ tên", "Điện thoại", "Ngày sinh", "Doanh số", "Ghi chú"},
			rows: []string{
				"2: KH001|Nguyễn Văn An|0909080808|1992-01-01|1230000000|Khách VIP",
				"4: KH002|Trần Thị Bình|0123456789||410000000|mã vùng",
			},
		},
		{
			file:   "contacts.xlsx",
			opts:   Options{Sheet: "lookups"},
			sheet:  "Lookups",
			header: []string{"Code"},
		},
		{file: "truncated.xlsx", wantErr: "testdata/truncated.xlsx: " + msgDamaged},
		{file: "utf16.csv", wantErr: "testdata/utf16.csv: " + msgUTF16},
		{file: "legacy.xls", wantErr: "testdata/legacy.xls: the file is an old Excel 97-2003 .xls workbook; open it in Excel or LibreOffice and save it as .xlsx or CSV UTF-8"},
		{file: "encrypted.xlsx", wantErr: "testdata/encrypted.xlsx: " + msgEncrypted},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := "testdata/" + tt.file
			r, err := Open(path, tt.opts)
			if tt.wantErr != "" {
				require.EqualError(t, fileError(t, err), tt.wantErr)
				return
			}
			require.NoError(t, err)
			defer func() { require.NoError(t, r.Close()) }()
			header, rows, warnings, err := drain(r)
			require.NoError(t, err)
			require.Empty(t, warnings)
			require.Equal(t, tt.sheet, r.SheetName())
			require.Equal(t, tt.header, header)
			require.Equal(t, tt.rows, texts(rows))
		})
	}

	t.Run("date cell", func(t *testing.T) {
		r, err := Open("testdata/contacts.xlsx", Options{})
		require.NoError(t, err)
		defer func() { require.NoError(t, r.Close()) }()
		row, err := r.Next()
		require.NoError(t, err)
		require.Equal(t, Cell{Text: "1992-01-01", Time: time.Date(1992, 1, 1, 0, 0, 0, 0, time.UTC), IsTime: true}, row.Cells[3])
	})
	t.Run("sheet names", func(t *testing.T) {
		names, err := SheetNames("testdata/contacts.xlsx")
		require.NoError(t, err)
		require.Equal(t, []string{"Khách hàng", "Lookups"}, names)
	})
	t.Run("fixtures are current", func(t *testing.T) {
		data, err := os.ReadFile("testdata/legacy.xls")
		require.NoError(t, err)
		require.True(t, bytes.Equal(compoundFile("Root Entry", "Workbook", "\x05SummaryInformation"), data))
	})
}
