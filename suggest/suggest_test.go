package suggest_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oplabatch/oplabatch/importer"
	"github.com/oplabatch/oplabatch/mapping"
	"github.com/oplabatch/oplabatch/opla"
	"github.com/oplabatch/oplabatch/opla/oplatest"
	"github.com/oplabatch/oplabatch/sheet"
	"github.com/oplabatch/oplabatch/suggest"
	"github.com/oplabatch/oplabatch/templates"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

const sampleWorkbook = "../samples/migration/migration.xlsx"

// rows turns text rows into sheet rows (row 2 on).
func rows(texts ...[]string) []sheet.Row {
	var out []sheet.Row
	for i, r := range texts {
		row := sheet.Row{Num: i + 2}
		for _, t := range r {
			row.Cells = append(row.Cells, sheet.Cell{Text: t})
		}
		out = append(out, row)
	}
	return out
}

// column is one header with its sampled values.
func column(header string, values ...string) ([]string, []sheet.Row) {
	var rs [][]string
	for _, v := range values {
		rs = append(rs, []string{v})
	}
	return []string{header}, rows(rs...)
}

func suggestOne(t *testing.T, entity, header string, values ...string) *suggest.Suggestion {
	t.Helper()
	h, r := column(header, values...)
	s, err := suggest.Suggest(suggest.Options{Entity: entity, Header: h, Rows: r})
	require.NoError(t, err)
	return s
}

func TestHeaderMatches(t *testing.T) {
	tests := []struct {
		entity, header string
		values         []string
		want           string // "" = unmatched
	}{
		{"contacts", "first_name", nil, "first_name"},
		{"contacts", "First Name", nil, "first_name"},
		{"contacts", "FIRST-NAME", nil, "first_name"},
		{"contacts", "Tên", nil, "first_name"},
		{"contacts", "Họ", nil, "last_name"},
		{"contacts", "HO", nil, "last_name"},
		{"contacts", "Họ và tên đệm", nil, "last_name"},
		{"leads", "Họ và tên", nil, "contact_name"},
		{"contacts", "Họ và tên", nil, ""},
		{"contacts", "Điện thoại", nil, "phone_work"},
		{"contacts", "SĐT", nil, "phone_work"},
		{"contacts", "Điện thoại khác", nil, "phone_other"},
		{"accounts", "Di động", nil, "phone"},
		{"accounts", "Số điện thoại liên hệ chính", nil, "phone"},
		{"accounts", "Địa chỉ", nil, "address"},
		{"accounts", "dia chi", nil, "address"},
		{"accounts", "Đ/C", nil, "address"},
		{"accounts", "Mã số thuế", nil, "tax_identification_number"},
		{"accounts", "MST", nil, "tax_identification_number"},
		{"contacts", "Ngày sinh", nil, "birthday"},
		{"contacts", "Ngay sinh nhat", nil, "birthday"},
		{"contacts", "Giới tính", nil, "gender"},
		{"contacts", "Gioi tinh", nil, "gender"},
		{"contacts", "Công ty", nil, "account_external_id"},
		{"leads", "Công ty", nil, "account_name"},
		{"accounts", "Công ty", nil, "name"},
		{"accounts", "Tên công ty", nil, "name"},
		{"leads", "Tên công ty", nil, "account_name"},
		{"accounts", "Người phụ trách", []string{"an.nguyen@example.vn"}, "owner_id"},
		{"opportunities", "Người phụ trách", []string{"an.nguyen@example.vn"}, "owner_email"},
		{"opportunities", "Người phụ trách", []string{"MNV_001"}, "owner_external_id"},
		{"opportunities", "Mã NV phụ trách", []string{"MNV_001"}, "owner_external_id"},
		{"accounts", "Email người phụ trách", nil, "owner_id"},
		{"contacts", "Email", nil, "email"},
		{"contacts", "E-mail", nil, "email"},
		{"contacts", "Thư điện tử", nil, "email"},
		{"contacts", "Email", []string{"không có", "n/a"}, "email"}, // the name wins, the values get a check
		{"contacts", "Phòng ban", nil, "department"},
		{"leads", "Chức danh", nil, "job_title"},
		{"leads", "Chức vụ", nil, "job_title"},
		{"accounts", "Website", nil, "website"},
		{"accounts", "Ghi chú", nil, "note"},
		{"contacts", "Ghi chú", nil, "description"},
		{"accounts", "Mô tả", nil, "description"},
		{"accounts", "Ngành", nil, "industry_id"},
		{"leads", "Ngành nghề", nil, "industry"},
		{"accounts", "Nguồn", nil, "source_id"},
		{"leads", "Trạng thái", nil, "lead_status"},
		{"accounts", "Mã KH", nil, "external_id"},
		{"accounts", "Mã khách hàng", nil, "external_id"},
		{"contacts", "Mã KH", nil, "account_external_id"},
		{"contacts", "Mã LH", nil, "external_id"},
		{"opportunities", "Mã LH", nil, "contacts_external_ids"},
		{"employees", "Mã NV", nil, "external_id"},
		{"accounts", "Mã NV", nil, "owner_id"},
		{"leads", "Mã lead", nil, "external_id"},
		{"products", "Mã SP", nil, "external_id"},
		{"products", "Đơn giá", nil, "price"},
		{"products", "ĐVT", nil, "unit_of_measure_id"},
		{"products", "Danh mục con", nil, "sub_category_id"},
		{"products", "Tên công ty", nil, ""},
		{"accounts", "Tên đầy đủ", nil, "long_name"},
		{"opportunities", "Ngày đóng dự kiến", nil, "date_closed"},
		{"opportunities", "Giai đoạn", nil, "sale_process_stage"},
		{"opportunities", "Kết quả", nil, "stage_close"},
		{"employees", "Chi nhánh", nil, "site_id"},
		{"sites", "Tên chi nhánh", nil, "value"},
		{"contacts", "Dien thoaii", nil, "phone_work"}, // a typo, fuzzy
		{"contacts", "Ngày vào làm", nil, ""},
		{"contacts", "Số thích", nil, ""},
		{"contacts", "_error", nil, ""},
		{"accounts", "Tên *", nil, "name"},
		{"contacts", "Owner e-mail", nil, "owner_id"},
	}
	for _, tc := range tests {
		t.Run(tc.entity+"/"+tc.header, func(t *testing.T) {
			s := suggestOne(t, tc.entity, tc.header, tc.values...)
			if tc.want == "" {
				require.Empty(t, s.Matches, "matched %v", s.Matches)
				return
			}
			require.Len(t, s.Matches, 1)
			m := s.Matches[0]
			require.Equal(t, tc.want, m.Field, "%s (%s)", m.Reason, strconv.FormatFloat(m.Confidence, 'f', 2, 64))
			require.GreaterOrEqual(t, m.Confidence, 0.6)
		})
	}
}

// TestOneColumnPerField: two columns that mean the same field do not both get it; the
// more certain one does and the other gets its next best field.
func TestOneColumnPerField(t *testing.T) {
	s, err := suggest.Suggest(suggest.Options{Entity: "contacts", Header: []string{"Di động", "Điện thoại", "SĐT khác", "Mã", "external_id"}})
	require.NoError(t, err)
	got := map[string]string{}
	for _, m := range s.Matches {
		got[m.Header] = m.Field
	}
	require.Equal(t, map[string]string{"Điện thoại": "phone_work", "SĐT khác": "phone_other", "external_id": "external_id"}, got)
	require.Len(t, s.Unmatched, 2)
	_, err = mapping.Parse(s.YAML(), "draft", opla.DefaultProfile())
	require.NoError(t, err)
}

func TestEnumValueMaps(t *testing.T) {
	tests := []struct {
		name    string
		field   string
		entity  string
		values  []string
		wantMap map[string]string
		todo    []string
	}{
		{"vietnamese", "Giới tính", "contacts", []string{"Nam", "Nữ", "nam", "NỮ", "Khác"}, map[string]string{"Nam": "MALE", "Nữ": "FEMALE", "Khác": "OTHER"}, nil},
		{"api values need no map", "Gender", "contacts", []string{"MALE", "female", "Other"}, nil, nil},
		{"english words", "Gender", "leads", []string{"Male", "F", "M"}, map[string]string{"F": "FEMALE", "M": "MALE"}, nil},
		{"unknown word", "Giới tính", "contacts", []string{"Nam", "Nam giới", "Nam giới", "Nữ"}, map[string]string{"Nam": "MALE", "Nữ": "FEMALE"}, []string{`"Nam giới" (row 3 and 1 more)`}},
		{"close result", "Kết quả", "opportunities", []string{"Thắng", "Thua", "CLOSE_WON"}, map[string]string{"Thắng": "CLOSE_WON", "Thua": "CLOSE_LOST"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := suggestOne(t, tc.entity, tc.field, tc.values...)
			require.Len(t, s.Matches, 1)
			m := s.Matches[0]
			require.Equal(t, tc.wantMap, m.Map)
			require.Len(t, m.TODO, len(tc.todo))
			for i, want := range tc.todo {
				require.Contains(t, m.TODO[i], want)
			}
			y := string(s.YAML())
			if len(tc.todo) > 0 {
				require.Contains(t, y, "# TODO: \"Nam giới\"")
				require.Contains(t, m.TODO[0], `nearest: "nam", which is MALE`)
			}
		})
	}
}

func TestDateFormats(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   []string
		note   string
	}{
		{"day first, Vietnam", []string{"14/03/1988", "01/12/1990"}, []string{"02/01/2006"}, ""},
		{"ambiguous reads day first", []string{"01/02/1990", "03/04/1991"}, []string{"02/01/2006"}, "no value tells day and month apart"},
		{"month first", []string{"03/14/1988", "12/01/1990"}, []string{"01/02/2006"}, "month first"},
		{"unpadded", []string{"4/3/1988", "14/12/1990"}, []string{"2/1/2006"}, ""},
		{"dashes", []string{"14-03-1988"}, []string{"02-01-2006"}, ""},
		{"iso", []string{"1988-03-14", "1990-12-01"}, []string{"2006-01-02"}, ""},
		{"both", []string{"14/03/1988", "1990-12-01"}, []string{"02/01/2006", "2006-01-02"}, ""},
		{"with a time", []string{"14/03/2024 08:30"}, []string{"02/01/2006", "02/01/2006 15:04"}, ""},
		{"no values", nil, []string{"02/01/2006"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := suggestOne(t, "contacts", "Ngày sinh", tc.values...)
			require.Len(t, s.Matches, 1)
			m := s.Matches[0]
			require.Equal(t, tc.want, m.Formats)
			if tc.note != "" {
				require.Contains(t, strings.Join(m.Notes, "\n"), tc.note)
			}
			for _, n := range m.Notes {
				require.NotContains(t, n, "would fail", "every sampled value parses with the formats")
			}
		})
	}
	// Excel date cells need no format; a bad one is named.
	h := []string{"Ngày mở"}
	r := []sheet.Row{
		{Num: 2, Cells: []sheet.Cell{{Text: "2026-01-05", Time: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), IsTime: true}}},
		{Num: 3, Cells: []sheet.Cell{{Text: "31/02/2026"}}},
	}
	s, err := suggest.Suggest(suggest.Options{Entity: "opportunities", Header: h, Rows: r})
	require.NoError(t, err)
	notes := strings.Join(s.Matches[0].Notes, "\n")
	require.Contains(t, notes, "1 cells are Excel dates")
	require.Contains(t, notes, `row 3: "31/02/2026" is not a real date`)
}

func TestReferences(t *testing.T) {
	tests := []struct {
		name, entity, header string
		values               []string
		field, ref, sep      string
	}{
		{"owner by e-mail", "accounts", "Người phụ trách", []string{"an.nguyen@example.vn", "binh.tran@example.vn"}, "owner_id", "employees.email", ""},
		{"owner by code", "accounts", "Người phụ trách", []string{"MNV_001", "MNV_002"}, "owner_id", "employees", ""},
		{"industry by name", "accounts", "Ngành", []string{"Retail"}, "industry_id", "industries.name", ""},
		{"industry by id", "accounts", "Ngành", []string{"77c4f04a-bca3-486e-9b80-1522e13f080a"}, "industry_id", "industries", ""},
		{"source of a lead", "leads", "Nguồn", []string{"Website"}, "source", "sources.name", ""},
		{"contacts with commas", "opportunities", "Liên hệ", []string{"CT-001, CT-002"}, "contacts_external_ids", "contacts", ","},
		{"contacts with bars", "opportunities", "Mã LH", []string{"CT-001|CT-002", "CT-003"}, "contacts_external_ids", "contacts", "|"},
		{"account", "contacts", "Mã KH", []string{"ACC-001"}, "account_external_id", "accounts", ""},
		{"stage", "opportunities", "Giai đoạn", []string{"Proposal"}, "sale_process_stage", "sales-process-stages.name", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := suggestOne(t, tc.entity, tc.header, tc.values...)
			require.Len(t, s.Matches, 1)
			m := s.Matches[0]
			require.Equal(t, tc.field, m.Field)
			require.Equal(t, tc.ref, m.Ref)
			require.Equal(t, tc.sep, m.Separator)
		})
	}
}

func TestNumberLocale(t *testing.T) {
	s := suggestOne(t, "products", "Đơn giá", "12.500.000", "1.200.000,50")
	require.Equal(t, "vi", s.Matches[0].Locale)
	s = suggestOne(t, "products", "Price", "12,500,000.00", "1,200.5")
	require.Equal(t, "en", s.Matches[0].Locale)
	s = suggestOne(t, "products", "Price", "12500000")
	require.Equal(t, "", s.Matches[0].Locale)
}

func TestUnmatchedAndMissing(t *testing.T) {
	s, err := suggest.Suggest(suggest.Options{Entity: "leads", Header: []string{"Mã lead", "Nhu cầu", "Tên lead"}})
	require.NoError(t, err)
	y := string(s.YAML())
	require.Contains(t, y, `# "Nhu cầu": "custom_fields.Nhu cầu"`)
	require.Contains(t, y, "TODO: a lead needs these fields, but no column fills them: account_name")
	require.Equal(t, []string{"account_name"}, s.Missing)

	s, err = suggest.Suggest(suggest.Options{Entity: "contacts", Header: []string{"Họ và tên", "Email"}})
	require.NoError(t, err)
	y = string(s.YAML())
	require.Contains(t, y, "TODO: no column looks like the key external_id")
	require.Contains(t, y, "split the column")
	_, err = mapping.Parse([]byte(y), "draft", opla.DefaultProfile())
	require.ErrorContains(t, err, "no column fills the key external_id")
}

func TestGuessEntity(t *testing.T) {
	for name, want := range map[string]string{
		"Contacts": "contacts", "Khách hàng": "accounts", "Khách hàng tiềm năng": "leads", "Danh sách cơ hội": "opportunities",
		"nhan vien.csv": "employees", "Sản phẩm 2025": "products", "Sheet1": "", "data.xlsx": "",
	} {
		require.Equal(t, want, suggest.GuessEntity(name), name)
	}
	require.Equal(t, "contacts", suggest.GuessEntity("Sheet1", "contacts.csv"))
}

// TestTemplateHeadersRoundTrip: a template's own headers, in either language, are
// suggested back as the template's mapping has them.
func TestTemplateHeadersRoundTrip(t *testing.T) {
	p := opla.DefaultProfile()
	for _, entity := range mapping.Importable {
		for _, lang := range templates.Langs {
			pl, err := templates.NewPlan(p, entity, lang)
			require.NoError(t, err)
			var header []string
			want := map[string]string{}
			for _, c := range pl.Columns {
				header = append(header, c.Header)
				want[c.Header] = c.Field.Name
			}
			s, err := suggest.Suggest(suggest.Options{Profile: p, Entity: entity, Header: header})
			require.NoError(t, err)
			got := map[string]string{}
			for _, m := range s.Matches {
				got[m.Header] = m.Field
				require.GreaterOrEqual(t, m.Confidence, 0.9, "%s %s: %s", entity, m.Header, m.Reason)
			}
			require.Equal(t, want, got, "%s/%s", entity, lang)
			require.Empty(t, s.Unmatched)
			_, err = mapping.Parse(s.YAML(), "draft", p)
			require.NoError(t, err)
		}
	}
}

type failure struct {
	Sheet  string
	Row    int
	Column string
	Code   string
}

func (f failure) String() string {
	return fmt.Sprintf("%s row %d %s (%s)", f.Sheet, f.Row, f.Column, f.Code)
}

// deliberate are the sample's mistakes (samples/migration/README.md).
var deliberate = []failure{
	{"Accounts", 12, "Ngành", "reference"},
	{"Accounts", 14, "Mã KH", "validation"},
	{"Contacts", 9, "Ngày sinh", "validation"},
	{"Contacts", 14, "Email", "validation"},
	{"Contacts", 19, "Công ty", "reference"},
	{"Contacts", 22, "Giới tính", "validation"},
	{"Leads", 6, "Trạng thái", "reference"},
	{"Leads", 11, "Điện thoại", "validation"},
}

var sampleSheets = []struct{ sheet, entity string }{
	{"Employees", "employees"}, {"Accounts", "accounts"}, {"Contacts", "contacts"},
	{"Leads", "leads"}, {"Products", "products"}, {"Opportunities", "opportunities"},
}

// TestSampleMigration suggests a mapping for every sheet of the sample migration, from
// the workbook and from the CSV files alike: each one maps the columns the hand-written
// mapping maps, to the same fields (except the custom fields, which suggest cannot know
// and leaves as commented lines), loads without edits, and imports the whole migration
// with no failures but the sample's deliberate ones.
func TestSampleMigration(t *testing.T) {
	for _, format := range []string{"xlsx", "csv"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			p := opla.DefaultProfile()
			srv := oplatest.NewServer(oplatest.Options{Seed: 1})
			t.Cleanup(srv.Close)
			c := srv.Client(func(o *opla.Options) {
				o.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
			})
			res := importer.NewResolver(c)
			dir := t.TempDir()
			var got []failure
			for _, ss := range sampleSheets {
				input, sheetOpt := sampleWorkbook, ss.sheet
				if format == "csv" {
					input, sheetOpt = filepath.Join("../samples/migration", ss.entity+".csv"), ""
				}
				header, sample, sheetName, err := suggest.Sample(input, sheet.Options{Sheet: sheetOpt}, suggest.DefaultRows)
				require.NoError(t, err)
				s, err := suggest.Suggest(suggest.Options{Profile: p, Entity: ss.entity, Header: header, Rows: sample, Sheet: sheetName, Source: filepath.Base(input)})
				require.NoError(t, err)
				draft := s.YAML()
				m, err := mapping.Parse(draft, ss.entity+".yaml", p)
				require.NoError(t, err, "%s", draft)
				require.Equal(t, sheetOpt, m.Sheet)

				hand, err := mapping.Load(filepath.Join("../samples/migration/mappings", ss.entity+".yaml"), p)
				require.NoError(t, err)
				suggested := map[string]*mapping.Rule{}
				for _, r := range m.Rules {
					suggested[r.Header] = r
				}
				for _, want := range hand.Rules {
					r := suggested[want.Header]
					if want.CustomField != "" {
						require.Nil(t, r, "%s: %s", ss.sheet, want.Header)
						require.Contains(t, string(draft), fmt.Sprintf("# %q: %q", want.Header, "custom_fields."+want.CustomField))
						continue
					}
					require.NotNil(t, r, "%s: %q is not mapped\n%s", ss.sheet, want.Header, draft)
					require.Equal(t, want.Field, r.Field, "%s: %s", ss.sheet, want.Header)
					if want.Ref != nil {
						require.NotNil(t, r.Ref, "%s: %s", ss.sheet, want.Header)
						require.Equal(t, want.Ref.String(), r.Ref.String(), "%s: %s", ss.sheet, want.Header)
					}
					if want.Kind == mapping.KindEnum {
						require.Equal(t, want.Map, r.Map, "%s: %s", ss.sheet, want.Header)
					}
					if want.Separator != "" {
						require.Equal(t, want.Separator, r.Separator, "%s: %s", ss.sheet, want.Header)
					}
				}
				require.Len(t, m.Rules, len(hand.Rules)-countCustom(hand), "%s: suggest maps no column the hand-written mapping leaves out", ss.sheet)
				if format == "csv" && ss.entity == "products" {
					require.Equal(t, "vi", suggested["Đơn giá"].Locale, "12.500.000 is Vietnamese")
				}

				out := filepath.Join(dir, ss.entity+".results.xlsx")
				rep, err := importer.Run(context.Background(), importer.Options{Mapping: m, Client: c, Input: input, Output: out, Concurrency: 4, Resolver: res})
				require.NoError(t, err)
				require.NoError(t, rep.Stopped)
				got = append(got, failedRows(t, out, ss.sheet)...)
			}
			require.Equal(t, deliberate, got, "failures:\n%v", got)
		})
	}
}

func countCustom(m *mapping.Mapping) int {
	n := 0
	for _, r := range m.Rules {
		if r.CustomField != "" {
			n++
		}
	}
	return n
}

// failedRows reads a results workbook's Failed sheet: which row, which column, what code.
func failedRows(t *testing.T, path, sheetName string) []failure {
	t.Helper()
	x, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer x.Close()
	rs, err := x.GetRows("Failed")
	require.NoError(t, err)
	var out []failure
	col := map[string]int{}
	for i, h := range rs[0] {
		col[h] = i
	}
	for _, r := range rs[1:] {
		get := func(h string) string {
			if i, ok := col[h]; ok && i < len(r) {
				return r[i]
			}
			return ""
		}
		row, _ := strconv.Atoi(get("_row"))
		column := ""
		if e := get("_error"); strings.HasPrefix(e, "Column \"") {
			column = strings.SplitN(strings.TrimPrefix(e, "Column \""), "\"", 2)[0]
		}
		out = append(out, failure{sheetName, row, column, get("_code")})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Row < out[j].Row })
	return out
}

// TestVietnameseHeaders: sheets with Vietnamese headers other than the sample's (and
// values that need a map, dates with dashes, owners by code, yes/no in Vietnamese) get
// a mapping that imports every row as it is.
func TestVietnameseHeaders(t *testing.T) {
	p := opla.DefaultProfile()
	dir := t.TempDir()
	book := filepath.Join(dir, "khach-hang.xlsx")
	x := excelize.NewFile()
	write := func(name string, data [][]string) {
		if name != "Sheet1" {
			_, err := x.NewSheet(name)
			require.NoError(t, err)
		}
		for i, r := range data {
			for j, v := range r {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				require.NoError(t, x.SetCellStr(name, cell, v))
			}
		}
	}
	write("Sheet1", nil)
	write("Khách hàng", [][]string{
		{"Mã khách hàng", "Tên doanh nghiệp", "MST", "Số điện thoại", "E-mail", "Đ/c", "Lĩnh vực", "Nguồn khách hàng", "NV phụ trách", "Công khai", "Loại khách hàng", "Ghi chú"},
		{"KH-01", "Hoa Sen", "0301234567", "028 3823 4567", "info@hoasen.vn", "1 Lê Lợi, Q1", "retail", "Website", "MNV_001", "Có", "Doanh nghiệp", "khách cũ"},
		{"KH-02", "Bình Minh", "0109876543", "0912345678", "lienhe@binhminh.vn", "2 Trần Phú, Hà Nội", "technology", "Referral", "MNV_002", "Không", "SME", ""},
	})
	write("Liên hệ", [][]string{
		{"Mã liên hệ", "Họ", "Tên", "Giới tính", "Ngày sinh", "Thư điện tử", "SĐT", "Di động", "Phòng ban", "Mã KH", "Email phụ trách", "Mô tả", "Trang web", "Địa chỉ", "Sở thích"},
		{"LH-01", "Nguyễn Văn", "An", "nam", "14-03-1988", "an@hoasen.vn", "0909123456", "0912000111", "Kế toán", "KH-01", "an.nguyen@example.vn", "", "https://hoasen.vn", "Q1", "cà phê"},
		{"LH-02", "Trần Thị", "Bình", "NỮ", "01-12-1990", "binh@binhminh.vn", "", "0987654321", "Mua hàng", "KH-02", "binh.tran@example.vn", "quen", "", "", ""},
		{"LH-03", "Lê", "Chi", "Female", "29-02-1996", "chi@hoasen.vn", "", "", "", "KH-01", "", "", "", "", ""},
	})
	write("Tiềm năng", [][]string{
		{"Mã", "Tên", "Tên công ty", "Họ và tên", "Chức vụ", "Di động", "Tình trạng", "Ngành nghề", "Nguồn", "Phân khúc", "Người phụ trách", "Nhu cầu"},
		{"TN-01", "Mở quán mới", "Cà phê Sáng", "Phạm Minh", "Chủ quán", "0903111222", "New", "Food & Beverage", "Event", "SME", "an.nguyen@example.vn", "máy pha"},
		{"TN-02", "Thay máy", "Trà Xanh", "Võ Lan", "Quản lý", "", "Contacted", "", "Website", "", "", ""},
	})
	require.NoError(t, x.DeleteSheet("Sheet1"))
	require.NoError(t, x.SaveAs(book))
	require.NoError(t, x.Close())

	srv := oplatest.NewServer(oplatest.Options{Seed: 1})
	t.Cleanup(srv.Close)
	c := srv.Client()
	want := map[string]map[string]string{
		"Khách hàng": {"Mã khách hàng": "external_id", "Tên doanh nghiệp": "name", "MST": "tax_identification_number", "Số điện thoại": "phone",
			"E-mail": "email", "Đ/c": "address", "Lĩnh vực": "industry_id", "Nguồn khách hàng": "source_id", "NV phụ trách": "owner_id",
			"Công khai": "is_public", "Loại khách hàng": "account_type", "Ghi chú": "note"},
		"Liên hệ": {"Mã liên hệ": "external_id", "Họ": "last_name", "Tên": "first_name", "Giới tính": "gender", "Ngày sinh": "birthday",
			"Thư điện tử": "email", "SĐT": "phone_work", "Di động": "phone_other", "Phòng ban": "department", "Mã KH": "account_external_id",
			"Email phụ trách": "owner_id", "Mô tả": "description", "Trang web": "website", "Địa chỉ": "address"},
		"Tiềm năng": {"Mã": "external_id", "Tên": "name", "Tên công ty": "account_name", "Họ và tên": "contact_name", "Chức vụ": "job_title",
			"Di động": "phone", "Tình trạng": "lead_status", "Ngành nghề": "industry", "Nguồn": "source", "Phân khúc": "lead_segmentation",
			"Người phụ trách": "owner_id"},
	}
	for _, sh := range []string{"Khách hàng", "Liên hệ", "Tiềm năng"} {
		header, sample, sheetName, err := suggest.Sample(book, sheet.Options{Sheet: sh}, 0)
		require.NoError(t, err)
		entity := suggest.GuessEntity(sheetName)
		s, err := suggest.Suggest(suggest.Options{Profile: p, Entity: entity, Header: header, Rows: sample, Sheet: sheetName})
		require.NoError(t, err)
		draft := s.YAML()
		m, err := mapping.Parse(draft, "draft.yaml", p)
		require.NoError(t, err, "%s", draft)
		got := map[string]string{}
		for _, r := range m.Rules {
			got[r.Header] = r.Field
		}
		require.Equal(t, want[sh], got, "%s\n%s", sh, draft)
		rep, err := importer.Run(context.Background(), importer.Options{Mapping: m, Client: c, Input: book,
			Output: filepath.Join(dir, entity+".results.xlsx"), Concurrency: 2})
		require.NoError(t, err)
		require.Zero(t, rep.Summary.Failed, "%s: %v\n%s", sh, rep.Errors, draft)
		require.Equal(t, len(sample), rep.Summary.Created, sh)
	}
	an := findRecord(srv, "contacts", "LH-01")
	require.Equal(t, "MALE", an["gender"])
	require.Equal(t, "MNV_001", an["owner_id"])
	require.Equal(t, "FEMALE", findRecord(srv, "contacts", "LH-03")["gender"])
	hs := findRecord(srv, "accounts", "KH-01")
	require.Equal(t, true, hs["is_public"])
	require.Equal(t, "MNV_001", hs["owner_id"])
}

func findRecord(srv *oplatest.Server, entity, key string) map[string]any {
	for _, r := range srv.Emulator().Records(entity) {
		if r["external_id"] == key {
			return r
		}
	}
	return nil
}
