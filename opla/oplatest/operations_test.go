package oplatest

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/oplabatch/oplabatch/opla"
)

func TestValidCasesCoverEveryOperation(t *testing.T) {
	var covered []string
	for _, c := range validCases(t) {
		covered = append(covered, c.op)
	}
	sort.Strings(covered)
	require.Equal(t, profile.OperationNames(), covered)
	require.Len(t, covered, 48)
}

func TestEveryOperationSucceeds(t *testing.T) {
	for _, c := range validCases(t) {
		t.Run(c.op, func(t *testing.T) {
			s := newServer(t, Options{})
			r := callOp(t, s, c.op, c.params, c.body)
			require.Equal(t, c.status, r.status, "body: %s", r.body)
			require.True(t, strings.HasPrefix(r.header.Get("Content-Type"), "application/json"))
			op, _ := profile.Op(c.op)
			require.Equal(t, 1, s.Emulator().Stats().Requests[op.Pattern()])
		})
	}
}

// wrongValue returns a value of the wrong JSON type for a field and the message it gets.
func wrongValue(f opla.Field) (any, string) {
	switch f.Type {
	case opla.TypeString:
		return 123, f.Name + " must be a string"
	case opla.TypeNumber:
		return "12", f.Name + " must be a number"
	case opla.TypeBoolean:
		return "true", f.Name + " must be a boolean value"
	case opla.TypeObject:
		return "0901234567", f.Name + " must be an object"
	case opla.TypeStringArray, opla.TypeObjectArray:
		return "x", f.Name + " must be an array"
	case opla.TypeStringObject:
		return 7, f.Name + " must be a string or an object"
	}
	panic("unknown type " + f.Type)
}

func TestBodyValidationEveryField(t *testing.T) {
	s := newServer(t, Options{})
	for _, c := range validCases(t) {
		op, _ := profile.Op(c.op)
		if len(op.Body) == 0 {
			continue
		}
		for _, f := range op.Body {
			if f.Required {
				t.Run(c.op+"/missing/"+f.Name, func(t *testing.T) {
					body := clone(c.body)
					delete(body, f.Name)
					r := callOp(t, s, c.op, c.params, body)
					require.Equal(t, http.StatusBadRequest, r.status, "body: %s", r.body)
					require.Equal(t, []string{f.Name + " should not be empty"}, r.messages(t))
					require.Contains(t, string(r.body), `"error":"Bad Request"`)
				})
			}
			t.Run(c.op+"/type/"+f.Name, func(t *testing.T) {
				body := clone(c.body)
				v, msg := wrongValue(f)
				body[f.Name] = v
				r := callOp(t, s, c.op, c.params, body)
				require.Equal(t, http.StatusBadRequest, r.status, "body: %s", r.body)
				require.Equal(t, []string{msg}, r.messages(t))
			})
		}
		t.Run(c.op+"/unknown property", func(t *testing.T) {
			body := clone(c.body)
			body["colour"] = "red"
			r := callOp(t, s, c.op, c.params, body)
			require.Equal(t, http.StatusBadRequest, r.status)
			require.Equal(t, []string{"property colour should not exist"}, r.messages(t))
		})
	}
	// Nothing above may have reached the state.
	require.Zero(t, s.Emulator().Stats().Records["sites"]-3)
}

func TestBodyValidationDetails(t *testing.T) {
	tests := []struct {
		name   string
		op     string
		mutate func(map[string]any)
		want   []string
	}{
		{"enum gender", "contacts.create", func(b map[string]any) { b["gender"] = "male" },
			[]string{"gender must be one of the following values: MALE, FEMALE, OTHER"}},
		{"enum stage_close", "opportunities.update", func(b map[string]any) { b["stage_close"] = "WON" },
			[]string{"stage_close must be one of the following values: CLOSE_WON, CLOSE_LOST"}},
		{"enum stage_close empty", "opportunities.update", func(b map[string]any) { b["stage_close"] = "" },
			[]string{"stage_close must be one of the following values: CLOSE_WON, CLOSE_LOST"}},
		{"enum permission", "opportunities.add_contributor", func(b map[string]any) { b["permission"] = "ADMIN" },
			[]string{"permission must be one of the following values: READ_ONLY, READ_WRITE"}},
		{"enum number deleted", "products.upsert", func(b map[string]any) { b["deleted"] = 2 },
			[]string{"deleted must be one of the following values: 0, 1"}},
		{"enum nested permission", "opportunities.create", func(b map[string]any) {
			b["contributors"] = []any{map[string]any{"email": "an.nguyen@example.vn", "permission": "OWNER"}}
		}, []string{"contributors.0.permission must be one of the following values: READ_ONLY, READ_WRITE"}},
		{"optional key absent", "contacts.create", func(b map[string]any) { delete(b, "gender") }, nil},
		{"optional key null", "contacts.create", func(b map[string]any) { b["gender"] = nil }, nil},
		{"required key null", "contacts.create", func(b map[string]any) { b["email"] = nil },
			[]string{"email should not be empty"}},
		{"nullable required key null", "employees.create", func(b map[string]any) { b["external_id"] = nil }, nil},
		{"required string may be empty", "contacts.create", func(b map[string]any) { b["department"] = "" }, nil},
		{"non_empty", "leads.create", func(b map[string]any) { b["external_id"] = "" },
			[]string{"external_id should not be empty"}},
		{"date format", "contacts.create", func(b map[string]any) { b["birthday"] = "20/05/1992" },
			[]string{"birthday must be a valid ISO 8601 date string"}},
		{"date-only accepted for datetime", "contacts.create", func(b map[string]any) { b["birthday"] = "1992-05-20" }, nil},
		{"empty date accepted", "contacts.create", func(b map[string]any) { b["birthday"] = "" }, nil},
		{"phone may be empty", "contacts.create", func(b map[string]any) { b["phone_work"] = map[string]any{} }, nil},
		{"phone key type", "contacts.create", func(b map[string]any) { b["phone_work"] = map[string]any{"phone": 901234567} },
			[]string{"phone_work.phone must be a string"}},
		{"phone unknown key", "contacts.create", func(b map[string]any) { b["phone_work"] = map[string]any{"number": "1"} },
			[]string{"phone_work.property number should not exist"}},
		{"string array items", "opportunities.create", func(b map[string]any) { b["contacts_external_ids"] = []any{"CT-001", 2} },
			[]string{"each value in contacts_external_ids must be a string"}},
		{"object array items", "opportunities.create", func(b map[string]any) { b["custom_fields"] = []any{"Kênh bán hàng=Online"} },
			[]string{"each value in custom_fields must be an object"}},
		{"nested missing", "opportunities.create", func(b map[string]any) { b["custom_fields"] = []any{map[string]any{"value": "Online"}} },
			[]string{"custom_fields.0.name should not be empty"}},
		{"nested unknown", "opportunities.create", func(b map[string]any) {
			b["custom_fields"] = []any{map[string]any{"name": "Kênh bán hàng", "value": "Online", "id": "x"}}
		}, []string{"custom_fields.0.property id should not exist"}},
		{"nested type", "opportunities.create", func(b map[string]any) {
			b["opportunities_products"] = []any{map[string]any{"product_external_id": "PRD-001", "quantity": "2", "price": 1}}
		}, []string{"opportunities_products.0.quantity must be a number"}},
		{"nested second item", "leads.create", func(b map[string]any) {
			b["custom_fields"] = []any{map[string]any{"name": "Nhu cầu", "value": "x"}, map[string]any{"name": "Nhu cầu", "value": 5}}
		}, []string{"custom_fields.1.value must be a string"}},
		{"string|object takes an object", "accounts.create", func(b map[string]any) { b["account_type"] = map[string]any{"name": "VIP"} }, nil},
		{"every message at once", "employees.create", func(b map[string]any) {
			delete(b, "first_name")
			b["email"] = 1
			b["x"] = 1
			b["y"] = 2
		}, []string{"property x should not exist", "property y should not exist", "first_name should not be empty", "email must be a string"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, Options{})
			c := caseFor(t, tc.op)
			tc.mutate(c.body)
			r := callOp(t, s, c.op, c.params, c.body)
			if tc.want == nil {
				require.Equal(t, c.status, r.status, "body: %s", r.body)
				return
			}
			require.Equal(t, http.StatusBadRequest, r.status, "body: %s", r.body)
			require.Equal(t, tc.want, r.messages(t))
		})
	}
}

func TestMalformedBodies(t *testing.T) {
	s := newServer(t, Options{})
	tests := []struct {
		name string
		body string
		opts []reqOpt
		want []string
	}{
		{"syntax", `{"value": }`, nil, []string{"Unexpected token } in JSON at position 10"}},
		{"truncated", `{"value": "x"`, nil, []string{"Unexpected end of JSON input"}},
		{"trailing data", `{} ữ`, nil, []string{"Unexpected token ữ in JSON at position 3"}},
		{"huge number", `{"value": 1e400}`, nil, []string{"Unexpected number in JSON"}},
		{"not an object", `["x"]`, nil, []string{"an unknown value was passed to the validate function"}},
		{"empty", ``, nil, []string{"value should not be empty", "description should not be empty", "external_id should not be empty"}},
		{"not JSON content", `{"value":"v","description":"d","external_id":"S-9"}`, []reqOpt{withHeader("Content-Type", "text/plain")},
			[]string{"value should not be empty", "description should not be empty", "external_id should not be empty"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, s, http.MethodPost, "/public/sites", tc.body, tc.opts...)
			require.Equal(t, http.StatusBadRequest, r.status, "body: %s", r.body)
			require.Equal(t, tc.want, r.messages(t))
		})
	}
	t.Run("too large", func(t *testing.T) {
		big := fmt.Sprintf(`{"value":"%s","description":"","external_id":"S-9"}`, strings.Repeat("x", 200<<10))
		r := do(t, s, http.MethodPost, "/public/sites", big)
		require.Equal(t, http.StatusRequestEntityTooLarge, r.status)
		require.JSONEq(t, `{"statusCode":413,"message":"request entity too large","error":"Request Entity Too Large"}`, string(r.body))
	})
}

func TestAuthOnEveryRoute(t *testing.T) {
	s := newServer(t, Options{})
	for _, name := range profile.OperationNames() {
		op, _ := profile.Op(name)
		params := make([]string, len(op.PathParams()))
		for i := range params {
			params[i] = "x"
		}
		for _, tc := range []struct {
			name string
			opt  reqOpt
		}{
			{"no token", withToken("")},
			{"wrong token", withToken("nope")},
			{"other scheme", withHeader("Authorization", "Basic "+s.Token())},
		} {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				r := callOp(t, s, name, params, map[string]any{}, tc.opt)
				require.Equal(t, http.StatusUnauthorized, r.status)
				require.JSONEq(t, `{"statusCode":401,"message":"Unauthorized"}`, string(r.body))
			})
		}
	}
	require.Zero(t, s.Emulator().Stats().Records["contacts"]-3)
}

func TestUnknownRoutes(t *testing.T) {
	s := newServer(t, Options{})
	tests := []struct{ method, path, want string }{
		{"GET", "/public/xyz", "Cannot GET /api/public/xyz"},
		{"POST", "/public/accounts/sources", "Cannot POST /api/public/accounts/sources"},
		{"DELETE", "/public/leads/LEAD-001", "Cannot DELETE /api/public/leads/LEAD-001"},
		{"GET", "/public/contacts/a/b", "Cannot GET /api/public/contacts/a/b"},
		{"GET", "/public/xyz?take=1", "Cannot GET /api/public/xyz?take=1"},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := do(t, s, tc.method, tc.path, nil, withToken("")) // 404 comes before auth
			require.Equal(t, http.StatusNotFound, r.status)
			require.JSONEq(t, fmt.Sprintf(`{"statusCode":404,"message":%q,"error":"Not Found"}`, tc.want), string(r.body))
		})
	}
	req, err := http.NewRequest("GET", strings.TrimSuffix(s.URL(), "/api")+"/elsewhere", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.Empty(t, s.Emulator().Stats().Requests)
}

func TestRouteSpecificity(t *testing.T) {
	s := newServer(t, Options{})
	r := do(t, s, "GET", "/public/accounts/sources", nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Len(t, r.list(t), 3)
	r = do(t, s, "GET", "/public/leads/status", nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Len(t, r.list(t), 4)
	// A path parameter is decoded.
	s.Emulator().Put("contacts", map[string]any{"external_id": "KH/01 ngày", "first_name": "A", "last_name": "B"})
	r = do(t, s, "GET", "/public/contacts/KH%2F01%20ng%C3%A0y", nil)
	require.Equal(t, http.StatusOK, r.status, "body: %s", r.body)
	require.Equal(t, "A B", r.object(t)["name"])
}

var notFoundMessage = regexp.MustCompile(`^[A-Z][a-z ]+ "does-not-exist" not found$`)

func TestUnknownKeys404(t *testing.T) {
	s := newServer(t, Options{})
	n := 0
	for _, c := range validCases(t) {
		if len(c.params) == 0 {
			continue
		}
		n++
		t.Run(c.op, func(t *testing.T) {
			params := make([]string, len(c.params))
			for i := range params {
				params[i] = "does-not-exist"
			}
			r := callOp(t, s, c.op, params, c.body)
			require.Equal(t, http.StatusNotFound, r.status, "body: %s", r.body)
			msgs := r.messages(t)
			require.Len(t, msgs, 1)
			require.Regexp(t, notFoundMessage, msgs[0])
			require.Contains(t, string(r.body), `"error":"Not Found"`)
		})
	}
	require.Equal(t, 23, n)
	r := callOp(t, s, "contacts.get", []string{"C-9"}, nil)
	require.JSONEq(t, `{"statusCode":404,"message":"Contact \"C-9\" not found","error":"Not Found"}`, string(r.body))
	for _, op := range []string{"accounts.assign_owner", "accounts.assign_contributor", "accounts.unassign_contributor"} {
		r := callOp(t, s, op, nil, map[string]any{"account_id": "ACC-404", "employee_id": "MNV_001"})
		require.Equal(t, http.StatusNotFound, r.status)
		require.Equal(t, []string{`Account "ACC-404" not found`}, r.messages(t))
		r = callOp(t, s, op, nil, map[string]any{"account_id": "ACC-001", "employee_id": "MNV_404"})
		require.Equal(t, http.StatusNotFound, r.status)
		require.Equal(t, []string{`Employee "MNV_404" not found`}, r.messages(t))
	}
	// Validation comes before the lookup.
	r = callOp(t, s, "contacts.update", []string{"C-9"}, map[string]any{})
	require.Equal(t, http.StatusBadRequest, r.status)
}

func TestDuplicateExternalID409(t *testing.T) {
	for _, c := range validCases(t) {
		op, _ := profile.Op(c.op)
		if !strings.HasSuffix(c.op, ".create") {
			continue
		}
		t.Run(c.op, func(t *testing.T) {
			s := newServer(t, Options{})
			r := callOp(t, s, c.op, nil, c.body)
			require.Equal(t, http.StatusCreated, r.status, "body: %s", r.body)
			before := s.Emulator().Stats().Records
			r = callOp(t, s, c.op, nil, c.body)
			require.Equal(t, http.StatusConflict, r.status, "body: %s", r.body)
			require.JSONEq(t, fmt.Sprintf(`{"statusCode":409,"message":%q,"error":"Conflict"}`,
				fmt.Sprintf("external_id %q already exists", c.body["external_id"])), string(r.body))
			require.Equal(t, before, s.Emulator().Stats().Records, "%s stored nothing", op.Pattern())
		})
	}
	t.Run("employee e-mail", func(t *testing.T) {
		s := newServer(t, Options{})
		c := caseFor(t, "employees.create")
		c.body["email"] = "AN.NGUYEN@example.vn"
		r := callOp(t, s, c.op, nil, c.body)
		require.Equal(t, http.StatusConflict, r.status)
		require.Equal(t, []string{`email "AN.NGUYEN@example.vn" already exists`}, r.messages(t))
	})
	t.Run("update renaming to a taken external_id", func(t *testing.T) {
		s := newServer(t, Options{})
		c := caseFor(t, "contacts.update")
		c.body["external_id"] = "CT-002"
		r := callOp(t, s, c.op, c.params, c.body)
		require.Equal(t, http.StatusConflict, r.status)
		require.Equal(t, []string{`external_id "CT-002" already exists`}, r.messages(t))
	})
	t.Run("empty external ids do not collide", func(t *testing.T) {
		s := newServer(t, Options{})
		c := caseFor(t, "opportunities.create")
		c.body["external_id"] = ""
		require.Equal(t, http.StatusCreated, callOp(t, s, c.op, nil, c.body).status)
		require.Equal(t, http.StatusCreated, callOp(t, s, c.op, nil, c.body).status)
	})
}
