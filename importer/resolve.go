package importer

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/oplabatch/oplabatch/mapping"
	"github.com/oplabatch/oplabatch/mapping/coerce"
	"github.com/oplabatch/oplabatch/opla"
	"golang.org/x/sync/singleflight"
)

// item is one master-data entry: an industry, a source, a lead status, a sales process
// stage, an employee.
type item struct {
	ID         string
	Name       string
	Email      string
	ExternalID string
	Parent     string // stage: the sales process id
}

// Resolver turns the values a sheet names other records by (names, e-mails, external ids)
// into what the API wants. Small lists are fetched once; per-key lookups are cached and
// shared between workers; keys created earlier in the run count as existing.
type Resolver struct {
	c     *opla.Client
	mu    sync.Mutex
	lists map[string][]item
	keys  map[string]map[string]bool // entity -> key -> exists
	// failed remembers keys whose rows failed earlier in a job, to say so when a later
	// sheet refers to them.
	failed map[string]map[string]string // entity -> key -> where it failed
	sf     singleflight.Group
	// Offline resolvers (validate) accept every value.
	offline bool
}

// NewResolver builds a resolver; a nil client makes an offline one that checks nothing.
func NewResolver(c *opla.Client) *Resolver {
	return &Resolver{c: c, lists: map[string][]item{}, keys: map[string]map[string]bool{}, failed: map[string]map[string]string{}, offline: c == nil}
}

// Failed records that the row holding a key failed (where says which, for messages).
func (r *Resolver) Failed(entity, key, where string) {
	if key == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failed[entity] == nil {
		r.failed[entity] = map[string]string{}
	}
	r.failed[entity][key] = where
}

// Created records that a key now exists (created earlier in this run).
func (r *Resolver) Created(entity, key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.keys[entity] == nil {
		r.keys[entity] = map[string]bool{}
	}
	r.keys[entity][key] = true
}

var listOps = map[string]string{
	"industries":           "accounts.industries",
	"sources":              "accounts.sources",
	"lead-statuses":        "leads.status",
	"sales-processes":      "sales-processes.list",
	"sales-process-stages": "sales-processes.list",
	"employees":            "employees.list",
}

var entityLabel = map[string]string{
	"industries": "industry", "sources": "source", "lead-statuses": "lead status",
	"sales-processes": "sales process", "sales-process-stages": "sales process stage",
	"employees": "employee", "accounts": "account", "contacts": "contact", "products": "product",
}

// list returns a master list, fetching it once.
func (r *Resolver) list(ctx context.Context, name string) ([]item, error) {
	r.mu.Lock()
	l, ok := r.lists[name]
	r.mu.Unlock()
	if ok {
		return l, nil
	}
	v, err, _ := r.sf.Do("list:"+name, func() (any, error) {
		return r.fetchList(ctx, name)
	})
	if err != nil {
		return nil, err
	}
	l = v.([]item)
	r.mu.Lock()
	r.lists[name] = l
	r.mu.Unlock()
	return l, nil
}

func (r *Resolver) fetchList(ctx context.Context, name string) ([]item, error) {
	var out []item
	switch name {
	case "sales-processes", "sales-process-stages":
		type stage struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		}
		type process struct {
			ID     string  `json:"id"`
			Name   string  `json:"name"`
			Stages []stage `json:"stages"`
		}
		procs, err := opla.All[process](ctx, r.c, listOps[name], nil)
		if err != nil {
			return nil, fmt.Errorf("read sales processes: %w", err)
		}
		for _, p := range procs {
			if name == "sales-processes" {
				out = append(out, item{ID: p.ID, Name: p.Name})
				continue
			}
			for _, s := range p.Stages {
				out = append(out, item{ID: s.ID, Name: s.Name, Parent: p.ID})
			}
		}
	case "employees":
		type emp struct {
			ID         string `json:"id"`
			FirstName  string `json:"first_name"`
			LastName   string `json:"last_name"`
			Email      string `json:"email"`
			ExternalID string `json:"external_id"`
		}
		for e, err := range opla.List[emp](ctx, r.c, listOps[name], nil) {
			if err != nil {
				return nil, fmt.Errorf("read employees: %w", err)
			}
			out = append(out, item{ID: e.ID, Name: strings.TrimSpace(e.FirstName + " " + e.LastName), Email: e.Email, ExternalID: e.ExternalID})
		}
	default:
		type named struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		}
		items, err := opla.All[named](ctx, r.c, listOps[name], nil)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		for _, it := range items {
			out = append(out, item{ID: it.ID, Name: it.Name})
		}
	}
	return out, nil
}

// Prefetch loads the master lists a mapping refers to, so a broken token or route stops
// the run before the first row.
func (r *Resolver) Prefetch(ctx context.Context, m *mapping.Mapping) error {
	if r.offline {
		return nil
	}
	fetched := false
	for _, rule := range m.Rules {
		if rule.Ref == nil {
			continue
		}
		if _, ok := listOps[rule.Ref.Entity]; ok {
			if _, err := r.list(ctx, rule.Ref.Entity); err != nil {
				return err
			}
			fetched = true
		}
	}
	if !fetched { // one small read proves the token before the first row
		if _, err := r.list(ctx, "lead-statuses"); err != nil {
			return err
		}
	}
	return nil
}

// refError is a reference miss.
func refError(rule *mapping.Rule, value string, msg string) *mapping.CellError {
	return &mapping.CellError{Column: rule.Header, Field: rule.Field, Value: value, Code: "reference", Msg: msg}
}

// Resolve turns one cell value of a ref rule into the value the API wants. fields holds the
// record's other values (a stage is looked up within the record's sales process).
func (r *Resolver) Resolve(ctx context.Context, rule *mapping.Rule, value any, fields map[string]any) (any, *mapping.CellError, error) {
	if r.offline {
		return value, nil, nil
	}
	want, _ := mapping.ParseRef(rule.Spec.Ref)
	if want == nil {
		want = rule.Ref
	}
	switch v := value.(type) {
	case []string:
		out := make([]string, 0, len(v))
		for _, s := range v {
			res, cerr, err := r.resolveOne(ctx, rule, want, s, fields)
			if cerr != nil || err != nil {
				return nil, cerr, err
			}
			out = append(out, res)
		}
		return out, nil, nil
	case string:
		res, cerr, err := r.resolveOne(ctx, rule, want, v, fields)
		if cerr != nil || err != nil {
			return nil, cerr, err
		}
		return res, nil, nil
	}
	return value, nil, nil
}

func (r *Resolver) resolveOne(ctx context.Context, rule *mapping.Rule, want *mapping.Ref, value string, fields map[string]any) (string, *mapping.CellError, error) {
	ent := rule.Ref.Entity
	switch ent {
	case "accounts", "contacts", "products":
		r.mu.Lock()
		where, failed := r.failed[ent][value]
		r.mu.Unlock()
		ok, err := r.exists(ctx, ent, value)
		if err != nil {
			return "", nil, err
		}
		if !ok && failed {
			return "", refError(rule, value, fmt.Sprintf("the %s %q could not be imported (%s), so this row cannot refer to it; fix that row first", entityLabel[ent], value, where)), nil
		}
		if !ok {
			return "", refError(rule, value, fmt.Sprintf("there is no %s with external_id %q in OplaCRM (nor earlier in this run)", entityLabel[ent], value)), nil
		}
		return value, nil, nil
	}
	items, err := r.list(ctx, ent)
	if err != nil {
		return "", nil, err
	}
	if ent == "sales-process-stages" {
		items = r.stagesOf(ctx, items, fields)
	}
	by := rule.Ref.By
	if by == "" && ent == "employees" {
		by = "external_id"
		if strings.Contains(value, "@") {
			by = "email"
		}
	}
	var found *item
	fv := coerce.Fold(value)
	for i := range items {
		it := &items[i]
		switch by {
		case "email":
			if strings.EqualFold(it.Email, value) {
				found = it
			}
		case "external_id":
			if it.ExternalID == value {
				found = it
			}
		case "id":
			if it.ID == value {
				found = it
			}
		case "name":
			if coerce.Fold(it.Name) == fv {
				found = it
			}
		default: // id or name
			if it.ID == value || coerce.Fold(it.Name) == fv {
				found = it
			}
		}
		if found != nil {
			break
		}
	}
	if found == nil {
		var names []string
		for _, it := range items {
			switch {
			case by == "email":
				names = append(names, it.Email)
			case by == "external_id":
				names = append(names, it.ExternalID)
			default:
				names = append(names, it.Name)
			}
		}
		msg := fmt.Sprintf("%q is not an existing %s in OplaCRM", value, entityLabel[ent])
		if close := coerce.Closest(value, names, 3); len(close) > 0 {
			msg += "; closest: " + quoteList(close)
		}
		return "", refError(rule, value, msg), nil
	}
	switch want.By {
	case "email":
		return found.Email, nil, nil
	case "name":
		return found.Name, nil, nil
	case "id":
		return found.ID, nil, nil
	}
	switch want.Entity {
	case "employees":
		return found.ExternalID, nil, nil
	case "industries", "sources":
		return found.ID, nil, nil
	}
	return found.Name, nil, nil
}

// stagesOf narrows stages to the record's sales process when it names one.
func (r *Resolver) stagesOf(ctx context.Context, stages []item, fields map[string]any) []item {
	proc, _ := fields["sale_process"].(string)
	if proc == "" {
		return stages
	}
	procs, err := r.list(ctx, "sales-processes")
	if err != nil {
		return stages
	}
	var pid string
	for _, p := range procs {
		if p.ID == proc || coerce.Fold(p.Name) == coerce.Fold(proc) {
			pid = p.ID
		}
	}
	if pid == "" {
		return stages
	}
	var out []item
	for _, s := range stages {
		if s.Parent == pid {
			out = append(out, s)
		}
	}
	return out
}

// exists checks a key of accounts, contacts or products, with a cache shared by workers.
func (r *Resolver) exists(ctx context.Context, entity, key string) (bool, error) {
	r.mu.Lock()
	if known, ok := r.keys[entity][key]; ok {
		r.mu.Unlock()
		return known, nil
	}
	r.mu.Unlock()
	v, err, _ := r.sf.Do("key:"+entity+"\x00"+key, func() (any, error) {
		rec, err := Lookup(ctx, r.c, entity, key)
		return rec != nil, err
	})
	if err != nil {
		return false, err
	}
	ok := v.(bool)
	r.mu.Lock()
	if r.keys[entity] == nil {
		r.keys[entity] = map[string]bool{}
	}
	if !r.keys[entity][key] { // a concurrent Created wins
		r.keys[entity][key] = ok
	}
	ok = r.keys[entity][key]
	r.mu.Unlock()
	return ok, nil
}

// Lookup fetches the current record of an entity by its key, using the entity's get
// route, else its list filtered by the key, else its whole list. It returns nil, nil when
// no such record exists, and ErrNoLookup when the API offers no way to read the entity.
func Lookup(ctx context.Context, c *opla.Client, entity, key string) (map[string]any, error) {
	e, err := c.Profile().Entity(entity)
	if err != nil {
		return nil, err
	}
	switch {
	case e.Get != "":
		var rec map[string]any
		err := c.Do(ctx, opla.Call{Op: e.Get, Path: []string{key}}, &rec)
		if opla.IsNotFound(err) {
			return nil, nil
		}
		return rec, err
	case e.List != "" && e.ListKeyFilter != "":
		q := url.Values{e.ListKeyFilter: {key}}
		for rec, err := range opla.List[map[string]any](ctx, c, e.List, q) {
			if err != nil {
				return nil, err
			}
			if fmt.Sprint(rec[keyField(e)]) == key {
				return rec, nil
			}
		}
		return nil, nil
	case e.List != "":
		for rec, err := range opla.List[map[string]any](ctx, c, e.List, nil) {
			if err != nil {
				return nil, err
			}
			if fmt.Sprint(rec[keyField(e)]) == key {
				return rec, nil
			}
		}
		return nil, nil
	}
	return nil, ErrNoLookup
}

// ErrNoLookup says the API has no route to read an entity (sites, suppliers, …).
var ErrNoLookup = fmt.Errorf("the API offers no way to read this entity")

func keyField(e *opla.Entity) string {
	if e.Key == "" {
		return "external_id"
	}
	return e.Key
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// normalize round-trips a value through JSON so values built in Go compare equal to
// values decoded from an answer.
func normalize(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return v
	}
	return out
}
