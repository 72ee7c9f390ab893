package opla

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Request bodies follow the vendor page field by field. A field the page marks required has
// no omitempty: the server wants the key present even when the value is empty, so an update
// from a sheet that maps only some columns is a read-modify-write. Required arrays are sent
// as [] rather than null. Optional fields carry omitempty.
//
// Response types are lenient: numbers may arrive as strings, phones as bare strings, and a
// custom field value as a string, a number or a list, so a whole export does not fail on one
// odd record.

// Ptr returns a pointer to v, for the nullable fields of employees.
func Ptr[T any](v T) *T { return &v }

// Genders accepted by contacts and leads.
const (
	GenderMale   = "MALE"
	GenderFemale = "FEMALE"
	GenderOther  = "OTHER"
)

// Contributor permissions on an opportunity.
const (
	PermissionReadOnly  = "READ_ONLY"
	PermissionReadWrite = "READ_WRITE"
)

// Closing stages of an opportunity (StageCompact).
const (
	StageCloseWon  = "CLOSE_WON"
	StageCloseLost = "CLOSE_LOST"
)

// ---------------------------------------------------------------- flexible scalars

// Text is a response value the API sends as a string, a number, a boolean or null (a product's
// external_id is a number in the page's samples). Objects and lists are kept as compact JSON.
type Text string

// UnmarshalJSON accepts any JSON value.
func (t *Text) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil
	}
	switch data[0] {
	case 'n':
		*t = ""
	case '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*t = Text(s)
	case '{', '[':
		var buf bytes.Buffer
		if err := json.Compact(&buf, data); err != nil {
			return err
		}
		*t = Text(buf.String())
	default:
		if !json.Valid(data) {
			return fmt.Errorf("opla.Text: invalid JSON %q", data)
		}
		*t = Text(data)
	}
	return nil
}

// String returns the text.
func (t Text) String() string { return string(t) }

// Number is a decimal the API sends as a JSON number or as a string ("0" for
// tax_inclusive_amount). It keeps the digits as sent, so nothing is lost to float rounding
// on the way to a spreadsheet. The zero value means absent (null or "").
type Number string

// UnmarshalJSON accepts a number, a string or null.
func (n *Number) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil
	}
	switch data[0] {
	case 'n':
		*n = ""
		return nil
	case '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*n = Number(strings.TrimSpace(s))
		return nil
	}
	if !isJSONNumber(string(data)) {
		return fmt.Errorf("opla.Number: want a number or a string, got %.40s", data)
	}
	*n = Number(data)
	return nil
}

// MarshalJSON writes a number literal when the value is numeric, null when it is empty and
// a string otherwise.
func (n Number) MarshalJSON() ([]byte, error) {
	switch {
	case n == "":
		return []byte("null"), nil
	case isJSONNumber(string(n)):
		return []byte(n), nil
	}
	return json.Marshal(string(n))
}

// Float64 converts the number; an empty Number is 0.
func (n Number) Float64() (float64, error) {
	if n == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return 0, fmt.Errorf("opla.Number: %q is not a number", string(n))
	}
	return f, nil
}

// String returns the digits as the API sent them.
func (n Number) String() string { return string(n) }

func isJSONNumber(s string) bool {
	if s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return false
	}
	return json.Valid([]byte(s))
}

// ---------------------------------------------------------------- nested shapes

// Phone is the phone object of contacts, accounts and leads. An empty Phone marshals as {},
// which satisfies a required phone key. Decoding also accepts a bare string or number (kept in
// Phone) and null.
type Phone struct {
	Phone       string `json:"phone,omitempty"`
	CallCode    string `json:"call_code,omitempty"`
	CountryCode string `json:"country_code,omitempty"`
	CountryName string `json:"country_name,omitempty"`
}

// UnmarshalJSON accepts the phone object, a bare string or number, or null.
func (p *Phone) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		var t Text
		if err := t.UnmarshalJSON(data); err != nil {
			return fmt.Errorf("phone: %w", err)
		}
		*p = Phone{Phone: string(t)}
		return nil
	}
	var raw struct {
		Phone       Text `json:"phone"`
		CallCode    Text `json:"call_code"`
		CountryCode Text `json:"country_code"`
		CountryName Text `json:"country_name"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return fmt.Errorf("phone: %w", err)
	}
	*p = Phone{Phone: string(raw.Phone), CallCode: string(raw.CallCode), CountryCode: string(raw.CountryCode), CountryName: string(raw.CountryName)}
	return nil
}

// IsZero reports whether no part of the phone is set.
func (p Phone) IsZero() bool { return p == Phone{} }

// CustomFieldValue is a custom field in a request body. The page does not show its inner shape
// (CustomFieldValueDto / CustomFieldDto); {name, value} is the guess the API profile records.
type CustomFieldValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// OpportunityProduct is a product line in an opportunity request (the profile's guess for
// OpportunitiesProductDto / CreateOpportunityProductDto).
type OpportunityProduct struct {
	ProductExternalID string  `json:"product_external_id"`
	Quantity          float64 `json:"quantity"`
	Price             float64 `json:"price"`
	Discount          float64 `json:"discount,omitempty"`
}

// Invoice is an invoice in an opportunity update (the profile's guess for
// CreateOpportunityInvoiceDto).
type Invoice struct {
	Code   string  `json:"code"`
	Amount float64 `json:"amount"`
	Date   string  `json:"date,omitempty"`
}

// Contributor is a person given access to an opportunity (ContributorDto).
type Contributor struct {
	Email      string `json:"email"`
	Permission string `json:"permission"` // PermissionReadOnly or PermissionReadWrite
}

// ---------------------------------------------------------------- requests

// ContactCreate is the body of "Create a contact".
type ContactCreate struct {
	FirstName         string `json:"first_name"`
	LastName          string `json:"last_name"`
	Gender            string `json:"gender,omitempty"`
	Email             string `json:"email"`
	Birthday          string `json:"birthday"`
	Department        string `json:"department"`
	Description       string `json:"description"`
	AccountExternalID string `json:"account_external_id"`
	ExternalID        string `json:"external_id"`
	Address           string `json:"address"`
	PhoneWork         Phone  `json:"phone_work"`
	PhoneOther        Phone  `json:"phone_other"`
	Website           string `json:"website"`
	OwnerID           string `json:"owner_id"` // the owner's employee external_id
}

// ContactUpdate is the body of "Update contact by external_id". It has no
// account_external_id: a contact's account is fixed at creation.
type ContactUpdate struct {
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	Gender      string `json:"gender,omitempty"`
	Email       string `json:"email"`
	Birthday    string `json:"birthday"`
	Department  string `json:"department"`
	Description string `json:"description"`
	ExternalID  string `json:"external_id"`
	Address     string `json:"address"`
	PhoneWork   Phone  `json:"phone_work"`
	PhoneOther  Phone  `json:"phone_other"`
	Website     string `json:"website"`
	OwnerID     string `json:"owner_id"`
}

// AccountCreate is the body of "Create a account".
type AccountCreate struct {
	Name                    string `json:"name"`
	LongName                string `json:"long_name"`
	Description             string `json:"description"`
	TaxIdentificationNumber string `json:"tax_identification_number"`
	Email                   string `json:"email"`
	ExternalID              string `json:"external_id"`
	Address                 string `json:"address"`
	Phone                   Phone  `json:"phone"`
	Website                 string `json:"website"`
	IsPublic                bool   `json:"is_public"`
	Note                    string `json:"note"`
	// AccountType is a string in the page's samples ("Account Type") and an object in its
	// schema; either is sent as given. It is required: nil goes out as null, which a strict
	// server refuses ("account_type should not be empty").
	AccountType any    `json:"account_type"`
	SourceID    string `json:"source_id"`   // an id from Accounts.Sources
	IndustryID  string `json:"industry_id"` // an id from Accounts.Industries
	OwnerID     string `json:"owner_id"`    // employee external_id
	CreatedBy   string `json:"created_by"`  // employee external_id
	UpdatedBy   string `json:"updated_by"`  // employee external_id
}

// AccountUpdate is the body of "Update account by external_id" and "Update account by uuid".
type AccountUpdate struct {
	Name                    string   `json:"name"`
	LongName                string   `json:"long_name"`
	Description             string   `json:"description"`
	TaxIdentificationNumber string   `json:"tax_identification_number"`
	Email                   string   `json:"email"`
	ExternalID              string   `json:"external_id"`
	Address                 string   `json:"address"`
	Phone                   Phone    `json:"phone"`
	Website                 string   `json:"website"`
	IsPublic                bool     `json:"is_public"`
	Note                    string   `json:"note"`
	AccountType             any      `json:"account_type"`
	SourceID                string   `json:"source_id"`
	IndustryID              string   `json:"industry_id"`
	OwnerID                 string   `json:"owner_id"`
	CreatedBy               string   `json:"created_by"`
	UpdatedBy               string   `json:"updated_by"`
	CustomFields            []string `json:"custom_fields"`
}

// MarshalJSON sends a nil CustomFields as [].
func (u AccountUpdate) MarshalJSON() ([]byte, error) {
	type plain AccountUpdate
	p := plain(u)
	p.CustomFields = orEmpty(p.CustomFields)
	return json.Marshal(p)
}

// AccountEmployee is the body of the assign-owner, assign-contributor and
// unassign-contributor operations. Both are external ids.
type AccountEmployee struct {
	AccountID  string `json:"account_id"`
	EmployeeID string `json:"employee_id"`
}

// OpportunityCreate is the body of "Create new opportunity".
type OpportunityCreate struct {
	Name                  string               `json:"name"`
	AccountExternalID     string               `json:"account_external_id"`
	AccountID             string               `json:"account_id"`
	ContactsExternalIDs   []string             `json:"contacts_external_ids"`
	ContactsIDs           []string             `json:"contacts_ids"`
	DateOpen              string               `json:"date_open"`
	DateClosed            string               `json:"date_closed"`
	OpportunitiesProducts []OpportunityProduct `json:"opportunities_products"`
	Forecast              string               `json:"forecast"`
	Type                  string               `json:"type"`
	Source                string               `json:"source"` // a source name
	OpportunitiesJoint    string               `json:"opportunities_joint"`
	SaleProcess           string               `json:"sale_process"`       // a sales process name
	SaleProcessStage      string               `json:"sale_process_stage"` // a stage name
	Contributors          []Contributor        `json:"contributors"`
	ExternalID            string               `json:"external_id"`
	OwnerExternalID       string               `json:"owner_external_id"`
	OwnerEmail            string               `json:"owner_email"`
	Application           string               `json:"application"`
	CustomFields          []CustomFieldValue   `json:"custom_fields"`
}

// MarshalJSON sends nil lists as [].
func (o OpportunityCreate) MarshalJSON() ([]byte, error) {
	type plain OpportunityCreate
	p := plain(o)
	p.ContactsExternalIDs = orEmpty(p.ContactsExternalIDs)
	p.ContactsIDs = orEmpty(p.ContactsIDs)
	p.OpportunitiesProducts = orEmpty(p.OpportunitiesProducts)
	p.Contributors = orEmpty(p.Contributors)
	p.CustomFields = orEmpty(p.CustomFields)
	return json.Marshal(p)
}

// OpportunityUpdate is the body of "Update opportunity by id" and "… by short_id".
type OpportunityUpdate struct {
	Name                  string               `json:"name"`
	ExternalID            string               `json:"external_id"`
	Locked                bool                 `json:"locked"`
	OpportunitiesJointID  string               `json:"opportunities_joint_id,omitempty"`
	StageClose            string               `json:"stage_close,omitempty"` // StageCloseWon or StageCloseLost
	SaleProcessStage      string               `json:"sale_process_stage"`
	CloseReason           string               `json:"close_reason"`
	DateClosed            string               `json:"date_closed"`
	Products              []OpportunityProduct `json:"products"`
	OpportunitiesProducts []OpportunityProduct `json:"opportunities_products"`
	Invoices              []Invoice            `json:"invoices"`
	CustomFields          []CustomFieldValue   `json:"custom_fields"`
}

// MarshalJSON sends nil lists as [].
func (o OpportunityUpdate) MarshalJSON() ([]byte, error) {
	type plain OpportunityUpdate
	p := plain(o)
	p.Products = orEmpty(p.Products)
	p.OpportunitiesProducts = orEmpty(p.OpportunitiesProducts)
	p.Invoices = orEmpty(p.Invoices)
	p.CustomFields = orEmpty(p.CustomFields)
	return json.Marshal(p)
}

// ContributorAdd is the body of "Add contributor to opportunity".
type ContributorAdd = Contributor

// LeadCreate is the body of "Create lead".
type LeadCreate struct {
	Name             string             `json:"name"`
	JobTitle         string             `json:"job_title,omitempty"`
	Gender           string             `json:"gender,omitempty"`
	Address          string             `json:"address,omitempty"`
	Note             string             `json:"note,omitempty"`
	AccountName      string             `json:"account_name"`
	ContactName      string             `json:"contact_name,omitempty"`
	Phone            *Phone             `json:"phone,omitempty"`
	Email            string             `json:"email,omitempty"`
	OwnerID          string             `json:"owner_id,omitempty"`
	ExternalID       string             `json:"external_id,omitempty"` // non-empty when given
	ExternalFrom     string             `json:"external_from,omitempty"`
	LeadSegmentation string             `json:"lead_segmentation,omitempty"`
	LeadStatus       string             `json:"lead_status,omitempty"` // a lead status name
	Industry         string             `json:"industry,omitempty"`    // an industry name
	Source           string             `json:"source,omitempty"`      // a source name
	CustomFields     []CustomFieldValue `json:"custom_fields,omitempty"`
}

// LeadUpdate is the body of "Update leads by external_id".
type LeadUpdate struct {
	Name             string             `json:"name"`
	JobTitle         string             `json:"job_title,omitempty"`
	Gender           string             `json:"gender,omitempty"`
	Address          string             `json:"address,omitempty"`
	Note             string             `json:"note,omitempty"`
	AccountName      string             `json:"account_name"`
	ContactName      string             `json:"contact_name,omitempty"`
	Phone            *Phone             `json:"phone,omitempty"`
	Email            string             `json:"email,omitempty"`
	OwnerID          string             `json:"owner_id,omitempty"`
	ExternalFrom     string             `json:"external_from,omitempty"`
	LeadSegmentation string             `json:"lead_segmentation,omitempty"`
	LeadStatus       string             `json:"lead_status,omitempty"`
	Industry         string             `json:"industry,omitempty"`
	Source           string             `json:"source,omitempty"`
	CustomFields     []CustomFieldValue `json:"custom_fields"`
}

// MarshalJSON sends a nil CustomFields as [].
func (u LeadUpdate) MarshalJSON() ([]byte, error) {
	type plain LeadUpdate
	p := plain(u)
	p.CustomFields = orEmpty(p.CustomFields)
	return json.Marshal(p)
}

// EmployeeCreate is the body of "Create a employee". The three pointers are required but
// nullable: nil is sent as null.
type EmployeeCreate struct {
	FirstName   string  `json:"first_name"`
	LastName    string  `json:"last_name"`
	Email       string  `json:"email"`
	DimensionID *string `json:"dimension_id"`
	SiteID      *string `json:"site_id"`
	ExternalID  *string `json:"external_id"`
}

// EmployeeUpdate is the body of "Update a employee".
type EmployeeUpdate struct {
	FirstName   string  `json:"first_name"`
	LastName    string  `json:"last_name"`
	DimensionID *string `json:"dimension_id"`
	SiteID      *string `json:"site_id"`
}

// ProductCreate is the body of "Create product".
type ProductCreate struct {
	Name            string  `json:"name"`
	Description     string  `json:"description"`
	Price           float64 `json:"price"`
	SupplierID      string  `json:"supplier_id"`
	UnitOfMeasureID string  `json:"unit_of_measure_id"`
	CategoryID      string  `json:"category_id"`
	SubCategoryID   string  `json:"sub_category_id"`
	ExternalID      string  `json:"external_id"`
}

// ProductUpdate is the body of "Update product by external_id".
type ProductUpdate struct {
	Name            string  `json:"name"`
	Description     string  `json:"description"`
	Price           float64 `json:"price"`
	SupplierID      string  `json:"supplier_id"`
	UnitOfMeasureID string  `json:"unit_of_measure_id"`
	CategoryID      string  `json:"category_id"`
	SubCategoryID   string  `json:"sub_category_id"`
}

// ProductUpsert is the body of "Upsert product".
type ProductUpsert struct {
	Name            string  `json:"name"`
	Description     string  `json:"description"`
	Price           float64 `json:"price"`
	SupplierID      string  `json:"supplier_id"`
	UnitOfMeasureID string  `json:"unit_of_measure_id"`
	CategoryID      string  `json:"category_id"`
	SubCategoryID   string  `json:"sub_category_id"`
	ExternalID      string  `json:"external_id"`
	ID              string  `json:"id"`
	Deleted         int     `json:"deleted"` // 0 active, 1 deleted
}

// SiteCreate is the body of "Create site".
type SiteCreate struct {
	Value       string `json:"value"`
	Description string `json:"description"`
	ExternalID  string `json:"external_id"`
}

// SiteUpdate is the body of "Update site by external_id".
type SiteUpdate struct {
	Value       string `json:"value"`
	Description string `json:"description"`
}

// SupplierCreate is the body of "Create supplier".
type SupplierCreate struct {
	Name           string `json:"name"`
	BuyerGroupID   string `json:"buyer_group_id"`
	BuyerGroupName string `json:"buyer_group_name"`
	ExternalID     string `json:"external_id"`
	MainContactID  string `json:"main_contact_id"`
}

// SupplierUpdate is the body of "Update supplier".
type SupplierUpdate struct {
	Name           string `json:"name"`
	BuyerGroupID   string `json:"buyer_group_id"`
	BuyerGroupName string `json:"buyer_group_name"`
	MainContactID  string `json:"main_contact_id"`
}

// UnitOfMeasureCreate is the body of "Create unit of measures".
type UnitOfMeasureCreate struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	ExternalID  string `json:"external_id"`
}

// UnitOfMeasureUpdate is the body of "Update unit of measures by external_id".
type UnitOfMeasureUpdate struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// BuyerGroupCreate is the body of "Create buyer-group".
type BuyerGroupCreate struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	ExternalID  string `json:"external_id"`
}

// BuyerGroupUpdate is the body of "Update buyer-group by external_id".
type BuyerGroupUpdate struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// ---------------------------------------------------------------- responses

// ValueRef is a labelled reference inside an owner: its site or dimension.
type ValueRef struct {
	Value      string `json:"value"`
	ExternalID Text   `json:"external_id"`
}

// Owner is the employee who owns a record, as nested in responses.
type Owner struct {
	FirstName     string    `json:"first_name"`
	LastName      string    `json:"last_name"`
	Email         string    `json:"email"`
	FullName      string    `json:"full_name"`
	ExternalID    Text      `json:"external_id"`
	UserSite      *ValueRef `json:"user_site,omitempty"`
	UserDimension *ValueRef `json:"user_dimension,omitempty"`
}

// MasterDataItem is one choice of a list-type custom field: the id stored as the value and
// the label people see.
type MasterDataItem struct {
	ID    Text `json:"id"`
	Value Text `json:"value"`
}

// CustomFieldDef names a custom field and, for list-type fields, its choices.
type CustomFieldDef struct {
	Name       string           `json:"name"`
	MasterData []MasterDataItem `json:"master_data_custom_fields,omitempty"`
}

// CustomFieldValueOut is a custom field value in a response
// (custom_field_<entity>_values). Value may be a master-data id; Label turns it into text.
type CustomFieldValueOut struct {
	CustomField CustomFieldDef `json:"custom_field"`
	Value       Text           `json:"value"`
}

// Label returns the value as people see it: a master-data id becomes its label, a list of
// ids becomes their labels joined with ", ", anything else is returned as is.
func (v CustomFieldValueOut) Label() string {
	label := func(id string) string {
		for _, m := range v.CustomField.MasterData {
			if string(m.ID) == id {
				return string(m.Value)
			}
		}
		return id
	}
	s := string(v.Value)
	if strings.HasPrefix(s, "[") {
		var ids []Text
		if err := json.Unmarshal([]byte(s), &ids); err == nil {
			out := make([]string, len(ids))
			for i, id := range ids {
				out[i] = label(string(id))
			}
			return strings.Join(out, ", ")
		}
	}
	return label(s)
}

// Contact is a contact as the API returns it.
type Contact struct {
	ID                string                `json:"id"`
	FirstName         string                `json:"first_name"`
	LastName          string                `json:"last_name"`
	Name              string                `json:"name"`
	Gender            string                `json:"gender"`
	Email             string                `json:"email"`
	Birthday          string                `json:"birthday"`
	Department        string                `json:"department"`
	Description       string                `json:"description"`
	AccountExternalID string                `json:"account_external_id"`
	ExternalID        string                `json:"external_id"`
	Address           string                `json:"address"`
	PhoneWork         Phone                 `json:"phone_work"`
	PhoneOther        Phone                 `json:"phone_other"`
	Website           string                `json:"website"`
	OwnerID           string                `json:"owner_id"`
	CompanyID         string                `json:"company_id"`
	CreatedBy         string                `json:"created_by"`
	UpdatedBy         string                `json:"updated_by"`
	Owner             *Owner                `json:"owner,omitempty"`
	CustomFields      []CustomFieldValueOut `json:"custom_field_contact_values,omitempty"`
}

// Account is an account as the API returns it.
type Account struct {
	ID                      string                `json:"id"`
	Name                    string                `json:"name"`
	LongName                string                `json:"long_name"`
	Description             string                `json:"description"`
	TaxIdentificationNumber string                `json:"tax_identification_number"`
	Email                   string                `json:"email"`
	ExternalID              string                `json:"external_id"`
	Address                 string                `json:"address"`
	Phone                   Phone                 `json:"phone"`
	Website                 string                `json:"website"`
	IsPublic                bool                  `json:"is_public"`
	Note                    string                `json:"note"`
	AccountType             Text                  `json:"account_type"`
	SourceID                string                `json:"source_id"`
	IndustryID              string                `json:"industry_id"`
	OwnerID                 string                `json:"owner_id"`
	CreatedBy               string                `json:"created_by"`
	UpdatedBy               string                `json:"updated_by"`
	Owner                   *Owner                `json:"owner,omitempty"`
	CustomFields            []CustomFieldValueOut `json:"custom_field_account_values,omitempty"`
}

// EmailRef is a person nested by e-mail: a stage log's creator, an opportunity's user.
type EmailRef struct {
	Email string `json:"email"`
}

// StageLog is one stage change of an opportunity.
type StageLog struct {
	Creator   EmailRef `json:"creator"`
	CreatedAt string   `json:"created_at"`
	NewStage  string   `json:"new_stage"`
}

// ProcessStage is an opportunity's current stage in its sales process.
type ProcessStage struct {
	OpportunityStage struct {
		Name string `json:"name"`
	} `json:"opportunity_stage"`
}

// AccountLink is an account an opportunity belongs to.
type AccountLink struct {
	Account Account `json:"account"`
}

// UserLink is a person with access to an opportunity.
type UserLink struct {
	User       EmailRef `json:"user"`
	Permission string   `json:"permission,omitempty"`
}

// ProductRef is a product nested in an opportunity's product line.
type ProductRef struct {
	ExternalID Text   `json:"external_id"`
	Name       string `json:"name"`
}

// OpportunityProductOut is a product line of an opportunity in a response. The line names
// its product either flat (product_external_id, as requests do) or nested (product{…});
// ExternalID reads whichever came.
type OpportunityProductOut struct {
	ProductExternalID Text        `json:"product_external_id,omitempty"`
	Product           *ProductRef `json:"product,omitempty"`
	Quantity          Number      `json:"quantity"`
	Price             Number      `json:"price"`
	Discount          Number      `json:"discount"` // percent
}

// ExternalID returns the line's product external_id.
func (l OpportunityProductOut) ExternalID() string {
	if l.ProductExternalID == "" && l.Product != nil {
		return string(l.Product.ExternalID)
	}
	return string(l.ProductExternalID)
}

// InvoiceOut is an invoice of an opportunity in a response.
type InvoiceOut struct {
	Code   Text   `json:"code"`
	Amount Number `json:"amount"`
	Date   string `json:"date"`
}

// Opportunity is an opportunity as the API returns it.
type Opportunity struct {
	ID                    string                  `json:"id"`
	Name                  string                  `json:"name"`
	Description           string                  `json:"description"`
	Amount                Number                  `json:"amount"`
	AmountUSD             Number                  `json:"amount_usd_dollar"`
	DateClosed            string                  `json:"date_closed"`
	DateOpen              string                  `json:"date_open"`
	StageCompact          string                  `json:"stage_compact"`
	OwnerID               string                  `json:"owner_id"`
	ShortID               string                  `json:"short_id"`
	Invoice               Number                  `json:"invoice"`
	TaxInclusiveAmount    Number                  `json:"tax_inclusive_amount"`
	DateClosedActual      string                  `json:"date_closed_actual"`
	ExternalID            string                  `json:"external_id"`
	StageLogs             []StageLog              `json:"stage_logs"`
	ProcessStage          *ProcessStage           `json:"opportunity_process_stage,omitempty"`
	Accounts              []AccountLink           `json:"accounts_opportunities,omitempty"`
	Users                 []UserLink              `json:"users_opportunities,omitempty"`
	OpportunitiesProducts []OpportunityProductOut `json:"opportunities_products,omitempty"`
	Invoices              []InvoiceOut            `json:"invoices,omitempty"`
	Owner                 *Owner                  `json:"owner,omitempty"`
	CustomFields          []CustomFieldValueOut   `json:"custom_field_opportunity_values,omitempty"`
}

// StageName returns the name of the opportunity's current stage, or "" when not given.
func (o *Opportunity) StageName() string {
	if o.ProcessStage == nil {
		return ""
	}
	return o.ProcessStage.OpportunityStage.Name
}

// Lead is a lead as the API returns it.
type Lead struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	JobTitle         string `json:"job_title"`
	Gender           string `json:"gender"`
	Address          string `json:"address"`
	Note             string `json:"note"`
	AccountName      string `json:"account_name"`
	ContactName      string `json:"contact_name"`
	Phone            Phone  `json:"phone"`
	Email            string `json:"email"`
	OwnerID          string `json:"owner_id"`
	ExternalID       string `json:"external_id"`
	ExternalFrom     string `json:"external_from"`
	LeadSegmentation string `json:"lead_segmentation"`
	LeadStatus       string `json:"lead_status"`
	Industry         string `json:"industry"`
	Source           string `json:"source"`
	Owner            *Owner `json:"owner,omitempty"`
	// CustomFields echoes the request's custom_fields; their shape is not documented.
	CustomFields      json.RawMessage       `json:"custom_fields,omitempty"`
	CustomFieldValues []CustomFieldValueOut `json:"custom_field_lead_values,omitempty"`
}

// Employee is an employee (a user of the company) as the API returns it.
type Employee struct {
	ID            string    `json:"id"`
	FirstName     string    `json:"first_name"`
	LastName      string    `json:"last_name"`
	FullName      string    `json:"full_name,omitempty"`
	Email         string    `json:"email"`
	ExternalID    Text      `json:"external_id"`
	DimensionID   Text      `json:"dimension_id,omitempty"`
	SiteID        Text      `json:"site_id,omitempty"`
	IsActive      *bool     `json:"is_active,omitempty"`
	UserSite      *ValueRef `json:"user_site,omitempty"`
	UserDimension *ValueRef `json:"user_dimension,omitempty"`
}

// Product is a product as the API returns it.
type Product struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	Description     string `json:"description"`
	Price           Number `json:"price"`
	SupplierID      string `json:"supplier_id"`
	UnitOfMeasureID string `json:"unit_of_measure_id"`
	CategoryID      string `json:"category_id"`
	SubCategoryID   string `json:"sub_category_id"`
	ExternalID      Text   `json:"external_id"` // a number in the page's samples
	Deleted         Number `json:"deleted,omitempty"`
	Owner           *Owner `json:"owner,omitempty"`
}

// Stage is one stage of a sales process.
type Stage struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Order        int    `json:"order"`
	StageCompact string `json:"stage_compact"`
}

// SalesProcess is a sales process with its stages.
type SalesProcess struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	IsActive    bool    `json:"is_active"`
	Description string  `json:"description"`
	Stages      []Stage `json:"stages"`
}

// NamedItem is an entry of a small reference list: a source, an industry, a lead status.
type NamedItem struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// SimpleRecord is a site, supplier, unit of measure or buyer group as the API returns it;
// each kind fills the fields it has.
type SimpleRecord struct {
	ID             string `json:"id"`
	ExternalID     Text   `json:"external_id"`
	Name           string `json:"name,omitempty"`
	Value          string `json:"value,omitempty"`
	Description    string `json:"description,omitempty"`
	BuyerGroupID   string `json:"buyer_group_id,omitempty"`
	BuyerGroupName string `json:"buyer_group_name,omitempty"`
	MainContactID  string `json:"main_contact_id,omitempty"`
	Owner          *Owner `json:"owner,omitempty"`
}
