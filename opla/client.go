// Package opla is a client for the OplaCRM public API.
//
// One Client holds the route table (an API profile), bearer auth, a rate limiter and a
// retry policy. Every call names a profile operation, so the same code follows a profile
// that the user overrides with --api-profile. Typed services (Contacts, Accounts, …) wrap
// the generic Do for callers that want structs; the importer uses Do with maps.
package opla

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// DefaultBaseURL is OplaCRM's API root; public routes live under /public/.
const DefaultBaseURL = "https://api-admin.oplacrm.com/api"

// Options configure a Client. The zero value of every field has a sensible default.
type Options struct {
	BaseURL    string       // default DefaultBaseURL (or the profile's base_url)
	Token      string       // bearer token; never logged or put in an error
	Profile    *Profile     // default DefaultProfile()
	HTTPClient *http.Client // default: a tuned transport with TLS verification on
	Logger     *slog.Logger // default: discard

	RateLimit  float64       // requests per second; 0 means no client-side limit
	Burst      int           // limiter burst; default max(1, MaxConns)
	MaxConns   int           // idle keep-alive connections kept per host; default 64
	Timeout    time.Duration // per attempt; default 60s
	MaxRetries int           // retries after the first attempt; default 8; <0 means none
	BaseDelay  time.Duration // first backoff ceiling; default 200ms
	MaxDelay   time.Duration // backoff ceiling; default 15s
	MaxBody    int64         // largest response body read; default 256 MiB

	// Sleep waits between retries; tests replace it to record delays without waiting.
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand returns a float in [0,1) for jitter; default math/rand/v2.
	Rand func() float64
	// OnRetry, when set, is told about every retry (for adaptive concurrency and stats).
	OnRetry func(op string, attempt int, err error, delay time.Duration)
}

// Client talks to one OplaCRM API. It is safe for concurrent use.
type Client struct {
	base    *url.URL
	token   string
	profile *Profile
	http    *http.Client
	limiter *rate.Limiter
	log     *slog.Logger
	opts    Options

	requests atomic.Int64
	retries  atomic.Int64
	pacer    *pacer

	Contacts       *ContactsService
	Accounts       *AccountsService
	Opportunities  *OpportunitiesService
	Leads          *LeadsService
	SalesProcesses *SalesProcessesService
	Employees      *EmployeesService
	Products       *ProductsService
	Sites          *SimpleService
	Suppliers      *SimpleService
	UnitOfMeasures *SimpleService
	BuyerGroups    *SimpleService
}

// New builds a Client. It refuses plain http:// to anything but a loopback host, so a
// token never crosses a network in clear text.
func New(opts Options) (*Client, error) {
	if opts.Profile == nil {
		opts.Profile = DefaultProfile()
	}
	if opts.BaseURL == "" {
		opts.BaseURL = opts.Profile.BaseURL
	}
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultBaseURL
	}
	base, err := ParseBaseURL(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = 64
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 60 * time.Second
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = 8
	} else if opts.MaxRetries < 0 {
		opts.MaxRetries = 0
	}
	if opts.BaseDelay <= 0 {
		opts.BaseDelay = 200 * time.Millisecond
	}
	if opts.MaxDelay <= 0 {
		opts.MaxDelay = 15 * time.Second
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = 256 << 20
	}
	if opts.Sleep == nil {
		opts.Sleep = sleepCtx
	}
	if opts.Rand == nil {
		opts.Rand = rand.Float64
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Transport: NewTransport(opts.MaxConns), CheckRedirect: sameOriginRedirects}
	}
	c := &Client{base: base, token: opts.Token, profile: opts.Profile, http: opts.HTTPClient, log: opts.Logger, opts: opts, pacer: newPacer(nil)}
	if opts.RateLimit > 0 {
		burst := opts.Burst
		if burst <= 0 {
			burst = max(1, min(opts.MaxConns, int(opts.RateLimit)))
		}
		c.limiter = rate.NewLimiter(rate.Limit(opts.RateLimit), burst)
	}
	c.Contacts = &ContactsService{c}
	c.Accounts = &AccountsService{c}
	c.Opportunities = &OpportunitiesService{c}
	c.Leads = &LeadsService{c}
	c.SalesProcesses = &SalesProcessesService{c}
	c.Employees = &EmployeesService{c}
	c.Products = &ProductsService{c}
	c.Sites = &SimpleService{c, "sites"}
	c.Suppliers = &SimpleService{c, "suppliers"}
	c.UnitOfMeasures = &SimpleService{c, "unit-of-measures"}
	c.BuyerGroups = &SimpleService{c, "buyer-groups"}
	return c, nil
}

// ErrCrossOriginRedirect refuses a redirect to another scheme or host: the token would
// follow it.
var ErrCrossOriginRedirect = errors.New("the API redirected to another origin; not following it with the token")

func sameOriginRedirects(req *http.Request, via []*http.Request) error {
	if o := via[0].URL; req.URL.Scheme != o.Scheme || req.URL.Host != o.Host {
		return fmt.Errorf("%w (%s://%s)", ErrCrossOriginRedirect, req.URL.Scheme, req.URL.Host)
	}
	if len(via) >= 5 {
		return errors.New("stopped after 5 redirects")
	}
	return nil
}

// NewTransport returns an HTTP transport sized for maxConns concurrent requests to one
// host, with TLS verification on and gzip accepted.
func NewTransport(maxConns int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = maxConns * 2
	t.MaxIdleConnsPerHost = maxConns
	t.IdleConnTimeout = 90 * time.Second
	t.ResponseHeaderTimeout = 0 // per-attempt context deadline instead
	return t
}

// ParseBaseURL checks a base URL: https anywhere, http only on a loopback host.
func ParseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil {
		return nil, fmt.Errorf("base URL %q: %w", raw, err)
	}
	if u.User != nil { // checked first: the messages below quote the URL
		return nil, fmt.Errorf("base URL must not carry credentials; pass the token with --token-file or OPLA_TOKEN")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !IsLoopbackHost(u.Hostname()) {
			return nil, fmt.Errorf("base URL %q: plain http is only allowed to a loopback host (127.0.0.1, localhost, ::1); use https:// so the token is not sent in clear text", raw)
		}
	default:
		return nil, fmt.Errorf("base URL %q: want an https:// URL such as %s", raw, DefaultBaseURL)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("base URL %q has no host", raw)
	}
	return u, nil
}

// IsLoopbackHost reports whether host is localhost or a loopback IP.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Profile returns the client's API profile.
func (c *Client) Profile() *Profile { return c.profile }

// BaseURL returns the API root the client talks to.
func (c *Client) BaseURL() string { return c.base.String() }

// PacedRate is the request rate the client settled on after the server answered 429
// (requests per second), or 0 when it has not been throttled.
func (c *Client) PacedRate() float64 { return c.pacer.rate() }

// Stats returns the number of HTTP attempts and of retries made so far.
func (c *Client) Stats() (requests, retries int64) { return c.requests.Load(), c.retries.Load() }

// Call is one API request by profile operation name.
type Call struct {
	Op    string     // profile operation name, e.g. "contacts.get"
	Path  []string   // path parameter values, in the order the route names them
	Query url.Values // query string
	Body  any        // JSON body (nil for none)
}

// Do performs a call and decodes a 2xx JSON answer into out (when out is not nil).
// Non-2xx answers become *APIError; a write whose answer was lost becomes *AmbiguousError.
func (c *Client) Do(ctx context.Context, call Call, out any) error {
	op, err := c.profile.Op(call.Op)
	if err != nil {
		return err
	}
	u, err := c.url(op, call.Path, call.Query)
	if err != nil {
		return err
	}
	var body []byte
	if call.Body != nil {
		if body, err = json.Marshal(call.Body); err != nil {
			return fmt.Errorf("%s %s: encode body: %w", op.Method, op.Path, err)
		}
	}
	data, err := c.send(ctx, op, u, body)
	if err != nil {
		return err
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", op.Method, op.Path, err)
	}
	return nil
}

func (c *Client) url(op *Operation, params []string, q url.Values) (string, error) {
	names := op.PathParams()
	if len(names) != len(params) {
		return "", fmt.Errorf("%s %s: want %d path parameter(s) %v, got %d", op.Method, op.Path, len(names), names, len(params))
	}
	path := op.Path
	for i, name := range names {
		if params[i] == "" {
			return "", fmt.Errorf("%s %s: path parameter %s is empty", op.Method, op.Path, name)
		}
		path = strings.Replace(path, "{"+name+"}", url.PathEscape(params[i]), 1)
	}
	s := c.base.String() + path
	if len(q) > 0 {
		s += "?" + q.Encode()
	}
	return s, nil
}

// idempotent reports whether a request may be re-sent after an unknown outcome.
func idempotent(method string) bool {
	return method == http.MethodGet || method == http.MethodPut || method == http.MethodDelete || method == http.MethodHead
}

func (c *Client) send(ctx context.Context, op *Operation, u string, body []byte) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		data, err, retryable := c.attempt(ctx, op, u, body)
		if err == nil {
			return data, nil
		}
		if !retryable || attempt >= c.opts.MaxRetries || ctx.Err() != nil {
			return nil, err
		}
		delay := c.backoff(attempt, err)
		c.retries.Add(1)
		if c.opts.OnRetry != nil {
			c.opts.OnRetry(op.Name, attempt+1, err, delay)
		}
		if fn, ok := ctx.Value(retryObserverKey{}).(RetryObserver); ok {
			fn(op.Name, attempt+1, err, delay)
		}
		c.log.Debug("retrying", "op", op.Name, "attempt", attempt+1, "delay", delay, "err", err)
		if serr := c.opts.Sleep(ctx, delay); serr != nil {
			return nil, fmt.Errorf("%s %s: %w (while waiting to retry after: %v)", op.Method, op.Path, serr, err)
		}
	}
}

// RetryObserver hears about a retry: which operation, the attempt about to be made, the
// error that caused it and the delay before it.
type RetryObserver func(op string, attempt int, err error, delay time.Duration)

type retryObserverKey struct{}

// WithRetryObserver returns a context whose calls report each of their retries to fn, so
// a caller can slow down when the server pushes back (429, 503).
func WithRetryObserver(ctx context.Context, fn RetryObserver) context.Context {
	return context.WithValue(ctx, retryObserverKey{}, fn)
}

// backoff is exponential with full jitter, or the server's Retry-After when it gave one.
func (c *Client) backoff(attempt int, err error) time.Duration {
	if ae, ok := AsAPIError(err); ok && ae.RetryAfter > 0 {
		return min(ae.RetryAfter, 5*time.Minute)
	}
	ceil := c.opts.BaseDelay << min(attempt, 20)
	if ceil > c.opts.MaxDelay || ceil <= 0 {
		ceil = c.opts.MaxDelay
	}
	return time.Duration(c.opts.Rand() * float64(ceil))
}

// attempt sends one request. retryable says whether sending it again is safe and useful.
func (c *Client) attempt(ctx context.Context, op *Operation, u string, body []byte) (data []byte, err error, retryable bool) {
	if c.limiter != nil {
		if err := c.limiter.Wait(ctx); err != nil {
			return nil, fmt.Errorf("%s %s: %w", op.Method, op.Path, err), false
		}
	}
	if err := c.pacer.wait(ctx); err != nil {
		return nil, fmt.Errorf("%s %s: %w", op.Method, op.Path, err), false
	}
	actx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { wrote.Store(true) }}
	actx = httptrace.WithClientTrace(actx, trace)
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(actx, op.Method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", op.Method, op.Path, err), false
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("User-Agent", "oplabatch")
	start := time.Now()
	c.requests.Add(1)
	resp, err := c.http.Do(req)
	if err != nil {
		err = scrubURLError(err)
		if ctx.Err() != nil { // the caller gave up: not a network fault
			return nil, fmt.Errorf("%s %s: %w", op.Method, op.Path, ctx.Err()), false
		}
		if errors.Is(err, ErrCrossOriginRedirect) {
			return nil, fmt.Errorf("%s %s: %w", op.Method, op.Path, err), false
		}
		if wrote.Load() && !idempotent(op.Method) {
			return nil, &AmbiguousError{Op: op.Name, Method: op.Method, Route: op.Path, Err: err}, false
		}
		return nil, fmt.Errorf("%s %s: %w", op.Method, op.Path, err), true
	}
	defer resp.Body.Close()
	data, rerr := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBody+1))
	c.log.Debug("api", "op", op.Name, "method", op.Method, "route", op.Path, "status", resp.StatusCode, "elapsed", time.Since(start))
	if rerr != nil {
		rerr = scrubURLError(rerr)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s %s: %w", op.Method, op.Path, ctx.Err()), false
		}
		if !idempotent(op.Method) {
			return nil, &AmbiguousError{Op: op.Name, Method: op.Method, Route: op.Path, Err: rerr}, false
		}
		return nil, fmt.Errorf("%s %s: read answer: %w", op.Method, op.Path, rerr), true
	}
	if int64(len(data)) > c.opts.MaxBody {
		return nil, fmt.Errorf("%s %s: answer larger than %d bytes", op.Method, op.Path, c.opts.MaxBody), false
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		c.pacer.success()
		return data, nil, false
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		c.pacer.throttled()
	}
	msgs, errText := parseErrorBody(data)
	if c.token != "" { // a server or proxy may echo the request's headers back
		for i := range msgs {
			msgs[i] = strings.ReplaceAll(msgs[i], c.token, "[token]")
		}
		errText = strings.ReplaceAll(errText, c.token, "[token]")
	}
	ae := &APIError{Op: op.Name, Method: op.Method, Route: op.Path, StatusCode: resp.StatusCode, Messages: msgs, ErrorText: errText,
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"))}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return nil, ae, true // refused before processing: safe for every method
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		// The request may have been applied before the failure.
		if !idempotent(op.Method) {
			return nil, &AmbiguousError{Op: op.Name, Method: op.Method, Route: op.Path, Err: ae}, false
		}
		return nil, ae, true
	}
	return nil, ae, false
}

// scrubURLError drops the URL from a *url.Error: it may carry query values the user typed,
// and the message is clearer without it (the route is added by the caller).
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func parseRetryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
