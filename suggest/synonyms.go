package suggest

import (
	"strings"

	"github.com/oplabatch/oplabatch/mapping/coerce"
	unorm "golang.org/x/text/unicode/norm"
)

// syn lists header phrases (English and Vietnamese, matched ignoring case, accents and
// punctuation) and the fields they may mean, most likely first. A target "entity:field"
// applies to that entity only; a plain "field" to every entity that has the field. So
// "Mã KH" is a contact's account_external_id but an account's own external_id.
type syn struct {
	phrases []string
	targets []string
}

var synonyms = []syn{
	// Codes.
	{[]string{"external id", "external_id", "mã", "mã số", "code", "id", "mã hệ thống cũ", "mã cũ", "ma tham chieu", "mã tham chiếu", "reference"}, []string{"external_id"}},
	{[]string{"mã kh", "mã khách hàng", "mã khách", "customer code", "customer id", "account code", "account id", "mã công ty", "mã doanh nghiệp", "account external id"},
		[]string{"account_external_id", "accounts:external_id"}},
	{[]string{"mã lh", "mã liên hệ", "mã người liên hệ", "contact code", "contact id", "contact codes", "mã các liên hệ"},
		[]string{"contacts_external_ids", "contacts:external_id"}},
	{[]string{"mã nv", "mã nhân viên", "employee code", "employee id", "staff code", "mã nhân sự"},
		[]string{"owner_external_id", "owner_id", "employees:external_id"}},
	{[]string{"mã lead", "mã khách hàng tiềm năng", "mã kh tiềm năng", "lead code", "lead id", "mã tiềm năng"}, []string{"leads:external_id"}},
	{[]string{"mã ch", "mã cơ hội", "opportunity code", "opportunity id", "deal code", "deal id", "mã deal"}, []string{"opportunities:external_id"}},
	{[]string{"mã sp", "mã sản phẩm", "mã hàng", "mã hàng hoá", "product code", "product id", "sku"}, []string{"products:external_id"}},
	{[]string{"mã chi nhánh", "site code", "mã site"}, []string{"site_id", "sites:external_id"}},
	{[]string{"mã ncc", "mã nhà cung cấp", "supplier code", "supplier id"}, []string{"supplier_id", "suppliers:external_id"}},
	{[]string{"mã đvt", "mã đơn vị tính", "mã đơn vị", "unit code", "uom code"}, []string{"unit_of_measure_id", "unit-of-measures:external_id"}},
	{[]string{"mã nhóm", "mã nhóm mua", "mã nhóm khách hàng", "buyer group code", "group code"}, []string{"buyer_group_id", "buyer-groups:external_id"}},

	// People.
	{[]string{"tên", "first name", "firstname", "given name", "tên riêng", "tên gọi", "name"}, []string{"first_name", "name", "sites:value"}},
	{[]string{"họ", "last name", "lastname", "surname", "family name", "họ đệm", "họ và tên đệm", "họ lót"}, []string{"last_name"}},
	{[]string{"họ và tên", "họ tên", "full name", "fullname", "tên đầy đủ người liên hệ", "tên khách", "tên người liên hệ"}, []string{"contact_name"}},
	{[]string{"giới tính", "gender", "sex", "phái", "giới"}, []string{"gender"}},
	{[]string{"ngày sinh", "sinh nhật", "birthday", "date of birth", "dob", "birth date", "ngày tháng năm sinh", "ns"}, []string{"birthday"}},
	{[]string{"phòng ban", "bộ phận", "department", "phòng", "dept"}, []string{"department", "dimension_id"}},
	{[]string{"chức danh", "chức vụ", "vị trí", "job title", "title", "position", "chức danh công việc"}, []string{"job_title"}},

	// Contact details.
	{[]string{"email", "e-mail", "e mail", "mail", "thư điện tử", "địa chỉ email", "địa chỉ e-mail", "email address", "hộp thư"}, []string{"email"}},
	{[]string{"điện thoại", "số điện thoại", "sđt", "sdt", "đt", "dt", "phone", "phone number", "tel", "telephone", "số đt", "điện thoại liên hệ", "số liên hệ"},
		[]string{"phone", "phone_work", "phone_other"}},
	{[]string{"di động", "số di động", "didong", "mobile", "mobile phone", "cell", "cell phone", "điện thoại di động", "dđ", "dd", "zalo"},
		[]string{"phone", "phone_work", "phone_other"}},
	{[]string{"điện thoại cơ quan", "điện thoại công ty", "điện thoại bàn", "work phone", "office phone", "phone work"}, []string{"phone_work", "phone"}},
	{[]string{"điện thoại khác", "sđt khác", "số điện thoại khác", "other phone", "phone other", "điện thoại 2", "sđt 2", "phone 2"}, []string{"phone_other", "phone"}},
	{[]string{"địa chỉ", "address", "đ/c", "dc", "địa chỉ liên hệ", "địa chỉ công ty", "trụ sở", "địa chỉ trụ sở"}, []string{"address"}},
	{[]string{"website", "web", "trang web", "url", "trang chủ", "homepage", "site web"}, []string{"website"}},

	// Companies.
	{[]string{"công ty", "company", "doanh nghiệp", "tổ chức", "organization", "organisation"},
		[]string{"account_name", "account_external_id", "accounts:name"}},
	{[]string{"tên công ty", "company name", "tên doanh nghiệp", "tên tổ chức", "tên khách hàng", "account name", "customer name", "tên kh", "tên viết tắt", "tên ngắn"},
		[]string{"account_name", "accounts:name"}},
	{[]string{"khách hàng", "customer", "account", "kh"}, []string{"account_external_id", "account_name", "accounts:name"}},
	{[]string{"tên đầy đủ", "tên pháp lý", "tên giao dịch", "tên đăng ký", "long name", "legal name", "full legal name", "tên đầy đủ công ty", "tên chính thức"}, []string{"long_name"}},
	{[]string{"mã số thuế", "mst", "mã thuế", "tax code", "tax id", "tax number", "tax identification number", "vat", "vat number", "mã số doanh nghiệp"}, []string{"tax_identification_number"}},
	{[]string{"ngành", "ngành nghề", "lĩnh vực", "industry", "ngành hàng", "lĩnh vực kinh doanh", "ngành kinh doanh"}, []string{"industry_id", "industry"}},
	{[]string{"nguồn", "nguồn khách hàng", "nguồn khách", "source", "lead source", "nguồn lead", "nguồn gốc", "kênh tiếp cận"}, []string{"source_id", "source"}},
	{[]string{"công khai", "public", "is public", "chia sẻ", "dùng chung"}, []string{"is_public"}},
	{[]string{"loại khách hàng", "loại kh", "account type", "customer type", "phân loại khách hàng", "loại tài khoản", "kiểu khách hàng"}, []string{"account_type", "type"}},

	// Ownership.
	{[]string{"người phụ trách", "phụ trách", "nhân viên phụ trách", "nv phụ trách", "sale phụ trách", "sales phụ trách", "người quản lý", "chủ sở hữu",
		"owner", "sales", "sale", "nhân viên kinh doanh", "nvkd", "người chăm sóc", "nhân viên chăm sóc", "account manager", "sales rep", "salesperson"},
		[]string{"owner_id", "owner_email", "owner_external_id"}},
	{[]string{"email phụ trách", "email người phụ trách", "email nhân viên phụ trách", "email nv phụ trách", "owner email", "email sale", "email sales", "email nvkd"},
		[]string{"owner_email", "owner_id", "owner_external_id"}},
	{[]string{"mã nv phụ trách", "mã nhân viên phụ trách", "mã người phụ trách", "owner code", "owner id", "owner external id", "mã nvkd", "mã sale"},
		[]string{"owner_external_id", "owner_id"}},
	{[]string{"người tạo", "tạo bởi", "created by", "creator"}, []string{"created_by"}},
	{[]string{"người cập nhật", "người sửa", "cập nhật bởi", "updated by", "modified by"}, []string{"updated_by"}},

	// Notes.
	{[]string{"ghi chú", "note", "notes", "lưu ý", "comment", "comments", "nhận xét"}, []string{"note", "description"}},
	{[]string{"mô tả", "description", "diễn giải", "chi tiết", "mô tả chi tiết", "thông tin thêm"}, []string{"description", "note"}},

	// Leads.
	{[]string{"tên lead", "lead", "lead name", "tên khách hàng tiềm năng", "khách hàng tiềm năng", "tiêu đề", "tên tiềm năng"}, []string{"leads:name"}},
	{[]string{"người liên hệ", "liên hệ", "contact", "contact name", "contacts"}, []string{"contact_name", "contacts_external_ids"}},
	{[]string{"người đại diện", "đầu mối", "tên người đại diện"}, []string{"contact_name"}},
	{[]string{"trạng thái", "tình trạng", "status", "lead status", "trạng thái lead", "trạng thái khách hàng"}, []string{"lead_status"}},
	{[]string{"phân khúc", "segment", "segmentation", "lead segmentation", "phân loại", "nhóm khách hàng", "quy mô"}, []string{"lead_segmentation"}},
	{[]string{"nhập từ", "external from", "hệ thống nguồn", "từ hệ thống", "imported from", "xuất xứ dữ liệu"}, []string{"external_from"}},

	// Opportunities.
	{[]string{"tên cơ hội", "cơ hội", "opportunity", "opportunity name", "deal", "deal name", "tên deal", "tên dự án", "dự án"}, []string{"opportunities:name"}},
	{[]string{"ngày mở", "ngày tạo", "ngày bắt đầu", "date open", "open date", "created date", "ngày mở cơ hội", "start date"}, []string{"date_open"}},
	{[]string{"ngày đóng", "ngày đóng dự kiến", "ngày kết thúc", "ngày chốt", "ngày chốt dự kiến", "close date", "expected close date", "date closed", "closing date", "end date", "hạn chốt"}, []string{"date_closed"}},
	{[]string{"giai đoạn", "stage", "bước", "sales stage", "giai đoạn bán hàng", "pipeline stage", "sale process stage"}, []string{"sale_process_stage"}},
	{[]string{"quy trình", "quy trình bán hàng", "sales process", "pipeline", "sale process", "quy trình kinh doanh"}, []string{"sale_process"}},
	{[]string{"dự báo", "forecast", "khả năng", "khả năng thắng", "forecast category"}, []string{"forecast"}},
	{[]string{"loại", "type", "loại cơ hội", "opportunity type", "deal type", "kiểu"}, []string{"type", "account_type"}},
	{[]string{"kết quả", "thắng thua", "thắng/thua", "stage close", "close result", "won lost", "won/lost", "result", "outcome"}, []string{"stage_close"}},
	{[]string{"lý do", "lý do đóng", "lý do thua", "close reason", "reason", "lý do thắng thua"}, []string{"close_reason"}},
	{[]string{"khoá", "khóa", "locked", "lock", "đã khoá"}, []string{"locked"}},
	{[]string{"ứng dụng", "application", "app"}, []string{"application"}},
	{[]string{"cơ hội liên kết", "opportunities joint", "joint opportunity", "cơ hội chung"}, []string{"opportunities_joint"}},

	// Products.
	{[]string{"tên sản phẩm", "tên sp", "sản phẩm", "product", "product name", "tên hàng", "tên hàng hoá", "hàng hoá", "tên dịch vụ", "item", "item name"}, []string{"products:name"}},
	{[]string{"đơn giá", "giá", "giá bán", "price", "unit price", "giá niêm yết", "list price", "giá bán lẻ"}, []string{"price"}},
	{[]string{"nhà cung cấp", "ncc", "supplier", "vendor", "hãng", "nhà sản xuất", "thương hiệu", "brand"}, []string{"supplier_id"}},
	{[]string{"đơn vị tính", "đvt", "đơn vị", "unit", "uom", "unit of measure", "unit of measures"}, []string{"unit_of_measure_id"}},
	{[]string{"danh mục", "nhóm hàng", "nhóm sản phẩm", "loại sản phẩm", "category", "product category", "ngành hàng sản phẩm"}, []string{"category_id"}},
	{[]string{"danh mục con", "nhóm con", "nhóm hàng con", "sub category", "subcategory", "sub-category", "loại con"}, []string{"sub_category_id"}},
	{[]string{"đã xoá", "đã xóa", "xoá", "xóa", "deleted", "is deleted"}, []string{"deleted"}},

	// Employees, sites, suppliers, buyer groups.
	{[]string{"chi nhánh", "văn phòng", "site", "địa điểm", "cơ sở", "branch", "office"}, []string{"site_id", "sites:value"}},
	{[]string{"tên chi nhánh", "site name", "tên văn phòng", "tên địa điểm"}, []string{"sites:value"}},
	{[]string{"khối", "dimension", "đơn vị công tác", "phân hệ", "mã bộ phận", "mã phòng ban"}, []string{"dimension_id"}},
	{[]string{"tên nhà cung cấp", "supplier name", "vendor name", "tên ncc"}, []string{"suppliers:name"}},
	{[]string{"tên đơn vị tính", "tên đơn vị", "unit name", "uom name"}, []string{"unit-of-measures:name"}},
	{[]string{"nhóm mua", "nhóm người mua", "buyer group", "tên nhóm mua", "buyer group name", "tên nhóm khách hàng"}, []string{"buyer_group_name", "buyer-groups:name"}},
	{[]string{"tên nhóm", "nhóm", "group", "group name"}, []string{"buyer-groups:name", "buyer_group_name"}},
	{[]string{"người liên hệ chính", "liên hệ chính", "main contact", "mã người liên hệ chính", "main contact code"}, []string{"main_contact_id"}},
}

// enumSynonyms are the words people write for the API's enum values. Keys match ignoring
// case and accents. Values the API takes as they are (male, Close won…) need none.
var enumSynonyms = map[string][]string{
	"MALE":       {"nam", "male", "m", "trai", "con trai", "ông", "mr", "mr."},
	"FEMALE":     {"nữ", "female", "f", "gái", "con gái", "bà", "ms", "mrs", "ms.", "mrs."},
	"OTHER":      {"khác", "other", "khác/không rõ"},
	"CLOSE_WON":  {"thắng", "won", "win", "thành công", "chốt", "đã chốt", "chốt thành công"},
	"CLOSE_LOST": {"thua", "lost", "lose", "thất bại", "mất", "không thành công"},
	"READ_ONLY":  {"chỉ xem", "xem", "read only", "read", "view", "view only"},
	"READ_WRITE": {"xem và sửa", "sửa", "chỉnh sửa", "toàn quyền", "read write", "edit", "write", "read and write"},
}

// entityWords name the entities in sheet and file names ("Khách hàng", "contacts.csv").
var entityWords = []struct {
	entity string
	words  []string
}{
	{"leads", []string{"leads", "lead", "khách hàng tiềm năng", "kh tiềm năng", "tiềm năng", "prospects"}},
	{"opportunities", []string{"opportunities", "opportunity", "cơ hội", "cơ hội bán hàng", "deals", "deal"}},
	{"contacts", []string{"contacts", "contact", "liên hệ", "người liên hệ", "danh bạ"}},
	{"accounts", []string{"accounts", "account", "khách hàng", "customers", "công ty", "companies", "doanh nghiệp"}},
	{"employees", []string{"employees", "employee", "nhân viên", "nhân sự", "staff", "users"}},
	{"products", []string{"products", "product", "sản phẩm", "hàng hoá", "hàng hóa", "dịch vụ", "items"}},
	{"sites", []string{"sites", "site", "chi nhánh", "văn phòng"}},
	{"suppliers", []string{"suppliers", "supplier", "nhà cung cấp", "vendors"}},
	{"unit-of-measures", []string{"unit-of-measures", "units of measure", "unit of measures", "đơn vị tính", "uom"}},
	{"buyer-groups", []string{"buyer-groups", "buyer groups", "nhóm mua", "nhóm khách hàng"}},
}

// norm2 turns punctuation into spaces and drops the required marker, keeping case and
// accents (NFC).
func norm2(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '_', '-', '.', '/', '\\', ':', '*', '#', '(', ')', '[', ']', '?', '!', ',', ';', '"', '\'', '|':
			return ' '
		}
		return r
	}, unorm.NFC.String(s))
}

// norm is the form headers are compared in: folded (lower case, no accents, đ → d) with
// punctuation as spaces, the required marker "*" dropped.
func norm(s string) string {
	return strings.Join(strings.Fields(coerce.Fold(norm2(s))), " ")
}

// withoutParens drops a trailing parenthetical: "Người phụ trách (email)" → "Người phụ trách".
func withoutParens(s string) string {
	if i := strings.IndexAny(s, "(["); i > 0 {
		return strings.TrimSpace(s[:i])
	}
	return s
}
