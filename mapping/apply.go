package mapping

import (
	"fmt"
	"strings"
	"time"

	"github.com/agnivade/levenshtein"
	"github.com/oplabatch/oplabatch/mapping/coerce"
	"github.com/oplabatch/oplabatch/opla"
	"github.com/oplabatch/oplabatch/sheet"
)

// DefaultTimezone is used for date-only values of date-time fields.
const DefaultTimezone = "Asia/Ho_Chi_Minh"

// HeaderError is a mapping that does not fit a sheet's header.
type HeaderError struct {
	Missing []string // one sentence per missing header
}

func (e *HeaderError) Error() string {
	return strings.Join(e.Missing, "; ")
}

// Binding is a mapping fitted to one sheet's header.
type Binding struct {
	M       *Mapping
	Header  []string
	Ignored []string // headers no rule names (reported once as a warning)
	cols    []int
	opts    []coerce.Options
}

// Bind fits the mapping to a header. Headers match exactly, else ignoring case and
// accents; every rule whose header is missing is reported with the closest headers.
func (m *Mapping) Bind(header []string) (*Binding, error) {
	b := &Binding{M: m, Header: header, cols: make([]int, len(m.Rules)), opts: make([]coerce.Options, len(m.Rules))}
	exact := map[string]int{}
	folded := map[string][]int{}
	for i, h := range header {
		exact[strings.TrimSpace(h)] = i
		f := coerce.Fold(h)
		folded[f] = append(folded[f], i)
	}
	used := make([]bool, len(header))
	var missing []string
	loc, err := loadLocation(m.Timezone)
	if err != nil {
		return nil, err
	}
	for i, r := range m.Rules {
		col, ok := exact[r.Header]
		if !ok {
			if cands := folded[coerce.Fold(r.Header)]; len(cands) == 1 {
				col, ok = cands[0], true
			}
		}
		if !ok {
			msg := fmt.Sprintf("the sheet has no column %q (mapping line %d)", r.Header, r.Line)
			if close := coerce.Closest(r.Header, header, 3); len(close) > 0 {
				msg += "; closest headers: " + quoteAll(close)
			}
			missing = append(missing, msg)
			continue
		}
		b.cols[i] = col
		used[col] = true
		locale := r.Locale
		if locale == "" {
			locale = m.Locale
		}
		b.opts[i] = coerce.Options{Formats: r.Formats, Map: r.Map, Locale: locale, Region: m.Region, Separator: r.Separator, Location: loc, Enum: r.Spec.Enum}
	}
	if len(missing) > 0 {
		return nil, &HeaderError{Missing: missing}
	}
	for i, h := range header {
		if !used[i] && !strings.HasPrefix(h, "_") {
			b.Ignored = append(b.Ignored, h)
		}
	}
	return b, nil
}

// Column returns the header of the column a rule reads.
func (b *Binding) Column(rule int) string { return b.Header[b.cols[rule]] }

// ColumnIndex returns the index of the column a rule reads.
func (b *Binding) ColumnIndex(rule int) int { return b.cols[rule] }

// CustomValue is a custom field's value by the custom field's name.
type CustomValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Record is one row turned into API values. Fields filled from a reference still hold the
// cell's lookup value (a name, an e-mail…) until the importer resolves them.
type Record struct {
	Row    int
	Key    string
	Fields map[string]any
	Custom []CustomValue
	Set    []string // fields given a value by a non-blank cell or a default, in mapping order
	Refs   []int    // rules whose values must be resolved
	Errors []*CellError
}

// CellError is a row-level problem with one cell, in words a person can act on.
type CellError struct {
	Column string // source header ("" when no single column is to blame)
	Field  string
	Value  string
	Msg    string // sentence without the column, e.g. `"31/02" is not a real date`
	Code   string // validation | reference | conflict | api | network | internal
	ColIdx int    // index of the column in the source header, -1 if none
}

func (e *CellError) Error() string {
	msg := e.Msg
	if !strings.HasSuffix(msg, ".") && !strings.HasSuffix(msg, "?") {
		msg += "."
	}
	if e.Column == "" {
		return upperFirst(msg)
	}
	return fmt.Sprintf("Column %q: %s", e.Column, msg)
}

// Apply coerces one row. Coercion problems are collected in Record.Errors; Apply never
// fails as a whole.
func (b *Binding) Apply(row sheet.Row) *Record {
	rec := &Record{Row: row.Num, Fields: make(map[string]any, len(b.M.Rules)+len(b.M.Defaults))}
	for i, r := range b.M.Rules {
		col := b.cols[i]
		var cell sheet.Cell
		if col < len(row.Cells) {
			cell = row.Cells[col]
		}
		in := coerce.Input{Text: cell.Text, Time: cell.Time, IsTime: cell.IsTime}
		blank := strings.TrimSpace(strings.ReplaceAll(cell.Text, "\u00a0", " ")) == "" && !cell.IsTime
		if blank {
			if r.Required || r.Field == b.M.Key {
				rec.Errors = append(rec.Errors, &CellError{Column: b.Header[col], Field: r.Field, Code: "validation", ColIdx: col,
					Msg: fmt.Sprintf("is empty, but %s needs a value here", fieldLabel(r))})
			}
			continue
		}
		v, err := coerceCell(r, in, b.opts[i])
		if err != nil {
			rec.Errors = append(rec.Errors, &CellError{Column: b.Header[col], Field: r.Field, Value: cell.Text, Code: "validation", ColIdx: col, Msg: err.Error()})
			continue
		}
		if r.CustomField != "" {
			rec.Custom = append(rec.Custom, CustomValue{Name: r.CustomField, Value: fmt.Sprint(v)})
		} else {
			rec.Fields[r.Field] = v
		}
		rec.Set = append(rec.Set, r.Field)
		if r.Ref != nil {
			rec.Refs = append(rec.Refs, i)
		}
	}
	for _, d := range b.M.Defaults {
		rec.Fields[d.Field] = d.Value
		rec.Set = append(rec.Set, d.Field)
	}
	if k, ok := rec.Fields[b.M.Key].(string); ok {
		rec.Key = k
	}
	return rec
}

func coerceCell(r *Rule, in coerce.Input, o coerce.Options) (any, error) {
	switch r.Kind {
	case KindEmail:
		return coerce.Email(in, o)
	case KindEnum:
		return coerce.Enum(in, o)
	case KindBool:
		return coerce.Bool(in, o)
	case KindDate:
		return coerce.Date(in, o)
	case KindDateTime:
		return coerce.DateTime(in, o)
	case KindNumber:
		return coerce.Number(in, o)
	case KindPhone:
		return coerce.Phone(in, o)
	case KindList:
		return coerce.List(in, o)
	}
	return coerce.String(in, o)
}

func fieldLabel(r *Rule) string {
	if r.CustomField != "" {
		return "custom field " + r.CustomField
	}
	return r.Field
}

// Blank is the value sent for a required key that nothing fills: the API wants the key
// present even when there is nothing to say.
func Blank(f opla.Field) any {
	if f.Default != nil {
		return f.Default
	}
	if f.Nullable {
		return nil
	}
	switch f.Type {
	case opla.TypeNumber:
		return 0
	case opla.TypeBoolean:
		return false
	case opla.TypeObject:
		return map[string]any{}
	case opla.TypeStringArray:
		return []string{}
	case opla.TypeObjectArray:
		return []any{}
	}
	return ""
}

func loadLocation(name string) (*time.Location, error) {
	if name == "" {
		name = DefaultTimezone
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		if name == DefaultTimezone {
			return time.FixedZone("ICT", 7*3600), nil
		}
		return nil, fmt.Errorf("unknown time zone %q (use a name such as Asia/Ho_Chi_Minh)", name)
	}
	return loc, nil
}

func didYouMean(s string, candidates []string) string {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		d := levenshtein.ComputeDistance(strings.ToLower(s), strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	if best != "" && bestD <= max(2, len(s)/3) {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
