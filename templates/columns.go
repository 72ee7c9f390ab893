// Package templates makes template workbooks for the entities oplabatch imports, each
// with the mapping that imports it as it is.
//
// A template has a data sheet whose header holds one column per field a mapping can fill
// (the columns a person must fill are marked * and shown in red), a note on each header
// saying what the cell takes, dropdowns for enum and yes/no columns and, when the API is
// at hand, for the CRM's own lists (industries, sources, lead statuses, sales processes
// and stages, employees) kept on a hidden Lists sheet; date columns shown dd/mm/yyyy,
// text columns formatted as text so Excel keeps leading zeros; and an Instructions sheet.
//
// Plan decides the columns; Plan.Workbook writes the workbook and Plan.Mapping the
// mapping YAML.
package templates

import (
	"fmt"
	"slices"
	"strings"

	"github.com/oplabatch/oplabatch/mapping"
	"github.com/oplabatch/oplabatch/opla"
)

// Kind is what a column holds, which decides its format, dropdown and note.
type Kind string

// Column kinds.
const (
	KindText   Kind = "text"
	KindEmail  Kind = "email"
	KindURL    Kind = "url"
	KindPhone  Kind = "phone"
	KindDate   Kind = "date"
	KindNumber Kind = "number"
	KindBool   Kind = "boolean"
	KindEnum   Kind = "enum"
	KindList   Kind = "list" // several values in one cell
)

// Live lists a column's dropdown may come from (the API's master data).
const (
	ListIndustries     = "industries"
	ListSources        = "sources"
	ListLeadStatuses   = "lead-statuses"
	ListSalesProcesses = "sales-processes"
	ListStages         = "sales-process-stages"
	ListEmployeeEmails = "employee-emails"
	ListEmployeeCodes  = "employee-codes"
)

// DateLayouts are the Go layouts a template's date columns are read with: what the
// column shows (dd/mm/yyyy), then ISO.
var DateLayouts = []string{"02/01/2006", "2006-01-02"}

// Column is one column of a template.
type Column struct {
	Field      opla.Field
	Label      string // header label without the required marker
	Header     string // the header cell: Label, plus " *" when Required
	Kind       Kind
	Required   bool              // the row fails when the cell is blank
	UpdateOnly bool              // only the update route takes the field
	Ref        string            // the mapping's ref: (employees.email, industries.name…), "" if none
	List       string            // the live list its dropdown shows, "" if none
	Choices    []string          // the fixed dropdown values shown (enum labels, yes/no)
	Map        map[string]string // shown value -> API value, when they differ (--lang vi)
	Separator  string            // KindList: what separates the values
	Help       string            // the header's note
	Example    string            // a value that would do, for the Instructions sheet
}

// Skipped is a field of the entity that the template leaves out, and why.
type Skipped struct {
	Field  string
	Reason string
}

// Plan is the layout of one entity's template.
type Plan struct {
	Entity  string
	Lang    string
	Sheet   string // the data sheet's name
	Key     string
	Columns []*Column
	Skipped []Skipped
	Schema  *mapping.Schema
}

// internalIDs are fields that hold OplaCRM's own ids where the template asks for the
// external ids instead (the API accepts either; people know the codes).
var internalIDs = map[labelKey]string{
	{"opportunities", "account_id"}:   "OplaCRM's internal id of the account; the template asks for its code (account_external_id)",
	{"opportunities", "contacts_ids"}: "OplaCRM's internal ids of the contacts; the template asks for their codes (contacts_external_ids)",
	{"products", "id"}:                "OplaCRM's own id, which it generates; rows are matched by the product code",
}

// mustFill lists, per entity, the fields a row cannot do without (beyond the key). The API
// profile marks most fields "required", but it means only that the key must be present in
// the request body: an empty value is accepted, and the importer sends one for every
// field no column fills.
var mustFill = map[string][]string{
	"employees":        {"first_name", "last_name", "email"},
	"sites":            {"value"},
	"buyer-groups":     {"name"},
	"suppliers":        {"name"},
	"unit-of-measures": {"name"},
	"products":         {"name", "price"},
	"accounts":         {"name"},
	"contacts":         {"first_name", "last_name", "account_external_id"},
	"leads":            {"name", "account_name"},
	"opportunities":    {"name", "account_external_id", "sale_process", "sale_process_stage"},
}

// MustFill reports whether a row of the entity needs a value in the field: its key or a
// field it cannot do without.
func MustFill(entity, key, field string) bool {
	return field == key || slices.Contains(mustFill[entity], field)
}

// sheetNames are the data sheets' names.
var sheetNames = map[string]string{
	"employees": "Employees", "sites": "Sites", "buyer-groups": "Buyer groups", "suppliers": "Suppliers",
	"unit-of-measures": "Units of measure", "products": "Products", "accounts": "Accounts",
	"contacts": "Contacts", "leads": "Leads", "opportunities": "Opportunities",
}

// NewPlan lays out the template of an importable entity in a language (en or vi).
func NewPlan(p *opla.Profile, entity, lang string) (*Plan, error) {
	if lang == "" {
		lang = LangEN
	}
	if !slices.Contains(Langs, lang) {
		return nil, fmt.Errorf("language %q: want %s", lang, strings.Join(Langs, " or "))
	}
	schema, err := mapping.SchemaFor(p, entity)
	if err != nil {
		return nil, err
	}
	pl := &Plan{Entity: entity, Lang: lang, Sheet: sheetNames[entity], Key: schema.Key, Schema: schema}
	if pl.Sheet == "" {
		pl.Sheet = humanize(strings.ReplaceAll(entity, "-", "_"))
	}
	createFields := map[string]bool{}
	if e := schema.ProfileEntity(); e != nil {
		for _, name := range []string{e.Create, e.Upsert} {
			if op, err := p.Op(name); err == nil {
				for _, f := range op.Body {
					createFields[f.Name] = true
				}
			}
		}
	}
	seen := map[string]string{}
	for _, name := range schema.Order {
		f := schema.Fields[name]
		switch {
		case f.Type == opla.TypeObjectArray:
			pl.Skipped = append(pl.Skipped, Skipped{name, "a list of objects, which a single column cannot fill yet; add them in OplaCRM"})
			continue
		case name == "custom_fields":
			pl.Skipped = append(pl.Skipped, Skipped{name, `custom fields go by their name: add a column and map it as "custom_fields.<name in OplaCRM>"`})
			continue
		case internalIDs[labelKey{entity, name}] != "":
			pl.Skipped = append(pl.Skipped, Skipped{name, internalIDs[labelKey{entity, name}]})
			continue
		}
		c := pl.column(f)
		c.UpdateOnly = !createFields[name]
		c.Help = c.help(pl)
		if prev, dup := seen[strings.ToLower(c.Label)]; dup {
			return nil, fmt.Errorf("templates: %s: fields %s and %s have the same label %q", entity, prev, name, c.Label)
		}
		seen[strings.ToLower(c.Label)] = name
		pl.Columns = append(pl.Columns, c)
	}
	// The key first, then the columns a row must fill, then the rest, each in the API's order.
	rank := func(c *Column) int {
		switch {
		case c.Field.Name == pl.Key:
			return 0
		case c.Required:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(pl.Columns, func(a, b *Column) int { return rank(a) - rank(b) })
	return pl, nil
}

func (pl *Plan) column(f opla.Field) *Column {
	c := &Column{Field: f, Label: Label(pl.Entity, f.Name, pl.Lang), Required: MustFill(pl.Entity, pl.Key, f.Name)}
	c.Header = c.Label
	if c.Required {
		c.Header += " *"
	}
	switch {
	case len(f.Enum) > 0:
		c.Kind = KindEnum
		for _, v := range f.Enum {
			shown := EnumLabel(v, pl.Lang)
			c.Choices = append(c.Choices, shown)
			if shown != v {
				if c.Map == nil {
					c.Map = map[string]string{}
				}
				c.Map[shown] = v
			}
		}
	case f.Type == opla.TypeBoolean:
		c.Kind = KindBool
		c.Choices = []string{"TRUE", "FALSE"}
		if pl.Lang == LangVI {
			c.Choices = []string{"Có", "Không"} // read as yes/no by the importer, no map needed
		}
	case f.Format == "email":
		c.Kind = KindEmail
	case f.Format == "date" || f.Format == "datetime":
		c.Kind = KindDate
	case f.Format == "phone":
		c.Kind = KindPhone
	case f.Format == "url":
		c.Kind = KindURL
	case f.Type == opla.TypeNumber:
		c.Kind = KindNumber
	case f.Type == opla.TypeStringArray:
		c.Kind = KindList
		c.Separator = ","
	default:
		c.Kind = KindText
	}
	switch f.Ref {
	case "employees":
		if pl.Entity == "opportunities" && f.Name == "owner_external_id" {
			c.Ref, c.List = "employees", ListEmployeeCodes // owner_email asks for the e-mail already
		} else {
			c.Ref, c.List = "employees.email", ListEmployeeEmails
		}
	case "employees.email":
		c.Ref, c.List = "employees.email", ListEmployeeEmails
	case "industries", "industries.name":
		c.Ref, c.List = "industries.name", ListIndustries
	case "sources", "sources.name":
		c.Ref, c.List = "sources.name", ListSources
	case "lead-statuses", "lead-statuses.name":
		c.Ref, c.List = "lead-statuses.name", ListLeadStatuses
	case "sales-processes", "sales-processes.name":
		c.Ref, c.List = "sales-processes.name", ListSalesProcesses
	case "sales-process-stages", "sales-process-stages.name":
		c.Ref, c.List = "sales-process-stages.name", ListStages
	case "accounts", "contacts", "products":
		c.Ref = f.Ref
	}
	c.Example = c.example(pl)
	return c
}

// help is the header's note: what the field is, what to write and how it is read.
func (c *Column) help(pl *Plan) string {
	var b strings.Builder
	f := c.Field
	fmt.Fprintf(&b, "%s (API field %s)\n", c.Label, f.Name)
	switch {
	case c.Field.Name == pl.Key:
		fmt.Fprintf(&b, "Required. The code that identifies the %s; each code once per file. Importing the same code again updates that record.", mapping.Singular(pl.Entity))
	case c.Required:
		b.WriteString("Required: a row with this cell empty is not imported.")
	default:
		b.WriteString("Optional: may be left empty.")
	}
	b.WriteString("\n")
	b.WriteString(c.what(pl))
	if c.UpdateOnly {
		fmt.Fprintf(&b, "\nOnly used when the row updates an existing %s: OplaCRM's create route does not take it.", mapping.Singular(pl.Entity))
	}
	return b.String()
}

// what says what the cell takes.
func (c *Column) what(pl *Plan) string {
	f := c.Field
	switch c.List {
	case ListEmployeeEmails:
		if f.Ref == "employees.email" {
			return "An employee's e-mail, e.g. an.nguyen@example.vn (pick from the list): an employee of OplaCRM, or one created earlier in the same import."
		}
		return "An employee's e-mail, e.g. an.nguyen@example.vn (pick from the list). The importer looks the employee up and sends OplaCRM the employee's code. An employee created earlier in the same import also works."
	case ListEmployeeCodes:
		return "An employee's code (external id), e.g. MNV_001 (pick from the list)."
	case ListIndustries:
		return "An industry, by its name in OplaCRM (pick from the list); case and accents do not matter."
	case ListSources:
		return "A source, by its name in OplaCRM (pick from the list); case and accents do not matter."
	case ListLeadStatuses:
		return "A lead status, by its name in OplaCRM (pick from the list)."
	case ListSalesProcesses:
		return "A sales process, by its name in OplaCRM (pick from the list)."
	case ListStages:
		return "A stage of the row's sales process, by its name (pick from the list; the stage must belong to the process in the sales process column)."
	}
	switch c.Ref {
	case "accounts":
		return "The code (external id) of an account that exists in OplaCRM or is created earlier in the same import, e.g. ACC-001."
	case "contacts":
		return "Codes (external ids) of contacts, separated by commas, e.g. CT-001, CT-002. Each must exist in OplaCRM or be created earlier in the same import."
	case "products":
		return "The code (external id) of a product."
	}
	switch c.Kind {
	case KindEnum:
		if f.Name == "deleted" {
			return "0 or 1 (pick from the list): 1 marks the product as deleted; leave it empty or 0 otherwise."
		}
		if c.Map != nil {
			var parts []string
			for i, v := range f.Enum {
				parts = append(parts, fmt.Sprintf("%s (%s)", c.Choices[i], v))
			}
			return "One of " + orJoin(parts) + " (pick from the list)."
		}
		return "One of " + orJoin(f.Enum) + " (pick from the list)."
	case KindBool:
		if pl.Lang == LangVI {
			return "Có or Không (yes or no; TRUE/FALSE also work)."
		}
		return "TRUE or FALSE (yes/no, 1/0 and Có/Không also work)."
	case KindEmail:
		return "An e-mail address, e.g. lan.nguyen@example.vn."
	case KindURL:
		return "A web address, e.g. https://example.vn."
	case KindPhone:
		return "A phone number: +84 28 3823 4567, or with its leading 0 (0909 123 456). The column is formatted as text so Excel keeps the 0; a number that lost it is still read as Vietnamese."
	case KindDate:
		s := "A date: dd/mm/yyyy (e.g. 31/12/2024), or an Excel date."
		if f.Format == "datetime" {
			s += " It is sent as midnight of that day, Vietnam time."
		}
		return s
	case KindNumber:
		return "A number, e.g. 12500000 or 12.500.000 (no currency sign needed)."
	case KindList:
		return "Several values separated by commas."
	}
	if hint, ok := textHints[f.Name]; ok {
		return hint
	}
	if f.Nullable {
		return "Text; may be left empty."
	}
	return "Text."
}

// textHints describe text fields whose name does not say enough.
var textHints = map[string]string{
	"site_id":                   "The code of the employee's site (branch), e.g. S-HCM.",
	"dimension_id":              "The code of the employee's dimension (department or unit), e.g. DMS-001.",
	"supplier_id":               "The supplier's code, e.g. SUP-001.",
	"unit_of_measure_id":        "The unit of measure's code, e.g. UOM-001.",
	"category_id":               "The category's code.",
	"sub_category_id":           "The subcategory's code.",
	"buyer_group_id":            "The buyer group's code, e.g. BG-001.",
	"buyer_group_name":          "The buyer group's name.",
	"main_contact_id":           "The code of the supplier's main contact, e.g. CT-001.",
	"account_name":              "The prospect's company, as text (it need not be an account in OplaCRM).",
	"account_type":              "The kind of account, as text, e.g. Khách hàng doanh nghiệp.",
	"tax_identification_number": "The tax code (mã số thuế), as text so its leading 0 stays, e.g. 0312345678.",
	"external_from":             "Where the lead came from (the system or file), as text.",
	"long_name":                 "The registered (legal) name.",
}

// example is a value that would do in the column, for the Instructions sheet.
func (c *Column) example(pl *Plan) string {
	f := c.Field
	if f.Name == pl.Key {
		return exampleCodes[pl.Entity]
	}
	if len(c.Choices) > 0 {
		return c.Choices[0]
	}
	switch c.List {
	case ListEmployeeEmails:
		return "an.nguyen@example.vn"
	case ListEmployeeCodes:
		return "MNV_001"
	case ListIndustries:
		return "Technology"
	case ListSources:
		return "Website"
	case ListLeadStatuses:
		return "New"
	case ListSalesProcesses:
		return "Sales process Default"
	case ListStages:
		return "Prospecting"
	}
	switch c.Ref {
	case "accounts":
		return "ACC-001"
	case "contacts":
		return "CT-001, CT-002"
	}
	switch c.Kind {
	case KindEmail:
		return "lan.nguyen@example.vn"
	case KindURL:
		return "https://example.vn"
	case KindPhone:
		return "0909 123 456"
	case KindDate:
		return "31/12/2024"
	case KindNumber:
		return "12500000"
	}
	if ex, ok := textExamples[f.Name]; ok {
		return ex
	}
	return ""
}

var exampleCodes = map[string]string{
	"employees": "MNV_101", "sites": "S-DN", "buyer-groups": "BG-101", "suppliers": "SUP-101",
	"unit-of-measures": "UOM-101", "products": "PRD-101", "accounts": "ACC-101", "contacts": "CT-101",
	"leads": "LEAD-101", "opportunities": "OPP-101",
}

var textExamples = map[string]string{
	"first_name": "Lan", "last_name": "Nguyễn Thị", "address": "12 Nguyễn Huệ, Quận 1, TP. Hồ Chí Minh",
	"tax_identification_number": "0312345678", "department": "Mua hàng", "site_id": "S-HCM",
	"dimension_id": "DMS-001", "supplier_id": "SUP-001", "unit_of_measure_id": "UOM-001",
	"buyer_group_id": "BG-001", "main_contact_id": "CT-001", "job_title": "Giám đốc",
	"account_name": "Công ty TNHH Minh Phát", "contact_name": "Trần Văn Tâm",
}

func orJoin(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

// Lists returns the live lists the template's dropdowns would use, in column order.
func (pl *Plan) Lists() []string {
	var out []string
	for _, c := range pl.Columns {
		if c.List != "" && !slices.Contains(out, c.List) {
			out = append(out, c.List)
		}
	}
	return out
}

// Column returns the column of a field, or nil.
func (pl *Plan) Column(field string) *Column {
	for _, c := range pl.Columns {
		if c.Field.Name == field {
			return c
		}
	}
	return nil
}
