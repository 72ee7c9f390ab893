package oplatest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/oplabatch/oplabatch/opla"
)

// noRetries makes the client give up after the first attempt.
func noRetries(o *opla.Options) { o.MaxRetries = -1 }

// recordSleeps makes the client record its waits instead of sleeping.
func recordSleeps(mu *sync.Mutex, got *[]time.Duration) func(*opla.Options) {
	return func(o *opla.Options) {
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			defer mu.Unlock()
			*got = append(*got, d)
			return ctx.Err()
		}
	}
}

func TestFailRate(t *testing.T) {
	s := newServer(t, Options{FailRate: 1})
	for _, c := range validCases(t) {
		r := callOp(t, s, c.op, c.params, c.body)
		require.Equal(t, http.StatusServiceUnavailable, r.status, c.op)
		require.JSONEq(t, `{"statusCode":503,"message":"Service Unavailable","error":"Service Unavailable"}`, string(r.body))
	}
	require.Equal(t, SampleDataset(), s.Emulator().Snapshot(), "a 503 is answered before any work")
	require.Equal(t, 1, s.Emulator().Stats().Requests["POST /public/contacts"], "faults are counted")

	var mu sync.Mutex
	var sleeps []time.Duration
	c := s.Client(func(o *opla.Options) { o.MaxRetries = 2 }, recordSleeps(&mu, &sleeps))
	_, err := opla.All[map[string]any](context.Background(), c, "accounts.sources", nil)
	ae, ok := opla.AsAPIError(err)
	require.True(t, ok, "err: %v", err)
	require.True(t, ae.IsServer())
	require.Len(t, sleeps, 2, "the client retries a 503")
}

func TestFaultsAreDeterministicUnderASeed(t *testing.T) {
	statuses := func(seed int64) []int {
		s := newServer(t, Options{Seed: seed, FailRate: 0.5})
		var out []int
		for range 40 {
			out = append(out, do(t, s, http.MethodGet, "/public/leads/status", nil).status)
		}
		return out
	}
	a := statuses(42)
	require.Equal(t, a, statuses(42))
	require.NotEqual(t, a, statuses(43))
	require.Contains(t, a, http.StatusOK)
	require.Contains(t, a, http.StatusServiceUnavailable)
}

func TestGeneratedIDsAreDeterministicUnderASeed(t *testing.T) {
	ids := func(seed int64) []string {
		s := newServer(t, Options{Seed: seed})
		var out []string
		for _, op := range []string{"contacts.create", "opportunities.create", "employees.create"} {
			c := caseFor(t, op)
			out = append(out, callOp(t, s, op, nil, c.body).object(t)["id"].(string))
		}
		return out
	}
	a := ids(1)
	require.Equal(t, a, ids(1))
	require.NotEqual(t, a, ids(2))
	for _, id := range a {
		require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, id)
	}
}

func TestLostResponse(t *testing.T) {
	s := newServer(t, Options{LostResponseRate: 1})
	c := caseFor(t, "contacts.create")
	data, err := json.Marshal(c.body)
	require.NoError(t, err)

	// On the wire: the connection closes with no answer, after the write committed.
	req, err := http.NewRequest(http.MethodPost, s.URL()+"/public/contacts", bytes.NewReader(data))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+s.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	require.Error(t, err)
	require.Equal(t, "CT-100", s.Emulator().Records("contacts")[0]["external_id"])

	// Reads are never lost.
	require.Equal(t, http.StatusOK, callOp(t, s, "contacts.get", []string{"CT-100"}, nil).status)

	// The real client reports a create whose answer was lost as ambiguous and does not re-send it.
	cl := s.Client()
	c.body["external_id"] = "CT-101"
	err = cl.Do(context.Background(), opla.Call{Op: "contacts.create", Body: c.body}, nil)
	require.True(t, opla.IsAmbiguous(err), "err: %v", err)
	require.Equal(t, "CT-101", s.Emulator().Records("contacts")[0]["external_id"])
	require.Equal(t, 2, s.Emulator().Stats().Requests["POST /public/contacts"])

	// A refused write is answered: only committed writes lose their answer.
	r := callOp(t, s, "contacts.create", nil, c.body)
	require.Equal(t, http.StatusConflict, r.status)

	// An update is applied too.
	u := caseFor(t, "contacts.update")
	u.body["department"] = "Pháp chế"
	err = s.Client(noRetries).Do(context.Background(), opla.Call{Op: "contacts.update", Path: u.params, Body: u.body}, nil)
	require.Error(t, err)
	rec := callOp(t, s, "contacts.get", []string{"CT-001"}, nil).object(t)
	require.Equal(t, "Pháp chế", rec["department"])
}

func TestRateLimit(t *testing.T) {
	// A stopped clock: the limiter's bucket never refills during the test, whatever the
	// machine's load.
	frozen := func() time.Time { return time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC) }
	s := newServer(t, Options{RateLimit: 1, Now: frozen})
	require.Equal(t, http.StatusOK, do(t, s, http.MethodGet, "/public/leads/status", nil).status)
	r := do(t, s, http.MethodGet, "/public/leads/status", nil)
	require.Equal(t, http.StatusTooManyRequests, r.status)
	require.Equal(t, "1", r.header.Get("Retry-After"))
	require.JSONEq(t, `{"statusCode":429,"message":"ThrottlerException: Too Many Requests","error":"Too Many Requests"}`, string(r.body))
	r = do(t, s, http.MethodPost, "/public/sites", caseFor(t, "sites.create").body)
	require.Equal(t, http.StatusTooManyRequests, r.status)
	require.Len(t, s.Emulator().Records("sites"), 3, "a 429 is answered before any work")

	// The client waits as long as Retry-After says.
	var mu sync.Mutex
	var sleeps []time.Duration
	c := s.Client(func(o *opla.Options) { o.MaxRetries = 2 }, recordSleeps(&mu, &sleeps))
	_, err := opla.All[map[string]any](context.Background(), c, "leads.status", nil)
	ae, ok := opla.AsAPIError(err)
	require.True(t, ok, "err: %v", err)
	require.True(t, ae.IsRateLimit())
	require.Equal(t, time.Second, ae.RetryAfter)
	require.Equal(t, []time.Duration{time.Second, time.Second}, sleeps)

	// Burst is RateLimit/10: of a burst of 30 requests at 100/s, 10 get through.
	s = newServer(t, Options{RateLimit: 100, Now: frozen})
	counts := map[int]int{}
	for range 30 {
		counts[do(t, s, http.MethodGet, "/public/leads/status", nil).status]++
	}
	require.Equal(t, 10, counts[http.StatusOK])
	require.Equal(t, 20, counts[http.StatusTooManyRequests])
}

func TestHeadInsertEvery(t *testing.T) {
	s := newServer(t, Options{HeadInsertEvery: 2})
	page := func(skip string) []string {
		r := do(t, s, http.MethodGet, "/public/contacts?take=1&skip="+skip, nil)
		require.Equal(t, http.StatusOK, r.status)
		return externalIDs(r.list(t))
	}
	require.Equal(t, []string{"CT-003"}, page("0")) // skip=0 does not count
	require.Equal(t, []string{"CT-002"}, page("1")) // 1st
	require.Equal(t, []string{"CT-003"}, page("1")) // 2nd: a record arrived at the head, the page shifted
	require.Equal(t, []string{"HEAD-00001", "CT-003", "CT-002", "CT-001"}, externalIDs(s.Emulator().Records("contacts")))
	require.Equal(t, []string{"CT-002"}, page("2")) // 3rd
	require.Equal(t, []string{"CT-003"}, page("2")) // 4th: HEAD-00002
	require.Len(t, s.Emulator().Records("contacts"), 5)

	// Every paged entity gets valid generated records.
	for _, path := range []string{"/public/accounts", "/public/leads", "/public/employee", "/public/opportunities"} {
		do(t, s, http.MethodGet, path+"?skip=1", nil)
		do(t, s, http.MethodGet, path+"?skip=1", nil)
	}
	opp := s.Emulator().Records("opportunities")[0]
	require.Equal(t, "HEAD-00006", opp["external_id"])
	require.Equal(t, "Prospecting", opp["stage_logs"].([]any)[0].(map[string]any)["new_stage"])
	require.Equal(t, "head-00005@example.invalid", s.Emulator().Records("employees")[0]["email"])
}

func TestLatencyAndSetKnobs(t *testing.T) {
	s := newServer(t, Options{Latency: 40 * time.Millisecond})
	start := time.Now()
	require.Equal(t, http.StatusOK, do(t, s, http.MethodGet, "/public/leads/status", nil).status)
	require.GreaterOrEqual(t, time.Since(start), 40*time.Millisecond)

	e := s.Emulator()
	e.SetKnobs(Knobs{FailRate: 1})
	require.Equal(t, Knobs{FailRate: 1}, e.Knobs())
	start = time.Now()
	require.Equal(t, http.StatusServiceUnavailable, do(t, s, http.MethodGet, "/public/leads/status", nil).status)
	require.Less(t, time.Since(start), 40*time.Millisecond)
	e.SetKnobs(Knobs{ClampTake: 1, RateLimit: 1000})
	r := do(t, s, http.MethodGet, "/public/employee", nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Len(t, r.list(t), 1)
	e.SetKnobs(Knobs{})
	require.Len(t, do(t, s, http.MethodGet, "/public/employee", nil).list(t), 5)
}
