package opla_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/oplabatch/oplabatch/opla"
)

func TestAPIErrorClassification(t *testing.T) {
	type class struct{ validation, auth, notFound, conflict, rateLimit, server bool }
	tests := []struct {
		name       string
		status     int
		body       string
		header     map[string]string
		wantMsgs   []string
		wantError  string // the body's "error"
		wantText   string // err.Error()
		want       class
		retryAfter time.Duration
	}{
		{
			name:      "400 with a message list",
			status:    400,
			body:      `{"statusCode":400,"message":["name must be a string","email must be an email"],"error":"Bad Request"}`,
			wantMsgs:  []string{"name must be a string", "email must be an email"},
			wantError: "Bad Request",
			wantText:  "POST /public/contacts: 400 Bad Request: name must be a string; email must be an email",
			want:      class{validation: true},
		},
		{
			name:     "401 with a message string",
			status:   401,
			body:     `{"statusCode":401,"message":"Unauthorized"}`,
			wantMsgs: []string{"Unauthorized"},
			wantText: "POST /public/contacts: 401 Unauthorized: Unauthorized",
			want:     class{auth: true},
		},
		{
			name:      "403",
			status:    403,
			body:      `{"statusCode":403,"message":"Forbidden resource","error":"Forbidden"}`,
			wantMsgs:  []string{"Forbidden resource"},
			wantError: "Forbidden",
			wantText:  "POST /public/contacts: 403 Forbidden: Forbidden resource",
			want:      class{auth: true},
		},
		{
			name:      "404",
			status:    404,
			body:      `{"statusCode":404,"message":"Account ACC-9 not found","error":"Not Found"}`,
			wantMsgs:  []string{"Account ACC-9 not found"},
			wantError: "Not Found",
			wantText:  "POST /public/contacts: 404 Not Found: Account ACC-9 not found",
			want:      class{notFound: true},
		},
		{
			name:      "409",
			status:    409,
			body:      `{"statusCode":409,"message":"external_id C-1 already exists","error":"Conflict"}`,
			wantMsgs:  []string{"external_id C-1 already exists"},
			wantError: "Conflict",
			wantText:  "POST /public/contacts: 409 Conflict: external_id C-1 already exists",
			want:      class{conflict: true},
		},
		{
			name:       "429",
			status:     429,
			body:       `{"statusCode":429,"message":"ThrottlerException: Too Many Requests"}`,
			header:     map[string]string{"Retry-After": "3"},
			wantMsgs:   []string{"ThrottlerException: Too Many Requests"},
			wantText:   "POST /public/contacts: 429 Too Many Requests: ThrottlerException: Too Many Requests",
			want:       class{rateLimit: true},
			retryAfter: 3 * time.Second,
		},
		{
			name:      "501",
			status:    501,
			body:      `{"statusCode":501,"message":"Internal server error"}`,
			wantMsgs:  []string{"Internal server error"},
			wantText:  "POST /public/contacts: 501 Not Implemented: Internal server error",
			want:      class{server: true},
			wantError: "",
		},
		{
			name:     "422 counts as validation",
			status:   422,
			body:     `{"statusCode":422,"message":["birthday must be a date"],"error":"Unprocessable Entity"}`,
			wantMsgs: []string{"birthday must be a date"}, wantError: "Unprocessable Entity",
			wantText: "POST /public/contacts: 422 Unprocessable Entity: birthday must be a date",
			want:     class{validation: true},
		},
		{
			name:     "a body that is not NestJS",
			status:   418,
			body:     "  <html>I'm a teapot</html>\n",
			wantMsgs: []string{"<html>I'm a teapot</html>"},
			wantText: "POST /public/contacts: 418 I'm a teapot: <html>I'm a teapot</html>",
		},
		{
			name:     "an empty body",
			status:   404,
			wantText: "POST /public/contacts: 404 Not Found",
			want:     class{notFound: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := setup(t, func(o *opla.Options) { o.MaxRetries = -1 })
			hits := h.handle("POST /public/contacts", func(w http.ResponseWriter, r *http.Request, _ int) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				writeJSON(w, tt.status, tt.body)
			})
			_, err := h.client.Contacts.Create(context.Background(), opla.ContactCreate{})
			require.Error(t, err)
			require.Equal(t, int32(1), hits.Load())

			var ae *opla.APIError
			require.ErrorAs(t, err, &ae)
			require.Equal(t, "contacts.create", ae.Op)
			require.Equal(t, http.MethodPost, ae.Method)
			require.Equal(t, "/public/contacts", ae.Route)
			require.Equal(t, tt.status, ae.StatusCode)
			require.Equal(t, tt.wantMsgs, ae.Messages)
			require.Equal(t, tt.wantError, ae.ErrorText)
			require.Equal(t, tt.retryAfter, ae.RetryAfter)
			require.Equal(t, tt.wantText, err.Error())
			got := class{ae.IsValidation(), ae.IsAuth(), ae.IsNotFound(), ae.IsConflict(), ae.IsRateLimit(), ae.IsServer()}
			require.Equal(t, tt.want, got)

			wrapped := fmt.Errorf("row 7: %w", err)
			require.Equal(t, tt.want.auth, opla.IsAuth(wrapped))
			require.Equal(t, tt.want.notFound, opla.IsNotFound(wrapped))
			require.Equal(t, tt.want.conflict, opla.IsConflict(wrapped))
			require.False(t, opla.IsAmbiguous(wrapped))
			require.NotContains(t, err.Error(), testToken)
		})
	}
}

func TestErrorBody(t *testing.T) {
	tests := []struct {
		status int
		msgs   []string
		want   string
	}{
		{400, []string{"name must be a string"}, `{"statusCode":400,"message":["name must be a string"],"error":"Bad Request"}`},
		{400, nil, `{"statusCode":400,"message":"Bad Request","error":"Bad Request"}`},
		{401, nil, `{"statusCode":401,"message":"Unauthorized"}`},
		{404, []string{"Contact C-9 not found"}, `{"statusCode":404,"message":"Contact C-9 not found","error":"Not Found"}`},
		{409, []string{"a", "b"}, `{"statusCode":409,"message":["a","b"],"error":"Conflict"}`},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status, tt.msgs), func(t *testing.T) {
			require.JSONEq(t, tt.want, string(opla.ErrorBody(tt.status, tt.msgs...)))
		})
	}
}

func TestAmbiguousError(t *testing.T) {
	inner := errors.New("EOF")
	err := error(&opla.AmbiguousError{Op: "leads.create", Method: "POST", Route: "/public/leads", Err: inner})
	require.True(t, opla.IsAmbiguous(fmt.Errorf("row 2: %w", err)))
	require.ErrorIs(t, err, inner)
	require.Equal(t, "POST /public/leads: outcome unknown, the server may or may not have applied it (EOF)", err.Error())
	require.False(t, opla.IsAmbiguous(inner))
	_, ok := opla.AsAPIError(err)
	require.False(t, ok)
}

// TestErrorsNeverContainToken walks every kind of failure with a distinctive token and
// checks that no error message carries it, even when a server echoes the request back.
func TestErrorsNeverContainToken(t *testing.T) {
	ctx := context.Background()
	statusCase := func(status int, body string) func(t *testing.T) error {
		return func(t *testing.T) error {
			h := setup(t, func(o *opla.Options) { o.MaxRetries = 1 })
			h.handle("PUT /public/contacts/C-1", func(w http.ResponseWriter, r *http.Request, _ int) {
				writeJSON(w, status, body)
			})
			_, err := h.client.Contacts.Update(ctx, "C-1", opla.ContactUpdate{})
			return err
		}
	}
	echo := func(w http.ResponseWriter, r *http.Request, _ int) {
		msg := "bad header: Authorization: " + r.Header.Get("Authorization")
		b, _ := json.Marshal(map[string]any{"statusCode": 400, "message": []string{msg}, "error": "Bad Request " + r.Header.Get("Authorization")})
		writeJSON(w, 400, string(b))
	}
	cases := map[string]func(t *testing.T) error{
		"400":           statusCase(400, string(opla.ErrorBody(400, "first_name must be a string"))),
		"401":           statusCase(401, string(opla.ErrorBody(401))),
		"403":           statusCase(403, string(opla.ErrorBody(403))),
		"404":           statusCase(404, string(opla.ErrorBody(404, "Contact C-1 not found"))),
		"409":           statusCase(409, string(opla.ErrorBody(409, "duplicate"))),
		"429":           statusCase(429, string(opla.ErrorBody(429))),
		"500":           statusCase(500, string(opla.ErrorBody(500))),
		"502 html":      statusCase(502, "<html>bad gateway</html>"),
		"503":           statusCase(503, ""),
		"decode":        statusCase(200, `{"id":[1]}`),
		"echoed header": func(t *testing.T) error { return echoCase(t, echo) },
		"echoed header, plain text": func(t *testing.T) error {
			return echoCase(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				writeJSON(w, 401, "token "+r.Header.Get("Authorization")+" rejected")
			})
		},
		"ambiguous": func(t *testing.T) error {
			h := setup(t)
			h.handle("POST /public/leads", func(w http.ResponseWriter, r *http.Request, _ int) { hangUp(t, w, r) })
			_, err := h.client.Leads.Create(ctx, opla.LeadCreate{})
			return err
		},
		"connection refused": func(t *testing.T) error {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			addr := ln.Addr().String()
			require.NoError(t, ln.Close())
			c, err := opla.New(opla.Options{BaseURL: "http://" + addr + "/api", Token: testToken, MaxRetries: -1})
			require.NoError(t, err)
			_, err = c.Contacts.Get(ctx, "C-1")
			return err
		},
		"cancelled": func(t *testing.T) error {
			h := setup(t)
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			_, err := h.client.Contacts.Get(cctx, "C-1")
			return err
		},
		"bad call": func(t *testing.T) error {
			h := setup(t)
			return h.client.Do(ctx, opla.Call{Op: "contacts.get"}, nil)
		},
		"base URL": func(t *testing.T) error {
			_, err := opla.New(opla.Options{BaseURL: "http://u:" + testToken + "@example.com/api", Token: testToken})
			return err
		},
	}
	for name, run := range cases {
		t.Run(name, func(t *testing.T) {
			err := run(t)
			require.Error(t, err)
			for _, s := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err)} {
				require.NotContains(t, s, testToken)
			}
			if ae, ok := opla.AsAPIError(err); ok {
				for _, m := range ae.Messages {
					require.NotContains(t, m, testToken)
				}
				require.NotContains(t, ae.ErrorText, testToken)
			}
		})
	}
}

func echoCase(t *testing.T, fn func(w http.ResponseWriter, r *http.Request, hit int)) error {
	h := setup(t)
	h.handle("POST /public/accounts/assign-owner", fn)
	return h.client.Accounts.AssignOwner(context.Background(), opla.AccountEmployee{AccountID: "A-1", EmployeeID: "E-1"})
}

func TestServerErrorOnCreateIsAmbiguousButRetriedOnRead(t *testing.T) {
	h := setup(t, func(o *opla.Options) { o.MaxRetries = 2 })
	posts := h.handle("POST /public/contacts", func(w http.ResponseWriter, r *http.Request, _ int) {
		writeJSON(w, 500, `{"statusCode":500,"message":"Internal server error"}`)
	})
	_, err := h.client.Contacts.Create(context.Background(), opla.ContactCreate{})
	require.True(t, opla.IsAmbiguous(err), "a 500 may come after the write: %v", err)
	require.Equal(t, int32(1), posts.Load(), "a create is never re-sent blindly")

	gets := h.handle("GET /public/contacts/C-1", func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			writeJSON(w, 500, `{"statusCode":500,"message":"boom"}`)
			return
		}
		writeJSON(w, 200, `{"external_id":"C-1"}`)
	})
	c, err := h.client.Contacts.Get(context.Background(), "C-1")
	require.NoError(t, err)
	require.Equal(t, "C-1", c.ExternalID)
	require.Equal(t, int32(2), gets.Load())
}
