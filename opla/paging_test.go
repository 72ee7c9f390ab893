package opla_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/oplabatch/oplabatch/opla"
)

// pager serves n records with skip/take, clamping take to clamp (0: no clamp), and records
// every query it saw.
type pager struct {
	t     *testing.T
	n     int
	clamp int
	fail  map[int]int // skip -> status to answer with

	mu      sync.Mutex
	queries []url.Values
}

func (p *pager) serve(w http.ResponseWriter, r *http.Request, _ int) {
	q := r.URL.Query()
	p.mu.Lock()
	p.queries = append(p.queries, q)
	p.mu.Unlock()
	skip, err := strconv.Atoi(q.Get("skip"))
	require.NoError(p.t, err)
	take, err := strconv.Atoi(q.Get("take"))
	require.NoError(p.t, err)
	if status := p.fail[skip]; status != 0 {
		writeError(w, status, "page failed")
		return
	}
	if p.clamp > 0 {
		take = min(take, p.clamp)
	}
	recs := []map[string]any{}
	for i := skip; i < min(skip+take, p.n); i++ {
		recs = append(recs, map[string]any{"external_id": fmt.Sprintf("R-%03d", i), "name": fmt.Sprint("record ", i)})
	}
	b, _ := json.Marshal(recs)
	writeJSON(w, 200, string(b))
}

func (p *pager) seen(key string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, q := range p.queries {
		out = append(out, q.Get(key))
	}
	return out
}

func TestPagingEndsOnEmptyPageNotShortOne(t *testing.T) {
	h := setup(t)
	p := &pager{t: t, n: 20, clamp: 7}
	h.handle("GET /public/contacts", p.serve)
	got, err := collect(h.client.Contacts.List(context.Background(), opla.ContactListOptions{AccountExternalID: "A-1"}))
	require.NoError(t, err)
	require.Len(t, got, 20)
	for i, c := range got {
		require.Equal(t, fmt.Sprintf("R-%03d", i), c.ExternalID)
	}
	require.Equal(t, []string{"0", "7", "14", "20"}, p.seen("skip"))
	require.Equal(t, []string{"200", "200", "200", "200"}, p.seen("take"))
	require.Equal(t, []string{"A-1", "A-1", "A-1", "A-1"}, p.seen("account_external_id"), "filters ride along on every page")
	for _, q := range p.queries {
		require.NotContains(t, q, "external_id", "an empty filter is left out")
	}
}

func TestPagingFullPages(t *testing.T) {
	tests := []struct {
		n         int
		wantSkips []string
	}{
		{0, []string{"0"}},
		{1, []string{"0", "1"}},
		{200, []string{"0", "200"}},
		{401, []string{"0", "200", "400", "401"}},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.n), func(t *testing.T) {
			h := setup(t)
			p := &pager{t: t, n: tt.n}
			h.handle("GET /public/opportunities", p.serve)
			got, err := collect(h.client.Opportunities.List(context.Background(), opla.OpportunityListOptions{}))
			require.NoError(t, err)
			require.Len(t, got, tt.n)
			require.Equal(t, tt.wantSkips, p.seen("skip"))
		})
	}
}

func TestPagingStopsWhenTheCallerBreaks(t *testing.T) {
	h := setup(t)
	p := &pager{t: t, n: 500}
	h.handle("GET /public/employee", p.serve)
	n := 0
	for e, err := range h.client.Employees.List(context.Background(), opla.EmployeeListOptions{Search: "an"}) {
		require.NoError(t, err)
		require.NotEmpty(t, e.ExternalID)
		if n++; n == 3 {
			break
		}
	}
	require.Equal(t, []string{"0"}, p.seen("skip"))
	require.Equal(t, []string{"an"}, p.seen("search"))
}

func TestPagingError(t *testing.T) {
	h := setup(t)
	p := &pager{t: t, n: 450, fail: map[int]int{200: 400}}
	h.handle("GET /public/leads", p.serve)
	var recs, errs int
	for _, err := range h.client.Leads.List(context.Background(), opla.LeadListOptions{}) {
		if err != nil {
			errs++
			ae, ok := opla.AsAPIError(err)
			require.True(t, ok)
			require.True(t, ae.IsValidation())
			continue
		}
		recs++
	}
	require.Equal(t, 200, recs)
	require.Equal(t, 1, errs, "the iterator stops after an error")
	require.Equal(t, []string{"0", "200"}, p.seen("skip"))
}

func TestPagingDecodeError(t *testing.T) {
	h := setup(t)
	h.handle("GET /public/accounts", func(w http.ResponseWriter, r *http.Request, _ int) {
		writeJSON(w, 200, `[{"external_id":"A-1"},{"external_id":["not","a","string"]}]`)
	})
	got, err := collect(h.client.Accounts.List(context.Background(), opla.AccountListOptions{}))
	require.ErrorContains(t, err, "accounts.list: decode record")
	require.Len(t, got, 1)
}

func TestUnpagedList(t *testing.T) {
	h := setup(t)
	hits := h.handle("GET /public/products", func(w http.ResponseWriter, r *http.Request, _ int) {
		require.Empty(t, r.URL.RawQuery, "products.list takes no skip/take")
		writeJSON(w, 200, `[{"external_id":1753866687345,"price":"12.5"},{"external_id":"P-2","price":0}]`)
	})
	got, err := collect(h.client.Products.List(context.Background()))
	require.NoError(t, err)
	require.Equal(t, int32(1), hits.Load(), "the whole list comes at once")
	require.Equal(t, opla.Text("1753866687345"), got[0].ExternalID)
	require.Equal(t, opla.Number("12.5"), got[0].Price)
	require.Equal(t, opla.Text("P-2"), got[1].ExternalID)
}

func TestPageSizeAndPaged(t *testing.T) {
	c, err := opla.New(opla.Options{})
	require.NoError(t, err)
	tests := []struct {
		op    string
		size  int
		paged bool
	}{
		{"opportunities.list", 200, true},
		{"opportunities.list_v1", 200, true},
		{"contacts.list", 200, true},
		{"leads.list", 200, true},
		{"employees.list", 200, true},
		{"products.list", opla.DefaultTake, false},
		{"accounts.sources", opla.DefaultTake, false},
		{"no.such.op", opla.DefaultTake, false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.size, c.PageSize(tt.op), tt.op)
		require.Equal(t, tt.paged, c.Paged(tt.op), tt.op)
	}
}

func TestPageAndAll(t *testing.T) {
	h := setup(t)
	h.handle("GET /public/leads/status", func(w http.ResponseWriter, r *http.Request, _ int) {
		writeJSON(w, 200, `[{"id":"s1","name":"New"},{"id":"s2","name":"Contacted"}]`)
	})
	p := &pager{t: t, n: 3}
	h.handle("GET /public/contacts", p.serve)
	ctx := context.Background()

	page, err := h.client.Page(ctx, "contacts.list", url.Values{"external_id": {"R-001"}}, 1, 2)
	require.NoError(t, err)
	require.Len(t, page, 2)
	require.Equal(t, []string{"R-001"}, p.seen("external_id"))

	page, err = h.client.Page(ctx, "leads.status", nil, 5, 10)
	require.NoError(t, err)
	require.Empty(t, page, "an unpaged list has nothing past its first page")

	all, err := opla.All[opla.NamedItem](ctx, h.client, "leads.status", nil)
	require.NoError(t, err)
	require.Equal(t, []opla.NamedItem{{ID: "s1", Name: "New"}, {ID: "s2", Name: "Contacted"}}, all)
}
