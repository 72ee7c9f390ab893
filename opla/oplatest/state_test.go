package oplatest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/oplabatch/oplabatch/opla"
	"github.com/oplabatch/oplabatch/samples"
)

func TestSampleSeed(t *testing.T) {
	d, err := ParseDataset(samples.SandboxSeed)
	require.NoError(t, err)
	names := func(list []MasterData) []string {
		var out []string
		for _, m := range list {
			out = append(out, m.Name)
		}
		return out
	}
	require.Subset(t, names(d.Industries), []string{"Technology", "Retail", "Manufacturing", "Food & Beverage"})
	require.Subset(t, names(d.Sources), []string{"Website", "Referral", "Event"})
	require.Subset(t, names(d.LeadStatuses), []string{"New", "Contacted", "Qualified", "Unqualified"})
	require.Equal(t, "Sales process Default", d.SalesProcesses[0].Name)
	require.GreaterOrEqual(t, len(d.SalesProcesses[0].Stages), 4)
	require.GreaterOrEqual(t, len(d.Employees), 4)
	require.GreaterOrEqual(t, len(d.Accounts), 3)
	require.GreaterOrEqual(t, len(d.Contacts), 2)
	require.Equal(t, "Kênh bán hàng", d.CustomFields["opportunities"][0].Name)
	require.Equal(t, "Nhu cầu", d.CustomFields["leads"][0].Name)

	// Every id is a fixed, unique uuid and every reference in the seed resolves.
	s := newServer(t, Options{})
	ids := map[string]bool{}
	for _, entity := range recordEntities {
		for _, r := range *d.records(entity) {
			id, _ := r["id"].(string)
			require.Regexp(t, `^[0-9a-f-]{36}$`, id, "%s %v", entity, r["external_id"])
			require.False(t, ids[id], "duplicate id %s", id)
			ids[id] = true
		}
	}
	e := s.Emulator()
	e.mu.Lock()
	defer e.mu.Unlock()
	for entity, op := range map[string]string{"accounts": "accounts.update", "contacts": "contacts.create", "leads": "leads.create", "opportunities": "opportunities.create"} {
		o, _ := profile.Op(op)
		for _, r := range *d.records(entity) {
			require.Empty(t, e.refs(o.Body, r, "", e.process(str(r["sale_process"]))), "%s %v", entity, r["external_id"])
		}
	}
}

func TestUpdateKeepsWhatTheBodyOmits(t *testing.T) {
	s := newServer(t, Options{})
	before := callOp(t, s, "leads.list", nil, nil).list(t)[0]
	c := caseFor(t, "leads.update")
	c.body["note"] = nil
	r := callOp(t, s, c.op, c.params, c.body)
	require.Equal(t, http.StatusOK, r.status, "body: %s", r.body)
	after := r.object(t)
	require.Equal(t, before["id"], after["id"])
	require.Equal(t, before["created_at"], after["created_at"])
	require.Equal(t, "2026-12-04T08:15:00.000Z", after["updated_at"])
	require.Equal(t, before["job_title"], after["job_title"], "absent optional keys keep their values")
	require.Equal(t, "LEAD-001", after["external_id"])
	require.Nil(t, after["note"], "null clears")
	require.Equal(t, "Phú Quý", after["account_name"])
	require.Len(t, after["custom_fields"], 2, "custom fields merge by name")
}

func TestOpportunityLifecycle(t *testing.T) {
	s := newServer(t, Options{})
	c := caseFor(t, "opportunities.create")
	opp := callOp(t, s, c.op, nil, c.body).object(t)
	require.Equal(t, "2026.00002", opp["short_id"], "the seed holds 2026.00001")
	require.Equal(t, 21600000.0, opp["amount"])
	require.Equal(t, 864.0, opp["amount_usd_dollar"])
	require.Equal(t, "21600000", opp["tax_inclusive_amount"])
	require.Equal(t, "OPEN", opp["stage_compact"])
	require.Nil(t, opp["date_closed_actual"])
	require.Equal(t, "2026-12-01T00:00:00+00:00", opp["date_open"])
	require.Equal(t, seedID(t, "employees", "MNV_001"), opp["owner_id"])
	require.Equal(t, []any{map[string]any{"creator": map[string]any{"email": "an.nguyen@example.vn"}, "created_at": "2026-12-04T08:15:00.000Z", "new_stage": "Prospecting"}}, opp["stage_logs"])
	require.Equal(t, []any{map[string]any{"account": map[string]any{"id": seedID(t, "accounts", "ACC-001"), "name": "Minh Phát", "external_id": "ACC-001"}}}, opp["accounts_opportunities"])
	require.Equal(t, []any{map[string]any{"user": map[string]any{"email": "binh.tran@example.vn"}, "permission": "READ_ONLY"}}, opp["users_opportunities"])
	require.Equal(t, []any{map[string]any{"product": map[string]any{"external_id": "PRD-001", "name": "Phần mềm CRM - gói Chuẩn"}, "quantity": 2.0, "price": 12000000.0, "discount": 10.0}}, opp["opportunities_products"])
	id := opp["id"].(string)

	// Same stage: no log. New stage: a log. stage_close closes it today.
	u := caseFor(t, "opportunities.update")
	u.body["external_id"] = "OPP-100"
	u.body["sale_process_stage"] = "Prospecting"
	delete(u.body, "stage_close")
	opp = callOp(t, s, "opportunities.update", []string{id}, u.body).object(t)
	require.Len(t, opp["stage_logs"], 1)
	require.Equal(t, 25000000.0, opp["amount"])
	require.Equal(t, 1000000.0, opp["invoice"])
	u.body["sale_process_stage"] = "Negotiation"
	u.body["stage_close"] = "CLOSE_LOST"
	opp = callOp(t, s, "opportunities.update_by_short_id", []string{"2026.00002"}, u.body).object(t)
	require.Len(t, opp["stage_logs"], 2)
	require.Equal(t, "Negotiation", opp["stage_logs"].([]any)[1].(map[string]any)["new_stage"])
	require.Equal(t, "CLOSE_LOST", opp["stage_compact"])
	require.Equal(t, "2026-12-04", opp["date_closed_actual"])
	require.Equal(t, "Negotiation", opp["opportunity_process_stage"].(map[string]any)["opportunity_stage"].(map[string]any)["name"])

	// Contributors are appended.
	r := callOp(t, s, "opportunities.add_contributor", []string{id}, map[string]any{"email": "cuong.le@example.vn", "permission": "READ_WRITE"})
	require.Equal(t, http.StatusCreated, r.status)
	require.Len(t, r.object(t)["users_opportunities"], 2)
	// The short id and the external id are not the uuid.
	require.Equal(t, http.StatusNotFound, callOp(t, s, "opportunities.add_contributor", []string{"2026.00002"}, map[string]any{"email": "cuong.le@example.vn", "permission": "READ_WRITE"}).status)
	require.Equal(t, http.StatusNotFound, callOp(t, s, "opportunities.update", []string{"OPP-100"}, u.body).status)
	require.Equal(t, id, callOp(t, s, "opportunities.get_by_short_id", []string{"2026.00002"}, nil).object(t)["id"])
}

func TestShortIDYearSequence(t *testing.T) {
	now := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	s := newServer(t, Options{Now: func() time.Time { return now }})
	for _, want := range []string{"2027.00001", "2027.00002"} {
		c := caseFor(t, "opportunities.create")
		c.body["external_id"] = want
		require.Equal(t, want, callOp(t, s, c.op, nil, c.body).object(t)["short_id"])
	}
}

func TestAccountAssignments(t *testing.T) {
	s := newServer(t, Options{})
	for _, tc := range []struct{ op, emp string }{
		{"accounts.assign_owner", "MNV_004"},
		{"accounts.assign_contributor", "MNV_002"},
		{"accounts.assign_contributor", "MNV_003"},
		{"accounts.assign_contributor", "MNV_003"},
		{"accounts.unassign_contributor", "MNV_002"},
	} {
		r := callOp(t, s, tc.op, nil, map[string]any{"account_id": "ACC-001", "employee_id": tc.emp})
		require.Equal(t, http.StatusCreated, r.status)
		require.JSONEq(t, `{"statusCode":200,"message":"Request was successful"}`, string(r.body))
	}
	acc := callOp(t, s, "accounts.get", []string{"ACC-001"}, nil).object(t)
	require.Equal(t, "MNV_004", acc["owner_id"])
	require.Equal(t, "dung.pham@example.vn", acc["owner"].(map[string]any)["email"])
	require.Equal(t, []any{"MNV_003"}, acc["contributors"])
}

func TestEmployeeActivation(t *testing.T) {
	s := newServer(t, Options{})
	r := callOp(t, s, "employees.deactivate", []string{"MNV_002"}, nil)
	require.Equal(t, http.StatusOK, r.status)
	require.JSONEq(t, `{}`, string(r.body))
	require.Equal(t, false, callOp(t, s, "employees.get", []string{"MNV_002"}, nil).object(t)["is_active"])
	callOp(t, s, "employees.activate", []string{"MNV_002"}, nil)
	require.Equal(t, true, callOp(t, s, "employees.get", []string{"MNV_002"}, nil).object(t)["is_active"])
}

func TestDeleteRoutes(t *testing.T) {
	s := newServer(t, Options{})
	r := callOp(t, s, "contacts.delete", []string{"CT-002"}, nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, "CT-002", r.object(t)["external_id"])
	require.Equal(t, http.StatusNotFound, callOp(t, s, "contacts.get", []string{"CT-002"}, nil).status)
	require.Equal(t, http.StatusNotFound, callOp(t, s, "contacts.delete", []string{"CT-002"}, nil).status)
	require.Equal(t, http.StatusOK, callOp(t, s, "products.delete", []string{"PRD-002"}, nil).status)
	require.Len(t, callOp(t, s, "products.list", nil, nil).list(t), 2)
	// A deleted external_id may be used again.
	c := caseFor(t, "contacts.create")
	c.body["external_id"] = "CT-002"
	require.Equal(t, http.StatusCreated, callOp(t, s, c.op, nil, c.body).status)
}

func TestPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.json")
	s := NewServer(Options{PersistPath: path, Now: clock, Profile: profile})
	c := caseFor(t, "contacts.create")
	require.Equal(t, http.StatusCreated, callOp(t, s, c.op, nil, c.body).status)
	// The debounced save happens soon after the write.
	require.Eventually(t, func() bool {
		data, err := os.ReadFile(path)
		return err == nil && json.Valid(data)
	}, 5*time.Second, 10*time.Millisecond)
	o := caseFor(t, "opportunities.create")
	created := callOp(t, s, o.op, nil, o.body).object(t)
	s.Close()

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	d, err := ParseDataset(data)
	require.NoError(t, err)
	require.Len(t, d.Contacts, 4)
	require.Equal(t, "CT-100", d.Contacts[3]["external_id"], "datasets are oldest first")
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temp files are left behind")

	// A new emulator loads the file (and ignores Options.Dataset).
	s2 := newServer(t, Options{PersistPath: path, Dataset: &Dataset{}})
	require.Equal(t, http.StatusOK, callOp(t, s2, "contacts.get", []string{"CT-100"}, nil).status)
	got := callOp(t, s2, "opportunities.get_by_external_id", []string{"OPP-100"}, nil).object(t)
	require.Equal(t, created, got)
	o.body["external_id"] = "OPP-101"
	next := callOp(t, s2, o.op, nil, o.body).object(t)
	require.Equal(t, "2026.00003", next["short_id"], "the short_id sequence survives a restart")
	require.NotEqual(t, created["id"], next["id"], "ids are not reused after a restart with the same seed")

	// A broken state file is an error, not an empty sandbox.
	require.NoError(t, os.WriteFile(path, []byte("{"), 0o600))
	_, err = NewHandler(Options{PersistPath: path})
	require.ErrorContains(t, err, path)
}

func TestEmptyDatasetAndPut(t *testing.T) {
	s := newServer(t, Options{Dataset: &Dataset{}})
	require.Empty(t, callOp(t, s, "contacts.list", nil, nil).list(t))
	require.Empty(t, callOp(t, s, "accounts.sources", nil, nil).list(t))
	e := s.Emulator()
	e.Put("employees", map[string]any{"external_id": "E-1", "email": "e1@x.vn", "first_name": "Lan", "last_name": "Võ"})
	e.Put("contacts", map[string]any{"external_id": "C-1", "first_name": "Mai", "owner_id": "E-1", "phone_work": map[string]any{}})
	got := callOp(t, s, "contacts.get", []string{"C-1"}, nil).object(t)
	require.Equal(t, "Lan Võ", got["owner"].(map[string]any)["full_name"])
	require.Nil(t, got["owner"].(map[string]any)["user_site"])
	require.Equal(t, "2026-12-04T08:15:00.000Z", got["created_at"])
	// Put with a stored id replaces the record.
	e.Put("contacts", map[string]any{"id": got["id"], "external_id": "C-1", "first_name": "Hạnh"})
	recs := e.Records("contacts")
	require.Len(t, recs, 1)
	require.Equal(t, "Hạnh", recs[0]["first_name"])
	require.Nil(t, e.Records("nothing"))
	require.Len(t, e.Records("sales-processes"), 0)
	require.Panics(t, func() { e.Put("sources", map[string]any{}) })
}

func TestStatsEndpoint(t *testing.T) {
	s := newServer(t, Options{})
	callOp(t, s, "contacts.list", nil, nil)
	callOp(t, s, "contacts.get", []string{"CT-001"}, nil)
	callOp(t, s, "contacts.get", []string{"CT-404"}, nil)
	callOp(t, s, "contacts.get", []string{"CT-001"}, nil, withToken(""))
	do(t, s, http.MethodGet, "/public/nothing", nil)

	resp, err := http.Get(s.URL()[:len(s.URL())-len(BasePath)] + StatsPath) // no auth
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var st Stats
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&st))
	require.Equal(t, map[string]int{"GET /public/contacts": 1, "GET /public/contacts/{external_id}": 3}, st.Requests)
	require.Equal(t, 3, st.Records["contacts"])
	require.Equal(t, 5, st.Records["employees"])
	require.Equal(t, 3, st.Records["sources"])
	require.Equal(t, st, s.Emulator().Stats())

	s.Emulator().ResetStats()
	require.Empty(t, s.Emulator().Stats().Requests)

	// Loopback only.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, StatsPath, nil)
	req.RemoteAddr = "10.1.2.3:5555"
	s.Emulator().ServeHTTP(rec, req)
	require.Equal(t, http.StatusForbidden, rec.Code)
	req.RemoteAddr = "[::1]:5555"
	rec = httptest.NewRecorder()
	s.Emulator().ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code)
}

func TestNewHandlerWithoutListener(t *testing.T) {
	e, err := NewHandler(Options{Token: "sandbox", Now: clock, Profile: profile})
	require.NoError(t, err)
	defer e.Close()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/api/public/employee/MNV_001", nil)
	req.Header.Set("Authorization", "Bearer sandbox")
	e.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "sandbox", e.Token())
	// With no hijacker a lost answer aborts the handler.
	e.SetKnobs(Knobs{LostResponseRate: 1})
	req = httptest.NewRequest(http.MethodPut, "/api/public/employee/MNV_001/inactive", nil)
	req.Header.Set("Authorization", "Bearer sandbox")
	require.PanicsWithValue(t, http.ErrAbortHandler, func() { e.ServeHTTP(httptest.NewRecorder(), req) })
	require.Equal(t, false, e.Records("employees")[4]["is_active"], "the write committed")
}

func TestConcurrentClients(t *testing.T) {
	s := newServer(t, Options{Latency: time.Millisecond})
	c := s.Client()
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := range 32 {
		wg.Go(func() {
			body := caseFor(t, "contacts.create").body
			body["external_id"] = fmt.Sprintf("P-%02d", i)
			var out map[string]any
			if err := c.Do(ctx, opla.Call{Op: "contacts.create", Body: body}, &out); err != nil {
				errs <- err
				return
			}
			if _, err := opla.All[map[string]any](ctx, c, "contacts.list", nil); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	all, err := opla.All[map[string]any](ctx, c, "contacts.list", nil)
	require.NoError(t, err)
	require.Len(t, all, 35)
	ids := map[any]bool{}
	for _, r := range all {
		ids[r["id"]] = true
	}
	require.Len(t, ids, 35)
	require.Equal(t, 32, s.Emulator().Stats().Requests["POST /public/contacts"])
}

func TestClientPagesThroughTheEmulator(t *testing.T) {
	s := newServer(t, Options{ClampTake: 7})
	for i := range 30 {
		s.Emulator().Put("opportunities", map[string]any{"external_id": fmt.Sprintf("O-%02d", i), "name": "x", "sale_process": "Sales process Default", "sale_process_stage": "Proposal"})
	}
	c := s.Client()
	all, err := opla.All[map[string]any](context.Background(), c, "opportunities.list", nil)
	require.NoError(t, err)
	require.Len(t, all, 31, "a clamped page is not mistaken for the last one")
	require.Equal(t, "O-29", all[0]["external_id"])
	require.Equal(t, 6, s.Emulator().Stats().Requests["GET /public/opportunities"])
}
