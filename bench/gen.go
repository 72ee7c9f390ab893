//go:build bench

package bench

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// AccountsHeader is the header of samples/migration/accounts.csv, which the sample
// mapping samples/migration/mappings/accounts.yaml reads (sheet "Accounts").
var AccountsHeader = []string{"Mã KH", "Tên công ty", "Tên đầy đủ", "Mã số thuế", "Điện thoại", "Email", "Địa chỉ", "Website", "Ngành", "Nguồn", "Người phụ trách", "Ghi chú"}

// The sample sandbox's master data, so every generated row is valid.
var (
	industries = []string{"Technology", "Retail", "Manufacturing", "Food & Beverage", "Logistics"}
	sources    = []string{"Website", "Referral", "Event"}
	owners     = []string{"an.nguyen@example.vn", "binh.tran@example.vn", "cuong.le@example.vn", "dung.pham@example.vn", "duc.vo@example.vn"}
	mobile     = []string{"090", "091", "093", "094", "096", "097", "098"}
	streets    = []string{"Nguyễn Huệ", "Lê Lợi", "Hàng Gai", "Võ Văn Tần", "Trần Hưng Đạo", "Điện Biên Phủ", "Bạch Đằng"}
	cities     = []string{"Quận 1, TP. Hồ Chí Minh", "Quận Hoàn Kiếm, Hà Nội", "Quận Hải Châu, Đà Nẵng", "Quận 3, TP. Hồ Chí Minh"}
)

// AccountRow is row i (0-based) of a generated accounts sheet: Vietnamese text, a
// tax number with its leading 0, a phone whose leading 0 Excel ate (every tenth
// one in international form), references by name and e-mail. A non-zero variant
// changes the name and the note (for update runs).
func AccountRow(i, variant int) []string {
	phone := mobile[i%len(mobile)][1:] + fmt.Sprintf("%07d", (i*7919)%10_000_000)
	if i%10 == 0 {
		phone = "+84 28 " + fmt.Sprintf("%04d %04d", 3800+i%200, i%10_000)
	}
	name := "Công ty " + strconv.Itoa(i)
	note := "Khách hàng số " + strconv.Itoa(i)
	if variant != 0 {
		name += " (đổi tên " + strconv.Itoa(variant) + ")"
		note += " – cập nhật " + strconv.Itoa(variant)
	}
	return []string{
		fmt.Sprintf("BA-%07d", i),
		name,
		"Công ty TNHH Thương mại Dịch vụ Số " + strconv.Itoa(i),
		fmt.Sprintf("03%08d", i),
		phone,
		"lienhe" + strconv.Itoa(i) + "@example.vn",
		strconv.Itoa(1+i%300) + " " + streets[i%len(streets)] + ", " + cities[i%len(cities)],
		"https://cty" + strconv.Itoa(i) + ".example.vn",
		industries[i%len(industries)],
		sources[i%len(sources)],
		owners[i%len(owners)],
		note,
	}
}

// WriteAccountsCSV writes rows data rows (variant as in AccountRow) to path.
func WriteAccountsCSV(path string, rows, variant int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	if err := w.Write(AccountsHeader); err != nil {
		_ = f.Close()
		return err
	}
	for i := range rows {
		if err := w.Write(AccountRow(i, variant)); err != nil {
			_ = f.Close()
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		_ = f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// WriteAccountsXLSX writes rows data rows to a workbook whose only sheet is "Accounts",
// laid out as Excel saves one: text in the shared-string table (sharedStrings true), the
// phone column as a number where Excel would have eaten its leading 0, and a minimal
// styles part. With sharedStrings false the text is written inline (t="inlineStr"), as
// excelize's StreamWriter and some exporters do. The parts are written directly (not
// through excelize) so a 1M-row workbook takes seconds.
func WriteAccountsXLSX(path string, rows int, sharedStrings bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f) // buffered inside
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed) // inflating costs the reader the same at any level
	})
	fail := func(err error) error {
		_ = zw.Close()
		_ = f.Close()
		return err
	}
	static := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Accounts" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`},
		{"xl/styles.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs></styleSheet>`},
	}
	for _, p := range static {
		w, err := zw.Create(p.name)
		if err != nil {
			return fail(err)
		}
		if _, err := io.WriteString(w, p.body); err != nil {
			return fail(err)
		}
	}
	// Text goes to the shared-string table in order of first use, as Excel writes it.
	// The table is written first, then the sheet: both walk the rows with the same
	// deterministic numbering, so nothing proportional to the rows is held in memory.
	if sharedStrings {
		w, err := zw.Create("xl/sharedStrings.xml")
		if err != nil {
			return fail(err)
		}
		bw := bufio.NewWriterSize(w, 1<<16)
		count, unique := sstCounts(rows)
		fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, count, unique)
		st := newSSTNumbering()
		emit := func(col int, v string) {
			if _, isNew := st.index(col, v); isNew {
				bw.WriteString(`<si><t xml:space="preserve">`)
				_ = xml.EscapeText(bw, []byte(v))
				bw.WriteString(`</t></si>`)
			}
		}
		for j, h := range AccountsHeader {
			emit(-1-j, h)
		}
		for i := range rows {
			for j, v := range AccountRow(i, 0) {
				if j != 4 || strings.HasPrefix(v, "+") {
					emit(j, v)
				}
			}
		}
		bw.WriteString(`</sst>`)
		if err := bw.Flush(); err != nil {
			return fail(err)
		}
	} else {
		w, err := zw.Create("xl/sharedStrings.xml")
		if err != nil {
			return fail(err)
		}
		if _, err := io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"></sst>`); err != nil {
			return fail(err)
		}
	}
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return fail(err)
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetData>`)
	cols := []byte("ABCDEFGHIJKL")
	st := newSSTNumbering()
	writeRow := func(r int, vals []string) {
		bw.WriteString(`<row r="` + strconv.Itoa(r) + `">`)
		for j, v := range vals {
			ref := string(cols[j]) + strconv.Itoa(r)
			if j == 4 && r > 1 && !strings.HasPrefix(v, "+") { // a phone Excel turned into a number
				bw.WriteString(`<c r="` + ref + `"><v>` + v + `</v></c>`)
				continue
			}
			if sharedStrings {
				col := j
				if r == 1 {
					col = -1 - j
				}
				i, _ := st.index(col, v)
				bw.WriteString(`<c r="` + ref + `" t="s"><v>` + strconv.Itoa(i) + `</v></c>`)
				continue
			}
			bw.WriteString(`<c r="` + ref + `" t="inlineStr"><is><t>`)
			_ = xml.EscapeText(bw, []byte(v))
			bw.WriteString(`</t></is></c>`)
		}
		bw.WriteString(`</row>`)
	}
	writeRow(1, AccountsHeader)
	for i := range rows {
		writeRow(i+2, AccountRow(i, 0))
	}
	bw.WriteString(`</sheetData></worksheet>`)
	if err := bw.Flush(); err != nil {
		return fail(err)
	}
	if err := zw.Close(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// sstNumbering numbers shared strings in order of first use. Values of the columns that
// repeat (address, industry, source, owner; the header) are de-duplicated through a map;
// the other columns are unique per row by construction and simply take the next number.
type sstNumbering struct {
	seen map[string]int
	next int
}

func newSSTNumbering() *sstNumbering { return &sstNumbering{seen: map[string]int{}} }

func (s *sstNumbering) index(col int, v string) (int, bool) {
	switch col {
	case 6, 8, 9, 10:
	default:
		if col >= 0 {
			s.next++
			return s.next - 1, true
		}
	}
	if i, ok := s.seen[v]; ok {
		return i, false
	}
	s.seen[v] = s.next
	s.next++
	return s.next - 1, true
}

// sstCounts is what Excel writes on the sst element: the shared-string cells (count)
// and the distinct strings (uniqueCount), which a reader may use to size its table.
func sstCounts(rows int) (count, unique int) {
	st := newSSTNumbering()
	for j, h := range AccountsHeader {
		st.index(-1-j, h)
		count++
	}
	for i := range rows {
		for j, v := range AccountRow(i, 0) {
			if j != 4 || strings.HasPrefix(v, "+") {
				st.index(j, v)
				count++
			}
		}
	}
	return count, st.next
}
