package templates

import (
	"strings"
)

// Languages of header labels.
const (
	LangEN = "en"
	LangVI = "vi"
)

// Langs lists the supported header languages.
var Langs = []string{LangEN, LangVI}

// labelKey names a field, optionally of one entity ("" = any entity).
type labelKey struct{ entity, field string }

// enLabels are the English header labels. A field missing here is labelled from its name
// ("lead_segmentation" → "Lead segmentation").
var enLabels = map[labelKey]string{
	{"employees", "external_id"}:        "Employee code",
	{"accounts", "external_id"}:         "Account code",
	{"contacts", "external_id"}:         "Contact code",
	{"leads", "external_id"}:            "Lead code",
	{"opportunities", "external_id"}:    "Opportunity code",
	{"products", "external_id"}:         "Product code",
	{"sites", "external_id"}:            "Site code",
	{"suppliers", "external_id"}:        "Supplier code",
	{"unit-of-measures", "external_id"}: "Unit code",
	{"buyer-groups", "external_id"}:     "Buyer group code",
	{"accounts", "name"}:                "Account name",
	{"leads", "name"}:                   "Lead name",
	{"opportunities", "name"}:           "Opportunity name",
	{"products", "name"}:                "Product name",
	{"suppliers", "name"}:               "Supplier name",
	{"unit-of-measures", "name"}:        "Unit name",
	{"buyer-groups", "name"}:            "Buyer group name",
	{"sites", "value"}:                  "Site name",
	{"", "first_name"}:                  "First name",
	{"", "last_name"}:                   "Last name",
	{"", "email"}:                       "Email",
	{"", "birthday"}:                    "Birthday",
	{"", "gender"}:                      "Gender",
	{"", "phone"}:                       "Phone",
	{"", "phone_work"}:                  "Work phone",
	{"", "phone_other"}:                 "Other phone",
	{"", "address"}:                     "Address",
	{"", "tax_identification_number"}:   "Tax ID",
	{"", "owner_id"}:                    "Owner e-mail",
	{"", "created_by"}:                  "Created by (e-mail)",
	{"", "updated_by"}:                  "Updated by (e-mail)",
	{"", "department"}:                  "Department",
	{"", "description"}:                 "Description",
	{"", "website"}:                     "Website",
	{"", "note"}:                        "Note",
	{"", "account_external_id"}:         "Account code",
	{"", "contacts_external_ids"}:       "Contact codes",
	{"", "long_name"}:                   "Full legal name",
	{"", "is_public"}:                   "Public",
	{"", "account_type"}:                "Account type",
	{"", "source_id"}:                   "Source",
	{"", "industry_id"}:                 "Industry",
	{"", "job_title"}:                   "Job title",
	{"", "account_name"}:                "Company",
	{"", "contact_name"}:                "Contact name",
	{"", "external_from"}:               "Imported from",
	{"", "lead_segmentation"}:           "Segment",
	{"", "lead_status"}:                 "Status",
	{"", "industry"}:                    "Industry",
	{"", "source"}:                      "Source",
	{"", "date_open"}:                   "Open date",
	{"", "date_closed"}:                 "Expected close date",
	{"", "forecast"}:                    "Forecast",
	{"", "type"}:                        "Type",
	{"", "opportunities_joint"}:         "Joint opportunity",
	{"", "opportunities_joint_id"}:      "Joint opportunity id",
	{"", "sale_process"}:                "Sales process",
	{"", "sale_process_stage"}:          "Stage",
	{"", "owner_external_id"}:           "Owner code",
	{"", "owner_email"}:                 "Owner e-mail",
	{"", "application"}:                 "Application",
	{"", "locked"}:                      "Locked",
	{"", "stage_close"}:                 "Close result",
	{"", "close_reason"}:                "Close reason",
	{"", "dimension_id"}:                "Dimension",
	{"", "site_id"}:                     "Site code",
	{"", "price"}:                       "Price",
	{"", "supplier_id"}:                 "Supplier code",
	{"", "unit_of_measure_id"}:          "Unit code",
	{"", "category_id"}:                 "Category code",
	{"", "sub_category_id"}:             "Subcategory code",
	{"", "deleted"}:                     "Deleted",
	{"", "buyer_group_id"}:              "Buyer group code",
	{"", "buyer_group_name"}:            "Buyer group name",
	{"", "main_contact_id"}:             "Main contact code",
}

// viLabels are the Vietnamese header labels (--lang vi): the words Vietnamese
// spreadsheets use. A field missing here falls back to its English label.
var viLabels = map[labelKey]string{
	{"employees", "external_id"}:        "Mã NV",
	{"accounts", "external_id"}:         "Mã KH",
	{"contacts", "external_id"}:         "Mã LH",
	{"leads", "external_id"}:            "Mã lead",
	{"opportunities", "external_id"}:    "Mã CH",
	{"products", "external_id"}:         "Mã SP",
	{"sites", "external_id"}:            "Mã chi nhánh",
	{"suppliers", "external_id"}:        "Mã NCC",
	{"unit-of-measures", "external_id"}: "Mã ĐVT",
	{"buyer-groups", "external_id"}:     "Mã nhóm",
	{"", "external_id"}:                 "Mã",
	{"accounts", "name"}:                "Tên công ty",
	{"leads", "name"}:                   "Tên lead",
	{"opportunities", "name"}:           "Tên cơ hội",
	{"products", "name"}:                "Tên sản phẩm",
	{"suppliers", "name"}:               "Tên nhà cung cấp",
	{"unit-of-measures", "name"}:        "Tên đơn vị tính",
	{"buyer-groups", "name"}:            "Tên nhóm",
	{"sites", "value"}:                  "Tên chi nhánh",
	{"", "first_name"}:                  "Tên",
	{"", "last_name"}:                   "Họ",
	{"", "email"}:                       "Email",
	{"", "birthday"}:                    "Ngày sinh",
	{"", "gender"}:                      "Giới tính",
	{"", "phone"}:                       "Điện thoại",
	{"", "phone_work"}:                  "Điện thoại",
	{"", "phone_other"}:                 "Điện thoại khác",
	{"", "address"}:                     "Địa chỉ",
	{"", "tax_identification_number"}:   "Mã số thuế",
	{"", "owner_id"}:                    "Người phụ trách",
	{"", "created_by"}:                  "Người tạo",
	{"", "updated_by"}:                  "Người cập nhật",
	{"", "department"}:                  "Phòng ban",
	{"", "description"}:                 "Mô tả",
	{"", "website"}:                     "Website",
	{"", "note"}:                        "Ghi chú",
	{"", "account_external_id"}:         "Mã KH",
	{"", "contacts_external_ids"}:       "Mã LH",
	{"", "long_name"}:                   "Tên đầy đủ",
	{"", "is_public"}:                   "Công khai",
	{"", "account_type"}:                "Loại khách hàng",
	{"", "source_id"}:                   "Nguồn",
	{"", "industry_id"}:                 "Ngành",
	{"", "job_title"}:                   "Chức danh",
	{"", "account_name"}:                "Tên công ty",
	{"", "contact_name"}:                "Người liên hệ",
	{"", "external_from"}:               "Nhập từ",
	{"", "lead_segmentation"}:           "Phân khúc",
	{"", "lead_status"}:                 "Trạng thái",
	{"", "industry"}:                    "Ngành",
	{"", "source"}:                      "Nguồn",
	{"", "date_open"}:                   "Ngày mở",
	{"", "date_closed"}:                 "Ngày đóng dự kiến",
	{"", "forecast"}:                    "Dự báo",
	{"", "type"}:                        "Loại",
	{"", "opportunities_joint"}:         "Cơ hội liên kết",
	{"", "opportunities_joint_id"}:      "Mã cơ hội liên kết",
	{"", "sale_process"}:                "Quy trình",
	{"", "sale_process_stage"}:          "Giai đoạn",
	{"", "owner_external_id"}:           "Mã NV phụ trách",
	{"", "owner_email"}:                 "Người phụ trách",
	{"", "application"}:                 "Ứng dụng",
	{"", "locked"}:                      "Khoá",
	{"", "stage_close"}:                 "Kết quả",
	{"", "close_reason"}:                "Lý do đóng",
	{"", "dimension_id"}:                "Bộ phận",
	{"", "site_id"}:                     "Chi nhánh",
	{"", "price"}:                       "Đơn giá",
	{"", "supplier_id"}:                 "Nhà cung cấp",
	{"", "unit_of_measure_id"}:          "Đơn vị tính",
	{"", "category_id"}:                 "Danh mục",
	{"", "sub_category_id"}:             "Danh mục con",
	{"", "deleted"}:                     "Đã xoá",
	{"", "buyer_group_id"}:              "Mã nhóm mua",
	{"", "buyer_group_name"}:            "Tên nhóm mua",
	{"", "main_contact_id"}:             "Mã người liên hệ chính",
}

// viEnumLabels are the Vietnamese words shown in dropdowns (--lang vi) for enum values;
// the template's mapping turns them back into the API's values. Enum values missing here
// are shown as they are.
var viEnumLabels = map[string]string{
	"MALE":       "Nam",
	"FEMALE":     "Nữ",
	"OTHER":      "Khác",
	"CLOSE_WON":  "Thắng",
	"CLOSE_LOST": "Thua",
	"READ_ONLY":  "Chỉ xem",
	"READ_WRITE": "Xem và sửa",
}

// Label returns the header label of an entity's field in a language (en or vi), without
// the required marker.
func Label(entity, field, lang string) string {
	if lang == LangVI {
		if l, ok := viLabels[labelKey{entity, field}]; ok {
			return l
		}
		if l, ok := viLabels[labelKey{"", field}]; ok {
			return l
		}
	}
	if l, ok := enLabels[labelKey{entity, field}]; ok {
		return l
	}
	if l, ok := enLabels[labelKey{"", field}]; ok {
		return l
	}
	return humanize(field)
}

// EnumLabel returns how an enum value is shown in a language's dropdown.
func EnumLabel(value, lang string) string {
	if lang == LangVI {
		if l, ok := viEnumLabels[value]; ok {
			return l
		}
	}
	return value
}

// humanize turns a field name into words: "lead_segmentation" → "Lead segmentation".
func humanize(field string) string {
	s := strings.ReplaceAll(field, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
