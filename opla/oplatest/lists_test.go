package oplatest

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

func externalIDs(recs []map[string]any) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i], _ = r["external_id"].(string)
	}
	return out
}

// addContacts creates contacts C-1 … C-n through the API, in that order.
func addContacts(t *testing.T, s *Server, n int, account string) {
	t.Helper()
	for i := 1; i <= n; i++ {
		c := caseFor(t, "contacts.create")
		c.body["external_id"] = fmt.Sprintf("C-%d", i)
		c.body["account_external_id"] = account
		r := callOp(t, s, c.op, nil, c.body)
		require.Equal(t, http.StatusCreated, r.status, "body: %s", r.body)
	}
}

func TestListPagingNewestFirst(t *testing.T) {
	s := newServer(t, Options{})
	addContacts(t, s, 5, "ACC-004")
	all := []string{"C-5", "C-4", "C-3", "C-2", "C-1", "CT-003", "CT-002", "CT-001"}
	tests := []struct {
		query string
		want  []string
	}{
		{"", all},
		{"?skip=0&take=3", all[:3]},
		{"?skip=3&take=3", all[3:6]},
		{"?skip=6&take=3", all[6:]},
		{"?skip=8&take=3", []string{}},
		{"?skip=&take=", all}, // empty values take the defaults
		{"?take=200", all},
		{"?account_external_id=ACC-004&take=2&skip=1", []string{"C-4", "C-3"}},
		{"?account_external_id=ACC-001", []string{"CT-001"}},
		{"?external_id=C-2", []string{"C-2"}},
		{"?external_id=c-2", []string{}},
		{"?external_id=&account_external_id=null", all},
		{"?external_id=undefined", all},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			r := do(t, s, http.MethodGet, "/public/contacts"+tc.query, nil)
			require.Equal(t, http.StatusOK, r.status, "body: %s", r.body)
			require.Equal(t, tc.want, externalIDs(r.list(t)))
		})
	}
	require.Equal(t, all, externalIDs(s.Emulator().Records("contacts")))
}

func TestListDefaultTake(t *testing.T) {
	s := newServer(t, Options{})
	addContacts(t, s, 25, "")
	r := do(t, s, http.MethodGet, "/public/contacts", nil)
	require.Len(t, r.list(t), 20)
}

func TestListFilters(t *testing.T) {
	s := newServer(t, Options{})
	p := seed.SalesProcesses
	// One more opportunity in the project process.
	c := caseFor(t, "opportunities.create")
	c.body["sale_process"], c.body["sale_process_stage"] = p[1].Name, "Báo giá"
	require.Equal(t, http.StatusCreated, callOp(t, s, c.op, nil, c.body).status)

	tests := []struct {
		path string
		want []string
	}{
		{"/public/accounts?tax_identification_number=0309876543", []string{"ACC-002"}},
		{"/public/accounts?external_id=ACC-003", []string{"ACC-003"}},
		{"/public/accounts?external_id=&tax_identification_number=", []string{"ACC-004", "ACC-003", "ACC-002", "ACC-001"}},
		{"/public/leads?external_id=LEAD-001", []string{"LEAD-001"}},
		{"/public/leads?external_id=LEAD-404", []string{}},
		{"/public/employee?search=nguyễn", []string{"MNV_001"}},
		{"/public/employee?search=" + url.QueryEscape("NGUYỄN VĂN AN"), []string{"MNV_001"}}, // Vietnamese order
		{"/public/employee?search=" + url.QueryEscape("an nguyễn"), []string{"MNV_001"}},
		{"/public/employee?search=example.vn&take=2", []string{"MNV_005", "MNV_004"}},
		{"/public/employee?search=mnv_00", []string{"MNV_005", "MNV_004", "MNV_003", "MNV_002", "MNV_001"}},
		{"/public/employee?search=", []string{"MNV_005", "MNV_004", "MNV_003", "MNV_002", "MNV_001"}},
		{"/public/opportunities?sales_process=" + url.QueryEscape(p[0].Name), []string{"OPP-001"}},
		{"/public/opportunities?sales_process=" + p[1].ID, []string{"OPP-100"}},
		{"/public/opportunities?sales_process=null&sales_process_stages=null", []string{"OPP-100", "OPP-001"}},
		{"/public/opportunities?sales_process_stages=Proposal,B%C3%A1o%20gi%C3%A1", []string{"OPP-100", "OPP-001"}},
		{"/public/opportunities?sales_process_stages=" + p[0].Stages[2].ID, []string{"OPP-001"}},
		{"/public/opportunities?sales_process_stages=Prospecting", []string{}},
		{"/public/opportunities?sales_process=Nope", []string{}},
		{"/public/v1/opportunities?sales_process=" + p[1].ID, []string{"OPP-100"}},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			r := do(t, s, http.MethodGet, tc.path, nil)
			require.Equal(t, http.StatusOK, r.status, "body: %s", r.body)
			require.Equal(t, tc.want, externalIDs(r.list(t)))
		})
	}
}

func TestListQueryValidation(t *testing.T) {
	s := newServer(t, Options{})
	tests := []struct {
		path string
		want []string
	}{
		{"/public/opportunities?take=201", []string{"take must not be greater than 200"}},
		{"/public/contacts?take=abc", []string{"take must be a number"}},
		{"/public/contacts?skip=1.5", []string{"skip must be a number"}},
		{"/public/contacts?skip=-1", []string{"skip must not be less than 0"}},
		{"/public/contacts?take=0", []string{"take must not be less than 1"}},
		{"/public/leads?search=x", []string{"property search should not exist"}},
		{"/public/employee?external_id=MNV_001&limit=5", []string{"property external_id should not exist", "property limit should not exist"}},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			r := do(t, s, http.MethodGet, tc.path, nil)
			require.Equal(t, http.StatusBadRequest, r.status, "body: %s", r.body)
			require.Equal(t, tc.want, r.messages(t))
		})
	}
	// Unpaged master data lists take no query DTO: their query is ignored.
	r := do(t, s, http.MethodGet, "/public/accounts/industries?skip=100&take=1", nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Len(t, r.list(t), 5)
}

func TestClampTake(t *testing.T) {
	s := newServer(t, Options{ClampTake: 2})
	r := do(t, s, http.MethodGet, "/public/employee?take=200", nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, []string{"MNV_005", "MNV_004"}, externalIDs(r.list(t)))
	r = do(t, s, http.MethodGet, "/public/employee?take=5000&skip=4", nil)
	require.Equal(t, http.StatusOK, r.status, "a clamping server does not refuse a large take")
	require.Equal(t, []string{"MNV_001"}, externalIDs(r.list(t)))

	// Clamping to more than max_take still caps at max_take.
	s = newServer(t, Options{ClampTake: 500})
	s.Emulator().Put("contacts", map[string]any{"external_id": "X"})
	for i := range 205 {
		s.Emulator().Put("employees", map[string]any{"external_id": fmt.Sprintf("E-%03d", i), "email": fmt.Sprintf("e%d@x.vn", i)})
	}
	r = do(t, s, http.MethodGet, "/public/employee?take=1000", nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Len(t, r.list(t), 200)
}

func TestMasterData(t *testing.T) {
	s := newServer(t, Options{})
	names := func(path string) []string {
		r := do(t, s, http.MethodGet, path, nil)
		require.Equal(t, http.StatusOK, r.status)
		var out []string
		for _, m := range r.list(t) {
			require.NotEmpty(t, m["id"])
			out = append(out, m["name"].(string))
		}
		return out
	}
	require.Equal(t, []string{"Technology", "Retail", "Manufacturing", "Food & Beverage", "Logistics"}, names("/public/accounts/industries"))
	require.Equal(t, []string{"Website", "Referral", "Event"}, names("/public/accounts/sources"))
	require.Equal(t, []string{"New", "Contacted", "Qualified", "Unqualified"}, names("/public/leads/status"))
	require.Equal(t, []string{"Sales process Default", "Quy trình dự án"}, names("/public/sales-process"))

	r := do(t, s, http.MethodGet, "/public/sales-process/"+seed.SalesProcesses[0].ID, nil)
	p := r.object(t)
	require.Equal(t, true, p["is_active"])
	stages := p["stages"].([]any)
	require.Len(t, stages, 6)
	require.Equal(t, map[string]any{"id": seed.SalesProcesses[0].Stages[4].ID, "name": "Closed Won", "order": 5.0, "stage_compact": "CLOSE_WON"}, stages[4])
	r = do(t, s, http.MethodGet, "/public/sales-process/Sales%20process%20Default", nil)
	require.Equal(t, http.StatusNotFound, r.status)
	require.Equal(t, []string{`Sales process "Sales process Default" not found`}, r.messages(t))
}

func TestProductsListIsWhole(t *testing.T) {
	s := newServer(t, Options{})
	for i := range 30 {
		c := caseFor(t, "products.create")
		c.body["external_id"] = fmt.Sprintf("P-%02d", i)
		require.Equal(t, http.StatusCreated, callOp(t, s, c.op, nil, c.body).status)
	}
	r := do(t, s, http.MethodGet, "/public/products", nil)
	list := r.list(t)
	require.Len(t, list, 33)
	require.Equal(t, "P-29", list[0]["external_id"])
	require.Nil(t, list[0]["owner"])
}
