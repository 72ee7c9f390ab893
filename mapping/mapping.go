// Package mapping reads YAML column mappings, checks them against the API profile's
// schema of an entity, and turns spreadsheet rows into API field values.
//
// A mapping names, for each source header, the API field it fills and how to read the
// cell (value maps, date formats, references). Parse reports every problem with the
// mapping file's line; Bind checks the mapping against a sheet's header; Apply coerces
// one row.
package mapping

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/oplabatch/oplabatch/mapping/coerce"
	"github.com/oplabatch/oplabatch/opla"
	"gopkg.in/yaml.v3"
)

// Mode is how rows are written.
type Mode string

// The write modes.
const (
	Create Mode = "create"
	Update Mode = "update"
	Upsert Mode = "upsert"
)

// ParseMode checks a mode name.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(strings.TrimSpace(s))); m {
	case Create, Update, Upsert:
		return m, nil
	}
	return "", fmt.Errorf("mode %q: want create, update or upsert", s)
}

// Kind is how a cell is coerced, derived from the target field.
type Kind string

// The coercion kinds.
const (
	KindString   Kind = "string"
	KindEmail    Kind = "email"
	KindEnum     Kind = "enum"
	KindBool     Kind = "boolean"
	KindDate     Kind = "date"
	KindDateTime Kind = "datetime"
	KindNumber   Kind = "number"
	KindPhone    Kind = "phone"
	KindList     Kind = "list"
)

// CustomPrefix introduces a custom field target: "custom_fields.Kênh bán hàng".
const CustomPrefix = "custom_fields."

// Mapping is a parsed, checked mapping file.
type Mapping struct {
	File     string
	Entity   string
	Mode     Mode
	Key      string
	Sheet    string
	Locale   string // numbers: auto, vi or en
	Region   string // phones: default region, e.g. VN
	Timezone string // date-only values become midnight here when the API wants a date-time
	Rules    []*Rule
	Defaults []*Default
	Schema   *Schema
}

// Rule maps one source column to one API field.
type Rule struct {
	Header      string
	Field       string // API field name; for custom fields the CustomPrefix form
	CustomField string // custom field name when Field is a custom field
	Map         map[string]string
	Formats     []string
	Ref         *Ref
	Separator   string
	Required    bool
	Locale      string
	Line        int
	Spec        opla.Field
	Kind        Kind
}

// Default is a constant value for a field no column fills.
type Default struct {
	Field string
	Value any
	Line  int
}

// Ref says how a cell names another record: Entity is what it names, By the attribute
// the cell holds (external_id, email, name or id).
type Ref struct {
	Entity string
	By     string
}

func (r *Ref) String() string {
	if r.By == "" {
		return r.Entity
	}
	return r.Entity + "." + r.By
}

// refEntities lists what a ref may name and the attributes it may be looked up by.
var refEntities = map[string][]string{
	"accounts":             {"external_id"},
	"contacts":             {"external_id"},
	"products":             {"external_id"},
	"employees":            {"external_id", "email"},
	"industries":           {"name", "id"},
	"sources":              {"name", "id"},
	"lead-statuses":        {"name", "id"},
	"sales-processes":      {"name", "id"},
	"sales-process-stages": {"name", "id"},
}

// ParseRef parses "entity" or "entity.attribute".
func ParseRef(s string) (*Ref, error) {
	s = strings.TrimSpace(s)
	ent, by, _ := strings.Cut(s, ".")
	attrs, ok := refEntities[ent]
	if !ok {
		known := make([]string, 0, len(refEntities))
		for k := range refEntities {
			known = append(known, k)
		}
		slices.Sort(known)
		return nil, fmt.Errorf("ref %q: unknown entity %q%s (known: %s)", s, ent, didYouMean(ent, known), strings.Join(known, ", "))
	}
	if by != "" && !slices.Contains(attrs, by) {
		return nil, fmt.Errorf("ref %q: %s can be looked up by %s, not %q", s, ent, strings.Join(attrs, " or "), by)
	}
	return &Ref{Entity: ent, By: by}, nil
}

// Error is a problem in a mapping file, with its line.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Load reads and parses a mapping file.
func Load(path string, p *opla.Profile) (*Mapping, error) {
	data, err := ReadLimited(path, maxMappingSize)
	if err != nil {
		return nil, fmt.Errorf("read mapping: %w", err)
	}
	return Parse(data, path, p)
}

// ReadLimited reads a file that is small by nature (a mapping, a job, a token), refusing
// one larger than limit bytes — a FIFO, /dev/zero or the wrong file — without reading it
// whole.
func ReadLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d KB; is it the right file?", path, limit>>10)
	}
	return data, nil
}

// maxMappingSize bounds a mapping file: real ones are a few KB.
const maxMappingSize int64 = 1 << 20

// Parse parses a mapping. Every problem found is reported (joined), each with its line.
func Parse(data []byte, file string, p *opla.Profile) (*Mapping, error) {
	if int64(len(data)) > maxMappingSize {
		return nil, &Error{File: file, Msg: "the mapping file is larger than 1 MB; is it really a mapping?"}
	}
	if strings.TrimSpace(string(data)) == "" {
		return nil, &Error{File: file, Msg: "the mapping file is empty; it needs at least entity: and columns:"}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &Error{File: file, Msg: "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ") + tabHint(data)}
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, &Error{File: file, Line: 1, Msg: "a mapping file is a YAML map with entity:, columns: and optional mode:, key:, sheet:, defaults:"}
	}
	pr := &parser{file: file, m: &Mapping{File: file, Mode: Upsert, Key: "external_id"}}
	pr.top(doc.Content[0], p)
	if len(pr.errs) > 0 {
		if n := len(pr.errs); n > 20 {
			pr.errs = append(pr.errs[:20], &Error{File: file, Msg: fmt.Sprintf("… and %d more problems", n-20)})
		}
		return nil, errors.Join(pr.errs...)
	}
	return pr.m, nil
}

func tabHint(data []byte) string {
	if strings.Contains(string(data), "\t") {
		return " (the file contains tab characters: YAML indents with spaces only)"
	}
	return ""
}

type parser struct {
	file string
	m    *Mapping
	errs []error
}

func (pr *parser) errf(n *yaml.Node, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	pr.errs = append(pr.errs, &Error{File: pr.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

var topKeys = []string{"entity", "mode", "key", "sheet", "columns", "defaults", "locale", "phone_region", "timezone", "description"}

func (pr *parser) top(n *yaml.Node, p *opla.Profile) {
	var columns, defaults *yaml.Node
	var entityNode *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "entity":
			entityNode = v
			pr.m.Entity = pr.scalar(k.Value, v)
		case "mode":
			if s := pr.scalar(k.Value, v); s != "" {
				mode, err := ParseMode(s)
				if err != nil {
					pr.errf(v, "%v", err)
				}
				pr.m.Mode = mode
			}
		case "key":
			if s := pr.scalar(k.Value, v); s != "" {
				pr.m.Key = s
			}
		case "sheet":
			pr.m.Sheet = pr.scalar(k.Value, v)
		case "locale":
			pr.m.Locale = pr.scalar(k.Value, v)
			if !slices.Contains([]string{"", "auto", "vi", "en"}, pr.m.Locale) {
				pr.errf(v, "locale %q: want auto, vi (1.000.000,50) or en (1,000,000.50)", pr.m.Locale)
			}
		case "phone_region":
			pr.m.Region = strings.ToUpper(pr.scalar(k.Value, v))
		case "timezone":
			pr.m.Timezone = pr.scalar(k.Value, v)
		case "description":
		case "columns":
			columns = v
		case "defaults":
			defaults = v
		default:
			pr.errf(k, "unknown key %q%s (a mapping has: %s)", k.Value, didYouMean(k.Value, topKeys), strings.Join(topKeys, ", "))
		}
	}
	if pr.m.Entity == "" {
		pr.errf(n, "entity: is missing; name what the sheet holds, one of %s", strings.Join(Importable, ", "))
		return
	}
	schema, err := SchemaFor(p, pr.m.Entity)
	if err != nil {
		pr.errf(entityNode, "%v%s", err, didYouMean(pr.m.Entity, Importable))
		return
	}
	pr.m.Schema = schema
	if _, ok := schema.Fields[pr.m.Key]; !ok {
		pr.errf(n, "key %q is not a field of %s%s", pr.m.Key, pr.m.Entity, didYouMean(pr.m.Key, schema.Order))
	}
	if pr.m.Timezone != "" {
		if _, err := loadLocation(pr.m.Timezone); err != nil {
			pr.errf(n, "timezone %q: %v", pr.m.Timezone, err)
		}
	}
	if columns == nil || columns.Kind != yaml.MappingNode || len(columns.Content) == 0 {
		pr.errf(n, "columns: is missing or empty; list each source header and the field it fills, e.g.\n  columns:\n    \"Mã KH\": external_id")
	} else {
		pr.columns(columns)
	}
	if defaults != nil {
		pr.defaults(defaults)
	}
	if pr.m.Mode == Create || pr.m.Mode == Upsert {
		if !pr.fills(pr.m.Key) {
			pr.errf(columns, "no column fills the key %s, so rows cannot be matched or created; add a column for it", pr.m.Key)
		}
	}
}

func (pr *parser) fills(field string) bool {
	for _, r := range pr.m.Rules {
		if r.Field == field {
			return true
		}
	}
	for _, d := range pr.m.Defaults {
		if d.Field == field {
			return true
		}
	}
	return false
}

func (pr *parser) scalar(key string, v *yaml.Node) string {
	if v.Kind != yaml.ScalarNode {
		pr.errf(v, "%s: want a single value", key)
		return ""
	}
	return strings.TrimSpace(v.Value)
}

var ruleKeys = []string{"field", "map", "formats", "ref", "separator", "required", "locale", "custom_field"}

func (pr *parser) columns(n *yaml.Node) {
	seenHeader := map[string]int{}
	seenField := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		header := strings.TrimSpace(k.Value)
		if header == "" {
			pr.errf(k, "a column has an empty header")
			continue
		}
		if line, dup := seenHeader[strings.ToLower(header)]; dup {
			pr.errf(k, "header %q is mapped twice (also on line %d)", header, line)
			continue
		}
		seenHeader[strings.ToLower(header)] = k.Line
		r := &Rule{Header: header, Line: k.Line}
		switch v.Kind {
		case yaml.ScalarNode:
			r.Field = strings.TrimSpace(v.Value)
		case yaml.MappingNode:
			pr.rule(r, v)
		default:
			pr.errf(v, "column %q: want a field name or a map with field:", header)
			continue
		}
		if r.Field == "" && r.CustomField == "" {
			pr.errf(v, "column %q: field: is missing", header)
			continue
		}
		if !pr.resolve(r, v) {
			continue
		}
		if line, dup := seenField[r.Field]; dup {
			pr.errf(k, "field %s is filled by two columns (also on line %d)", r.Field, line)
			continue
		}
		seenField[r.Field] = k.Line
		pr.m.Rules = append(pr.m.Rules, r)
	}
}

func (pr *parser) rule(r *Rule, v *yaml.Node) {
	for j := 0; j+1 < len(v.Content); j += 2 {
		k, val := v.Content[j], v.Content[j+1]
		switch k.Value {
		case "field":
			r.Field = pr.scalar("field", val)
		case "custom_field":
			r.CustomField = pr.scalar("custom_field", val)
		case "ref":
			ref, err := ParseRef(pr.scalar("ref", val))
			if err != nil {
				pr.errf(val, "column %q: %v", r.Header, err)
			}
			r.Ref = ref
		case "separator":
			r.Separator = val.Value
		case "locale":
			r.Locale = pr.scalar("locale", val)
		case "required":
			if err := val.Decode(&r.Required); err != nil {
				pr.errf(val, "column %q: required: want true or false", r.Header)
			}
		case "formats":
			var fs []string
			if val.Kind == yaml.ScalarNode {
				fs = []string{val.Value}
			} else if err := val.Decode(&fs); err != nil {
				pr.errf(val, "column %q: formats: want a list of Go date layouts such as \"02/01/2006\"", r.Header)
			}
			r.Formats = fs
		case "map":
			if val.Kind != yaml.MappingNode {
				pr.errf(val, "column %q: map: want pairs of sheet value: API value", r.Header)
				continue
			}
			r.Map = map[string]string{}
			folded := map[string]string{}
			for m := 0; m+1 < len(val.Content); m += 2 {
				from, to := val.Content[m], val.Content[m+1]
				if to.Kind != yaml.ScalarNode {
					pr.errf(to, "column %q: map: the value for %q must be a single value", r.Header, from.Value)
					continue
				}
				key := coerce.Fold(from.Value)
				if prev, dup := folded[key]; dup && prev != to.Value {
					pr.errf(from, "column %q: map: %q is listed twice (keys match ignoring case and accents)", r.Header, from.Value)
				}
				folded[key] = to.Value
				r.Map[from.Value] = to.Value // coerce matches keys ignoring case and accents
			}
		default:
			pr.errf(k, "column %q: unknown key %q%s (a column may have: %s)", r.Header, k.Value, didYouMean(k.Value, ruleKeys), strings.Join(ruleKeys, ", "))
		}
	}
}

// resolve finds the rule's target in the schema and derives how to coerce it.
func (pr *parser) resolve(r *Rule, v *yaml.Node) bool {
	s := pr.m.Schema
	if r.CustomField == "" && strings.HasPrefix(r.Field, CustomPrefix) {
		r.CustomField = strings.TrimSpace(strings.TrimPrefix(r.Field, CustomPrefix))
	}
	if r.CustomField != "" {
		spec, ok := s.Fields["custom_fields"]
		if !ok {
			pr.errf(v, "column %q: %s have no custom fields", r.Header, s.Entity)
			return false
		}
		r.Field = CustomPrefix + r.CustomField
		r.Spec = opla.Field{Name: r.Field, Type: opla.TypeString}
		_ = spec
		r.Kind = KindString
		if len(r.Formats) > 0 {
			r.Kind = KindDate
		}
		return true
	}
	spec, ok := s.Fields[r.Field]
	if !ok {
		pr.errf(v, "column %q: %s has no field %q%s", r.Header, s.Entity, r.Field, didYouMean(r.Field, s.Order))
		return false
	}
	r.Spec = spec
	r.Kind = kindOf(spec)
	if spec.Type == opla.TypeObjectArray {
		pr.errf(v, "column %q: field %s is a list of objects, which a single column cannot fill yet", r.Header, r.Field)
		return false
	}
	if r.Ref == nil && spec.Ref != "" {
		ref, err := ParseRef(spec.Ref)
		if err == nil {
			r.Ref = ref
		}
	}
	if r.Ref != nil && spec.Ref == "" {
		pr.errf(v, "column %q: field %s does not name another record, so ref: does not apply", r.Header, r.Field)
		return false
	}
	if r.Ref != nil && spec.Ref != "" {
		want, _ := ParseRef(spec.Ref)
		if want != nil && want.Entity != r.Ref.Entity && !(want.Entity == "employees" && r.Ref.Entity == "employees") {
			pr.errf(v, "column %q: field %s names %s, not %s", r.Header, r.Field, want.Entity, r.Ref.Entity)
			return false
		}
	}
	return true
}

func kindOf(f opla.Field) Kind {
	switch {
	case len(f.Enum) > 0 && f.Type == opla.TypeString:
		return KindEnum
	case f.Format == "email":
		return KindEmail
	case f.Format == "date":
		return KindDate
	case f.Format == "datetime":
		return KindDateTime
	case f.Format == "phone":
		return KindPhone
	case f.Type == opla.TypeNumber:
		return KindNumber
	case f.Type == opla.TypeBoolean:
		return KindBool
	case f.Type == opla.TypeStringArray:
		return KindList
	}
	return KindString
}

func (pr *parser) defaults(n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		pr.errf(n, "defaults: want pairs of field: value")
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := strings.TrimSpace(k.Value)
		spec, ok := pr.m.Schema.Fields[name]
		if !ok {
			pr.errf(k, "defaults: %s has no field %q%s", pr.m.Schema.Entity, name, didYouMean(name, pr.m.Schema.Order))
			continue
		}
		var val any
		if err := v.Decode(&val); err != nil {
			pr.errf(v, "defaults: %s: %v", name, err)
			continue
		}
		if err := checkDefault(spec, val); err != nil {
			pr.errf(v, "defaults: %s: %v", name, err)
			continue
		}
		if pr.fills(name) {
			pr.errf(k, "defaults: %s is also filled by a column; a default is for fields no column fills", name)
			continue
		}
		pr.m.Defaults = append(pr.m.Defaults, &Default{Field: name, Value: val, Line: k.Line})
	}
}

func checkDefault(f opla.Field, v any) error {
	if v == nil {
		return nil
	}
	switch f.Type {
	case opla.TypeString:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("want text (quote it)")
		}
		if len(f.Enum) > 0 && s != "" && !slices.Contains(f.Enum, s) {
			return fmt.Errorf("%q is not one of %s", s, strings.Join(f.Enum, ", "))
		}
	case opla.TypeNumber:
		switch v.(type) {
		case int, float64:
		default:
			return fmt.Errorf("want a number")
		}
	case opla.TypeBoolean:
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("want true or false")
		}
	case opla.TypeStringArray:
		if _, ok := v.([]any); !ok {
			return fmt.Errorf("want a list")
		}
	}
	return nil
}
