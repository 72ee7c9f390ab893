package oplatest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/oplabatch/oplabatch/opla"
)

// DefaultToken is the bearer token the emulator wants when Options.Token is empty.
const DefaultToken = "test-token"

// BasePath is the path the API routes live under, as in https://api-admin.oplacrm.com/api.
const BasePath = "/api"

// StatsPath serves the request counters and record counts (no auth, loopback only).
const StatsPath = "/__sandbox/stats"

// maxBody is Express's default JSON body limit.
const maxBody = 100 << 10

// saveDelay debounces persistence: writes within it are saved together.
const saveDelay = 200 * time.Millisecond

// Options configure an emulator. The zero value serves the sample dataset with no faults.
type Options struct {
	Token   string        // bearer token; default DefaultToken
	Profile *opla.Profile // default opla.DefaultProfile()
	Seed    int64         // seeds fault decisions and generated ids
	Dataset *Dataset      // initial data; nil means SampleDataset()

	Latency          time.Duration // added to every API request
	FailRate         float64       // fraction of API requests answered 503 before any work
	LostResponseRate float64       // fraction of writes committed whose answer is then lost
	RateLimit        float64       // requests/second over all API routes; above it 429
	ClampTake        int           // >0: silently clamp every list's take to this
	HeadInsertEvery  int           // >0: every N-th list request with skip>0 inserts a record at the head

	// PersistPath, when set, is a JSON state file (a Dataset): loaded if it exists, and
	// saved atomically shortly after writes and on Close.
	PersistPath string
	// Now is the clock for created_at, updated_at and short_id years; default time.Now.
	Now func() time.Time
}

// Knobs are the fault and shaping settings that may change while the emulator runs.
type Knobs struct {
	Latency          time.Duration `json:"latency"`
	FailRate         float64       `json:"fail_rate"`
	LostResponseRate float64       `json:"lost_response_rate"`
	RateLimit        float64       `json:"rate_limit"`
	ClampTake        int           `json:"clamp_take"`
	HeadInsertEvery  int           `json:"head_insert_every"`
}

// Stats are the emulator's counters: requests per route pattern ("GET /public/contacts",
// exactly opla.Operation.Pattern()) and records per entity.
type Stats struct {
	Requests map[string]int `json:"requests"`
	Records  map[string]int `json:"records"`
}

// Emulator is the OplaCRM emulator as an http.Handler. It is safe for concurrent use.
type Emulator struct {
	profile     *opla.Profile
	token       string
	router      *router
	valid       *validator
	persistPath string
	now         func() time.Time // the clock of timestamps and of the rate limit

	fmu      sync.Mutex // guards knobs, faults, limiter, requests
	knobs    Knobs
	faults   *rand.Rand
	limiter  *rate.Limiter
	requests map[string]int

	mu        sync.Mutex // guards st and what follows
	st        *state
	listCount int // list requests with skip>0, for HeadInsertEvery
	headSeq   int
	dirty     bool
	saveTimer *time.Timer
	closed    bool

	saveMu sync.Mutex // serialises file writes; taken before mu
}

// NewHandler builds an emulator without a listener, e.g. for `oplabatch sandbox --addr`.
func NewHandler(opts Options) (*Emulator, error) {
	if opts.Token == "" {
		opts.Token = DefaultToken
	}
	if opts.Profile == nil {
		opts.Profile = opla.DefaultProfile()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	ds, owned := opts.Dataset, false
	if opts.PersistPath != "" {
		data, err := os.ReadFile(opts.PersistPath)
		switch {
		case err == nil:
			owned = true
			if ds, err = ParseDataset(data); err != nil {
				return nil, fmt.Errorf("sandbox state %s: %w", opts.PersistPath, err)
			}
		case errors.Is(err, fs.ErrNotExist):
		default:
			return nil, fmt.Errorf("sandbox state: %w", err)
		}
	}
	if ds == nil {
		ds, owned = SampleDataset(), true
	}
	st, err := newState(ds, owned, opts.Seed, opts.Now)
	if err != nil {
		return nil, err
	}
	e := &Emulator{
		now:         opts.Now,
		profile:     opts.Profile,
		token:       opts.Token,
		router:      newRouter(opts.Profile),
		valid:       &validator{shapes: opts.Profile.Shapes},
		persistPath: opts.PersistPath,
		faults:      rand.New(rand.NewPCG(uint64(opts.Seed), 0xfa017)),
		requests:    map[string]int{},
		st:          st,
	}
	e.SetKnobs(Knobs{
		Latency: opts.Latency, FailRate: opts.FailRate, LostResponseRate: opts.LostResponseRate,
		RateLimit: opts.RateLimit, ClampTake: opts.ClampTake, HeadInsertEvery: opts.HeadInsertEvery,
	})
	return e, nil
}

// SetKnobs changes the fault and shaping settings; a new RateLimit starts a full bucket.
func (e *Emulator) SetKnobs(k Knobs) {
	e.fmu.Lock()
	defer e.fmu.Unlock()
	if k.RateLimit != e.knobs.RateLimit || e.limiter == nil {
		e.limiter = nil
		if k.RateLimit > 0 {
			e.limiter = rate.NewLimiter(rate.Limit(k.RateLimit), max(1, int(k.RateLimit/10)))
		}
	}
	e.knobs = k
}

// Knobs returns the current fault and shaping settings.
func (e *Emulator) Knobs() Knobs {
	e.fmu.Lock()
	defer e.fmu.Unlock()
	return e.knobs
}

// Token returns the bearer token the emulator accepts.
func (e *Emulator) Token() string { return e.token }

// Profile returns the API profile the emulator serves.
func (e *Emulator) Profile() *opla.Profile { return e.profile }

// Stats returns a copy of the request counters and the current record counts.
func (e *Emulator) Stats() Stats {
	s := Stats{Requests: map[string]int{}, Records: map[string]int{}}
	e.fmu.Lock()
	for k, v := range e.requests {
		s.Requests[k] = v
	}
	e.fmu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, entity := range recordEntities {
		n := 0
		for _, r := range e.st.tables[entity].rows {
			if !isDeleted(entity, r) {
				n++
			}
		}
		s.Records[entity] = n
	}
	for _, entity := range masterEntities {
		rows, _ := e.st.masterRecords(entity)
		s.Records[entity] = len(rows)
	}
	return s
}

// ResetStats zeroes the request counters.
func (e *Emulator) ResetStats() {
	e.fmu.Lock()
	defer e.fmu.Unlock()
	e.requests = map[string]int{}
}

// Records returns copies of an entity's records as the API would answer them, newest
// first (list order). Deleted products are included (with deleted: 1). Unknown entities
// give nil.
func (e *Emulator) Records(entity string) []map[string]any {
	e.mu.Lock()
	defer e.mu.Unlock()
	if rows, ok := e.st.masterRecords(entity); ok {
		return rows
	}
	t, ok := e.st.tables[entity]
	if !ok {
		return nil
	}
	out := make([]map[string]any, 0, len(t.rows))
	for i := len(t.rows) - 1; i >= 0; i-- {
		out = append(out, e.render(entity, t.rows[i]))
	}
	return out
}

// Put stores a record directly, with no validation or reference checks (a test helper).
// Missing server fields (id, created_at, short_id …) are filled in; a record with the id
// of a stored one replaces it, any other is added as the newest. It panics on an entity
// without records or a value that is not JSON.
func (e *Emulator) Put(entity string, rec map[string]any) {
	data, err := json.Marshal(rec)
	if err != nil {
		panic(fmt.Sprintf("oplatest: Put(%s): %v", entity, err))
	}
	var r map[string]any
	if err := json.Unmarshal(data, &r); err != nil || r == nil {
		panic(fmt.Sprintf("oplatest: Put(%s): not a JSON object", entity))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	t, ok := e.st.tables[entity]
	if !ok {
		panic(fmt.Sprintf("oplatest: Put: %q is not an entity with records", entity))
	}
	if id := str(r["id"]); id != "" {
		if old := t.find("id", id); old != nil {
			t.remove(old)
		}
	}
	if entity == "opportunities" {
		e.st.noteShortID(r["short_id"])
	}
	e.st.fillServerFields(entity, r)
	t.insert(r)
	e.markDirty()
}

// ServeHTTP serves the API under BasePath and the stats under StatsPath.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == StatsPath && r.Method == http.MethodGet {
		e.serveStats(w, r)
		return
	}
	notFound := func() {
		writeJSON(w, http.StatusNotFound, opla.ErrorBody(http.StatusNotFound, fmt.Sprintf("Cannot %s %s", r.Method, r.URL.RequestURI())))
	}
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), BasePath)
	if !ok || (rest != "" && !strings.HasPrefix(rest, "/")) {
		notFound()
		return
	}
	op, params, ok := e.router.match(r.Method, rest)
	if !ok {
		notFound()
		return
	}

	k, status, retryAfter, lose := e.admit(op, r.Method)
	if k.Latency > 0 {
		t := time.NewTimer(k.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	switch status {
	case http.StatusTooManyRequests:
		w.Header().Set("Retry-After", fmt.Sprint(retryAfter))
		writeJSON(w, status, opla.ErrorBody(status, "ThrottlerException: Too Many Requests"))
		return
	case http.StatusServiceUnavailable:
		writeJSON(w, status, opla.ErrorBody(status))
		return
	}
	if !e.authorized(r) {
		writeJSON(w, http.StatusUnauthorized, opla.ErrorBody(http.StatusUnauthorized))
		return
	}

	c := &call{op: op, params: params, query: r.URL.Query(), knobs: k}
	if len(op.Body) > 0 {
		data, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil {
			return // the client went away
		}
		if len(data) > maxBody {
			writeJSON(w, http.StatusRequestEntityTooLarge, opla.ErrorBody(http.StatusRequestEntityTooLarge, "request entity too large"))
			return
		}
		if !isJSON(r.Header.Get("Content-Type")) {
			data = nil // Express parses only JSON bodies; anything else arrives as {}
		}
		v, syntax := decodeBody(data)
		if syntax != "" {
			writeJSON(w, http.StatusBadRequest, opla.ErrorBody(http.StatusBadRequest, syntax))
			return
		}
		o, ok := v.(*object)
		if !ok {
			writeJSON(w, http.StatusBadRequest, opla.ErrorBody(http.StatusBadRequest, "an unknown value was passed to the validate function"))
			return
		}
		if msgs := e.valid.object(op.Body, o, "", false); len(msgs) > 0 {
			writeJSON(w, http.StatusBadRequest, opla.ErrorBody(http.StatusBadRequest, msgs...))
			return
		}
		c.body = plain(o).(map[string]any)
	}
	if len(op.Query) > 0 {
		if msgs := c.parseQuery(); len(msgs) > 0 {
			writeJSON(w, http.StatusBadRequest, opla.ErrorBody(http.StatusBadRequest, msgs...))
			return
		}
	}

	res := e.handle(c)
	if lose && res.status < 300 {
		// The write is committed; now the answer is lost on the way back.
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		conn.Close()
		return
	}
	writeJSON(w, res.status, res.body)
}

// admit counts the request and makes the fault decisions, in a fixed order so a seed
// gives the same sequence for the same requests: rate limit, failure, lost answer.
func (e *Emulator) admit(op *opla.Operation, method string) (k Knobs, status, retryAfter int, lose bool) {
	e.fmu.Lock()
	defer e.fmu.Unlock()
	e.requests[op.Pattern()]++
	k = e.knobs
	if e.limiter != nil {
		now := e.now()
		res := e.limiter.ReserveN(now, 1)
		if d := res.DelayFrom(now); !res.OK() || d > 0 {
			res.CancelAt(now)
			return k, http.StatusTooManyRequests, max(1, int(math.Ceil(d.Seconds()))), false
		}
	}
	if k.FailRate > 0 && e.faults.Float64() < k.FailRate {
		return k, http.StatusServiceUnavailable, 0, false
	}
	if isWrite(method) && k.LostResponseRate > 0 && e.faults.Float64() < k.LostResponseRate {
		lose = true
	}
	return k, 0, 0, lose
}

func isWrite(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

func (e *Emulator) authorized(r *http.Request) bool {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	return ok && strings.EqualFold(scheme, "Bearer") && tok == e.token
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

func (e *Emulator) serveStats(w http.ResponseWriter, r *http.Request) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		writeJSON(w, http.StatusForbidden, opla.ErrorBody(http.StatusForbidden, "the sandbox stats are served to loopback clients only"))
		return
	}
	data, _ := json.Marshal(e.Stats())
	writeJSON(w, http.StatusOK, data)
}

// writeJSON writes a JSON answer; body is raw JSON bytes or a value to encode.
func writeJSON(w http.ResponseWriter, status int, body any) {
	data, ok := body.([]byte)
	if !ok {
		var err error
		if data, err = json.Marshal(body); err != nil {
			status, data = http.StatusInternalServerError, opla.ErrorBody(http.StatusInternalServerError, err.Error())
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// markDirty schedules a save after a write. Callers hold e.mu.
func (e *Emulator) markDirty() {
	if e.persistPath == "" || e.dirty || e.closed {
		return
	}
	e.dirty = true
	e.saveTimer = time.AfterFunc(saveDelay, func() { _ = e.Save() })
}

// Save writes the state to Options.PersistPath now (temp file + rename). Without a
// PersistPath it does nothing.
func (e *Emulator) Save() error {
	if e.persistPath == "" {
		return nil
	}
	e.saveMu.Lock()
	defer e.saveMu.Unlock()
	e.mu.Lock()
	d := e.st.dataset()
	e.dirty = false
	data, err := json.MarshalIndent(d, "", "  ")
	e.mu.Unlock()
	if err != nil {
		return fmt.Errorf("save sandbox state: %w", err)
	}
	return writeFileAtomic(e.persistPath, append(data, '\n'))
}

// Snapshot returns the whole state as a Dataset (a deep copy).
func (e *Emulator) Snapshot() *Dataset {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.st.dataset()
}

// Close stops the background save and saves the state one last time (when persisting).
// Requests served after Close are still answered but no longer saved.
func (e *Emulator) Close() error {
	e.mu.Lock()
	if e.saveTimer != nil {
		e.saveTimer.Stop()
	}
	already := e.closed
	e.closed = true
	e.mu.Unlock()
	if already {
		return nil
	}
	return e.Save()
}

func writeFileAtomic(path string, data []byte) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, base+".tmp-*")
	if err != nil {
		return fmt.Errorf("save sandbox state: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save sandbox state: %w", err)
	}
	return nil
}

// call is one admitted, validated API request.
type call struct {
	op     *opla.Operation
	params []string
	query  url.Values
	body   map[string]any
	knobs  Knobs
	skip   int
	take   int
}

// parseQuery whitelists the query and reads skip and take, as the list DTOs would.
func (c *call) parseQuery() []string {
	var msgs []string
	for k := range c.query {
		if !slices.Contains(c.op.Query, k) {
			msgs = append(msgs, "property "+k+" should not exist")
		}
	}
	c.skip, c.take = 0, 20
	for _, q := range []struct {
		name string
		dst  *int
		min  int
	}{{"skip", &c.skip, 0}, {"take", &c.take, 1}} {
		if !slices.Contains(c.op.Query, q.name) {
			continue
		}
		v := strings.TrimSpace(c.query.Get(q.name))
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		ok := err == nil
		switch {
		case !ok:
			msgs = append(msgs, q.name+" must be a number")
		case n < q.min:
			msgs = append(msgs, fmt.Sprintf("%s must not be less than %d", q.name, q.min))
		default:
			*q.dst = n
		}
	}
	if len(msgs) > 0 {
		slices.Sort(msgs)
		return msgs
	}
	if c.knobs.ClampTake > 0 {
		c.take = min(c.take, c.knobs.ClampTake)
		if c.op.MaxTake > 0 {
			c.take = min(c.take, c.op.MaxTake)
		}
	} else if c.op.MaxTake > 0 && c.take > c.op.MaxTake {
		msgs = append(msgs, fmt.Sprintf("take must not be greater than %d", c.op.MaxTake))
	}
	return msgs
}

// filter returns a query filter's value; "", "null" and "undefined" mean no filter.
func (c *call) filter(name string) string {
	v := strings.TrimSpace(c.query.Get(name))
	if v == "null" || v == "undefined" {
		return ""
	}
	return v
}
