package importer

import (
	"strings"

	"github.com/oplabatch/oplabatch/mapping"
	"github.com/oplabatch/oplabatch/opla"
)

// currentValue reads, from a record as the API returns it, the value of a request field.
// Most fields come back under their own name; a few come back nested and are translated
// here, in one place.
func currentValue(cur map[string]any, f opla.Field, entity string) (any, bool) {
	switch {
	case entity == "opportunities" && f.Name == "sale_process_stage":
		if s := dig(cur, "opportunity_process_stage", "opportunity_stage", "name"); s != nil {
			return s, true
		}
	case entity == "opportunities" && f.Name == "stage_close":
		if s, _ := cur["stage_compact"].(string); s == "CLOSE_WON" || s == "CLOSE_LOST" {
			return s, true
		}
		return nil, false
	case entity == "opportunities" && (f.Name == "products" || f.Name == "opportunities_products"):
		if items, ok := cur["opportunities_products"].([]any); ok {
			out := make([]any, 0, len(items))
			for _, it := range items {
				m, _ := it.(map[string]any)
				if m == nil {
					continue
				}
				p := map[string]any{"product_external_id": dig(m, "product", "external_id"), "quantity": m["quantity"], "price": m["price"]}
				if d, ok := m["discount"]; ok {
					p["discount"] = d
				}
				out = append(out, p)
			}
			return out, true
		}
	case f.Name == "owner_id":
		if s := dig(cur, "owner", "external_id"); s != nil {
			return s, true
		}
	}
	v, ok := cur[f.Name]
	return v, ok
}

func dig(m map[string]any, path ...string) any {
	var v any = m
	for _, p := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[p]
	}
	return v
}

// currentCustom reads a record's custom field values by name, master-data ids shown as
// their labels.
func currentCustom(cur map[string]any, entity string, _ opla.Field) []mapping.CustomValue {
	key := "custom_field_" + strings.ReplaceAll(mapping.Singular(entity), " ", "_") + "_values"
	items, _ := cur[key].([]any)
	var out []mapping.CustomValue
	for _, it := range items {
		m, _ := it.(map[string]any)
		cf, _ := m["custom_field"].(map[string]any)
		if cf == nil {
			continue
		}
		name := str(cf["name"])
		value := str(m["value"])
		if md, ok := cf["master_data_custom_fields"].([]any); ok {
			for _, o := range md {
				om, _ := o.(map[string]any)
				if om != nil && str(om["id"]) == value {
					value = str(om["value"])
				}
			}
		}
		out = append(out, mapping.CustomValue{Name: name, Value: value})
	}
	return out
}

// mergeCustom overlays the row's custom values on the current ones, by name.
func mergeCustom(cur, row []mapping.CustomValue) []mapping.CustomValue {
	if len(row) == 0 {
		return cur
	}
	idx := map[string]int{}
	out := append([]mapping.CustomValue(nil), cur...)
	for i, c := range out {
		idx[c.Name] = i
	}
	for _, c := range row {
		if i, ok := idx[c.Name]; ok {
			out[i] = c
		} else {
			out = append(out, c)
		}
	}
	return out
}
