package oplatest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/oplabatch/oplabatch/opla"
)

// fixedNow is the emulator clock in tests.
var fixedNow = time.Date(2026, 12, 4, 8, 15, 0, 0, time.UTC)

func clock() time.Time { return fixedNow }

// newServer starts an emulator for one test with a fixed clock.
func newServer(t *testing.T, opts Options) *Server {
	t.Helper()
	if opts.Now == nil {
		opts.Now = clock
	}
	if opts.Profile == nil {
		opts.Profile = profile
	}
	s := NewServer(opts)
	t.Cleanup(s.Close)
	return s
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// object decodes a JSON object answer.
func (r response) object(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), "body: %s", r.body)
	return m
}

// list decodes a JSON array answer.
func (r response) list(t *testing.T) []map[string]any {
	t.Helper()
	var l []map[string]any
	require.NoError(t, json.Unmarshal(r.body, &l), "body: %s", r.body)
	return l
}

// messages returns the NestJS "message" of an error answer as a list.
func (r response) messages(t *testing.T) []string {
	t.Helper()
	var b struct {
		StatusCode int             `json:"statusCode"`
		Message    json.RawMessage `json:"message"`
	}
	require.NoError(t, json.Unmarshal(r.body, &b), "body: %s", r.body)
	require.Equal(t, r.status, b.StatusCode, "statusCode in body: %s", r.body)
	var list []string
	if json.Unmarshal(b.Message, &list) == nil {
		return list
	}
	var one string
	require.NoError(t, json.Unmarshal(b.Message, &one), "body: %s", r.body)
	return []string{one}
}

type reqOpt func(*http.Request)

func withToken(tok string) reqOpt {
	return func(r *http.Request) {
		if tok == "" {
			r.Header.Del("Authorization")
		} else {
			r.Header.Set("Authorization", "Bearer "+tok)
		}
	}
}

func withHeader(k, v string) reqOpt { return func(r *http.Request) { r.Header.Set(k, v) } }

// do sends a request to the server; path is below the base URL ("/public/contacts?take=5").
// body is sent as JSON unless it is a string or []byte (sent as is).
func do(t *testing.T, s *Server, method, path string, body any, opts ...reqOpt) response {
	t.Helper()
	if m, ok := body.(map[string]any); ok && m == nil {
		body = nil
	}
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		require.NoError(t, err)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.URL()+path, rd)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+s.Token())
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(req)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{status: resp.StatusCode, header: resp.Header, body: data}
}

// opPath fills an operation's path parameters in order.
func opPath(t *testing.T, opName string, params ...string) string {
	t.Helper()
	op, err := profile.Op(opName)
	require.NoError(t, err)
	p := op.Path
	names := op.PathParams()
	require.Len(t, params, len(names), "params of %s", opName)
	for i, n := range names {
		p = strings.Replace(p, "{"+n+"}", url.PathEscape(params[i]), 1)
	}
	return p
}

// callOp sends a request for a profile operation.
func callOp(t *testing.T, s *Server, opName string, params []string, body any, opts ...reqOpt) response {
	t.Helper()
	op, err := profile.Op(opName)
	require.NoError(t, err)
	return do(t, s, op.Method, opPath(t, opName, params...), body, opts...)
}

// seed is the sample dataset, for ids in tests.
var seed = SampleDataset()

func seedRecord(t *testing.T, entity, ext string) map[string]any {
	t.Helper()
	for _, r := range *seed.records(entity) {
		if r["external_id"] == ext {
			return r
		}
	}
	t.Fatalf("no %s %s in the seed", entity, ext)
	return nil
}

func seedID(t *testing.T, entity, ext string) string {
	t.Helper()
	return seedRecord(t, entity, ext)["id"].(string)
}

func masterID(t *testing.T, list []MasterData, name string) string {
	t.Helper()
	for _, m := range list {
		if m.Name == name {
			return m.ID
		}
	}
	t.Fatalf("no %s in the seed", name)
	return ""
}

// opCase is a request that succeeds against the sample dataset.
type opCase struct {
	op     string
	params []string
	body   map[string]any
	status int
}

// validCases has one successful request for every operation of the default profile.
func validCases(t *testing.T) []opCase {
	oppID := seedID(t, "opportunities", "OPP-001")
	phone := map[string]any{"phone": "901234567", "call_code": "+84", "country_code": "VN", "country_name": "Vietnam"}
	contact := map[string]any{
		"first_name": "Hoa", "last_name": "Đỗ Thị", "gender": "FEMALE", "email": "hoa.do@minhphat.vn",
		"birthday": "1992-05-20T17:00:00.000Z", "department": "Kinh doanh", "description": "",
		"account_external_id": "ACC-001", "external_id": "CT-100", "address": "", "phone_work": phone,
		"phone_other": map[string]any{}, "website": "", "owner_id": "MNV_001",
	}
	contactUpdate := clone(contact)
	delete(contactUpdate, "account_external_id")
	contactUpdate["external_id"] = "CT-001"
	account := map[string]any{
		"name": "Hưng Thịnh", "long_name": "Công ty TNHH Hưng Thịnh", "description": "", "tax_identification_number": "0311111111",
		"email": "", "external_id": "ACC-100", "address": "", "phone": map[string]any{}, "website": "", "is_public": false,
		"note": "", "account_type": "Khách hàng", "source_id": masterID(t, seed.Sources, "Website"),
		"industry_id": masterID(t, seed.Industries, "Retail"), "owner_id": "MNV_001", "created_by": "MNV_001", "updated_by": "MNV_001",
	}
	accountUpdate := clone(account)
	accountUpdate["external_id"] = "ACC-001"
	accountUpdate["custom_fields"] = []any{"Hạng khách hàng=Bạc"}
	opp := map[string]any{
		"name": "Gia hạn CRM", "account_external_id": "ACC-001", "account_id": "", "contacts_external_ids": []any{"CT-001"},
		"contacts_ids": []any{}, "date_open": "2026-12-01", "date_closed": "2027-01-31", "forecast": "", "type": "",
		"source": "Website", "opportunities_joint": "", "sale_process": "Sales process Default", "sale_process_stage": "Prospecting",
		"external_id": "OPP-100", "owner_external_id": "MNV_001", "owner_email": "an.nguyen@example.vn", "application": "",
	}
	opp["opportunities_products"] = []any{map[string]any{"product_external_id": "PRD-001", "quantity": 2, "price": 12000000, "discount": 10}}
	opp["contributors"] = []any{map[string]any{"email": "binh.tran@example.vn", "permission": "READ_ONLY"}}
	opp["custom_fields"] = []any{map[string]any{"name": "Kênh bán hàng", "value": "Online"}}
	oppUpdate := map[string]any{
		"name": "Triển khai CRM cho Minh Phát", "external_id": "OPP-001", "locked": false, "stage_close": "CLOSE_WON",
		"sale_process_stage": "Negotiation", "close_reason": "", "date_closed": "2026-03-31", "products": []any{},
		"opportunities_products": []any{map[string]any{"product_external_id": "PRD-002", "quantity": 1, "price": 25000000}},
		"invoices":               []any{map[string]any{"code": "HD-001", "amount": 1000000, "date": "2026-02-01"}},
		"custom_fields":          []any{map[string]any{"name": "Ghi chú nội bộ", "value": "Ưu tiên"}},
	}
	lead := map[string]any{
		"name": "Phan Văn Khoa", "account_name": "Công ty TNHH Khoa Phát", "external_id": "LEAD-100", "lead_status": "New",
		"industry": "technology", "source": "Website", "owner_id": "MNV_002", "phone": map[string]any{}, "job_title": nil,
		"custom_fields": []any{map[string]any{"name": "Nhu cầu", "value": "Báo giá"}},
	}
	leadUpdate := map[string]any{"name": "Trần Văn Tâm", "account_name": "Phú Quý", "custom_fields": []any{}}
	product := map[string]any{
		"name": "Gói nâng cao", "description": "", "price": 20000000, "supplier_id": "SUP-001", "unit_of_measure_id": "UOM-001",
		"category_id": "", "sub_category_id": "", "external_id": "PRD-100",
	}
	productUpdate := clone(product)
	delete(productUpdate, "external_id")
	upsert := clone(product)
	upsert["external_id"], upsert["id"], upsert["deleted"] = "PRD-001", "", 0
	named := func(ext string) map[string]any {
		return map[string]any{"name": "Tên", "description": "Mô tả", "external_id": ext}
	}
	return []opCase{
		{"contacts.get", []string{"CT-001"}, nil, 200},
		{"contacts.update", []string{"CT-001"}, contactUpdate, 200},
		{"contacts.delete", []string{"CT-002"}, nil, 200},
		{"contacts.list", nil, nil, 200},
		{"contacts.create", nil, contact, 201},
		{"accounts.get", []string{"ACC-001"}, nil, 200},
		{"accounts.update", []string{"ACC-001"}, accountUpdate, 200},
		{"accounts.list", nil, nil, 200},
		{"accounts.create", nil, account, 201},
		{"accounts.sources", nil, nil, 200},
		{"accounts.industries", nil, nil, 200},
		{"accounts.update_by_uuid", []string{seedID(t, "accounts", "ACC-001")}, accountUpdate, 200},
		{"accounts.assign_owner", nil, map[string]any{"account_id": "ACC-001", "employee_id": "MNV_002"}, 201},
		{"accounts.assign_contributor", nil, map[string]any{"account_id": "ACC-001", "employee_id": "MNV_003"}, 201},
		{"accounts.unassign_contributor", nil, map[string]any{"account_id": "ACC-001", "employee_id": "MNV_003"}, 201},
		{"opportunities.get_by_short_id", []string{"2026.00001"}, nil, 200},
		{"opportunities.update_by_short_id", []string{"2026.00001"}, oppUpdate, 200},
		{"opportunities.get_by_external_id", []string{"OPP-001"}, nil, 200},
		{"opportunities.update", []string{oppID}, oppUpdate, 200},
		{"opportunities.list", nil, nil, 200},
		{"opportunities.create", nil, opp, 201},
		{"opportunities.add_contributor", []string{oppID}, map[string]any{"email": "cuong.le@example.vn", "permission": "READ_WRITE"}, 201},
		{"opportunities.list_v1", nil, nil, 200},
		{"leads.status", nil, nil, 200},
		{"leads.list", nil, nil, 200},
		{"leads.create", nil, lead, 201},
		{"leads.update", []string{"LEAD-001"}, leadUpdate, 200},
		{"sales-processes.list", nil, nil, 200},
		{"sales-processes.get", []string{seed.SalesProcesses[0].ID}, nil, 200},
		{"employees.create", nil, map[string]any{"first_name": "Giang", "last_name": "Hồ Thị", "email": "giang.ho@example.vn", "dimension_id": nil, "site_id": "S-HN", "external_id": "MNV_100"}, 201},
		{"employees.list", nil, nil, 200},
		{"employees.update", []string{seedID(t, "employees", "MNV_001")}, map[string]any{"first_name": "An", "last_name": "Nguyễn Văn", "dimension_id": "DMS-009", "site_id": nil}, 200},
		{"employees.get", []string{"MNV_001"}, nil, 200},
		{"employees.activate", []string{"MNV_005"}, nil, 200},
		{"employees.deactivate", []string{"MNV_005"}, nil, 200},
		{"products.create", nil, product, 201},
		{"products.list", nil, nil, 200},
		{"products.update", []string{"PRD-001"}, productUpdate, 200},
		{"products.delete", []string{"PRD-003"}, nil, 200},
		{"products.upsert", nil, upsert, 201},
		{"sites.create", nil, map[string]any{"value": "Cần Thơ", "description": "", "external_id": "S-CT"}, 201},
		{"sites.update", []string{"S-HCM"}, map[string]any{"value": "TP. Hồ Chí Minh", "description": ""}, 200},
		{"suppliers.create", nil, map[string]any{"name": "NCC Mới", "buyer_group_id": "BG-001", "buyer_group_name": "", "external_id": "SUP-100", "main_contact_id": ""}, 201},
		{"suppliers.update", []string{"SUP-001"}, map[string]any{"name": "NCC", "buyer_group_id": "", "buyer_group_name": "", "main_contact_id": "CT-001"}, 200},
		{"unit-of-measures.create", nil, named("UOM-100"), 201},
		{"unit-of-measures.update", []string{"UOM-001"}, map[string]any{"name": "Gói", "description": ""}, 200},
		{"buyer-groups.create", nil, named("BG-100"), 201},
		{"buyer-groups.update", []string{"BG-001"}, map[string]any{"name": "SME", "description": ""}, 200},
	}
}

func clone(m map[string]any) map[string]any { return deepCopy(m).(map[string]any) }

func caseFor(t *testing.T, op string) opCase {
	t.Helper()
	for _, c := range validCases(t) {
		if c.op == op {
			if c.body != nil {
				c.body = clone(c.body)
			}
			return c
		}
	}
	t.Fatalf("no valid case for %s", op)
	return opCase{}
}

// profile is parsed once: parsing it per request would dominate the test time.
var profile = opla.DefaultProfile()
