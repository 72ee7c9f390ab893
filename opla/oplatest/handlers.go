package oplatest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oplabatch/oplabatch/opla"
)

// result is a handler's answer: a status and a body (raw JSON bytes or a value).
type result struct {
	status int
	body   any
}

func fail(status int, msgs ...string) result {
	return result{status, opla.ErrorBody(status, msgs...)}
}

// displayNames name an entity's record in 404 messages.
var displayNames = map[string]string{
	"contacts": "Contact", "accounts": "Account", "opportunities": "Opportunity", "leads": "Lead",
	"employees": "Employee", "products": "Product", "sites": "Site", "suppliers": "Supplier",
	"unit-of-measures": "Unit of measure", "buyer-groups": "Buyer group", "sales-processes": "Sales process",
}

func notFound(entity, key string) result {
	name := displayNames[entity]
	if name == "" {
		name = "Record"
	}
	return fail(http.StatusNotFound, fmt.Sprintf("%s %q not found", name, key))
}

// okMessage is what the assign routes answer.
var okMessage = map[string]any{"statusCode": 200, "message": "Request was successful"}

// handle runs an admitted, validated call against the state.
func (e *Emulator) handle(c *call) result {
	e.mu.Lock()
	defer e.mu.Unlock()
	res := e.dispatch(c)
	if isWrite(c.op.Method) && res.status < 300 {
		e.markDirty()
	}
	return res
}

func (e *Emulator) dispatch(c *call) result {
	switch c.op.Name {
	case "accounts.sources":
		return e.master("sources")
	case "accounts.industries":
		return e.master("industries")
	case "leads.status":
		return e.master("lead-statuses")
	case "sales-processes.list":
		return e.master("sales-processes")
	case "sales-processes.get":
		return e.getProcess(c)
	case "accounts.update_by_uuid":
		return e.update(c, "accounts", "id")
	case "accounts.assign_owner", "accounts.assign_contributor", "accounts.unassign_contributor":
		return e.assignAccount(c)
	case "opportunities.get_by_short_id":
		return e.get(c, "opportunities", "short_id")
	case "opportunities.update_by_short_id":
		return e.update(c, "opportunities", "short_id")
	case "opportunities.get_by_external_id":
		return e.get(c, "opportunities", "external_id")
	case "opportunities.add_contributor":
		return e.addContributor(c)
	case "employees.activate":
		return e.setActive(c, true)
	case "employees.deactivate":
		return e.setActive(c, false)
	case "products.upsert":
		return e.upsertProduct(c)
	}
	entity, verb, _ := strings.Cut(c.op.Name, ".")
	if _, ok := e.st.tables[entity]; ok && len(c.params) <= 1 {
		key := "external_id"
		if ent := e.profile.Entities[entity]; ent != nil && ent.Update == c.op.Name && ent.UpdateBy != "" {
			key = ent.UpdateBy
		}
		switch {
		case verb == "create" && len(c.params) == 0:
			return e.create(c, entity)
		case verb == "update" && len(c.params) == 1:
			return e.update(c, entity, key)
		case verb == "get" && len(c.params) == 1:
			return e.get(c, entity, key)
		case verb == "delete" && len(c.params) == 1:
			return e.remove(c, entity, key)
		case strings.HasPrefix(verb, "list") && len(c.params) == 0:
			if slices.Contains(c.op.Query, "skip") {
				return e.list(c, entity)
			}
			return e.listAll(entity)
		}
	}
	return fail(http.StatusNotImplemented, fmt.Sprintf("%s (%s) is not emulated", c.op.Pattern(), c.op.Name))
}

// lookup finds a live record (deleted products are gone).
func (e *Emulator) lookup(entity, field, key string) map[string]any {
	t, ok := e.st.tables[entity]
	if !ok || key == "" {
		return nil
	}
	rec := t.find(field, key)
	if rec == nil || isDeleted(entity, rec) {
		return nil
	}
	return rec
}

func isDeleted(entity string, rec map[string]any) bool {
	return entity == "products" && num(rec["deleted"]) == 1
}

func (e *Emulator) master(entity string) result {
	rows, _ := e.st.masterRecords(entity)
	return result{http.StatusOK, rows}
}

func (e *Emulator) getProcess(c *call) result {
	for _, p := range e.st.processes {
		if p.ID == c.params[0] {
			return result{http.StatusOK, p}
		}
	}
	return notFound("sales-processes", c.params[0])
}

func (e *Emulator) get(c *call, entity, key string) result {
	rec := e.lookup(entity, key, c.params[0])
	if rec == nil {
		return notFound(entity, c.params[0])
	}
	return result{http.StatusOK, e.render(entity, rec)}
}

func (e *Emulator) remove(c *call, entity, key string) result {
	rec := e.lookup(entity, key, c.params[0])
	if rec == nil {
		return notFound(entity, c.params[0])
	}
	e.st.tables[entity].remove(rec)
	return result{http.StatusOK, e.render(entity, rec)}
}

func (e *Emulator) create(c *call, entity string) result {
	body := c.body
	msgs := e.refs(c.op.Body, body, "", e.process(str(body["sale_process"])))
	cf, cfMsgs := e.customValues(entity, body, nil)
	if msgs = append(msgs, cfMsgs...); len(msgs) > 0 {
		return fail(http.StatusBadRequest, msgs...)
	}
	if res, ok := e.conflict(entity, body, nil); ok {
		return res
	}
	e.canonicalNames(c.op.Body, body)
	if cf != nil {
		body["custom_fields"] = cf
	}
	return result{http.StatusCreated, e.render(entity, e.insertNew(entity, body))}
}

func (e *Emulator) update(c *call, entity, key string) result {
	rec := e.lookup(entity, key, c.params[0])
	if rec == nil {
		return notFound(entity, c.params[0])
	}
	body := c.body
	scope := e.process(str(body["sale_process"]))
	if _, ok := body["sale_process"]; !ok && entity == "opportunities" {
		scope = e.process(str(rec["sale_process"]))
	}
	msgs := e.refs(c.op.Body, body, "", scope)
	cf, cfMsgs := e.customValues(entity, body, rec["custom_fields"])
	if msgs = append(msgs, cfMsgs...); len(msgs) > 0 {
		return fail(http.StatusBadRequest, msgs...)
	}
	if res, ok := e.conflict(entity, body, rec); ok {
		return res
	}
	e.canonicalNames(c.op.Body, body)
	e.overlay(entity, rec, body, cf)
	return result{http.StatusOK, e.render(entity, rec)}
}

// overlay writes the body's keys onto a stored record (absent keys keep their values).
func (e *Emulator) overlay(entity string, rec, body map[string]any, cf []any) {
	prevStage := ""
	if entity == "opportunities" {
		if _, s := e.stageOf(rec); s != nil {
			prevStage = s.ID
		}
	}
	e.st.tables[entity].modify(rec, func() {
		for k, v := range body {
			if k == "id" || k == "created_at" || k == "custom_fields" {
				continue
			}
			rec[k] = v
		}
		if cf != nil {
			rec["custom_fields"] = cf
		}
		rec["updated_at"] = e.st.stamp()
		switch entity {
		case "contacts":
			if o, ok := body["owner_id"]; ok {
				rec["updated_by"] = o
			}
		case "opportunities":
			e.afterOpportunityWrite(rec, prevStage, false)
		}
	})
}

// conflict reports a 409 when a unique key of body is taken by another record.
func (e *Emulator) conflict(entity string, body, self map[string]any) (result, bool) {
	t := e.st.tables[entity]
	for _, f := range []string{"external_id", "email"} {
		if f == "email" && entity != "employees" {
			continue
		}
		v := str(body[f])
		if v == "" {
			continue
		}
		if other := t.find(f, v); other != nil && (self == nil || other["id"] != self["id"]) {
			return fail(http.StatusConflict, fmt.Sprintf("%s %q already exists", f, v)), true
		}
	}
	return result{}, false
}

// insertNew stores a new record with the server's fields and returns it.
func (e *Emulator) insertNew(entity string, rec map[string]any) map[string]any {
	rec["id"] = e.st.newID()
	now := e.st.now().UTC()
	rec["created_at"] = now.Format(timeLayout)
	rec["updated_at"] = rec["created_at"]
	switch entity {
	case "contacts":
		rec["created_by"] = rec["owner_id"]
		rec["updated_by"] = rec["owner_id"]
	case "accounts":
		rec["contributors"] = []any{}
		if _, ok := rec["custom_fields"]; !ok {
			rec["custom_fields"] = []any{}
		}
	case "employees":
		rec["is_active"] = true
	case "opportunities":
		rec["short_id"] = e.st.nextShortID(now.Year())
		rec["stage_logs"] = []any{}
		if _, ok := rec["contributors"].([]any); !ok {
			rec["contributors"] = []any{}
		}
		e.afterOpportunityWrite(rec, "", true)
	}
	e.st.fillServerFields(entity, rec)
	e.st.tables[entity].insert(rec)
	return rec
}

// afterOpportunityWrite logs a stage change and keeps date_closed_actual in step.
func (e *Emulator) afterOpportunityWrite(rec map[string]any, prevStage string, created bool) {
	_, stage := e.stageOf(rec)
	if stage != nil && (created || stage.ID != prevStage) {
		var creator any
		if o := e.opportunityOwner(rec); o != nil {
			creator = map[string]any{"email": o["email"]}
		}
		logs, _ := rec["stage_logs"].([]any)
		rec["stage_logs"] = append(logs, map[string]any{"creator": creator, "created_at": e.st.stamp(), "new_stage": stage.Name})
	}
	if stageCompact(rec, stage) == "OPEN" {
		rec["date_closed_actual"] = nil
	} else if str(rec["date_closed_actual"]) == "" {
		rec["date_closed_actual"] = e.st.now().UTC().Format(time.DateOnly)
	}
}

func (e *Emulator) list(c *call, entity string) result {
	if c.skip > 0 && c.knobs.HeadInsertEvery > 0 {
		e.listCount++
		if e.listCount%c.knobs.HeadInsertEvery == 0 {
			e.headInsert(entity)
		}
	}
	rows := e.st.tables[entity].rows
	out := []map[string]any{}
	seen := 0
	for i := len(rows) - 1; i >= 0 && len(out) < c.take; i-- {
		if !e.matches(entity, c, rows[i]) {
			continue
		}
		if seen++; seen > c.skip {
			out = append(out, e.render(entity, rows[i]))
		}
	}
	return result{http.StatusOK, out}
}

func (e *Emulator) listAll(entity string) result {
	rows := e.st.tables[entity].rows
	out := []map[string]any{}
	for i := len(rows) - 1; i >= 0; i-- {
		if !isDeleted(entity, rows[i]) {
			out = append(out, e.render(entity, rows[i]))
		}
	}
	return result{http.StatusOK, out}
}

// matches applies a list's filters (every declared query parameter but skip and take).
func (e *Emulator) matches(entity string, c *call, rec map[string]any) bool {
	if isDeleted(entity, rec) {
		return false
	}
	for _, q := range c.op.Query {
		v := c.filter(q)
		if q == "skip" || q == "take" || v == "" {
			continue
		}
		switch q {
		case "search":
			needle := strings.ToLower(v)
			first, last := str(rec["first_name"]), str(rec["last_name"])
			hay := []string{first, last, first + " " + last, last + " " + first, str(rec["email"]), str(rec["external_id"])}
			if !slices.ContainsFunc(hay, func(h string) bool { return strings.Contains(strings.ToLower(h), needle) }) {
				return false
			}
		case "sales_process":
			p, _ := e.stageOf(rec)
			if p == nil || (p.ID != v && p.Name != v) {
				return false
			}
		case "sales_process_stages":
			_, s := e.stageOf(rec)
			if s == nil || !slices.ContainsFunc(strings.Split(v, ","), func(t string) bool {
				t = strings.TrimSpace(t)
				return t == s.ID || t == s.Name
			}) {
				return false
			}
		default:
			if str(rec[q]) != v {
				return false
			}
		}
	}
	return true
}

// headInsert stores a generated record as the newest of an entity (HeadInsertEvery).
func (e *Emulator) headInsert(entity string) {
	ent := e.profile.Entities[entity]
	if ent == nil || ent.Create == "" {
		return
	}
	op := e.profile.Operations[ent.Create]
	rec := map[string]any{}
	for _, f := range op.Body {
		rec[f.Name] = zeroValue(f)
	}
	var ext string
	for {
		e.headSeq++
		ext = fmt.Sprintf("HEAD-%05d", e.headSeq)
		if e.st.tables[entity].find("external_id", ext) == nil {
			break
		}
	}
	rec["external_id"] = ext
	for k, v := range map[string]string{
		"name": "Head insert " + ext, "first_name": "Head", "last_name": ext, "account_name": "Head insert " + ext,
		"email": strings.ToLower(ext) + "@example.invalid", "value": ext,
	} {
		if _, ok := rec[k]; ok {
			rec[k] = v
		}
	}
	if entity == "opportunities" && len(e.st.processes) > 0 && len(e.st.processes[0].Stages) > 0 {
		rec["sale_process"] = e.st.processes[0].Name
		rec["sale_process_stage"] = e.st.processes[0].Stages[0].Name
	}
	e.insertNew(entity, rec)
}

func zeroValue(f opla.Field) any {
	if f.Nullable {
		return nil
	}
	switch f.Type {
	case opla.TypeNumber:
		return float64(0)
	case opla.TypeBoolean:
		return false
	case opla.TypeObject:
		return map[string]any{}
	case opla.TypeStringArray, opla.TypeObjectArray:
		return []any{}
	}
	return ""
}

// assignAccount serves assign-owner, assign-contributor and unassign-contributor.
func (e *Emulator) assignAccount(c *call) result {
	accKey, empKey := str(c.body["account_id"]), str(c.body["employee_id"])
	acc := e.lookup("accounts", "external_id", accKey)
	if acc == nil {
		return notFound("accounts", accKey)
	}
	emp := e.lookup("employees", "external_id", empKey)
	if emp == nil {
		return notFound("employees", empKey)
	}
	e.st.tables["accounts"].modify(acc, func() {
		contributors, _ := acc["contributors"].([]any)
		has := slices.ContainsFunc(contributors, func(v any) bool { return v == empKey })
		switch c.op.Name {
		case "accounts.assign_owner":
			acc["owner_id"] = empKey
		case "accounts.assign_contributor":
			if !has {
				contributors = append(contributors, empKey)
			}
		case "accounts.unassign_contributor":
			contributors = slices.DeleteFunc(contributors, func(v any) bool { return v == empKey })
		}
		if contributors == nil {
			contributors = []any{}
		}
		acc["contributors"] = contributors
		acc["updated_at"] = e.st.stamp()
	})
	return result{http.StatusCreated, okMessage}
}

func (e *Emulator) addContributor(c *call) result {
	opp := e.lookup("opportunities", "id", c.params[0])
	if opp == nil {
		return notFound("opportunities", c.params[0])
	}
	if msgs := e.refs(c.op.Body, c.body, "", nil); len(msgs) > 0 {
		return fail(http.StatusBadRequest, msgs...)
	}
	email := str(c.body["email"])
	list, _ := opp["contributors"].([]any)
	entry := map[string]any{"email": email, "permission": c.body["permission"]}
	i := slices.IndexFunc(list, func(v any) bool {
		m, _ := v.(map[string]any)
		return strings.EqualFold(str(m["email"]), email)
	})
	if i >= 0 {
		list[i] = entry
	} else {
		list = append(list, entry)
	}
	opp["contributors"] = list
	opp["updated_at"] = e.st.stamp()
	return result{http.StatusCreated, e.render("opportunities", opp)}
}

func (e *Emulator) setActive(c *call, active bool) result {
	emp := e.lookup("employees", "external_id", c.params[0])
	if emp == nil {
		return notFound("employees", c.params[0])
	}
	emp["is_active"] = active
	emp["updated_at"] = e.st.stamp()
	return result{http.StatusOK, map[string]any{}}
}

// upsertProduct creates or updates a product by external_id; its id field is ignored.
func (e *Emulator) upsertProduct(c *call) result {
	body := c.body
	delete(body, "id")
	ext := str(body["external_id"])
	if ext != "" {
		if rec := e.st.tables["products"].find("external_id", ext); rec != nil {
			e.overlay("products", rec, body, nil)
			return result{http.StatusCreated, e.render("products", rec)}
		}
	}
	return result{http.StatusCreated, e.render("products", e.insertNew("products", body))}
}

// process finds a sales process by id or name.
func (e *Emulator) process(v string) *SalesProcess {
	if v == "" {
		return nil
	}
	for i := range e.st.processes {
		if p := &e.st.processes[i]; p.ID == v || p.Name == v {
			return p
		}
	}
	return nil
}

// findStage finds a stage by id or name in a process, or in any process when p is nil.
func (e *Emulator) findStage(p *SalesProcess, v string) (*SalesProcess, *Stage) {
	if v == "" {
		return nil, nil
	}
	for i := range e.st.processes {
		q := &e.st.processes[i]
		if p != nil && q.ID != p.ID {
			continue
		}
		for j := range q.Stages {
			if s := &q.Stages[j]; s.ID == v || s.Name == v {
				return q, s
			}
		}
	}
	return nil, nil
}

// stageOf resolves an opportunity's process and stage.
func (e *Emulator) stageOf(rec map[string]any) (*SalesProcess, *Stage) {
	p := e.process(str(rec["sale_process"]))
	q, s := e.findStage(p, str(rec["sale_process_stage"]))
	if s == nil {
		return p, nil
	}
	return q, s
}

func stageCompact(rec map[string]any, stage *Stage) string {
	if sc := str(rec["stage_close"]); sc != "" {
		return sc
	}
	if stage != nil && stage.StageCompact != "" {
		return stage.StageCompact
	}
	return "OPEN"
}

// refs checks the reference fields of a validated body; "" and null mean "none". scope is
// the sales process whose stages a stage reference may name (nil: any process).
func (e *Emulator) refs(fields []opla.Field, body map[string]any, prefix string, scope *SalesProcess) []string {
	var msgs []string
	for _, f := range fields {
		v := body[f.Name]
		if f.Ref != "" {
			var vals []string
			switch v := v.(type) {
			case string:
				vals = []string{v}
			case []any:
				for _, x := range v {
					vals = append(vals, str(x))
				}
			}
			for _, s := range vals {
				if s != "" && !e.refExists(f.Ref, s, scope) {
					msgs = append(msgs, fmt.Sprintf("%s%s %q does not exist", prefix, f.Name, s))
				}
			}
		}
		if shape, ok := e.profile.Shapes[f.Shape]; ok {
			switch v := v.(type) {
			case map[string]any:
				msgs = append(msgs, e.refs(shape, v, prefix+f.Name+".", scope)...)
			case []any:
				for i, x := range v {
					if m, ok := x.(map[string]any); ok {
						msgs = append(msgs, e.refs(shape, m, fmt.Sprintf("%s%s.%d.", prefix, f.Name, i), scope)...)
					}
				}
			}
		}
	}
	return msgs
}

// canonicalNames stores industry and source names (matched case-insensitively) as the
// master data spells them, as a server that keeps the relation would answer them.
func (e *Emulator) canonicalNames(fields []opla.Field, body map[string]any) {
	for _, f := range fields {
		var list []MasterData
		switch f.Ref {
		case "industries.name":
			list = e.st.industries
		case "sources.name":
			list = e.st.sources
		default:
			continue
		}
		v := str(body[f.Name])
		if i := slices.IndexFunc(list, func(m MasterData) bool { return strings.EqualFold(m.Name, v) }); i >= 0 && v != "" {
			body[f.Name] = list[i].Name
		}
	}
}

func (e *Emulator) refExists(kind, v string, scope *SalesProcess) bool {
	byName := func(list []MasterData, fold bool) bool {
		return slices.ContainsFunc(list, func(m MasterData) bool {
			return m.ID == v || m.Name == v || (fold && strings.EqualFold(m.Name, v))
		})
	}
	byID := func(list []MasterData) bool {
		return slices.ContainsFunc(list, func(m MasterData) bool { return m.ID == v })
	}
	switch kind {
	case "industries":
		return byID(e.st.industries)
	case "industries.name":
		return byName(e.st.industries, true)
	case "sources":
		return byID(e.st.sources)
	case "sources.name":
		return byName(e.st.sources, true)
	case "lead-statuses", "lead-statuses.name":
		return byName(e.st.leadStatuses, false)
	case "sales-processes", "sales-processes.name":
		return e.process(v) != nil
	case "sales-process-stages", "sales-process-stages.name":
		_, s := e.findStage(scope, v)
		return s != nil
	}
	entity, field, ok := strings.Cut(kind, ".")
	if !ok {
		field = "external_id"
	}
	if _, known := e.st.tables[entity]; !known {
		return true // a reference kind the emulator does not know is not checked
	}
	return e.lookup(entity, field, v) != nil
}

// customValues checks and normalises a body's custom_fields against the entity's
// definitions, merged by name onto the existing values. It returns nil when the body has
// no custom_fields.
func (e *Emulator) customValues(entity string, body map[string]any, existing any) ([]any, []string) {
	items, ok := body["custom_fields"].([]any)
	if !ok {
		return nil, nil
	}
	defs := e.st.customFields[entity]
	var merged []any
	if old, ok := existing.([]any); ok {
		merged = deepCopy(old).([]any)
	}
	var msgs []string
	for i, item := range items {
		var name, value string
		switch item := item.(type) {
		case string: // accounts: "name=value"
			n, v, ok := strings.Cut(item, "=")
			if !ok {
				msgs = append(msgs, fmt.Sprintf(`custom_fields.%d %q must be "name=value"`, i, item))
				continue
			}
			name, value = strings.TrimSpace(n), strings.TrimSpace(v)
		case map[string]any:
			name, value = str(item["name"]), str(item["value"])
		default:
			continue
		}
		di := slices.IndexFunc(defs, func(d CustomField) bool { return d.Name == name })
		if di < 0 {
			msgs = append(msgs, fmt.Sprintf("custom_fields.%d.name %q does not exist", i, name))
			continue
		}
		def := defs[di]
		if value != "" {
			switch def.Type {
			case FieldSelect:
				oi := slices.IndexFunc(def.Options, func(o Option) bool { return o.Value == value || o.ID == value })
				if oi < 0 {
					msgs = append(msgs, fmt.Sprintf("custom_fields.%d.value %q does not exist", i, value))
					continue
				}
				value = def.Options[oi].ID
			case FieldNumber:
				if _, err := strconv.ParseFloat(value, 64); err != nil {
					msgs = append(msgs, fmt.Sprintf("custom_fields.%d.value %q is not a valid number", i, value))
					continue
				}
			case FieldDate:
				if !isISODate(value) {
					msgs = append(msgs, fmt.Sprintf("custom_fields.%d.value %q is not a valid date", i, value))
					continue
				}
			}
		}
		entry := map[string]any{"name": name, "value": value}
		if j := slices.IndexFunc(merged, func(v any) bool { m, _ := v.(map[string]any); return str(m["name"]) == name }); j >= 0 {
			merged[j] = entry
		} else {
			merged = append(merged, entry)
		}
	}
	if merged == nil {
		merged = []any{}
	}
	return merged, msgs
}
