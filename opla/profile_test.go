package opla_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/oplabatch/oplabatch/opla"
)

func TestDefaultProfile(t *testing.T) {
	p := opla.DefaultProfile()
	require.Equal(t, opla.DefaultBaseURL, p.BaseURL)
	require.Len(t, p.Operations, 48, "the seed has 48 operations")

	patterns := map[string]string{}
	for _, name := range p.OperationNames() {
		op, err := p.Op(name)
		require.NoError(t, err)
		require.Equal(t, name, op.Name)
		require.Contains(t, []string{"GET", "POST", "PUT", "DELETE"}, op.Method, name)
		require.True(t, strings.HasPrefix(op.Path, "/public/"), name)
		if prev, ok := patterns[op.Pattern()]; ok {
			t.Errorf("%s and %s share the route %s", prev, name, op.Pattern())
		}
		patterns[op.Pattern()] = name
		if op.Method == "GET" || op.Method == "DELETE" {
			require.Empty(t, op.Body, "%s sends no body", name)
		}
	}

	var confirmed []string
	for _, name := range p.OperationNames() {
		if op, _ := p.Op(name); op.Confirmed {
			confirmed = append(confirmed, name)
		}
	}
	require.Equal(t, []string{"leads.list", "opportunities.list"}, confirmed)

	for _, name := range p.EntityNames() {
		e, err := p.Entity(name)
		require.NoError(t, err)
		require.Equal(t, name, e.Name)
		for _, ref := range []string{e.Create, e.Update, e.Upsert, e.Get, e.List} {
			if ref != "" {
				_, err := p.Op(ref)
				require.NoError(t, err, "entity %s", name)
			}
		}
	}
	for _, e := range []string{"accounts", "contacts", "leads", "opportunities", "employees", "products", "sites", "suppliers", "unit-of-measures", "buyer-groups", "sources", "industries", "lead-statuses", "sales-processes"} {
		require.Contains(t, p.EntityNames(), e)
	}
	_, err := p.Entity("widgets")
	require.ErrorContains(t, err, `unknown entity "widgets" (known: accounts, buyer-groups`)
}

func TestDefaultProfileYAMLIsACopy(t *testing.T) {
	a := opla.DefaultProfileYAML()
	a[0] = 'X'
	require.NotEqual(t, a[0], opla.DefaultProfileYAML()[0])
	_, err := opla.ParseProfile(opla.DefaultProfileYAML(), "copy")
	require.NoError(t, err)
}

func TestOperationHelpers(t *testing.T) {
	p := opla.DefaultProfile()
	op, err := p.Op("opportunities.add_contributor")
	require.NoError(t, err)
	require.Equal(t, []string{"id"}, op.PathParams())
	require.Equal(t, "POST /public/opportunities/{id}/contributors", op.Pattern())
	f, ok := op.Field("permission")
	require.True(t, ok)
	require.Equal(t, []string{"READ_ONLY", "READ_WRITE"}, f.Enum)
	_, ok = op.Field("nope")
	require.False(t, ok)
	_, err = p.Op("nope")
	require.ErrorContains(t, err, `the API profile has no operation "nope"`)

	op, _ = p.Op("employees.create")
	f, _ = op.Field("site_id")
	require.True(t, f.Required)
	require.True(t, f.Nullable)
}

func TestParseProfileErrors(t *testing.T) {
	const ok = `
operations:
  contacts.get: {method: get, path: "/public/contacts/{external_id}"}
`
	tests := []struct {
		name    string
		yaml    string
		wantErr string
	}{
		{"yaml syntax", "operations: [", "API profile test.yaml: yaml:"},
		{"no operations", "base_url: https://x.example/api\n", "no operations"},
		{"no method", "operations:\n  a.b: {path: /public/x}\n", "operation a.b: needs a method and a path starting with /"},
		{"relative path", "operations:\n  a.b: {method: GET, path: public/x}\n", "operation a.b: needs a method"},
		{
			"unknown type",
			"operations:\n  a.b:\n    method: POST\n    path: /public/x\n    body:\n      - {name: when, type: datetime}\n",
			`operation a.b: field when: unknown type "datetime" (want one of string, number`,
		},
		{
			"field without a name",
			"operations:\n  a.b:\n    method: POST\n    path: /public/x\n    body:\n      - {type: string}\n",
			"operation a.b: a field has no name",
		},
		{
			"unknown shape",
			"operations:\n  a.b:\n    method: POST\n    path: /public/x\n    body:\n      - {name: phone, type: object, shape: telephone}\n",
			`operation a.b: field phone: unknown shape "telephone"`,
		},
		{
			"bad shape field",
			"shapes:\n  phone:\n    - {name: phone, type: text}\n" + ok,
			`shape phone: field phone: unknown type "text"`,
		},
		{
			"missing op",
			ok + "entities:\n  contacts:\n    get: contacts.get\n    list: contacts.list\n",
			`entity contacts names operation "contacts.list", which the profile does not define`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := opla.ParseProfile([]byte(tt.yaml), "test.yaml")
			require.ErrorContains(t, err, tt.wantErr)
			require.ErrorContains(t, err, "API profile test.yaml")
		})
	}

	p, err := opla.ParseProfile([]byte(ok), "ok.yaml")
	require.NoError(t, err)
	op, err := p.Op("contacts.get")
	require.NoError(t, err)
	require.Equal(t, "GET", op.Method, "methods are upper-cased")
	require.Equal(t, "ok.yaml", p.Source)
}

func TestLoadProfile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "api.yaml")
	require.NoError(t, os.WriteFile(path, opla.DefaultProfileYAML(), 0o600))
	p, err := opla.LoadProfile(path)
	require.NoError(t, err)
	require.Equal(t, path, p.Source)
	require.Len(t, p.Operations, 48)

	_, err = opla.LoadProfile(filepath.Join(dir, "missing.yaml"))
	require.ErrorContains(t, err, "read API profile")
}

// TestCustomProfileMovesRoutes is --api-profile in action: a profile that moves the contact
// routes and turns the body-less delete into a POST is followed by the typed methods.
func TestCustomProfileMovesRoutes(t *testing.T) {
	text := string(opla.DefaultProfileYAML())
	require.Equal(t, 3, strings.Count(text, "path: /public/contacts/{external_id}"))
	text = strings.ReplaceAll(text, "path: /public/contacts/{external_id}", "path: /public/crm/contact/{external_id}")
	moved := strings.Replace(text, "    method: DELETE\n    path: /public/crm/contact/{external_id}", "    method: post\n    path: /public/crm/contact/{external_id}/delete", 1)
	require.NotEqual(t, text, moved)
	text = strings.ReplaceAll(moved, "path: /public/sales-process/{id}", "path: /public/sales-processes/{id}")
	dir := t.TempDir()
	path := filepath.Join(dir, "moved.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	p, err := opla.LoadProfile(path)
	require.NoError(t, err)

	h := setup(t, func(o *opla.Options) { o.Profile = p })
	var seen []string
	rec := func(w http.ResponseWriter, r *http.Request, _ int) {
		seen = append(seen, r.Method+" "+r.URL.Path)
		writeJSON(w, 200, `{"id":"x"}`)
	}
	h.handle("GET /public/crm/contact/C-1", rec)
	h.handle("PUT /public/crm/contact/C-1", rec)
	h.handle("POST /public/crm/contact/C-1/delete", rec)
	h.handle("GET /public/sales-processes/sp-1", rec)
	ctx := context.Background()
	_, err = h.client.Contacts.Get(ctx, "C-1")
	require.NoError(t, err)
	_, err = h.client.Contacts.Update(ctx, "C-1", opla.ContactUpdate{})
	require.NoError(t, err)
	require.NoError(t, h.client.Contacts.Delete(ctx, "C-1"))
	_, err = h.client.SalesProcesses.Get(ctx, "sp-1")
	require.NoError(t, err)
	require.Equal(t, []string{
		"GET /public/crm/contact/C-1",
		"PUT /public/crm/contact/C-1",
		"POST /public/crm/contact/C-1/delete",
		"GET /public/sales-processes/sp-1",
	}, seen)
	require.Same(t, p, h.client.Profile())
}

// TestProfileWithoutAnOperation: a profile that drops an operation makes the typed method
// fail with a clear message and no request.
func TestProfileWithoutAnOperation(t *testing.T) {
	p := opla.DefaultProfile()
	delete(p.Operations, "products.upsert")
	h := setup(t, func(o *opla.Options) { o.Profile = p })
	_, err := h.client.Products.Upsert(context.Background(), opla.ProductUpsert{})
	require.ErrorContains(t, err, `the API profile has no operation "products.upsert"`)
	requests, _ := h.client.Stats()
	require.Zero(t, requests)
	require.False(t, slices.Contains(p.OperationNames(), "products.upsert"))
}
