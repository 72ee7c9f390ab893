package oplatest

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// singular names the custom_field_<singular>_values key of entities with custom fields.
var singular = map[string]string{"accounts": "account", "leads": "lead", "opportunities": "opportunity"}

// render turns a stored record into the API's answer: a deep copy plus derived fields.
func (e *Emulator) render(entity string, rec map[string]any) map[string]any {
	out := deepCopy(rec).(map[string]any)
	switch entity {
	case "contacts":
		out["name"] = strings.TrimSpace(str(rec["first_name"]) + " " + str(rec["last_name"]))
		out["company_id"] = e.st.companyID
		out["owner"] = e.owner(e.lookup("employees", "external_id", str(rec["owner_id"])))
	case "accounts":
		out["owner"] = e.owner(e.lookup("employees", "external_id", str(rec["owner_id"])))
		delete(out, "custom_fields") // requests send "name=value" strings; answers carry the values below
	case "leads":
		out["owner"] = e.owner(e.lookup("employees", "external_id", str(rec["owner_id"])))
	case "opportunities":
		e.renderOpportunity(out, rec)
	case "products", "unit-of-measures", "buyer-groups":
		out["owner"] = nil
	}
	if s, ok := singular[entity]; ok {
		out["custom_field_"+s+"_values"] = e.customFieldValues(entity, rec["custom_fields"])
	}
	return out
}

// owner is the nested owner object of contacts, accounts and leads (nil: no owner).
func (e *Emulator) owner(emp map[string]any) any {
	if emp == nil {
		return nil
	}
	first, last := str(emp["first_name"]), str(emp["last_name"])
	var site, dim any
	if sid := str(emp["site_id"]); sid != "" {
		value := sid
		if s := e.lookup("sites", "external_id", sid); s != nil {
			value = str(s["value"])
		}
		site = map[string]any{"value": value, "external_id": sid}
	}
	if did := str(emp["dimension_id"]); did != "" {
		dim = map[string]any{"value": did, "external_id": did}
	}
	return map[string]any{
		"first_name": first, "last_name": last, "email": emp["email"],
		"full_name": strings.TrimSpace(first + " " + last), "external_id": emp["external_id"],
		"user_site": site, "user_dimension": dim,
	}
}

// opportunityOwner is the employee named by owner_external_id, else by owner_email.
func (e *Emulator) opportunityOwner(rec map[string]any) map[string]any {
	if emp := e.lookup("employees", "external_id", str(rec["owner_external_id"])); emp != nil {
		return emp
	}
	return e.lookup("employees", "email", str(rec["owner_email"]))
}

func (e *Emulator) renderOpportunity(out, rec map[string]any) {
	_, stage := e.stageOf(rec)
	items, _ := rec["opportunities_products"].([]any)
	if len(items) == 0 {
		items, _ = rec["products"].([]any)
	}
	amount := 0.0
	lines := []any{}
	for _, it := range items {
		m, _ := it.(map[string]any)
		q, p, d := num(m["quantity"]), num(m["price"]), num(m["discount"])
		amount += q * p * (1 - d/100)
		ext := str(m["product_external_id"])
		var name any
		if prod := e.st.tables["products"].find("external_id", ext); prod != nil {
			name = prod["name"]
		}
		lines = append(lines, map[string]any{
			"product":  map[string]any{"external_id": ext, "name": name},
			"quantity": q, "price": p, "discount": d,
		})
	}
	amount = round2(amount)
	invoiced := 0.0
	invoices, _ := rec["invoices"].([]any)
	for _, inv := range invoices {
		m, _ := inv.(map[string]any)
		invoiced += num(m["amount"])
	}
	out["amount"] = amount
	out["amount_usd_dollar"] = round2(amount / 25000)
	out["tax_inclusive_amount"] = strconv.FormatFloat(amount, 'f', -1, 64)
	out["invoice"] = round2(invoiced)
	out["invoices"] = deepCopy(orEmpty(invoices))
	out["stage_compact"] = stageCompact(rec, stage)
	out["owner_id"] = nil
	if o := e.opportunityOwner(rec); o != nil {
		out["owner_id"] = o["id"]
	}
	out["opportunity_process_stage"] = nil
	if stage != nil {
		out["opportunity_process_stage"] = map[string]any{"opportunity_stage": map[string]any{"name": stage.Name}}
	}
	acc := e.lookup("accounts", "external_id", str(rec["account_external_id"]))
	if acc == nil {
		acc = e.lookup("accounts", "id", str(rec["account_id"]))
	}
	out["accounts_opportunities"] = []any{}
	if acc != nil {
		out["accounts_opportunities"] = []any{map[string]any{"account": map[string]any{"id": acc["id"], "name": acc["name"], "external_id": acc["external_id"]}}}
	}
	users := []any{}
	contributors, _ := rec["contributors"].([]any)
	for _, c := range contributors {
		m, _ := c.(map[string]any)
		users = append(users, map[string]any{"user": map[string]any{"email": m["email"]}, "permission": m["permission"]})
	}
	out["users_opportunities"] = users
	out["opportunities_products"] = lines
	delete(out, "products")
	if t, err := time.Parse(time.DateOnly, str(rec["date_open"])); err == nil {
		out["date_open"] = t.Format("2006-01-02T15:04:05-07:00")
	}
	for _, k := range []string{"description", "date_closed_actual", "date_closed"} {
		if _, ok := out[k]; !ok {
			out[k] = nil
		}
	}
}

// customFieldValues renders stored custom values as custom_field_<entity>_values.
func (e *Emulator) customFieldValues(entity string, stored any) []any {
	out := []any{}
	items, _ := stored.([]any)
	defs := e.st.customFields[entity]
	for _, it := range items {
		m, _ := it.(map[string]any)
		name := str(m["name"])
		options := []any{}
		if i := slices.IndexFunc(defs, func(d CustomField) bool { return d.Name == name }); i >= 0 {
			for _, o := range defs[i].Options {
				options = append(options, map[string]any{"id": o.ID, "value": o.Value})
			}
		}
		out = append(out, map[string]any{
			"custom_field": map[string]any{"name": name, "master_data_custom_fields": options},
			"value":        m["value"],
		})
	}
	return out
}

func orEmpty(v []any) []any {
	if v == nil {
		return []any{}
	}
	return v
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
