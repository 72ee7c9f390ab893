package opla_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/oplabatch/oplabatch/opla"
)

// TestServices checks that every typed method sends the right method, path, query and body
// and decodes the answer. Each case's pattern is exact, so the mux's catch-all fails any
// other request.
func TestServices(t *testing.T) {
	type tc struct {
		name      string
		pattern   string     // "METHOD /path" as the server must see it
		wantQuery url.Values // of the first request; nil means none
		wantBody  string     // JSON; "" means no body
		answer    string
		wantHits  int32
		call      func(ctx context.Context, c *opla.Client) (any, error)
		want      any
	}
	one := func(v any, err error) (any, error) { return v, err }
	none := func(err error) (any, error) { return nil, err }
	paged := func(extra url.Values) url.Values {
		q := url.Values{"skip": {"0"}, "take": {"200"}}
		for k, v := range extra {
			q[k] = v
		}
		return q
	}
	tests := []tc{
		// ------------------------------------------------------------ contacts
		{
			name:    "contacts.get",
			pattern: "GET /public/contacts/C-1",
			answer:  `{"id":"u1","external_id":"C-1","phone_work":{"phone":"901234567","call_code":"+84"},"phone_other":{}}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.Contacts.Get(ctx, "C-1"))
			},
			want: &opla.Contact{ID: "u1", ExternalID: "C-1", PhoneWork: opla.Phone{Phone: "901234567", CallCode: "+84"}},
		},
		{
			name:      "contacts.list",
			pattern:   "GET /public/contacts",
			wantQuery: paged(url.Values{"account_external_id": {"A-1"}, "external_id": {"C-1"}}),
			answer:    `[{"external_id":"C-1"}]`,
			wantHits:  2,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return collect(c.Contacts.List(ctx, opla.ContactListOptions{AccountExternalID: "A-1", ExternalID: "C-1"}))
			},
			want: []opla.Contact{{ExternalID: "C-1"}},
		},
		{
			name:    "contacts.create",
			pattern: "POST /public/contacts",
			wantBody: `{"first_name":"An","last_name":"Nguyễn","gender":"MALE","email":"an@x.vn","birthday":"1990-01-31T00:00:00.000Z",
				"department":"","description":"","account_external_id":"A-1","external_id":"C-1","address":"",
				"phone_work":{"phone":"901234567","call_code":"+84","country_code":"VN","country_name":"Vietnam"},"phone_other":{},
				"website":"","owner_id":"E-1"}`,
			answer: `{"id":"u1","external_id":"C-1"}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.Contacts.Create(ctx, opla.ContactCreate{
					FirstName: "An", LastName: "Nguyễn", Gender: opla.GenderMale, Email: "an@x.vn", Birthday: "1990-01-31T00:00:00.000Z",
					AccountExternalID: "A-1", ExternalID: "C-1", OwnerID: "E-1",
					PhoneWork: opla.Phone{Phone: "901234567", CallCode: "+84", CountryCode: "VN", CountryName: "Vietnam"},
				}))
			},
			want: &opla.Contact{ID: "u1", ExternalID: "C-1"},
		},
		{
			name:    "contacts.update",
			pattern: "PUT /public/contacts/C-1",
			wantBody: `{"first_name":"An","last_name":"","email":"","birthday":"","department":"","description":"",
				"external_id":"C-1","address":"","phone_work":{},"phone_other":{},"website":"","owner_id":""}`,
			answer: `{"id":"u1","external_id":"C-1","first_name":"An"}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.Contacts.Update(ctx, "C-1", opla.ContactUpdate{FirstName: "An", ExternalID: "C-1"}))
			},
			want: &opla.Contact{ID: "u1", ExternalID: "C-1", FirstName: "An"},
		},
		{
			name:    "contacts.delete",
			pattern: "DELETE /public/contacts/C-1",
			answer:  `{}`,
			call:    func(ctx context.Context, c *opla.Client) (any, error) { return none(c.Contacts.Delete(ctx, "C-1")) },
		},
		// ------------------------------------------------------------ accounts
		{
			name:    "accounts.get",
			pattern: "GET /public/accounts/A-1",
			answer:  `{"id":"u2","external_id":"A-1","is_public":true,"account_type":"Customer","phone":{}}`,
			call:    func(ctx context.Context, c *opla.Client) (any, error) { return one(c.Accounts.Get(ctx, "A-1")) },
			want:    &opla.Account{ID: "u2", ExternalID: "A-1", IsPublic: true, AccountType: "Customer"},
		},
		{
			name:      "accounts.list",
			pattern:   "GET /public/accounts",
			wantQuery: paged(url.Values{"tax_identification_number": {"0312345678"}}),
			answer:    `[{"external_id":"A-1"},{"external_id":"A-2"}]`,
			wantHits:  2,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return collect(c.Accounts.List(ctx, opla.AccountListOptions{TaxIdentificationNumber: "0312345678"}))
			},
			want: []opla.Account{{ExternalID: "A-1"}, {ExternalID: "A-2"}},
		},
		{
			name:    "accounts.create",
			pattern: "POST /public/accounts",
			wantBody: `{"name":"Công ty A","long_name":"","description":"","tax_identification_number":"0312345678","email":"",
				"external_id":"A-1","address":"","phone":{},"website":"","is_public":false,"note":"","account_type":"Customer",
				"source_id":"src-1","industry_id":"ind-1","owner_id":"E-1","created_by":"E-1","updated_by":"E-1"}`,
			answer: `{"id":"u2","external_id":"A-1"}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.Accounts.Create(ctx, opla.AccountCreate{
					Name: "Công ty A", TaxIdentificationNumber: "0312345678", ExternalID: "A-1", AccountType: "Customer",
					SourceID: "src-1", IndustryID: "ind-1", OwnerID: "E-1", CreatedBy: "E-1", UpdatedBy: "E-1",
				}))
			},
			want: &opla.Account{ID: "u2", ExternalID: "A-1"},
		},
		{
			name:    "accounts.update",
			pattern: "PUT /public/accounts/A-1",
			wantBody: `{"name":"A","long_name":"","description":"","tax_identification_number":"","email":"","external_id":"A-1",
				"address":"","phone":{},"website":"","is_public":true,"note":"","account_type":{"code":"B2B"},"source_id":"",
				"industry_id":"","owner_id":"","created_by":"","updated_by":"","custom_fields":[]}`,
			answer: `{"id":"u2","external_id":"A-1","account_type":{"code":"B2B"}}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.Accounts.Update(ctx, "A-1", opla.AccountUpdate{Name: "A", ExternalID: "A-1", IsPublic: true, AccountType: map[string]string{"code": "B2B"}}))
			},
			want: &opla.Account{ID: "u2", ExternalID: "A-1", AccountType: `{"code":"B2B"}`},
		},
		{
			name:    "accounts.update_by_uuid",
			pattern: "PUT /public/accounts/uuid/u2",
			wantBody: `{"name":"A","long_name":"","description":"","tax_identification_number":"","email":"","external_id":"A-1",
				"address":"","phone":{},"website":"","is_public":false,"note":"","account_type":null,"source_id":"",
				"industry_id":"","owner_id":"","created_by":"","updated_by":"","custom_fields":["vip"]}`,
			answer: `{"id":"u2"}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.Accounts.UpdateByUUID(ctx, "u2", opla.AccountUpdate{Name: "A", ExternalID: "A-1", CustomFields: []string{"vip"}}))
			},
			want: &opla.Account{ID: "u2"},
		},
		{
			name:    "accounts.sources",
			pattern: "GET /public/accounts/sources",
			answer:  `[{"id":"s1","name":"Website"},{"id":"s2","name":"Referral"}]`,
			call:    func(ctx context.Context, c *opla.Client) (any, error) { return one(c.Accounts.Sources(ctx)) },
			want:    []opla.NamedItem{{ID: "s1", Name: "Website"}, {ID: "s2", Name: "Referral"}},
		},
		{
			name:    "accounts.industries",
			pattern: "GET /public/accounts/industries",
			answer:  `[{"id":"i1","name":"Technology"}]`,
			call:    func(ctx context.Context, c *opla.Client) (any, error) { return one(c.Accounts.Industries(ctx)) },
			want:    []opla.NamedItem{{ID: "i1", Name: "Technology"}},
		},
		{
			name:     "accounts.assign_owner",
			pattern:  "POST /public/accounts/assign-owner",
			wantBody: `{"account_id":"A-1","employee_id":"E-1"}`,
			answer:   `{"statusCode":200,"message":"Request was successful"}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return none(c.Accounts.AssignOwner(ctx, opla.AccountEmployee{AccountID: "A-1", EmployeeID: "E-1"}))
			},
		},
		{
			name:     "accounts.assign_contributor",
			pattern:  "POST /public/accounts/assign-contributor",
			wantBody: `{"account_id":"A-1","employee_id":"E-2"}`,
			answer:   `{"statusCode":200,"message":"Request was successful"}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return none(c.Accounts.AssignContributor(ctx, opla.AccountEmployee{AccountID: "A-1", EmployeeID: "E-2"}))
			},
		},
		{
			name:     "accounts.unassign_contributor",
			pattern:  "POST /public/accounts/unassign-contributor",
			wantBody: `{"account_id":"A-1","employee_id":"E-2"}`,
			answer:   `{"statusCode":200,"message":"Request was successful"}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return none(c.Accounts.UnassignContributor(ctx, opla.AccountEmployee{AccountID: "A-1", EmployeeID: "E-2"}))
			},
		},
		// ------------------------------------------------------------ opportunities
		{
			name:    "opportunities.get_by_short_id",
			pattern: "GET /public/opportunities/short-id/2025.00186",
			answer:  `{"id":"o1","short_id":"2025.00186","amount":1500000,"tax_inclusive_amount":"0"}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.Opportunities.GetByShortID(ctx, "2025.00186"))
			},
			want: &opla.Opportunity{ID: "o1", ShortID: "2025.00186", Amount: "1500000", TaxInclusiveAmount: "0"},
		},
		{
			name:    "opportunities.get_by_external_id",
			pattern: "GET /public/opportunities/external-id/O-1",
			answer:  `{"id":"o1","external_id":"O-1"}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.Opportunities.GetByExternalID(ctx, "O-1"))
			},
			want: &opla.Opportunity{ID: "o1", ExternalID: "O-1"},
		},
		{
			name:    "opportunities.update_by_short_id",
			pattern: "PUT /public/opportunities/short-id/2025.00186",
			wantBody: `{"name":"Deal","external_id":"O-1","locked":false,"stage_close":"CLOSE_WON","sale_process_stage":"Won",
				"close_reason":"","date_closed":"2025-07-24","products":[],"opportunities_products":[],
				"invoices":[{"code":"INV-1","amount":1000.5,"date":"2025-07-24"}],"custom_fields":[{"name":"Region","value":"South"}]}`,
			answer: `{"id":"o1"}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.Opportunities.UpdateByShortID(ctx, "2025.00186", opla.OpportunityUpdate{
					Name: "Deal", ExternalID: "O-1", StageClose: opla.StageCloseWon, SaleProcessStage: "Won", DateClosed: "2025-07-24",
					Invoices:     []opla.Invoice{{Code: "INV-1", Amount: 1000.5, Date: "2025-07-24"}},
					CustomFields: []opla.CustomFieldValue{{Name: "Region", Value: "South"}},
				}))
			},
			want: &opla.Opportunity{ID: "o1"},
		},
		{
			name:    "opportunities.update",
			pattern: "PUT /public/opportunities/o1",
			wantBody: `{"name":"Deal","external_id":"O-1","locked":true,"opportunities_joint_id":"j1","sale_process_stage":"",
				"close_reason":"","date_closed":"","products":[{"product_external_id":"P-1","quantity":2,"price":10}],
				"opportunities_products":[{"product_external_id":"P-1","quantity":2,"price":10,"discount":5}],"invoices":[],"custom_fields":[]}`,
			answer: `{"id":"o1"}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.Opportunities.Update(ctx, "o1", opla.OpportunityUpdate{
					Name: "Deal", ExternalID: "O-1", Locked: true, OpportunitiesJointID: "j1",
					Products:              []opla.OpportunityProduct{{ProductExternalID: "P-1", Quantity: 2, Price: 10}},
					OpportunitiesProducts: []opla.OpportunityProduct{{ProductExternalID: "P-1", Quantity: 2, Price: 10, Discount: 5}},
				}))
			},
			want: &opla.Opportunity{ID: "o1"},
		},
		{
			name:    "opportunities.create",
			pattern: "POST /public/opportunities",
			wantBody: `{"name":"Deal","account_external_id":"A-1","account_id":"","contacts_external_ids":["C-1"],"contacts_ids":[],
				"date_open":"2025-06-24","date_closed":"2025-07-24","opportunities_products":[],"forecast":"","type":"","source":"Website",
				"opportunities_joint":"","sale_process":"Sales process Default","sale_process_stage":"New","contributors":[{"email":"b@x.vn","permission":"READ_ONLY"}],
				"external_id":"O-1","owner_external_id":"E-1","owner_email":"a@x.vn","application":"","custom_fields":[]}`,
			answer: `{"id":"o1","external_id":"O-1","short_id":"2025.00001"}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.Opportunities.Create(ctx, opla.OpportunityCreate{
					Name: "Deal", AccountExternalID: "A-1", ContactsExternalIDs: []string{"C-1"}, DateOpen: "2025-06-24", DateClosed: "2025-07-24",
					Source: "Website", SaleProcess: "Sales process Default", SaleProcessStage: "New",
					Contributors: []opla.Contributor{{Email: "b@x.vn", Permission: opla.PermissionReadOnly}},
					ExternalID:   "O-1", OwnerExternalID: "E-1", OwnerEmail: "a@x.vn",
				}))
			},
			want: &opla.Opportunity{ID: "o1", ExternalID: "O-1", ShortID: "2025.00001"},
		},
		{
			name:     "opportunities.add_contributor",
			pattern:  "POST /public/opportunities/o1/contributors",
			wantBody: `{"email":"b@x.vn","permission":"READ_WRITE"}`,
			answer:   `{"id":"o1","users_opportunities":[{"user":{"email":"b@x.vn"},"permission":"READ_WRITE"}]}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.Opportunities.AddContributor(ctx, "o1", opla.ContributorAdd{Email: "b@x.vn", Permission: opla.PermissionReadWrite}))
			},
			want: &opla.Opportunity{ID: "o1", Users: []opla.UserLink{{User: opla.EmailRef{Email: "b@x.vn"}, Permission: "READ_WRITE"}}},
		},
		{
			name:      "opportunities.list",
			pattern:   "GET /public/opportunities",
			wantQuery: paged(url.Values{"sales_process": {"Sales process Default"}, "sales_process_stages": {"Won"}}),
			answer:    `[{"id":"o1"}]`,
			wantHits:  2,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return collect(c.Opportunities.List(ctx, opla.OpportunityListOptions{SalesProcess: "Sales process Default", SalesProcessStages: "Won"}))
			},
			want: []opla.Opportunity{{ID: "o1"}},
		},
		{
			name:      "opportunities.list_v1",
			pattern:   "GET /public/v1/opportunities",
			wantQuery: paged(nil),
			answer:    `[{"id":"o1"},{"id":"o2"}]`,
			wantHits:  2,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return collect(c.Opportunities.ListV1(ctx, opla.OpportunityListOptions{}))
			},
			want: []opla.Opportunity{{ID: "o1"}, {ID: "o2"}},
		},
		// ------------------------------------------------------------ leads
		{
			name:    "leads.status",
			pattern: "GET /public/leads/status",
			answer:  `[{"id":"ls1","name":"New"}]`,
			call:    func(ctx context.Context, c *opla.Client) (any, error) { return one(c.Leads.Statuses(ctx)) },
			want:    []opla.NamedItem{{ID: "ls1", Name: "New"}},
		},
		{
			name:      "leads.list",
			pattern:   "GET /public/leads",
			wantQuery: paged(url.Values{"external_id": {"L-1"}}),
			answer:    `[{"id":"l1","external_id":"L-1"}]`,
			wantHits:  2,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return collect(c.Leads.List(ctx, opla.LeadListOptions{ExternalID: "L-1"}))
			},
			want: []opla.Lead{{ID: "l1", ExternalID: "L-1"}},
		},
		{
			name:     "leads.create minimal",
			pattern:  "POST /public/leads",
			wantBody: `{"name":"John","account_name":"Acme"}`,
			answer:   `{"id":"l1","name":"John"}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.Leads.Create(ctx, opla.LeadCreate{Name: "John", AccountName: "Acme"}))
			},
			want: &opla.Lead{ID: "l1", Name: "John"},
		},
		{
			name:    "leads.create",
			pattern: "POST /public/leads",
			wantBody: `{"name":"John","job_title":"CTO","gender":"OTHER","address":"1 Tech St","note":"n","account_name":"Acme","contact_name":"Jane",
				"phone":{"phone":"0901234567"},"email":"j@acme.com","owner_id":"E-1","external_id":"L-1","external_from":"CRM","lead_segmentation":"Enterprise",
				"lead_status":"New","industry":"Technology","source":"Website","custom_fields":[{"name":"Budget","value":"1000"}]}`,
			answer: `{"id":"l1","external_id":"L-1","phone":{"phone":"0901234567"}}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.Leads.Create(ctx, opla.LeadCreate{
					Name: "John", JobTitle: "CTO", Gender: opla.GenderOther, Address: "1 Tech St", Note: "n", AccountName: "Acme", ContactName: "Jane",
					Phone: &opla.Phone{Phone: "0901234567"}, Email: "j@acme.com", OwnerID: "E-1", ExternalID: "L-1", ExternalFrom: "CRM",
					LeadSegmentation: "Enterprise", LeadStatus: "New", Industry: "Technology", Source: "Website",
					CustomFields: []opla.CustomFieldValue{{Name: "Budget", Value: "1000"}},
				}))
			},
			want: &opla.Lead{ID: "l1", ExternalID: "L-1", Phone: opla.Phone{Phone: "0901234567"}},
		},
		{
			name:     "leads.update",
			pattern:  "PUT /public/leads/L-1",
			wantBody: `{"name":"John","account_name":"Acme","lead_status":"Qualified","custom_fields":[]}`,
			answer:   `{"id":"l1","external_id":"L-1","lead_status":"Qualified"}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.Leads.Update(ctx, "L-1", opla.LeadUpdate{Name: "John", AccountName: "Acme", LeadStatus: "Qualified"}))
			},
			want: &opla.Lead{ID: "l1", ExternalID: "L-1", LeadStatus: "Qualified"},
		},
		// ------------------------------------------------------------ sales processes
		{
			name:    "sales-processes.list",
			pattern: "GET /public/sales-process",
			answer:  `[{"id":"sp1","name":"Sales process Default","is_active":true,"stages":[{"id":"st1","name":"New","order":1}]}]`,
			call:    func(ctx context.Context, c *opla.Client) (any, error) { return one(c.SalesProcesses.List(ctx)) },
			want: []opla.SalesProcess{{ID: "sp1", Name: "Sales process Default", IsActive: true,
				Stages: []opla.Stage{{ID: "st1", Name: "New", Order: 1}}}},
		},
		{
			name:    "sales-processes.get",
			pattern: "GET /public/sales-process/sp1",
			answer:  `{"id":"sp1","name":"Sales process Default","description":"Default","stages":[{"id":"st9","name":"Won","order":9,"stage_compact":"CLOSE_WON"}]}`,
			call:    func(ctx context.Context, c *opla.Client) (any, error) { return one(c.SalesProcesses.Get(ctx, "sp1")) },
			want: &opla.SalesProcess{ID: "sp1", Name: "Sales process Default", Description: "Default",
				Stages: []opla.Stage{{ID: "st9", Name: "Won", Order: 9, StageCompact: "CLOSE_WON"}}},
		},
		// ------------------------------------------------------------ employees
		{
			name:     "employees.create",
			pattern:  "POST /public/employee",
			wantBody: `{"first_name":"Jone","last_name":"Doe","email":"jone@x.vn","dimension_id":null,"site_id":"S-1","external_id":"E-1"}`,
			answer:   `{"id":"e1","external_id":"E-1","email":"jone@x.vn"}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.Employees.Create(ctx, opla.EmployeeCreate{FirstName: "Jone", LastName: "Doe", Email: "jone@x.vn", SiteID: opla.Ptr("S-1"), ExternalID: opla.Ptr("E-1")}))
			},
			want: &opla.Employee{ID: "e1", ExternalID: "E-1", Email: "jone@x.vn"},
		},
		{
			name:      "employees.list",
			pattern:   "GET /public/employee",
			wantQuery: paged(url.Values{"search": {"jone"}}),
			answer:    `[{"id":"e1","external_id":"E-1","user_site":{"value":"HCM","external_id":"S-1"}}]`,
			wantHits:  2,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return collect(c.Employees.List(ctx, opla.EmployeeListOptions{Search: "jone"}))
			},
			want: []opla.Employee{{ID: "e1", ExternalID: "E-1", UserSite: &opla.ValueRef{Value: "HCM", ExternalID: "S-1"}}},
		},
		{
			name:     "employees.update",
			pattern:  "PUT /public/employee/e1",
			wantBody: `{"first_name":"Jone","last_name":"Doe","dimension_id":"D-1","site_id":null}`,
			answer:   `{"id":"e1"}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.Employees.Update(ctx, "e1", opla.EmployeeUpdate{FirstName: "Jone", LastName: "Doe", DimensionID: opla.Ptr("D-1")}))
			},
			want: &opla.Employee{ID: "e1"},
		},
		{
			name:    "employees.get",
			pattern: "GET /public/employee/E-1",
			answer:  `{"first_name":"Jone","last_name":"Doe","email":"jone@x.vn","external_id":"E-1"}`,
			call:    func(ctx context.Context, c *opla.Client) (any, error) { return one(c.Employees.Get(ctx, "E-1")) },
			want:    &opla.Employee{FirstName: "Jone", LastName: "Doe", Email: "jone@x.vn", ExternalID: "E-1"},
		},
		{
			name:    "employees.activate",
			pattern: "PUT /public/employee/E-1/active",
			answer:  `{}`,
			call:    func(ctx context.Context, c *opla.Client) (any, error) { return none(c.Employees.Activate(ctx, "E-1")) },
		},
		{
			name:    "employees.deactivate",
			pattern: "PUT /public/employee/E-1/inactive",
			answer:  `{}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return none(c.Employees.Deactivate(ctx, "E-1"))
			},
		},
		// ------------------------------------------------------------ products
		{
			name:    "products.create",
			pattern: "POST /public/products",
			wantBody: `{"name":"Widget","description":"","price":0,"supplier_id":"SUP-1","unit_of_measure_id":"UOM-1","category_id":"",
				"sub_category_id":"","external_id":"P-1"}`,
			answer: `{"id":"p1","external_id":"P-1","price":0}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.Products.Create(ctx, opla.ProductCreate{Name: "Widget", SupplierID: "SUP-1", UnitOfMeasureID: "UOM-1", ExternalID: "P-1"}))
			},
			want: &opla.Product{ID: "p1", ExternalID: "P-1", Price: "0"},
		},
		{
			name:    "products.list",
			pattern: "GET /public/products",
			answer:  `[{"id":"p1","external_id":1753866687345}]`,
			call:    func(ctx context.Context, c *opla.Client) (any, error) { return collect(c.Products.List(ctx)) },
			want:    []opla.Product{{ID: "p1", ExternalID: "1753866687345"}},
		},
		{
			name:    "products.update",
			pattern: "PUT /public/products/P-1",
			wantBody: `{"name":"Widget","description":"d","price":12.5,"supplier_id":"","unit_of_measure_id":"","category_id":"c",
				"sub_category_id":"sc"}`,
			answer: `{"id":"p1","price":12.5}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.Products.Update(ctx, "P-1", opla.ProductUpdate{Name: "Widget", Description: "d", Price: 12.5, CategoryID: "c", SubCategoryID: "sc"}))
			},
			want: &opla.Product{ID: "p1", Price: "12.5"},
		},
		{
			name:    "products.delete",
			pattern: "DELETE /public/products/P-1",
			call:    func(ctx context.Context, c *opla.Client) (any, error) { return none(c.Products.Delete(ctx, "P-1")) },
		},
		{
			name:    "products.upsert",
			pattern: "POST /public/products/upsert",
			wantBody: `{"name":"Widget","description":"","price":3,"supplier_id":"","unit_of_measure_id":"","category_id":"",
				"sub_category_id":"","external_id":"P-1","id":"","deleted":1}`,
			answer: `{"id":"p1","external_id":"P-1","deleted":1}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.Products.Upsert(ctx, opla.ProductUpsert{Name: "Widget", Price: 3, ExternalID: "P-1", Deleted: 1}))
			},
			want: &opla.Product{ID: "p1", ExternalID: "P-1", Deleted: "1"},
		},
		// ------------------------------------------------------------ simple entities
		{
			name:     "sites.create",
			pattern:  "POST /public/sites",
			wantBody: `{"value":"HCM","description":"","external_id":"S-1"}`,
			answer:   `{"id":"s1","value":"HCM","external_id":"S-1"}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.Sites.Create(ctx, opla.SiteCreate{Value: "HCM", ExternalID: "S-1"}))
			},
			want: &opla.SimpleRecord{ID: "s1", Value: "HCM", ExternalID: "S-1"},
		},
		{
			name:     "sites.update",
			pattern:  "PUT /public/sites/S-1",
			wantBody: `{"value":"Hồ Chí Minh","description":"d"}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.Sites.Update(ctx, "S-1", opla.SiteUpdate{Value: "Hồ Chí Minh", Description: "d"}))
			},
			want: &opla.SimpleRecord{},
		},
		{
			name:     "suppliers.create",
			pattern:  "POST /public/suppliers",
			wantBody: `{"name":"ACME","buyer_group_id":"BG-1","buyer_group_name":"Retail","external_id":"SUP-1","main_contact_id":"C-1"}`,
			answer:   `{"id":"sup1","name":"ACME","external_id":"SUP-1","buyer_group_id":"BG-1"}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.Suppliers.Create(ctx, opla.SupplierCreate{Name: "ACME", BuyerGroupID: "BG-1", BuyerGroupName: "Retail", ExternalID: "SUP-1", MainContactID: "C-1"}))
			},
			want: &opla.SimpleRecord{ID: "sup1", Name: "ACME", ExternalID: "SUP-1", BuyerGroupID: "BG-1"},
		},
		{
			name:     "suppliers.update",
			pattern:  "PUT /public/suppliers/SUP-1",
			wantBody: `{"name":"ACME","buyer_group_id":"","buyer_group_name":"","main_contact_id":""}`,
			answer:   `{"id":"sup1"}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.Suppliers.Update(ctx, "SUP-1", opla.SupplierUpdate{Name: "ACME"}))
			},
			want: &opla.SimpleRecord{ID: "sup1"},
		},
		{
			name:     "unit-of-measures.create",
			pattern:  "POST /public/unit-of-measures",
			wantBody: `{"name":"Box","description":"","external_id":"UOM-1"}`,
			answer:   `{"id":"u1","name":"Box","external_id":"UOM-1","owner":{"email":"a@x.vn"}}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.UnitOfMeasures.Create(ctx, opla.UnitOfMeasureCreate{Name: "Box", ExternalID: "UOM-1"}))
			},
			want: &opla.SimpleRecord{ID: "u1", Name: "Box", ExternalID: "UOM-1", Owner: &opla.Owner{Email: "a@x.vn"}},
		},
		{
			name:     "unit-of-measures.update",
			pattern:  "PUT /public/unit-of-measures/UOM-1",
			wantBody: `{"name":"Box of 12","description":""}`,
			answer:   `{"id":"u1","name":"Box of 12"}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.UnitOfMeasures.Update(ctx, "UOM-1", opla.UnitOfMeasureUpdate{Name: "Box of 12"}))
			},
			want: &opla.SimpleRecord{ID: "u1", Name: "Box of 12"},
		},
		{
			name:     "buyer-groups.create",
			pattern:  "POST /public/buyer-group",
			wantBody: `{"name":"Retail","description":"","external_id":"BG-1"}`,
			answer:   `{"id":"bg1","name":"Retail","external_id":"BG-1"}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.BuyerGroups.Create(ctx, opla.BuyerGroupCreate{Name: "Retail", ExternalID: "BG-1"}))
			},
			want: &opla.SimpleRecord{ID: "bg1", Name: "Retail", ExternalID: "BG-1"},
		},
		{
			name:     "buyer-groups.update with a map body",
			pattern:  "PUT /public/buyer-group/BG-1",
			wantBody: `{"name":"Retail VN","description":"x"}`,
			answer:   `{"id":"bg1","name":"Retail VN"}`,
			call: func(ctx context.Context, c *opla.Client) (any, error) {
				return one(c.BuyerGroups.Update(ctx, "BG-1", map[string]any{"name": "Retail VN", "description": "x"}))
			},
			want: &opla.SimpleRecord{ID: "bg1", Name: "Retail VN"},
		},
	}

	covered := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := setup(t)
			var queries []url.Values
			hits := h.handle(tt.pattern, func(w http.ResponseWriter, r *http.Request, _ int) {
				queries = append(queries, r.URL.Query())
				body, err := io.ReadAll(r.Body)
				require.NoError(t, err)
				if tt.wantBody == "" {
					require.Empty(t, body)
				} else {
					require.JSONEq(t, tt.wantBody, string(body))
				}
				if skip := r.URL.Query().Get("skip"); skip != "" && skip != "0" {
					writeJSON(w, 200, `[]`)
					return
				}
				writeJSON(w, 200, tt.answer)
			})
			got, err := tt.call(context.Background(), h.client)
			require.NoError(t, err)
			wantHits := tt.wantHits
			if wantHits == 0 {
				wantHits = 1
			}
			require.Equal(t, wantHits, hits.Load())
			if tt.wantQuery == nil {
				require.Empty(t, queries[0])
			} else {
				require.Equal(t, tt.wantQuery, queries[0])
			}
			if tt.want != nil {
				require.Equal(t, tt.want, got)
			}
		})
		covered[tt.pattern] = true
	}

	// Every route of the default profile has a case above.
	p := opla.DefaultProfile()
	var missing []string
	for _, name := range p.OperationNames() {
		op, _ := p.Op(name)
		found := false
		for pattern := range covered {
			if routeMatches(op, pattern) {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, name)
		}
	}
	require.Empty(t, missing, "operations without a service test")
}

// routeMatches reports whether a concrete "METHOD /path" is an instance of op's route.
func routeMatches(op *opla.Operation, pattern string) bool {
	method, path, _ := strings.Cut(pattern, " ")
	mux := http.NewServeMux()
	mux.HandleFunc(op.Pattern(), func(http.ResponseWriter, *http.Request) {})
	r, err := http.NewRequest(method, "http://x"+path, nil)
	if err != nil {
		return false
	}
	_, got := mux.Handler(r)
	return got == op.Pattern()
}

// TestRequestTypesMatchProfile proves the request structs follow the profile's schemas: a
// zero value marshals exactly the required keys, a filled one exactly every key.
func TestRequestTypesMatchProfile(t *testing.T) {
	p := opla.DefaultProfile()
	bodies := map[string]any{
		"contacts.create":                  opla.ContactCreate{},
		"contacts.update":                  opla.ContactUpdate{},
		"accounts.create":                  opla.AccountCreate{},
		"accounts.update":                  opla.AccountUpdate{},
		"accounts.update_by_uuid":          opla.AccountUpdate{},
		"accounts.assign_owner":            opla.AccountEmployee{},
		"accounts.assign_contributor":      opla.AccountEmployee{},
		"accounts.unassign_contributor":    opla.AccountEmployee{},
		"opportunities.create":             opla.OpportunityCreate{},
		"opportunities.update":             opla.OpportunityUpdate{},
		"opportunities.update_by_short_id": opla.OpportunityUpdate{},
		"opportunities.add_contributor":    opla.ContributorAdd{},
		"leads.create":                     opla.LeadCreate{},
		"leads.update":                     opla.LeadUpdate{},
		"employees.create":                 opla.EmployeeCreate{},
		"employees.update":                 opla.EmployeeUpdate{},
		"products.create":                  opla.ProductCreate{},
		"products.update":                  opla.ProductUpdate{},
		"products.upsert":                  opla.ProductUpsert{},
		"sites.create":                     opla.SiteCreate{},
		"sites.update":                     opla.SiteUpdate{},
		"suppliers.create":                 opla.SupplierCreate{},
		"suppliers.update":                 opla.SupplierUpdate{},
		"unit-of-measures.create":          opla.UnitOfMeasureCreate{},
		"unit-of-measures.update":          opla.UnitOfMeasureUpdate{},
		"buyer-groups.create":              opla.BuyerGroupCreate{},
		"buyer-groups.update":              opla.BuyerGroupUpdate{},
	}
	for _, name := range p.OperationNames() {
		op, _ := p.Op(name)
		if len(op.Body) > 0 {
			require.Contains(t, bodies, name, "operation %s has a body but no request type", name)
		}
	}
	shapes := map[string]any{
		"phone":               opla.Phone{},
		"custom_field_value":  opla.CustomFieldValue{},
		"opportunity_product": opla.OpportunityProduct{},
		"invoice":             opla.Invoice{},
		"contributor":         opla.Contributor{},
	}
	require.Len(t, shapes, len(p.Shapes))

	check := func(t *testing.T, fields []opla.Field, zero any) {
		var required, all []string
		for _, f := range fields {
			all = append(all, f.Name)
			if f.Required {
				required = append(required, f.Name)
			}
		}
		data, err := json.Marshal(zero)
		require.NoError(t, err)
		require.ElementsMatch(t, required, jsonKeys(t, data), "zero value: exactly the required keys")

		full := reflect.New(reflect.TypeOf(zero)).Elem()
		fill(full)
		data, err = json.Marshal(full.Interface())
		require.NoError(t, err)
		require.ElementsMatch(t, all, jsonKeys(t, data), "filled value: every key")

		// Nested shapes follow their profile shapes too.
		for _, f := range fields {
			if f.Shape == "" {
				continue
			}
			_, ok := shapes[f.Shape]
			require.True(t, ok, "field %s: shape %s has no type", f.Name, f.Shape)
		}
	}
	for name, zero := range bodies {
		t.Run(name, func(t *testing.T) {
			op, err := p.Op(name)
			require.NoError(t, err)
			check(t, op.Body, zero)
		})
	}
	for name, zero := range shapes {
		t.Run("shape "+name, func(t *testing.T) { check(t, p.Shapes[name], zero) })
	}
}

// fill sets every field of v to a non-zero value, recursively.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(1)
	case reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0))
		v.Set(s)
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i))
		}
	case reflect.Interface:
		v.Set(reflect.ValueOf("x"))
	}
}

func TestEmptyPhoneMarshalsAsObject(t *testing.T) {
	b, err := json.Marshal(opla.ContactCreate{})
	require.NoError(t, err)
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &m))
	require.JSONEq(t, `{}`, string(m["phone_work"]))
	require.JSONEq(t, `{}`, string(m["phone_other"]))

	b, err = json.Marshal(opla.LeadCreate{})
	require.NoError(t, err)
	require.NotContains(t, string(b), "phone", "an optional phone is left out")
	b, err = json.Marshal(opla.LeadCreate{Phone: &opla.Phone{}})
	require.NoError(t, err)
	require.Contains(t, string(b), `"phone":{}`)
}

func TestPhoneDecoding(t *testing.T) {
	tests := []struct {
		in   string
		want opla.Phone
	}{
		{`{"phone":"901234567","call_code":"+84","country_code":"VN","country_name":"Vietnam"}`, opla.Phone{Phone: "901234567", CallCode: "+84", CountryCode: "VN", CountryName: "Vietnam"}},
		{`{"phone":901234567,"call_code":84}`, opla.Phone{Phone: "901234567", CallCode: "84"}},
		{`{}`, opla.Phone{}},
		{`null`, opla.Phone{}},
		{`"0901234567"`, opla.Phone{Phone: "0901234567"}},
		{`901234567`, opla.Phone{Phone: "901234567"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var got struct {
				Phone opla.Phone `json:"phone"`
			}
			require.NoError(t, json.Unmarshal([]byte(`{"phone":`+tt.in+`}`), &got))
			require.Equal(t, tt.want, got.Phone)
			require.Equal(t, tt.want == opla.Phone{}, got.Phone.IsZero())
		})
	}
}

func TestNumber(t *testing.T) {
	tests := []struct {
		in      string
		want    opla.Number
		float   float64
		wantErr bool
	}{
		{`0`, "0", 0, false},
		{`"0"`, "0", 0, false},
		{`1500000.5`, "1500000.5", 1500000.5, false},
		{`" 12.5 "`, "12.5", 12.5, false},
		{`-3e2`, "-3e2", -300, false},
		{`null`, "", 0, false},
		{`""`, "", 0, false},
		{`true`, "", 0, true},
		{`{}`, "", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var n opla.Number
			err := json.Unmarshal([]byte(tt.in), &n)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, n)
			f, err := n.Float64()
			require.NoError(t, err)
			require.Equal(t, tt.float, f)
		})
	}
	_, err := opla.Number("N/A").Float64()
	require.ErrorContains(t, err, `"N/A" is not a number`)

	b, err := json.Marshal(struct{ A, B, C opla.Number }{"12.50", "", "N/A"})
	require.NoError(t, err)
	require.JSONEq(t, `{"A":12.50,"B":null,"C":"N/A"}`, string(b))
}

func TestText(t *testing.T) {
	tests := map[string]opla.Text{
		`"abc"`:           "abc",
		`1753866687345`:   "1753866687345",
		`12.5`:            "12.5",
		`true`:            "true",
		`null`:            "",
		`{"a": [1, 2]}`:   `{"a":[1,2]}`,
		`[ "id1","id2" ]`: `["id1","id2"]`,
	}
	for in, want := range tests {
		var got opla.Text
		require.NoError(t, json.Unmarshal([]byte(in), &got), in)
		require.Equal(t, want, got, in)
		require.Equal(t, string(want), got.String())
	}
}

// TestOpportunityDecoding decodes an opportunity shaped like the ones real clients flatten.
func TestOpportunityDecoding(t *testing.T) {
	const in = `{
	  "id": "660f4375-1c7a-4d2c-8cf6-f04aa355122f",
	  "name": "Log stage",
	  "description": "string",
	  "amount": 1500000.5,
	  "amount_usd_dollar": "59.2",
	  "date_closed": "2025-07-24",
	  "date_open": "2025-06-24T00:00:00+00:00",
	  "stage_compact": "CLOSE_WON",
	  "owner_id": "f11c8149-4cd9-44b1-bea9-1ceeff1c91bc",
	  "short_id": "2025.00186",
	  "invoice": 0,
	  "tax_inclusive_amount": "0",
	  "date_closed_actual": "2025-06-24",
	  "external_id": "O-1",
	  "stage_logs": [{"creator": {"email": "a@x.vn"}, "created_at": "2025-06-24T03:00:00Z", "new_stage": "Won"}],
	  "opportunity_process_stage": {"opportunity_stage": {"name": "Won"}},
	  "accounts_opportunities": [{"account": {"id": "a1", "external_id": "A-1", "name": "Công ty A"}}],
	  "users_opportunities": [{"user": {"email": "b@x.vn"}, "permission": "READ_ONLY"}],
	  "opportunities_products": [{"product_external_id": 1753866687345, "quantity": 2, "price": "10.5", "discount": null},
	                             {"product": {"external_id": "P-2", "name": "Gói B"}, "quantity": 1, "price": 5, "discount": 10}],
	  "invoices": [{"code": "INV-1", "amount": 100, "date": "2025-07-01"}],
	  "owner": {"first_name": "An", "last_name": "Nguyễn", "email": "a@x.vn", "full_name": "Nguyễn An", "external_id": "E-1",
	            "user_site": {"value": "HCM", "external_id": "S-1"}, "user_dimension": {"value": "Sales", "external_id": 7}},
	  "custom_field_opportunity_values": [
	    {"custom_field": {"name": "Region", "master_data_custom_fields": [{"id": "m1", "value": "South"}, {"id": "m2", "value": "North"}]}, "value": "m2"},
	    {"custom_field": {"name": "Channels", "master_data_custom_fields": [{"id": 1, "value": "Web"}, {"id": 2, "value": "Shop"}]}, "value": [1, 2]},
	    {"custom_field": {"name": "Note"}, "value": "free text"},
	    {"custom_field": {"name": "Score"}, "value": 42}
	  ],
	  "something_new": {"the": "API grew a field"}
	}`
	var o opla.Opportunity
	require.NoError(t, json.Unmarshal([]byte(in), &o))
	require.Equal(t, opla.Number("1500000.5"), o.Amount)
	require.Equal(t, opla.Number("59.2"), o.AmountUSD)
	require.Equal(t, opla.Number("0"), o.TaxInclusiveAmount)
	require.Equal(t, opla.Number("0"), o.Invoice)
	require.Equal(t, "2025.00186", o.ShortID)
	require.Equal(t, "Won", o.StageName())
	require.Equal(t, []opla.StageLog{{Creator: opla.EmailRef{Email: "a@x.vn"}, CreatedAt: "2025-06-24T03:00:00Z", NewStage: "Won"}}, o.StageLogs)
	require.Equal(t, "Công ty A", o.Accounts[0].Account.Name)
	require.Equal(t, "b@x.vn", o.Users[0].User.Email)
	require.Equal(t, opla.OpportunityProductOut{ProductExternalID: "1753866687345", Quantity: "2", Price: "10.5"}, o.OpportunitiesProducts[0])
	require.Equal(t, "1753866687345", o.OpportunitiesProducts[0].ExternalID())
	require.Equal(t, "P-2", o.OpportunitiesProducts[1].ExternalID())
	require.Equal(t, "Gói B", o.OpportunitiesProducts[1].Product.Name)
	require.Equal(t, []opla.InvoiceOut{{Code: "INV-1", Amount: "100", Date: "2025-07-01"}}, o.Invoices)
	require.Equal(t, "Nguyễn An", o.Owner.FullName)
	require.Equal(t, &opla.ValueRef{Value: "Sales", ExternalID: "7"}, o.Owner.UserDimension)

	var labels []string
	for _, cf := range o.CustomFields {
		labels = append(labels, cf.CustomField.Name+"="+cf.Label())
	}
	require.Equal(t, []string{"Region=North", "Channels=Web, Shop", "Note=free text", "Score=42"}, labels)

	require.Empty(t, (&opla.Opportunity{}).StageName())
}

func TestContactAndAccountDecoding(t *testing.T) {
	// The page's own response samples.
	const contact = `{"first_name":"First Name Contact","last_name":"Last Name Contact","gender":"MALE","email":"Email",
	  "birthday":"2010-10-27T17:00:00.000Z","department":"Department","description":"Description","account_external_id":"ACCOUNT-007",
	  "external_id":"CONTACT-007","address":"Sarina, An Loi Dong","phone_work":{},"phone_other":{},"website":"https://oplacrm.com",
	  "owner_id":"MNV_001","id":"03d245c1-2250-4742-886e-29192ba9a75c","name":"string","company_id":"string","created_by":"string",
	  "updated_by":"string","owner":{}}`
	var c opla.Contact
	require.NoError(t, json.Unmarshal([]byte(contact), &c))
	require.Equal(t, "CONTACT-007", c.ExternalID)
	require.Equal(t, "ACCOUNT-007", c.AccountExternalID)
	require.NotNil(t, c.Owner)

	const account = `{"name":"Name Account","long_name":"Long Name Account","description":"Description","tax_identification_number":"Tax of Account",
	  "email":"Email","external_id":"ACCOUNT-007","address":"Sarina, An Loi Dong","phone":{},"website":"https://oplacrm.com","is_public":false,
	  "note":"Note","account_type":"Account Type","source_id":"9a8b","industry_id":"1a2b","owner_id":"MNV_001","created_by":"MNV_001",
	  "updated_by":"MNV_001","id":"03d245c1-2250-4742-886e-29192ba9a75c","owner":{},
	  "custom_field_account_values":[{"custom_field":{"name":"Tier"},"value":"Gold"}]}`
	var a opla.Account
	require.NoError(t, json.Unmarshal([]byte(account), &a))
	require.Equal(t, opla.Text("Account Type"), a.AccountType)
	require.Equal(t, "Gold", a.CustomFields[0].Label())

	const product = `{"name":"name","description":"description","price":0,"supplier_id":"string","unit_of_measure_id":"string",
	  "category_id":"string","sub_category_id":"string","external_id":1753866687345,"id":"03d2","owner":{}}`
	var p opla.Product
	require.NoError(t, json.Unmarshal([]byte(product), &p))
	require.Equal(t, opla.Text("1753866687345"), p.ExternalID)
}

func TestSimpleServiceEntities(t *testing.T) {
	c, err := opla.New(opla.Options{})
	require.NoError(t, err)
	got := []string{c.Sites.Entity(), c.Suppliers.Entity(), c.UnitOfMeasures.Entity(), c.BuyerGroups.Entity()}
	want := []string{"sites", "suppliers", "unit-of-measures", "buyer-groups"}
	require.Equal(t, want, got)
	names := c.Profile().EntityNames()
	sort.Strings(names)
	for _, e := range want {
		require.True(t, slices.Contains(names, e))
	}
}
