package sheet

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// rawBook is a workbook written part by part, for what excelize never
// writes: inline and rich strings, formulas with saved results, escapes,
// odd references, broken parts.
type rawBook struct {
	Sheets   []rawSheet
	Shared   []string       // inner XML of each <si>
	NumFmts  map[int]string // custom number formats by id
	Xfs      []int          // numFmtId of each cell format; a cell's s attribute indexes it
	Date1904 bool
	Parts    map[string]string // extra parts, or replacements; "" removes a part
}

type rawSheet struct {
	Name  string
	Rows  string // XML inside <sheetData>
	State string // "", "hidden" or "veryHidden"
	Kind  string // relationship kind: "" means worksheet
}

const (
	nsMain = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
)

func (b rawBook) parts() map[string]string {
	p := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"_rels/.rels":         `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="` + nsRel + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
	}
	var sheets, rels strings.Builder
	for i, s := range b.Sheets {
		kind := s.Kind
		if kind == "" {
			kind = "worksheet"
		}
		state := ""
		if s.State != "" {
			state = ` state="` + s.State + `"`
		}
		fmt.Fprintf(&sheets, `<sheet name="%s" sheetId="%d"%s r:id="rId%d"/>`, s.Name, i+1, state, i+1)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="%s/%s" Target="worksheets/sheet%d.xml"/>`, i+1, nsRel, kind, i+1)
		p[fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1)] = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<worksheet xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><dimension ref="A1"/><sheetData>` + s.Rows + `</sheetData><pageMargins left="0.7"/></worksheet>`
	}
	rels.WriteString(`<Relationship Id="rIdS" Type="` + nsRel + `/styles" Target="styles.xml"/>`)
	rels.WriteString(`<Relationship Id="rIdT" Type="` + nsRel + `/sharedStrings" Target="/xl/sharedStrings.xml"/>`)
	pr := ""
	if b.Date1904 {
		pr = `<workbookPr date1904="1"/>`
	}
	p["xl/workbook.xml"] = `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `">` + pr + `<sheets>` + sheets.String() + `</sheets></workbook>`
	p["xl/_rels/workbook.xml.rels"] = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels.String() + `</Relationships>`

	var styles strings.Builder
	styles.WriteString(`<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="` + nsMain + `"><numFmts>`)
	for _, id := range slices.Sorted(maps.Keys(b.NumFmts)) {
		fmt.Fprintf(&styles, `<numFmt numFmtId="%d" formatCode="%s"/>`, id, xmlEscape(b.NumFmts[id]))
	}
	// cellStyleXfs comes first and must not be mistaken for cellXfs.
	styles.WriteString(`</numFmts><cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs>`)
	for _, id := range append([]int{0}, b.Xfs...) {
		fmt.Fprintf(&styles, `<xf numFmtId="%d" applyNumberFormat="1"/>`, id)
	}
	styles.WriteString(`</cellXfs></styleSheet>`)
	p["xl/styles.xml"] = styles.String()

	var sst strings.Builder
	fmt.Fprintf(&sst, `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="%s" count="%d" uniqueCount="%d">`, nsMain, len(b.Shared), len(b.Shared))
	for _, si := range b.Shared {
		sst.WriteString("<si>" + si + "</si>")
	}
	sst.WriteString("</sst>")
	p["xl/sharedStrings.xml"] = sst.String()
	for name, body := range b.Parts {
		if body == "" {
			delete(p, name)
		} else {
			p[name] = body
		}
	}
	return p
}

// write saves the book as dir/name; the first style (s="1") is b.Xfs[0].
func (b rawBook) write(t testing.TB, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	writeZip(t, path, b.parts())
	return path
}

func xmlEscape(s string) string {
	return strings.NewReplacer(`&`, "&amp;", `<`, "&lt;", `>`, "&gt;", `"`, "&quot;").Replace(s)
}

// writeZip writes parts in name order, deflated.
func writeZip(t testing.TB, path string, parts map[string]string) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	zw := zip.NewWriter(f)
	names := make([]string, 0, len(parts))
	for name := range parts {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, err = io.WriteString(w, parts[name])
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
}

// oneSheet is a book with one sheet named "Data" holding rows.
func oneSheet(rows string) rawBook {
	return rawBook{Sheets: []rawSheet{{Name: "Data", Rows: rows}}}
}

// inline is an inline-string cell.
func inline(ref, text string) string {
	return `<c r="` + ref + `" t="inlineStr"><is><t xml:space="preserve">` + xmlEscape(text) + `</t></is></c>`
}

// writeFile writes data to dir/name.
func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, data, 0o600))
	return path
}

// writeExcelize saves rows (row 1 first) to a workbook made by excelize;
// style, if not nil, is applied to each cell after it is set.
func writeExcelize(t testing.TB, name string, rows [][]any, style func(f *excelize.File, cell string, v any)) string {
	t.Helper()
	f := excelize.NewFile()
	for r, row := range rows {
		for c, v := range row {
			cell, err := excelize.CoordinatesToCellName(c+1, r+1)
			require.NoError(t, err)
			require.NoError(t, f.SetCellValue("Sheet1", cell, v))
			if style != nil {
				style(f, cell, v)
			}
		}
	}
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, f.SaveAs(path))
	require.NoError(t, f.Close())
	return path
}

// readAll opens path and returns the header, the rows and the warnings.
func readAll(t testing.TB, path string, opts Options) ([]string, []Row, []string, error) {
	t.Helper()
	r, err := Open(path, opts)
	if err != nil {
		return nil, nil, nil, err
	}
	defer func() { require.NoError(t, r.Close()) }()
	return drain(r)
}

func drain(r Reader) ([]string, []Row, []string, error) {
	var rows []Row
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			return r.Header(), rows, r.Warnings(), nil
		}
		if err != nil {
			return r.Header(), rows, r.Warnings(), err
		}
		if len(row.Cells) != len(r.Header()) {
			return nil, nil, nil, fmt.Errorf("row %d has %d cells for %d header columns", row.Num, len(row.Cells), len(r.Header()))
		}
		rows = append(rows, row)
	}
}

// texts flattens rows to "num: a|b|c" for compact assertions.
func texts(rows []Row) []string {
	if len(rows) == 0 {
		return nil
	}
	out := make([]string, len(rows))
	for i, row := range rows {
		cells := make([]string, len(row.Cells))
		for j, c := range row.Cells {
			cells[j] = c.Text
		}
		out[i] = fmt.Sprintf("%d: %s", row.Num, strings.Join(cells, "|"))
	}
	return out
}

// fileError asserts err is a *FileError and returns it.
func fileError(t testing.TB, err error) *FileError {
	t.Helper()
	require.Error(t, err)
	fe, ok := errors.AsType[*FileError](err)
	require.Truef(t, ok, "want *FileError, got %T: %v", err, err)
	return fe
}
