package sheet

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestOpenSniffsContent(t *testing.T) {
	xlsx, err := os.ReadFile(oneSheet(`<row r="1">`+inline("A1", "Name")+`</row><row r="2">`+inline("A2", "An")+`</row>`).write(t, "ok.xlsx"))
	require.NoError(t, err)
	zipOf := func(parts map[string]string) []byte {
		path := filepath.Join(t.TempDir(), "x.zip")
		writeZip(t, path, parts)
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		return data
	}
	ods := zipOf(map[string]string{"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"})
	xlsb := zipOf(map[string]string{"_rels/.rels": `<Relationships><Relationship Id="r" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>`, "xl/workbook.bin": "\x00"})
	photos := zipOf(map[string]string{"photo.jpg": "\xFF\xD8"})

	tests := []struct {
		name    string
		data    []byte
		want    string // error message after "<name>: ", or "" to read the file
		wantHdr []string
	}{
		{name: "book.xlsx", data: xlsx, wantHdr: []string{"Name"}},
		{name: "book.XLSM", data: xlsx, wantHdr: []string{"Name"}},
		{name: "renamed.csv", data: xlsx, wantHdr: []string{"Name"}},
		{name: "export.xls", data: xlsx, wantHdr: []string{"Name"}},
		{name: "data.csv", data: []byte("Name,Phone\nAn,1\n"), wantHdr: []string{"Name", "Phone"}},
		{name: "data.TXT", data: []byte("Name;Phone\nAn;1\n"), wantHdr: []string{"Name", "Phone"}},
		{name: "data.tsv", data: []byte("Name,x\tPhone\nAn,1\t2\n"), wantHdr: []string{"Name,x", "Phone"}},
		{name: "legacy.xls", data: compoundFile("Root Entry", "Workbook"), want: msgXLS},
		{name: "legacy-renamed.xlsx", data: compoundFile("Root Entry", "Workbook"), want: msgXLS},
		{name: "locked.xlsx", data: compoundFile("Root Entry", "EncryptionInfo", "EncryptedPackage"), want: msgEncrypted},
		{name: "sheet.ods", data: ods, want: msgODS},
		{name: "sheet-renamed.xlsx", data: ods, want: msgODS},
		{name: "sheet.ods", data: []byte("not a zip"), want: msgODS},
		{name: "binary.xlsb", data: xlsb, want: msgXLSB},
		{name: "photos.xlsx", data: photos, want: msgNotBook},
		{name: "cut.xlsx", data: xlsx[:len(xlsx)-30], want: msgDamaged},
		{name: "report.xls", data: []byte("\uFEFF  <html><table><tr><td>Name</td></tr></table></html>"), want: msgWebPage},
		{name: "report.xlsx", data: []byte(`<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>`), want: msgWebPage},
		{name: "data.xlsx", data: []byte("Name,Phone\nAn,1\n"), want: msgNotZip},
		{name: "empty.csv", data: nil, want: msgEmpty},
		{name: "empty.xlsx", data: nil, want: msgEmpty},
		{name: "data.json", data: []byte(`{"a":1}`), want: `files of type ".json" cannot be read; use .csv, .tsv, .txt, .xlsx or .xlsm`},
		{name: "README", data: []byte("Name\n"), want: "the file name has no extension, so its type is unknown; use .csv, .tsv, .txt, .xlsx or .xlsm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, tt.name, tt.data)
			r, err := Open(path, Options{})
			if tt.want != "" {
				fe := fileError(t, err)
				require.Equal(t, path, fe.File)
				require.Equal(t, path+": "+tt.want, fe.Error())
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.wantHdr, r.Header())
			require.NoError(t, r.Close())
		})
	}
}

func TestOpenFileProblems(t *testing.T) {
	dir := t.TempDir()
	_, err := Open(filepath.Join(dir, "missing.csv"), Options{})
	fe := fileError(t, err)
	require.Equal(t, filepath.Join(dir, "missing.csv")+": cannot open the file: no such file or directory", fe.Error())
	require.ErrorIs(t, err, fs.ErrNotExist)

	_, err = Open(dir, Options{})
	require.Equal(t, dir+": the path is a directory, not a file", fileError(t, err).Error())

	_, err = SheetNames(filepath.Join(dir, "missing.xlsx"))
	require.ErrorIs(t, err, fs.ErrNotExist)
}

func TestSheetNamesOfCSV(t *testing.T) {
	names, err := SheetNames(writeFile(t, "a.csv", []byte("Name\n")))
	require.NoError(t, err)
	require.Nil(t, names)
}

func TestHeaderNotInRowOne(t *testing.T) {
	tests := []struct {
		name, rows, want string
	}{
		{name: "empty sheet", rows: "", want: msgEmpty},
		{name: "only empty rows", rows: `<row r="1"><c r="A1" s="1"/></row><row r="4"/>`, want: msgEmpty},
		{name: "row 1 blank", rows: `<row r="1"><c r="A1" t="inlineStr"><is><t> </t></is></c></row><row r="3">` + inline("B3", "Name") + `</row>`,
			want: "row 1: row 1 is blank, but the header must be in row 1 (the first values are in row 3); delete the rows above the header"},
		{name: "row 1 missing", rows: `<row r="2">` + inline("A2", "Name") + `</row>`,
			want: "row 1: row 1 is blank, but the header must be in row 1 (the first values are in row 2); delete the rows above the header"},
		{name: "blank header between names", rows: `<row r="1">` + inline("A1", "Name") + inline("C1", "Email") + `</row>`,
			want: "row 1: column B has no header; give it a name or delete the column"},
		{name: "blank headers are found before duplicates", rows: `<row r="1">` + inline("A1", "Email") + inline("B1", "Name") + inline("E1", "EMAIL") + `</row>`,
			want: "row 1: column C has no header; give it a name or delete the column"},
		{name: "duplicate header", rows: `<row r="1">` + inline("A1", "x") + inline("B1", "Email") + inline("C1", "y") + inline("D1", "z") + inline("E1", " email") + `</row>`,
			want: `row 1: header "Email" appears twice: columns B and E; rename or delete one of them`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := oneSheet(tt.rows).write(t, "h.xlsx")
			_, err := Open(path, Options{})
			require.Equal(t, path+`: sheet "Data": `+tt.want, fileError(t, err).Error())
		})
	}
}

func TestReaderLifecycle(t *testing.T) {
	r, err := Open(writeFile(t, "a.csv", []byte("Name,Phone\nAn,1\n")), Options{})
	require.NoError(t, err)
	h := r.Header()
	h[0] = "changed"
	require.Equal(t, []string{"Name", "Phone"}, r.Header(), "Header returns a copy")

	row, err := r.Next()
	require.NoError(t, err)
	require.Equal(t, Row{Num: 2, Cells: []Cell{{Text: "An"}, {Text: "1"}}}, row)
	_, err = r.Next()
	require.ErrorIs(t, err, io.EOF)
	_, err = r.Next()
	require.ErrorIs(t, err, io.EOF)

	require.NoError(t, r.Close())
	require.NoError(t, r.Close())
	_, err = r.Next()
	require.ErrorIs(t, err, errClosed)
}

func TestFileErrorString(t *testing.T) {
	cause := errors.New("cause")
	tests := []struct {
		err  FileError
		want string
	}{
		{FileError{File: "contacts.csv", Row: 7, Msg: msgNotUTF8}, "contacts.csv: row 7: invalid UTF-8 (the file is not UTF-8; pass --encoding windows-1258 or windows-1252, or save it as CSV UTF-8)"},
		{FileError{File: "a.xlsx", Sheet: "Khách hàng", Row: 1, Column: "B", Msg: "column B has no header"}, `a.xlsx: sheet "Khách hàng": row 1: column B has no header`},
		{FileError{File: "a.csv", Row: 3, Line: 5, Msg: "bad"}, "a.csv: row 3 (line 5): bad"},
		{FileError{File: "a.csv", Row: 3, Line: 3, Msg: "bad"}, "a.csv: row 3: bad"},
		{FileError{File: "a.xlsx", Msg: msgDamaged, Err: cause}, "a.xlsx: " + msgDamaged},
		{FileError{File: "a.xlsx", Err: cause}, "a.xlsx: cause"},
		{FileError{Row: 2, Msg: "bad"}, "row 2: bad"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.err.Error())
	}
	wrapped := &FileError{File: "a", Err: cause}
	require.ErrorIs(t, wrapped, cause)
}
