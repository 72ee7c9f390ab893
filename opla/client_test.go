package opla_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/oplabatch/oplabatch/opla"
)

// testToken is distinctive so a test can prove it never reaches an error message.
const testToken = "tok-S3CRET-7f3a9c41d2e8"

// harness is a client pointed at an httptest mux mounted under /api, go-github style. The
// mux's catch-all fails the test on any request no handler expects.
type harness struct {
	t      *testing.T
	client *opla.Client
	mux    *http.ServeMux
	server *httptest.Server

	mu     sync.Mutex
	sleeps []time.Duration
}

func setup(t *testing.T, mods ...func(*opla.Options)) *harness {
	t.Helper()
	h := &harness{t: t, mux: http.NewServeMux()}
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request: %s %s", r.Method, r.URL)
		http.Error(w, "unexpected", http.StatusTeapot)
	})
	root := http.NewServeMux()
	root.Handle("/api/", http.StripPrefix("/api", h.mux))
	root.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside the base path: %s %s", r.Method, r.URL)
		http.Error(w, "outside", http.StatusTeapot)
	})
	h.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("Authorization"); got != "Bearer "+testToken {
			t.Errorf("%s %s: Authorization = %q", r.Method, r.URL.Path, got)
		}
		root.ServeHTTP(w, r)
	}))
	t.Cleanup(h.server.Close)
	opts := opla.Options{
		BaseURL: h.server.URL + "/api",
		Token:   testToken,
		Sleep:   h.sleep,
		Rand:    func() float64 { return 0.5 },
	}
	for _, m := range mods {
		m(&opts)
	}
	c, err := opla.New(opts)
	require.NoError(t, err)
	h.client = c
	return h
}

func (h *harness) sleep(ctx context.Context, d time.Duration) error {
	h.mu.Lock()
	h.sleeps = append(h.sleeps, d)
	h.mu.Unlock()
	return ctx.Err()
}

func (h *harness) slept() []time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]time.Duration(nil), h.sleeps...)
}

// handle registers a handler and returns a counter of its hits.
func (h *harness) handle(pattern string, fn func(w http.ResponseWriter, r *http.Request, hit int)) *atomic.Int32 {
	var hits atomic.Int32
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		fn(w, r, int(hits.Add(1)))
	})
	return &hits
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func writeError(w http.ResponseWriter, status int, msgs ...string) {
	writeJSON(w, status, string(opla.ErrorBody(status, msgs...)))
}

// hangUp closes the connection without an answer, after reading the whole request.
func hangUp(t *testing.T, w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	_ = conn.Close()
}

func TestNewBaseURL(t *testing.T) {
	tests := []struct {
		url     string
		wantErr string
	}{
		{url: "https://api-admin.oplacrm.com/api"},
		{url: "https://api-admin.oplacrm.com/api/"},
		{url: "http://127.0.0.1:8787/api"},
		{url: "http://localhost:8787/api"},
		{url: "http://[::1]:8787/api"},
		{url: "http://api-admin.oplacrm.com/api", wantErr: "plain http is only allowed to a loopback host"},
		{url: "http://10.0.0.5/api", wantErr: "plain http is only allowed to a loopback host"},
		{url: "ftp://example.com/api", wantErr: "want an https:// URL"},
		{url: "api-admin.oplacrm.com/api", wantErr: "want an https:// URL"},
		{url: "https:///api", wantErr: "has no host"},
		{url: "https://user:" + testToken + "@example.com/api", wantErr: "must not carry credentials"},
		{url: "http://user:" + testToken + "@example.com/api", wantErr: "must not carry credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			c, err := opla.New(opla.Options{BaseURL: tt.url, Token: testToken})
			if tt.wantErr == "" {
				require.NoError(t, err)
				require.Equal(t, strings.TrimRight(tt.url, "/"), c.BaseURL())
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
			require.NotContains(t, err.Error(), testToken)
		})
	}
}

func TestNewDefaults(t *testing.T) {
	c, err := opla.New(opla.Options{})
	require.NoError(t, err)
	require.Equal(t, opla.DefaultBaseURL, c.BaseURL())
	require.NotNil(t, c.Profile())
	for _, s := range []*opla.SimpleService{c.Sites, c.Suppliers, c.UnitOfMeasures, c.BuyerGroups} {
		require.NotNil(t, s)
		_, err := c.Profile().Op(s.Entity() + ".create")
		require.NoError(t, err)
	}

	p := opla.DefaultProfile()
	p.BaseURL = "https://eu.example.com/api"
	c, err = opla.New(opla.Options{Profile: p})
	require.NoError(t, err)
	require.Equal(t, "https://eu.example.com/api", c.BaseURL(), "the profile's base_url is the default")
}

func TestRequestHeaders(t *testing.T) {
	h := setup(t)
	h.handle("GET /public/contacts/C-1", func(w http.ResponseWriter, r *http.Request, _ int) {
		require.Equal(t, "application/json", r.Header.Get("Accept"))
		require.Equal(t, "oplabatch", r.Header.Get("User-Agent"))
		require.Empty(t, r.Header.Get("Content-Type"), "no body, no content type")
		writeJSON(w, 200, `{"external_id":"C-1"}`)
	})
	h.handle("POST /public/contacts", func(w http.ResponseWriter, r *http.Request, _ int) {
		require.Equal(t, "application/json", r.Header.Get("Content-Type"))
		writeJSON(w, 201, `{"external_id":"C-1"}`)
	})
	ctx := context.Background()
	_, err := h.client.Contacts.Get(ctx, "C-1")
	require.NoError(t, err)
	_, err = h.client.Contacts.Create(ctx, opla.ContactCreate{ExternalID: "C-1"})
	require.NoError(t, err)
	requests, retries := h.client.Stats()
	require.Equal(t, int64(2), requests)
	require.Zero(t, retries)
}

func TestPathParametersAreEscaped(t *testing.T) {
	h := setup(t)
	const id = "KH/01 Đà Nẵng?x=1#y"
	hits := h.handle("GET /public/contacts/{external_id}", func(w http.ResponseWriter, r *http.Request, _ int) {
		require.Equal(t, id, r.PathValue("external_id"))
		require.Empty(t, r.URL.RawQuery)
		writeJSON(w, 200, `{"external_id":"x"}`)
	})
	_, err := h.client.Contacts.Get(context.Background(), id)
	require.NoError(t, err)
	require.Equal(t, int32(1), hits.Load())
}

func TestDoRejectsBadCalls(t *testing.T) {
	h := setup(t) // the catch-all fails the test if anything is sent
	ctx := context.Background()
	tests := []struct {
		name    string
		call    opla.Call
		wantErr string
	}{
		{"unknown operation", opla.Call{Op: "contacts.frobnicate"}, `no operation "contacts.frobnicate"`},
		{"missing path parameter", opla.Call{Op: "contacts.get"}, "want 1 path parameter(s) [external_id], got 0"},
		{"extra path parameter", opla.Call{Op: "contacts.list", Path: []string{"x"}}, "want 0 path parameter(s)"},
		{"empty path parameter", opla.Call{Op: "contacts.get", Path: []string{""}}, "path parameter external_id is empty"},
		{"unencodable body", opla.Call{Op: "contacts.create", Body: map[string]any{"x": make(chan int)}}, "encode body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.ErrorContains(t, h.client.Do(ctx, tt.call, nil), tt.wantErr)
		})
	}
	_, err := h.client.Contacts.Get(ctx, "")
	require.ErrorContains(t, err, "is empty")
	requests, _ := h.client.Stats()
	require.Zero(t, requests)
}

func TestDecodeError(t *testing.T) {
	h := setup(t)
	hits := h.handle("GET /public/contacts/C-1", func(w http.ResponseWriter, r *http.Request, _ int) {
		writeJSON(w, 200, `{"id": {"nested": true}}`)
	})
	_, err := h.client.Contacts.Get(context.Background(), "C-1")
	require.ErrorContains(t, err, "GET /public/contacts/{external_id}: decode answer")
	require.Equal(t, int32(1), hits.Load(), "a bad answer is not retried")
}

func TestEmptyAnswer(t *testing.T) {
	h := setup(t)
	h.handle("DELETE /public/contacts/C-1", func(w http.ResponseWriter, r *http.Request, _ int) {
		w.WriteHeader(http.StatusNoContent)
	})
	h.handle("PUT /public/employee/E-1/active", func(w http.ResponseWriter, r *http.Request, _ int) {
		writeJSON(w, 200, "  \n")
	})
	require.NoError(t, h.client.Contacts.Delete(context.Background(), "C-1"))
	require.NoError(t, h.client.Employees.Activate(context.Background(), "E-1"))
}

func TestMaxBody(t *testing.T) {
	h := setup(t, func(o *opla.Options) { o.MaxBody = 16 })
	h.handle("GET /public/contacts/C-1", func(w http.ResponseWriter, r *http.Request, _ int) {
		writeJSON(w, 200, `{"external_id":"C-1","description":"far too long"}`)
	})
	_, err := h.client.Contacts.Get(context.Background(), "C-1")
	require.ErrorContains(t, err, "answer larger than 16 bytes")
}

func TestRetryAfterIsHonoured(t *testing.T) {
	h := setup(t)
	var retried []string
	h.client = mustClient(t, h, func(o *opla.Options) {
		o.OnRetry = func(op string, attempt int, err error, delay time.Duration) {
			retried = append(retried, fmt.Sprintf("%s#%d %v", op, attempt, delay))
		}
	})
	hits := h.handle("GET /public/leads", func(w http.ResponseWriter, r *http.Request, hit int) {
		if hit == 1 {
			w.Header().Set("Retry-After", "2")
			writeError(w, http.StatusTooManyRequests, "ThrottlerException: Too Many Requests")
			return
		}
		writeJSON(w, 200, `[]`)
	})
	leads, err := collect(h.client.Leads.List(context.Background(), opla.LeadListOptions{}))
	require.NoError(t, err)
	require.Empty(t, leads)
	require.Equal(t, int32(2), hits.Load())
	require.Equal(t, []time.Duration{2 * time.Second}, h.slept())
	require.Equal(t, []string{"leads.list#1 2s"}, retried)
	_, retries := h.client.Stats()
	require.Equal(t, int64(1), retries)
}

func TestRetryAfterIsCapped(t *testing.T) {
	h := setup(t)
	h.handle("POST /public/contacts", func(w http.ResponseWriter, r *http.Request, hit int) {
		if hit == 1 {
			w.Header().Set("Retry-After", "86400")
			writeError(w, http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, 201, `{"external_id":"C-1"}`)
	})
	_, err := h.client.Contacts.Create(context.Background(), opla.ContactCreate{ExternalID: "C-1"})
	require.NoError(t, err)
	require.Equal(t, []time.Duration{5 * time.Minute}, h.slept())
}

// mustClient rebuilds the harness's client with extra options.
func mustClient(t *testing.T, h *harness, mod func(*opla.Options)) *opla.Client {
	t.Helper()
	o := opla.Options{BaseURL: h.server.URL + "/api", Token: testToken, Sleep: h.sleep, Rand: func() float64 { return 0.5 }}
	mod(&o)
	c, err := opla.New(o)
	require.NoError(t, err)
	return c
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name      string
		pattern   string
		first     func(t *testing.T, w http.ResponseWriter, r *http.Request)
		call      func(ctx context.Context, c *opla.Client) error
		wantHits  int32
		wantErr   func(t *testing.T, err error)
		wantSleep []time.Duration
	}{
		{
			name:    "503 then success, any method",
			pattern: "POST /public/contacts",
			first:   func(t *testing.T, w http.ResponseWriter, r *http.Request) { writeError(w, 503) },
			call: func(ctx context.Context, c *opla.Client) error {
				_, err := c.Contacts.Create(ctx, opla.ContactCreate{})
				return err
			},
			wantHits:  2,
			wantSleep: []time.Duration{100 * time.Millisecond}, // 0.5 × the 200ms base delay
		},
		{
			name:    "502 on GET is retried",
			pattern: "GET /public/accounts/A-1",
			first: func(t *testing.T, w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 502, `<html>Bad Gateway</html>`)
			},
			call: func(ctx context.Context, c *opla.Client) error {
				_, err := c.Accounts.Get(ctx, "A-1")
				return err
			},
			wantHits:  2,
			wantSleep: []time.Duration{100 * time.Millisecond},
		},
		{
			name:    "504 on PUT is retried",
			pattern: "PUT /public/accounts/A-1",
			first:   func(t *testing.T, w http.ResponseWriter, r *http.Request) { writeError(w, 504) },
			call: func(ctx context.Context, c *opla.Client) error {
				_, err := c.Accounts.Update(ctx, "A-1", opla.AccountUpdate{})
				return err
			},
			wantHits:  2,
			wantSleep: []time.Duration{100 * time.Millisecond},
		},
		{
			name:    "502 on POST is ambiguous and not re-sent",
			pattern: "POST /public/accounts",
			first:   func(t *testing.T, w http.ResponseWriter, r *http.Request) { writeError(w, 502) },
			call: func(ctx context.Context, c *opla.Client) error {
				_, err := c.Accounts.Create(ctx, opla.AccountCreate{})
				return err
			},
			wantHits: 1,
			wantErr: func(t *testing.T, err error) {
				var amb *opla.AmbiguousError
				require.ErrorAs(t, err, &amb)
				require.Equal(t, "accounts.create", amb.Op)
				ae, ok := opla.AsAPIError(err)
				require.True(t, ok, "the gateway's answer stays reachable")
				require.Equal(t, 502, ae.StatusCode)
			},
		},
		{
			name:    "POST whose connection closes after the write is ambiguous and not re-sent",
			pattern: "POST /public/opportunities",
			first:   hangUp,
			call: func(ctx context.Context, c *opla.Client) error {
				_, err := c.Opportunities.Create(ctx, opla.OpportunityCreate{ExternalID: "O-1"})
				return err
			},
			wantHits: 1,
			wantErr: func(t *testing.T, err error) {
				require.True(t, opla.IsAmbiguous(err), "%v", err)
				require.ErrorContains(t, err, "POST /public/opportunities: outcome unknown")
				_, isAPI := opla.AsAPIError(err)
				require.False(t, isAPI)
			},
		},
		{
			name:    "GET whose connection closes is retried",
			pattern: "GET /public/opportunities/external-id/O-1",
			first:   hangUp,
			call: func(ctx context.Context, c *opla.Client) error {
				_, err := c.Opportunities.GetByExternalID(ctx, "O-1")
				return err
			},
			wantHits:  2,
			wantSleep: []time.Duration{100 * time.Millisecond},
		},
		{
			name:    "PUT whose connection closes is retried",
			pattern: "PUT /public/opportunities/u-1",
			first:   hangUp,
			call: func(ctx context.Context, c *opla.Client) error {
				_, err := c.Opportunities.Update(ctx, "u-1", opla.OpportunityUpdate{})
				return err
			},
			wantHits:  2,
			wantSleep: []time.Duration{100 * time.Millisecond},
		},
		{
			name:    "400 is not retried",
			pattern: "POST /public/leads",
			first: func(t *testing.T, w http.ResponseWriter, r *http.Request) {
				writeError(w, 400, "name must be a string")
			},
			call: func(ctx context.Context, c *opla.Client) error {
				_, err := c.Leads.Create(ctx, opla.LeadCreate{})
				return err
			},
			wantHits: 1,
			wantErr: func(t *testing.T, err error) {
				ae, ok := opla.AsAPIError(err)
				require.True(t, ok)
				require.True(t, ae.IsValidation())
			},
		},
		{
			name:    "401 is not retried",
			pattern: "GET /public/leads/status",
			first:   func(t *testing.T, w http.ResponseWriter, r *http.Request) { writeError(w, 401) },
			call: func(ctx context.Context, c *opla.Client) error {
				_, err := c.Leads.Statuses(ctx)
				return err
			},
			wantHits: 1,
			wantErr:  func(t *testing.T, err error) { require.True(t, opla.IsAuth(err)) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := setup(t)
			hits := h.handle(tt.pattern, func(w http.ResponseWriter, r *http.Request, hit int) {
				if hit == 1 {
					tt.first(t, w, r)
					return
				}
				writeJSON(w, 200, `{"id":"u-1"}`)
			})
			err := tt.call(context.Background(), h.client)
			require.Equal(t, tt.wantHits, hits.Load())
			require.Equal(t, tt.wantSleep, h.slept())
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			tt.wantErr(t, err)
		})
	}
}

// refuseFirstDial fails the first dial as a refused connection: nothing was written.
func refuseFirstDial(o *opla.Options) {
	tr := opla.NewTransport(4)
	var dials atomic.Int32
	var d net.Dialer
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) == 1 {
			return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
		}
		return d.DialContext(ctx, network, addr)
	}
	o.HTTPClient = &http.Client{Transport: tr}
}

func TestPOSTRefusedBeforeWriteIsRetried(t *testing.T) {
	h := setup(t, refuseFirstDial)
	hits := h.handle("POST /public/contacts", func(w http.ResponseWriter, r *http.Request, _ int) {
		writeJSON(w, 201, `{"external_id":"C-1"}`)
	})
	got, err := h.client.Contacts.Create(context.Background(), opla.ContactCreate{ExternalID: "C-1"})
	require.NoError(t, err)
	require.Equal(t, "C-1", got.ExternalID)
	require.Equal(t, int32(1), hits.Load(), "the refused attempt never reached the server")
	require.Len(t, h.slept(), 1)
	requests, retries := h.client.Stats()
	require.Equal(t, int64(2), requests)
	require.Equal(t, int64(1), retries)
}

func TestConnectionRefusedGivesUp(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	var sleeps []time.Duration
	c, err := opla.New(opla.Options{
		BaseURL:    "http://" + addr + "/api",
		Token:      testToken,
		MaxRetries: 3,
		Sleep:      func(_ context.Context, d time.Duration) error { sleeps = append(sleeps, d); return nil },
		Rand:       func() float64 { return 0 },
	})
	require.NoError(t, err)
	_, err = c.Contacts.Create(context.Background(), opla.ContactCreate{})
	require.Error(t, err)
	require.False(t, opla.IsAmbiguous(err), "nothing was sent: %v", err)
	require.ErrorContains(t, err, "POST /public/contacts")
	require.Len(t, sleeps, 3)
	require.ErrorContains(t, err, "connection refused")
	require.NotContains(t, err.Error(), testToken)
}

func TestBackoffIsBoundedAndJittered(t *testing.T) {
	rands := []float64{0.99, 0.0, 0.5, 0.25, 0.99, 0.75}
	var n atomic.Int32
	h := setup(t, func(o *opla.Options) {
		o.MaxRetries = len(rands)
		o.BaseDelay = 100 * time.Millisecond
		o.MaxDelay = 500 * time.Millisecond
		o.Rand = func() float64 { return rands[int(n.Add(1))-1] }
	})
	hits := h.handle("GET /public/sales-process", func(w http.ResponseWriter, r *http.Request, _ int) {
		writeError(w, 503)
	})
	_, err := h.client.SalesProcesses.List(context.Background())
	ae, ok := opla.AsAPIError(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, 503, ae.StatusCode)
	require.Equal(t, int32(len(rands)+1), hits.Load())

	ceilings := []time.Duration{100, 200, 400, 500, 500, 500} // ms: doubling, capped at MaxDelay
	want := make([]time.Duration, len(rands))
	for i, r := range rands {
		want[i] = time.Duration(r * float64(ceilings[i]*time.Millisecond))
	}
	got := h.slept()
	require.Equal(t, want, got)
	for _, d := range got {
		require.LessOrEqual(t, d, 500*time.Millisecond)
		require.GreaterOrEqual(t, d, time.Duration(0))
	}
}

func TestNoRetriesWhenDisabled(t *testing.T) {
	h := setup(t, func(o *opla.Options) { o.MaxRetries = -1 })
	hits := h.handle("GET /public/accounts/sources", func(w http.ResponseWriter, r *http.Request, _ int) {
		writeError(w, 503)
	})
	_, err := h.client.Accounts.Sources(context.Background())
	require.Error(t, err)
	require.Equal(t, int32(1), hits.Load())
	require.Empty(t, h.slept())
}

func TestContextCancelStopsRetries(t *testing.T) {
	t.Run("while waiting to retry", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		h := setup(t)
		h.client = mustClient(t, h, func(o *opla.Options) {
			o.Sleep = func(ctx context.Context, d time.Duration) error {
				cancel()
				return ctx.Err()
			}
		})
		hits := h.handle("GET /public/accounts/industries", func(w http.ResponseWriter, r *http.Request, _ int) {
			writeError(w, 503)
		})
		_, err := h.client.Accounts.Industries(ctx)
		require.ErrorIs(t, err, context.Canceled)
		require.Equal(t, int32(1), hits.Load())
	})
	t.Run("during a request", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		h := setup(t)
		hits := h.handle("POST /public/leads", func(w http.ResponseWriter, r *http.Request, _ int) {
			_, _ = io.Copy(io.Discard, r.Body)
			cancel()
			<-r.Context().Done() // the client hangs up
		})
		_, err := h.client.Leads.Create(ctx, opla.LeadCreate{Name: "x"})
		require.ErrorIs(t, err, context.Canceled)
		require.Equal(t, int32(1), hits.Load())
		require.Empty(t, h.slept())
	})
	t.Run("already cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		h := setup(t)
		_, err := h.client.Contacts.Get(ctx, "C-1")
		require.ErrorIs(t, err, context.Canceled)
		require.Empty(t, h.slept())
	})
	t.Run("rate limiter wait", func(t *testing.T) {
		h := setup(t, func(o *opla.Options) { o.RateLimit = 0.001; o.Burst = 1 })
		hits := h.handle("GET /public/contacts/C-1", func(w http.ResponseWriter, r *http.Request, _ int) {
			writeJSON(w, 200, `{}`)
		})
		_, err := h.client.Contacts.Get(context.Background(), "C-1")
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		defer cancel()
		_, err = h.client.Contacts.Get(ctx, "C-1") // the next token is ~17 minutes away
		require.Error(t, err)
		require.Equal(t, int32(1), hits.Load())
	})
}

func TestAttemptTimeout(t *testing.T) {
	// The handler blocks until the client's per-attempt deadline drops the request.
	block := func(w http.ResponseWriter, r *http.Request, hit int) {
		if hit == 1 {
			_, _ = io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
			return
		}
		writeJSON(w, 200, `{"id":"u-1","external_id":"E-1"}`)
	}
	t.Run("GET is retried", func(t *testing.T) {
		h := setup(t, func(o *opla.Options) { o.Timeout = 50 * time.Millisecond })
		hits := h.handle("GET /public/employee/E-1", block)
		got, err := h.client.Employees.Get(context.Background(), "E-1")
		require.NoError(t, err)
		require.Equal(t, "u-1", got.ID)
		require.Equal(t, int32(2), hits.Load())
	})
	t.Run("POST is ambiguous", func(t *testing.T) {
		h := setup(t, func(o *opla.Options) { o.Timeout = 50 * time.Millisecond })
		hits := h.handle("POST /public/employee", block)
		_, err := h.client.Employees.Create(context.Background(), opla.EmployeeCreate{Email: "a@b.c"})
		require.True(t, opla.IsAmbiguous(err), "%v", err)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Equal(t, int32(1), hits.Load())
	})
}

func TestConcurrentUse(t *testing.T) {
	h := setup(t)
	h.handle("GET /public/contacts/{id}", func(w http.ResponseWriter, r *http.Request, hit int) {
		if hit%3 == 0 {
			writeError(w, 503)
			return
		}
		writeJSON(w, 200, fmt.Sprintf(`{"external_id":%q}`, r.PathValue("id")))
	})
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := range 32 {
		wg.Go(func() {
			id := fmt.Sprintf("C-%d", i)
			got, err := h.client.Contacts.Get(context.Background(), id)
			if err == nil && got.ExternalID != id {
				err = fmt.Errorf("got %s, want %s", got.ExternalID, id)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

// collect drains an iterator.
func collect[T any](seq func(yield func(T, error) bool)) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

// jsonKeys returns the top-level keys of a JSON object.
func jsonKeys(t *testing.T, data []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(data, &m))
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}
