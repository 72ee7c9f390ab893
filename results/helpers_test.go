package results

import (
	"archive/zip"
	"encoding/xml"
	"io"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// withMaxRows lowers MaxSheetRows for one test.
func withMaxRows(t *testing.T, n int) {
	t.Helper()
	old := MaxSheetRows
	MaxSheetRows = n
	t.Cleanup(func() { MaxSheetRows = old })
}

// write makes a results workbook in a fresh directory and returns its path.
func write(t *testing.T, header []string, succ []Success, fail []Failure, sum Summary) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "in.results.xlsx")
	w, err := Create(p, header)
	require.NoError(t, err)
	for _, s := range succ {
		require.NoError(t, w.Succeeded(s))
	}
	for _, f := range fail {
		require.NoError(t, w.Failed(f))
	}
	require.NoError(t, w.Close(sum))
	return p
}

func open(t *testing.T, p string) *excelize.File {
	t.Helper()
	f, err := excelize.OpenFile(p)
	require.NoError(t, err)
	t.Cleanup(func() { _ = f.Close() })
	return f
}

func rowsOf(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	return rows
}

// rawCell is a cell as the worksheet XML has it.
type rawCell struct {
	Ref     string `xml:"r,attr"`
	Type    string `xml:"t,attr"`
	Style   int    `xml:"s,attr"`
	Formula *struct {
		Text string `xml:",chardata"`
	} `xml:"f"`
	Value  string `xml:"v"`
	Inline string `xml:"is>t"`
}

// rawWorksheet is the part of a worksheet's XML the tests look at.
type rawWorksheet struct {
	Cols []struct {
		Min   int     `xml:"min,attr"`
		Max   int     `xml:"max,attr"`
		Width float64 `xml:"width,attr"`
	} `xml:"cols>col"`
	Rows []struct {
		R     int       `xml:"r,attr"`
		Style int       `xml:"s,attr"`
		Cells []rawCell `xml:"c"`
	} `xml:"sheetData>row"`
}

// rawSheet reads the cells of a sheet straight from the worksheet XML.
func rawSheet(t *testing.T, p, sheet string) map[string]rawCell {
	t.Helper()
	cells := map[string]rawCell{}
	for _, r := range readWorksheet(t, p, sheet).Rows {
		for _, c := range r.Cells {
			cells[c.Ref] = c
		}
	}
	return cells
}

// readWorksheet decodes a sheet's worksheet XML.
func readWorksheet(t *testing.T, p, sheet string) rawWorksheet {
	t.Helper()
	zr, err := zip.OpenReader(p)
	require.NoError(t, err)
	defer func() { _ = zr.Close() }()
	read := func(name string) []byte {
		for _, zf := range zr.File {
			if zf.Name == name {
				rc, err := zf.Open()
				require.NoError(t, err)
				defer func() { _ = rc.Close() }()
				b, err := io.ReadAll(rc)
				require.NoError(t, err)
				return b
			}
		}
		t.Fatalf("no part %s", name)
		return nil
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	require.NoError(t, xml.Unmarshal(read("xl/workbook.xml"), &wb))
	var rels struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	require.NoError(t, xml.Unmarshal(read("xl/_rels/workbook.xml.rels"), &rels))
	var part string
	for _, s := range wb.Sheets {
		if s.Name != sheet {
			continue
		}
		for _, r := range rels.Rel {
			if r.ID == s.RID {
				part = strings.TrimPrefix(path.Join("xl", r.Target), "/")
				if strings.HasPrefix(r.Target, "/") {
					part = strings.TrimPrefix(r.Target, "/")
				}
			}
		}
	}
	require.NotEmpty(t, part, "sheet %s", sheet)
	var ws rawWorksheet
	require.NoError(t, xml.Unmarshal(read(part), &ws))
	return ws
}

func cellName(t *testing.T, col, row int) string {
	t.Helper()
	n, err := excelize.CoordinatesToCellName(col, row)
	require.NoError(t, err)
	return n
}
