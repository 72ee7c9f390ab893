package oplatest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// table holds one entity's records, oldest first, with unique indexes on a few fields.
type table struct {
	rows []map[string]any
	idx  map[string]map[string]map[string]any // field -> key -> record
}

// indexedFields lists the looked-up fields of each entity; "email" keys are lower-cased.
func indexedFields(entity string) []string {
	switch entity {
	case "opportunities":
		return []string{"id", "external_id", "short_id"}
	case "employees":
		return []string{"id", "external_id", "email"}
	}
	return []string{"id", "external_id"}
}

func newTable(fields []string) *table {
	t := &table{idx: map[string]map[string]map[string]any{}}
	for _, f := range fields {
		t.idx[f] = map[string]map[string]any{}
	}
	return t
}

func indexKey(field string, v any) (string, bool) {
	s, ok := v.(string)
	if !ok || s == "" {
		return "", false
	}
	if field == "email" {
		s = strings.ToLower(s)
	}
	return s, true
}

func (t *table) index(rec map[string]any) {
	for f, m := range t.idx {
		if k, ok := indexKey(f, rec[f]); ok {
			m[k] = rec
		}
	}
}

func (t *table) unindex(rec map[string]any) {
	for f, m := range t.idx {
		if k, ok := indexKey(f, rec[f]); ok {
			if cur := m[k]; cur != nil && cur["id"] == rec["id"] {
				delete(m, k)
			}
		}
	}
}

func (t *table) insert(rec map[string]any) {
	t.rows = append(t.rows, rec)
	t.index(rec)
}

func (t *table) remove(rec map[string]any) {
	t.unindex(rec)
	t.rows = slices.DeleteFunc(t.rows, func(r map[string]any) bool { return r["id"] == rec["id"] })
}

// find looks a record up by an indexed field.
func (t *table) find(field, key string) map[string]any {
	m, ok := t.idx[field]
	if !ok {
		for _, r := range t.rows {
			if s, _ := r[field].(string); s == key && key != "" {
				return r
			}
		}
		return nil
	}
	k, ok := indexKey(field, key)
	if !ok {
		return nil
	}
	return m[k]
}

// modify changes a record in place, keeping the indexes right.
func (t *table) modify(rec map[string]any, f func()) {
	t.unindex(rec)
	f()
	t.index(rec)
}

// state is everything the emulator serves. The Emulator's mu guards it.
type state struct {
	companyID    string
	tables       map[string]*table
	industries   []MasterData
	sources      []MasterData
	leadStatuses []MasterData
	processes    []SalesProcess
	customFields map[string][]CustomField
	shortSeq     map[int]int // year -> last short_id sequence number
	usedIDs      map[string]bool
	ids          *rand.Rand
	now          func() time.Time
}

// newState builds the state from a dataset; the caller's dataset is copied unless owned.
func newState(d *Dataset, owned bool, seed int64, now func() time.Time) (*state, error) {
	if !owned {
		var err error
		if d, err = d.clone(); err != nil {
			return nil, err
		}
	}
	st := &state{
		companyID:    d.CompanyID,
		tables:       map[string]*table{},
		industries:   d.Industries,
		sources:      d.Sources,
		leadStatuses: d.LeadStatuses,
		processes:    d.SalesProcesses,
		customFields: d.CustomFields,
		shortSeq:     map[int]int{},
		usedIDs:      map[string]bool{},
		ids:          rand.New(rand.NewPCG(uint64(seed), 0x1d5eed)),
		now:          now,
	}
	if st.customFields == nil {
		st.customFields = map[string][]CustomField{}
	}
	for _, md := range [][]MasterData{d.Industries, d.Sources, d.LeadStatuses} {
		for _, m := range md {
			st.usedIDs[m.ID] = true
		}
	}
	for _, p := range d.SalesProcesses {
		st.usedIDs[p.ID] = true
		for _, s := range p.Stages {
			st.usedIDs[s.ID] = true
		}
	}
	for _, entity := range recordEntities {
		for _, rec := range *d.records(entity) {
			if id, ok := rec["id"].(string); ok && id != "" {
				st.usedIDs[id] = true
			}
			if entity == "opportunities" {
				st.noteShortID(rec["short_id"])
			}
		}
	}
	if st.companyID == "" {
		st.companyID = st.newID()
	}
	for _, entity := range recordEntities {
		t := newTable(indexedFields(entity))
		st.tables[entity] = t
		for _, rec := range *d.records(entity) {
			st.fillServerFields(entity, rec)
			t.insert(rec)
		}
	}
	return st, nil
}

// noteShortID remembers the sequence of an existing short_id so new ones do not repeat it.
func (st *state) noteShortID(v any) {
	s, _ := v.(string)
	year, seq, ok := strings.Cut(s, ".")
	if !ok {
		return
	}
	y, err1 := strconv.Atoi(year)
	n, err2 := strconv.Atoi(seq)
	if err1 == nil && err2 == nil && n > st.shortSeq[y] {
		st.shortSeq[y] = n
	}
}

// fillServerFields gives a record loaded from a dataset or Put the fields the server
// would have generated.
func (st *state) fillServerFields(entity string, rec map[string]any) {
	if id, ok := rec["id"].(string); !ok || id == "" {
		rec["id"] = st.newID()
	}
	st.usedIDs[rec["id"].(string)] = true
	now := st.stamp()
	if _, ok := rec["created_at"].(string); !ok {
		rec["created_at"] = now
	}
	if _, ok := rec["updated_at"].(string); !ok {
		rec["updated_at"] = rec["created_at"]
	}
	switch entity {
	case "opportunities":
		if s, _ := rec["short_id"].(string); s == "" {
			year := st.now().UTC().Year()
			if t, err := time.Parse(time.RFC3339, rec["created_at"].(string)); err == nil {
				year = t.Year()
			}
			rec["short_id"] = st.nextShortID(year)
		}
		if _, ok := rec["stage_logs"].([]any); !ok {
			rec["stage_logs"] = []any{}
		}
		if _, ok := rec["contributors"].([]any); !ok {
			rec["contributors"] = []any{}
		}
	case "accounts":
		if _, ok := rec["contributors"].([]any); !ok {
			rec["contributors"] = []any{}
		}
	case "employees":
		if _, ok := rec["is_active"].(bool); !ok {
			rec["is_active"] = true
		}
	}
}

// newID returns a fresh uuid v4 from the seeded source, never one already in use.
func (st *state) newID() string {
	for {
		var b [16]byte
		for i := 0; i < 16; i += 8 {
			v := st.ids.Uint64()
			for j := range 8 {
				b[i+j] = byte(v >> (8 * j))
			}
		}
		b[6] = (b[6] & 0x0f) | 0x40
		b[8] = (b[8] & 0x3f) | 0x80
		id := uuid.UUID(b).String()
		if !st.usedIDs[id] {
			st.usedIDs[id] = true
			return id
		}
	}
}

func (st *state) nextShortID(year int) string {
	st.shortSeq[year]++
	return fmt.Sprintf("%04d.%05d", year, st.shortSeq[year])
}

// timeLayout is how the API writes timestamps: ISO 8601, UTC, milliseconds.
const timeLayout = "2006-01-02T15:04:05.000Z"

func (st *state) stamp() string { return st.now().UTC().Format(timeLayout) }

// dataset snapshots the state as a Dataset (records deep-copied, oldest first).
func (st *state) dataset() *Dataset {
	d := &Dataset{
		CompanyID:      st.companyID,
		Industries:     slices.Clone(st.industries),
		Sources:        slices.Clone(st.sources),
		LeadStatuses:   slices.Clone(st.leadStatuses),
		SalesProcesses: make([]SalesProcess, len(st.processes)),
		CustomFields:   make(map[string][]CustomField, len(st.customFields)),
	}
	for i, p := range st.processes {
		p.Stages = slices.Clone(p.Stages)
		d.SalesProcesses[i] = p
	}
	for entity, defs := range st.customFields {
		out := make([]CustomField, len(defs))
		for i, f := range defs {
			f.Options = slices.Clone(f.Options)
			out[i] = f
		}
		d.CustomFields[entity] = out
	}
	for _, entity := range recordEntities {
		rows := st.tables[entity].rows
		out := make([]map[string]any, len(rows))
		for i, r := range rows {
			out[i] = deepCopy(r).(map[string]any)
		}
		*d.records(entity) = out
	}
	return d
}

// masterRecords renders a read-only list as JSON-shaped maps.
func (st *state) masterRecords(entity string) ([]map[string]any, bool) {
	var v any
	switch entity {
	case "industries":
		v = st.industries
	case "sources":
		v = st.sources
	case "lead-statuses":
		v = st.leadStatuses
	case "sales-processes":
		v = st.processes
	default:
		return nil, false
	}
	data, _ := json.Marshal(v)
	out := []map[string]any{}
	_ = json.Unmarshal(data, &out)
	return out, true
}

// deepCopy copies JSON-shaped values (maps, slices, scalars).
func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = deepCopy(x)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, x := range v {
			s[i] = deepCopy(x)
		}
		return s
	case []map[string]any:
		s := make([]any, len(v))
		for i, x := range v {
			s[i] = deepCopy(x)
		}
		return s
	case []string:
		s := make([]any, len(v))
		for i, x := range v {
			s[i] = x
		}
		return s
	}
	return v
}

// str returns v as a string ("" for anything else).
func str(v any) string {
	s, _ := v.(string)
	return s
}

// num returns v as a number (0 for anything else).
func num(v any) float64 {
	f, _ := v.(float64)
	return f
}
