package importer

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/oplabatch/oplabatch/mapping"
	"github.com/oplabatch/oplabatch/opla"
)

// Actions a row can end with.
const (
	ActionCreated   = "created"
	ActionUpdated   = "updated"
	ActionUnchanged = "unchanged"
)

// outcome is what happened to one row.
type outcome struct {
	Action string
	ID     string
	Err    *mapping.CellError
	Fatal  error // stops the run (401/403, cancelled)
}

// writer writes rows of one entity in one mode.
type writer struct {
	c      *opla.Client
	m      *mapping.Mapping
	mode   mapping.Mode
	entity *opla.Entity
	dryRun bool
	res    *Resolver

	index   map[string]map[string]any // key -> current record, when the list was read
	indexed bool                      // index holds every record of the file's keys
	indexMu sync.Mutex
	plan    string // how lookups are done, for the log
}

func newWriter(c *opla.Client, m *mapping.Mapping, mode mapping.Mode, dryRun bool, res *Resolver) *writer {
	return &writer{c: c, m: m, mode: mode, entity: m.Schema.ProfileEntity(), dryRun: dryRun, res: res}
}

// wholeList reports entities read only through their whole list (products).
func (w *writer) wholeList() bool {
	return w.entity.Get == "" && w.entity.ListKeyFilter == "" && w.entity.List != ""
}

// canLookup reports whether the API can tell if a key exists.
func (w *writer) canLookup() bool { return w.entity.Get != "" || w.entity.List != "" }

// current returns the record with this key, or nil: from the index when the list was
// read (planLookups), else from the API.
func (w *writer) current(ctx context.Context, key string) (map[string]any, error) {
	w.indexMu.Lock()
	if w.indexed {
		rec := w.index[key]
		w.indexMu.Unlock()
		return rec, nil
	}
	w.indexMu.Unlock()
	return Lookup(ctx, w.c, w.entity.Name, key)
}

// fresh reads the record with this key from the API now, bypassing the index: after an
// ambiguous write, only the server knows.
func (w *writer) fresh(ctx context.Context, key string) (map[string]any, error) {
	return Lookup(ctx, w.c, w.entity.Name, key)
}

// forget drops a key from the index once its row is written: each key appears once in
// a file, so the index only shrinks as the run goes.
func (w *writer) forget(key string) {
	w.indexMu.Lock()
	delete(w.index, key)
	w.indexMu.Unlock()
}

// write sends one resolved record.
func (w *writer) write(ctx context.Context, rec *mapping.Record) outcome {
	key := rec.Key
	switch w.mode {
	case mapping.Create:
		if w.dryRun {
			if w.canLookup() {
				cur, err := w.current(ctx, key)
				if err != nil {
					return w.apiFailure(err, "")
				}
				if cur != nil {
					return outcome{Err: conflictError(w, key)}
				}
			}
			return outcome{Action: ActionCreated}
		}
		return w.create(ctx, rec)
	case mapping.Update:
		if !w.canLookup() {
			return w.blindUpdate(ctx, rec, key)
		}
		cur, err := w.current(ctx, key)
		if err != nil {
			return w.apiFailure(err, "")
		}
		if cur == nil {
			return outcome{Err: &mapping.CellError{Field: w.m.Key, Value: key, Code: "reference", ColIdx: -1,
				Msg: fmt.Sprintf("there is no %s with %s %q to update; use mode upsert or create to add it", mapping.Singular(w.entity.Name), w.m.Key, key)}}
		}
		return w.update(ctx, rec, cur)
	default: // upsert
		if !w.canLookup() {
			if w.dryRun {
				return outcome{Action: ActionCreated}
			}
			o := w.create(ctx, rec)
			if o.Err != nil && o.Err.Code == "conflict" {
				return w.blindUpdate(ctx, rec, key)
			}
			return o
		}
		cur, err := w.current(ctx, key)
		if err != nil {
			return w.apiFailure(err, "")
		}
		if cur == nil {
			if w.dryRun {
				return outcome{Action: ActionCreated}
			}
			o := w.create(ctx, rec)
			if o.Err != nil && o.Err.Code == "conflict" {
				// Created by someone else since the list was read: read it and update.
				fresh, err := Lookup(ctx, w.c, w.entity.Name, key)
				if err == nil && fresh != nil {
					return w.update(ctx, rec, fresh)
				}
			}
			return o
		}
		return w.update(ctx, rec, cur)
	}
}

// create sends a create. When the answer is lost, it looks the key up before sending
// again, so a record is never created twice.
func (w *writer) create(ctx context.Context, rec *mapping.Record) outcome {
	opName := w.entity.Create
	if w.entity.Upsert != "" && w.mode == mapping.Upsert {
		opName = w.entity.Upsert // products: the API's own upsert route
	}
	op, err := w.c.Profile().Op(opName)
	if err != nil {
		return outcome{Fatal: err}
	}
	body := createBody(op, w.m, rec)
	for attempt := 0; ; attempt++ {
		var out map[string]any
		err := w.c.Do(ctx, opla.Call{Op: opName, Body: body}, &out)
		if err == nil {
			w.forget(rec.Key)
			return outcome{Action: ActionCreated, ID: str(out["id"])}
		}
		if opla.IsAmbiguous(err) && attempt < 3 {
			if w.canLookup() {
				cur, lerr := w.fresh(ctx, rec.Key)
				if lerr == nil && cur != nil {
					return outcome{Action: ActionCreated, ID: str(cur["id"])}
				}
				if lerr != nil && !opla.IsAmbiguous(lerr) {
					return w.apiFailure(lerr, "")
				}
			}
			continue // not there (or cannot tell): send again; a 409 now means our own write landed
		}
		if opla.IsConflict(err) && attempt > 0 {
			// The earlier, lost attempt created it.
			id := ""
			if w.canLookup() {
				if cur, lerr := w.fresh(ctx, rec.Key); lerr == nil && cur != nil {
					id = str(cur["id"])
				}
			}
			return outcome{Action: ActionCreated, ID: id}
		}
		if opla.IsConflict(err) {
			return outcome{Err: conflictError(w, rec.Key)}
		}
		return w.apiFailure(err, "")
	}
}

func conflictError(w *writer, key string) *mapping.CellError {
	return &mapping.CellError{Field: w.m.Key, Value: key, Code: "conflict", ColIdx: -1,
		Msg: fmt.Sprintf("a %s with %s %q already exists in OplaCRM; use mode upsert or update to change it", mapping.Singular(w.entity.Name), w.m.Key, key)}
}

// update overlays the row's values on the current record and sends the whole body;
// a row that changes nothing is not written.
func (w *writer) update(ctx context.Context, rec *mapping.Record, cur map[string]any) outcome {
	id := str(cur["id"])
	if w.entity.Upsert != "" {
		op, err := w.c.Profile().Op(w.entity.Upsert)
		if err != nil {
			return outcome{Fatal: err}
		}
		if unchanged(w.m, rec, cur) {
			return outcome{Action: ActionUnchanged, ID: id}
		}
		if w.dryRun {
			return outcome{Action: ActionUpdated, ID: id}
		}
		body := updateBody(op, w.m, rec, cur, w.entity.Name)
		body["id"] = id
		var out map[string]any
		if err := w.c.Do(ctx, opla.Call{Op: w.entity.Upsert, Body: body}, &out); err != nil {
			return w.apiFailure(err, "")
		}
		w.forget(rec.Key)
		return outcome{Action: ActionUpdated, ID: id}
	}
	op, err := w.c.Profile().Op(w.entity.Update)
	if err != nil {
		return outcome{Fatal: err}
	}
	if unchanged(w.m, rec, cur) {
		return outcome{Action: ActionUnchanged, ID: id}
	}
	if w.dryRun {
		return outcome{Action: ActionUpdated, ID: id}
	}
	body := updateBody(op, w.m, rec, cur, w.entity.Name)
	param := rec.Key
	if w.entity.UpdateBy == "id" {
		param = id
	}
	var out map[string]any
	if err := w.c.Do(ctx, opla.Call{Op: w.entity.Update, Path: []string{param}, Body: body}, &out); err != nil {
		return w.apiFailure(err, "")
	}
	w.forget(rec.Key)
	return outcome{Action: ActionUpdated, ID: id}
}

// blindUpdate updates an entity the API cannot read: only the mapped fields are known.
func (w *writer) blindUpdate(ctx context.Context, rec *mapping.Record, key string) outcome {
	op, err := w.c.Profile().Op(w.entity.Update)
	if err != nil {
		return outcome{Fatal: err}
	}
	if w.dryRun {
		return outcome{Action: ActionUpdated}
	}
	body := createBody(op, w.m, rec)
	var out map[string]any
	if err := w.c.Do(ctx, opla.Call{Op: w.entity.Update, Path: []string{key}, Body: body}, &out); err != nil {
		return w.apiFailure(err, "")
	}
	return outcome{Action: ActionUpdated, ID: str(out["id"])}
}

// apiFailure turns an API error into a row error, or a fatal one for auth failures.
func (w *writer) apiFailure(err error, field string) outcome {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return outcome{Fatal: err}
	}
	if ae, ok := opla.AsAPIError(err); ok {
		if ae.IsAuth() {
			return outcome{Fatal: tokenRefused(err)}
		}
		code := "api"
		msg := fmt.Sprintf("OplaCRM refused the row (%d %s)", ae.StatusCode, strings.ToLower(statusText(ae)))
		if len(ae.Messages) > 0 {
			msg += ": " + strings.Join(ae.Messages, "; ")
		}
		if ae.IsValidation() {
			code = "validation"
			for _, m := range ae.Messages {
				if strings.Contains(m, "does not exist") {
					code = "reference"
				}
			}
		}
		if ae.IsConflict() {
			code = "conflict"
		}
		return outcome{Err: &mapping.CellError{Field: field, Code: code, Msg: msg, ColIdx: -1}}
	}
	if opla.IsAmbiguous(err) {
		return outcome{Err: &mapping.CellError{Field: field, Code: "network", ColIdx: -1, Msg: "the connection to OplaCRM failed and it could not be confirmed whether the row was written; retry it: " + err.Error()}}
	}
	return outcome{Err: &mapping.CellError{Field: field, Code: "network", ColIdx: -1, Msg: "could not reach OplaCRM: " + err.Error()}}
}

func statusText(ae *opla.APIError) string {
	if ae.ErrorText != "" {
		return ae.ErrorText
	}
	return fmt.Sprint(ae.StatusCode)
}

// createBody builds a create body: the row's values, then blanks for required keys
// nothing filled (the API wants every required key present).
func createBody(op *opla.Operation, m *mapping.Mapping, rec *mapping.Record) map[string]any {
	body := make(map[string]any, len(op.Body))
	for _, f := range op.Body {
		if f.Name == "custom_fields" {
			if cf := customBody(f, rec.Custom); cf != nil {
				body[f.Name] = cf
				continue
			}
		}
		if v, ok := rec.Fields[f.Name]; ok {
			body[f.Name] = v
		} else if f.Required {
			body[f.Name] = mapping.Blank(f)
		}
	}
	return body
}

func customBody(f opla.Field, cv []mapping.CustomValue) any {
	if len(cv) == 0 {
		return nil
	}
	if f.Type == opla.TypeStringArray {
		out := make([]string, len(cv))
		for i, c := range cv {
			out[i] = c.Name + "=" + c.Value
		}
		return out
	}
	out := make([]map[string]any, len(cv))
	for i, c := range cv {
		out[i] = map[string]any{"name": c.Name, "value": c.Value}
	}
	return out
}

// updateBody builds the whole body of an update: the row's values over the current ones.
func updateBody(op *opla.Operation, m *mapping.Mapping, rec *mapping.Record, cur map[string]any, entity string) map[string]any {
	body := make(map[string]any, len(op.Body))
	for _, f := range op.Body {
		if f.Name == "custom_fields" {
			merged := mergeCustom(currentCustom(cur, entity, f), rec.Custom)
			if cf := customBody(f, merged); cf != nil {
				body[f.Name] = cf
			} else if f.Required {
				body[f.Name] = mapping.Blank(f)
			}
			continue
		}
		if v, ok := rec.Fields[f.Name]; ok {
			body[f.Name] = v
			continue
		}
		if v, ok := currentValue(cur, f, entity); ok {
			body[f.Name] = v
		} else if f.Required {
			body[f.Name] = mapping.Blank(f)
		}
	}
	return body
}

// unchanged reports whether every value the row sets equals the current record's.
func unchanged(m *mapping.Mapping, rec *mapping.Record, cur map[string]any) bool {
	for name, v := range rec.Fields {
		f := m.Schema.Fields[name]
		cv, ok := currentValue(cur, f, m.Entity)
		if !ok {
			if isBlank(v) {
				continue
			}
			return false
		}
		if !sameValue(f, v, cv) {
			return false
		}
	}
	if len(rec.Custom) > 0 {
		have := map[string]string{}
		for _, c := range currentCustom(cur, m.Entity, opla.Field{}) {
			have[c.Name] = c.Value
		}
		for _, c := range rec.Custom {
			if have[c.Name] != c.Value {
				return false
			}
		}
	}
	return true
}

// sameValue compares a row's value with the stored one as the API means them: a date
// may come back as a date-time at midnight, a date-time in another notation.
func sameValue(f opla.Field, v, cur any) bool {
	vs, vok := v.(string)
	cs, cok := cur.(string)
	if vok && cok && vs != cs {
		switch f.Format {
		case "date":
			a, aok := parseAPITime(vs)
			b, bok := parseAPITime(cs)
			return aok && bok && a.Format(time.DateOnly) == b.Format(time.DateOnly)
		case "datetime":
			a, aok := parseAPITime(vs)
			b, bok := parseAPITime(cs)
			return aok && bok && a.Equal(b)
		}
	}
	return reflect.DeepEqual(normalize(v), normalize(cur))
}

// parseAPITime reads the date and date-time notations the API uses; a date-time keeps the
// offset it was written with, so its date part is the one written.
func parseAPITime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, time.DateOnly, "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func isBlank(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case map[string]any:
		return len(x) == 0
	}
	return false
}

func str(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}
