package exporter

import (
	"slices"
	"strings"

	"github.com/oplabatch/oplabatch/mapping/coerce"
)

// vkind is what a flattened value was in the API's JSON.
type vkind uint8

const (
	vNull   vkind = iota // null, or a key present with no value
	vString              // a JSON string
	vNumber              // a JSON number (s holds its digits as sent)
	vBool                // a JSON boolean
	vPhone               // a phone object shown as text ("+84 909 080 808")
	vList                // a list of scalars joined with ", "
	vJSON                // a nested value with no column of its own, as compact JSON
)

// value is one flattened value.
type value struct {
	kind vkind
	s    string // text, digits, label, or JSON
	b    bool
}

// text is the value as plain text.
func (v value) text() string {
	if v.kind == vBool {
		if v.b {
			return "TRUE"
		}
		return "FALSE"
	}
	return v.s
}

// field is one flattened column value: its dotted path and the value.
type field struct {
	path string
	v    value
}

// child is one row of a child sheet: the parent's list key and the item's fields.
type child struct {
	key    string
	fields []field
}

// flat is one record flattened: scalar fields by dotted path, in document order, and
// the rows of its child lists.
type flat struct {
	id       string // dedupe key: the record's id (or its JSON when it has none)
	fields   []field
	children []child
	lists    []string // child list keys present in the record, even when empty
}

// get returns the value at path.
func (f *flat) get(path string) (value, bool) {
	for _, fl := range f.fields {
		if fl.path == path {
			return fl.v, true
		}
	}
	return value{}, false
}

// flattenOptions tune flattening.
type flattenOptions struct {
	phoneParts bool     // add <phone>.phone, .call_code, .country_code, .country_name
	children   []string // top-level lists that are child sheets even when empty
}

// phoneKeys are the keys of the API's phone object.
var phoneKeys = []string{"phone", "call_code", "country_code", "country_name"}

// flatten turns one decoded record into a flat. Rules (the package doc has the why):
//   - scalars keep their path: "name", "owner.email", "owner.user_site.value";
//   - a phone object {phone, call_code, country_code, country_name} is one text value,
//     the number in international format, plus its parts with phoneParts;
//   - custom_field_<x>_values become one value per custom field, at "custom.<name>", with
//     master-data ids replaced by their labels; the request echo custom_fields is dropped
//     when those are present (else its {name, value} items are used the same way);
//   - a top-level list of objects is a child list (its own sheet); a list of scalars is
//     one value joined with ", "; anything else nested in a list is compact JSON.
func flatten(o *object, opts *flattenOptions) *flat {
	f := &flat{id: o.str("id")}
	if f.id == "" {
		f.id = "\x00" + compactJSON(o)
	}
	hasValues := false
	for _, k := range o.keys {
		if isCustomFieldValues(k) {
			hasValues = true
			break
		}
	}
	w := walker{opts: opts, out: &f.fields}
	for i, k := range o.keys {
		v := o.vals[i]
		if k == "custom_fields" && hasValues {
			continue
		}
		if list, ok := v.([]any); ok && !isCustomFieldValues(k) && k != "custom_fields" {
			if isObjectList(list) || (len(list) == 0 && slices.Contains(opts.children, k)) {
				f.lists = append(f.lists, k)
				for _, item := range list {
					var cf []field
					cw := walker{opts: opts, out: &cf}
					cw.walk("", item.(*object))
					f.children = append(f.children, child{key: k, fields: cf})
				}
				continue
			}
		}
		w.value(k, v)
	}
	return f
}

// isObjectList reports a non-empty list whose items are all objects.
func isObjectList(list []any) bool {
	if len(list) == 0 {
		return false
	}
	for _, x := range list {
		if _, ok := x.(*object); !ok {
			return false
		}
	}
	return true
}

// isCustomFieldValues reports the API's custom_field_<entity>_values key.
func isCustomFieldValues(key string) bool {
	return strings.HasPrefix(key, "custom_field_") && strings.HasSuffix(key, "_values")
}

type walker struct {
	opts *flattenOptions
	out  *[]field
}

func (w *walker) add(path string, v value) { *w.out = append(*w.out, field{path, v}) }

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// walk flattens the keys of an object under prefix.
func (w *walker) walk(prefix string, o *object) {
	hasValues := false
	for _, k := range o.keys {
		if isCustomFieldValues(k) {
			hasValues = true
		}
	}
	for i, k := range o.keys {
		if k == "custom_fields" && hasValues {
			continue
		}
		w.value(join(prefix, k), o.vals[i])
	}
}

// value flattens one value at path.
func (w *walker) value(path string, v any) {
	switch v := v.(type) {
	case nil:
		w.add(path, value{kind: vNull})
	case string:
		w.add(path, value{kind: vString, s: v})
	case number:
		w.add(path, value{kind: vNumber, s: string(v)})
	case bool:
		w.add(path, value{kind: vBool, b: v})
	case *object:
		if isPhone(lastKey(path), v) {
			w.phone(path, v)
			return
		}
		w.walk(path, v)
	case []any:
		key := lastKey(path)
		switch {
		case isCustomFieldValues(key):
			w.customValues(path, v)
		case key == "custom_fields" && isNameValueList(v):
			w.customEcho(path, v)
		case isScalarList(v):
			parts := make([]string, 0, len(v))
			for _, x := range v {
				if t := scalarText(x); t != "" {
					parts = append(parts, t)
				}
			}
			w.add(path, value{kind: vList, s: strings.Join(parts, ", ")})
		default:
			w.add(path, value{kind: vJSON, s: compactJSON(v)})
		}
	}
}

func lastKey(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[i+1:]
	}
	return path
}

func parentPath(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}

// isPhone reports the API's phone object: only phone keys, with a phone, or an empty
// object under a key that names a phone (phone_other: {} means "no phone").
func isPhone(key string, o *object) bool {
	if len(o.keys) == 0 {
		return strings.Contains(key, "phone")
	}
	hasPhone := false
	for _, k := range o.keys {
		if !slices.Contains(phoneKeys, k) {
			return false
		}
		hasPhone = hasPhone || k == "phone"
	}
	return hasPhone
}

func (w *walker) phone(path string, o *object) {
	p := coerce.PhoneNumber{Phone: o.str("phone"), CallCode: o.str("call_code"), CountryCode: o.str("country_code"), CountryName: o.str("country_name")}
	if p.CallCode != "" && !strings.HasPrefix(p.CallCode, "+") {
		p.CallCode = "+" + p.CallCode
	}
	w.add(path, value{kind: vPhone, s: p.Display()})
	if w.opts.phoneParts {
		for _, k := range phoneKeys {
			w.add(path+"."+k, value{kind: vString, s: o.str(k)})
		}
	}
}

// customValues flattens [{custom_field:{name, type?, master_data_custom_fields:[{id,value}]}, value}]
// into one value per field at "custom.<name>" beside the list's parent.
func (w *walker) customValues(path string, list []any) {
	base := join(parentPath(path), "custom")
	for _, x := range list {
		item, ok := x.(*object)
		if !ok {
			continue
		}
		def, _ := item.get("custom_field")
		defObj, _ := def.(*object)
		if defObj == nil {
			continue
		}
		name := strings.TrimSpace(defObj.str("name"))
		if name == "" {
			continue
		}
		raw, _ := item.get("value")
		w.add(base+"."+name, customLabel(defObj, raw))
	}
}

// customLabel shows a custom field value as people see it: a master-data id becomes its
// label, a list of ids (or a JSON text of one) becomes their labels joined with ", ".
func customLabel(def *object, raw any) value {
	opts, _ := def.get("master_data_custom_fields")
	choices, _ := opts.([]any)
	label := func(id string) string {
		for _, c := range choices {
			if co, ok := c.(*object); ok && co.str("id") == id {
				return co.str("value")
			}
		}
		return id
	}
	switch r := raw.(type) {
	case nil:
		return value{kind: vNull}
	case []any:
		parts := make([]string, 0, len(r))
		for _, x := range r {
			parts = append(parts, label(scalarText(x)))
		}
		return value{kind: vString, s: strings.Join(parts, ", ")}
	case number:
		if len(choices) == 0 {
			return value{kind: vNumber, s: string(r)}
		}
		return value{kind: vString, s: label(string(r))}
	case string:
		if strings.HasPrefix(r, "[") && len(choices) > 0 {
			if v, err := decodeJSON([]byte(r)); err == nil {
				if list, ok := v.([]any); ok {
					return customLabel(def, list)
				}
			}
		}
		if len(choices) > 0 {
			return value{kind: vString, s: label(r)}
		}
		if def.str("type") == "number" {
			if _, ok := parseNumber(r); ok {
				return value{kind: vNumber, s: strings.TrimSpace(r)}
			}
		}
		return value{kind: vString, s: r}
	case bool:
		return value{kind: vBool, b: r}
	}
	return value{kind: vJSON, s: compactJSON(raw)}
}

// customEcho flattens a request echo custom_fields [{name, value}] like customValues.
func (w *walker) customEcho(path string, list []any) {
	base := join(parentPath(path), "custom")
	for _, x := range list {
		item := x.(*object)
		name := strings.TrimSpace(item.str("name"))
		if name == "" {
			continue
		}
		raw, _ := item.get("value")
		switch r := raw.(type) {
		case number:
			w.add(base+"."+name, value{kind: vNumber, s: string(r)})
		default:
			w.add(base+"."+name, value{kind: vString, s: scalarText(r)})
		}
	}
}

func isNameValueList(list []any) bool {
	if len(list) == 0 {
		return false
	}
	for _, x := range list {
		o, ok := x.(*object)
		if !ok {
			return false
		}
		if _, ok := o.get("name"); !ok {
			return false
		}
	}
	return true
}

func isScalarList(list []any) bool {
	for _, x := range list {
		switch x.(type) {
		case *object, []any:
			return false
		}
	}
	return true
}
