package exporter

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oplabatch/oplabatch/mapping"
	"gopkg.in/yaml.v3"
)

// Spec is an export mapping (-m EXPORT_MAPPING.yaml): which columns, under which headers,
// in which order and with which types and formats; which rows; which child sheets.
//
//	entity: opportunities          # optional; must match the command's entity
//	sheet: Cơ hội                   # main sheet name (XLSX)
//	timezone: Asia/Ho_Chi_Minh      # optional; --tz wins
//	columns:                        # omit for the default layout (every field)
//	  - short_id                    # a path: the column keeps the path as header
//	  - {path: name, header: Tên cơ hội}
//	  - {path: amount, header: Giá trị, type: number, format: "#,##0"}
//	  - {path: date_closed, header: Ngày chốt, type: date, format: dd/mm/yyyy}
//	  - {path: owner.email, header: Phụ trách}
//	  - {path: Kênh bán hàng}        # a custom field by its name (= custom.Kênh bán hàng)
//	where:                          # every condition must hold (client-side)
//	  stage_compact: CLOSE_WON      # equals (case-insensitive); a list means "one of"
//	  amount: {gte: 1000000}        # eq ne in not_in contains gt gte lt lte since until empty
//	since: 2026-11-01               # with until and date_field: a month (until excluded)
//	until: 2026-12-01
//	date_field: date_closed
//	children:                       # omit: every child sheet; []: none
//	  stage_logs: {sheet: Lịch sử, columns: [parent.short_id, new_stage, created_at, creator.email]}
//	  invoices: {}
//
// Types are text, number, date, datetime and bool; format is an Excel number format
// ("#,##0", "0.00%", "dd/mm/yyyy hh:mm"). CSV keeps numbers as plain digits and writes
// dates with the format's day/month/year/hour/minute/second parts.
type Spec struct {
	Source    string // file name, for messages
	Entity    string
	Sheet     string
	Timezone  string
	Columns   []ColumnSpec // nil: the default layout
	Where     []Condition
	Since     string
	Until     string
	DateField string
	// Children: nil means every child sheet with its default layout; an empty, non-nil
	// map means none.
	Children   map[string]*ChildSpec
	childOrder []string
}

// ColumnSpec is one chosen column.
type ColumnSpec struct {
	Path   string
	Header string
	Type   string
	Format string
	Line   int
}

// ChildSpec chooses a child sheet's name and columns.
type ChildSpec struct {
	Sheet   string
	Columns []ColumnSpec
}

// Condition is one row filter.
type Condition struct {
	Path   string
	Op     string   // eq ne in not_in contains gt gte lt lte since until empty
	Values []string // the operand(s) as text
	Line   int

	num  float64
	when time.Time
	// whenDate reports an operand given as a bare date: compared in the export's zone.
	whenDate bool
}

var condOps = []string{"eq", "ne", "in", "not_in", "contains", "gt", "gte", "lt", "lte", "since", "until", "empty"}

// LoadSpec reads an export mapping file.
func LoadSpec(path string) (*Spec, error) {
	data, err := mapping.ReadLimited(path, 1<<20)
	if err != nil {
		return nil, fmt.Errorf("export mapping: %w", err)
	}
	return ParseSpec(data, path)
}

// ParseSpec parses an export mapping; name is used in messages.
func ParseSpec(data []byte, name string) (*Spec, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s := &Spec{Source: name}
	if len(doc.Content) == 0 {
		return s, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, specErr(name, root, "want a mapping with columns, where, children …")
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		var err error
		switch k.Value {
		case "entity":
			s.Entity, err = scalar(name, v)
		case "sheet":
			s.Sheet, err = scalar(name, v)
		case "timezone", "tz":
			s.Timezone, err = scalar(name, v)
		case "since":
			s.Since, err = scalar(name, v)
		case "until":
			s.Until, err = scalar(name, v)
		case "date_field":
			s.DateField, err = scalar(name, v)
		case "columns":
			s.Columns, err = parseColumns(name, v)
		case "where":
			s.Where, err = parseWhere(name, v)
		case "children":
			err = s.parseChildren(name, v)
		default:
			err = specErr(name, k, fmt.Sprintf("unknown key %q (want entity, sheet, timezone, columns, where, since, until, date_field, children)", k.Value))
		}
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

func specErr(file string, n *yaml.Node, msg string) error {
	return fmt.Errorf("%s:%d: %s", file, n.Line, msg)
}

func scalar(file string, n *yaml.Node) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", specErr(file, n, "want a single value")
	}
	return strings.TrimSpace(n.Value), nil
}

func parseColumns(file string, n *yaml.Node) ([]ColumnSpec, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, specErr(file, n, "columns: want a list of paths or {path, header, type, format}")
	}
	out := []ColumnSpec{}
	for _, item := range n.Content {
		c := ColumnSpec{Line: item.Line}
		switch item.Kind {
		case yaml.ScalarNode:
			c.Path = strings.TrimSpace(item.Value)
		case yaml.MappingNode:
			for i := 0; i+1 < len(item.Content); i += 2 {
				k, v := item.Content[i], item.Content[i+1]
				val, err := scalar(file, v)
				if err != nil {
					return nil, err
				}
				switch k.Value {
				case "path":
					c.Path = val
				case "header":
					c.Header = val
				case "type":
					c.Type = strings.ToLower(val)
					if _, ok := typeNames[c.Type]; !ok {
						return nil, specErr(file, v, fmt.Sprintf("type %q: want text, number, date, datetime or bool", val))
					}
				case "format":
					c.Format = val
				default:
					return nil, specErr(file, k, fmt.Sprintf("unknown column key %q (want path, header, type, format)", k.Value))
				}
			}
		default:
			return nil, specErr(file, item, "want a path or {path, header, type, format}")
		}
		if c.Path == "" {
			return nil, specErr(file, item, "a column has no path")
		}
		out = append(out, c)
	}
	return out, nil
}

func parseWhere(file string, n *yaml.Node) ([]Condition, error) {
	if n.Kind != yaml.MappingNode {
		return nil, specErr(file, n, "where: want a mapping of path: condition")
	}
	var out []Condition
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		path := strings.TrimSpace(k.Value)
		switch v.Kind {
		case yaml.ScalarNode:
			out = append(out, Condition{Path: path, Op: "eq", Values: []string{v.Value}, Line: v.Line})
		case yaml.SequenceNode:
			vals, err := scalars(file, v)
			if err != nil {
				return nil, err
			}
			out = append(out, Condition{Path: path, Op: "in", Values: vals, Line: v.Line})
		case yaml.MappingNode:
			for j := 0; j+1 < len(v.Content); j += 2 {
				ok, ov := v.Content[j], v.Content[j+1]
				op := strings.ToLower(ok.Value)
				if !slices.Contains(condOps, op) {
					return nil, specErr(file, ok, fmt.Sprintf("%s: unknown condition %q (want %s)", path, ok.Value, strings.Join(condOps, ", ")))
				}
				var vals []string
				var err error
				if ov.Kind == yaml.SequenceNode {
					vals, err = scalars(file, ov)
				} else {
					var one string
					one, err = scalar(file, ov)
					vals = []string{one}
				}
				if err != nil {
					return nil, err
				}
				out = append(out, Condition{Path: path, Op: op, Values: vals, Line: ov.Line})
			}
		default:
			return nil, specErr(file, v, "want a value, a list or a mapping of conditions")
		}
	}
	for i := range out {
		if err := out[i].check(); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", file, out[i].Line, err)
		}
	}
	return out, nil
}

func scalars(file string, n *yaml.Node) ([]string, error) {
	out := make([]string, 0, len(n.Content))
	for _, x := range n.Content {
		s, err := scalar(file, x)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func (s *Spec) parseChildren(file string, n *yaml.Node) error {
	s.Children = map[string]*ChildSpec{}
	switch n.Kind {
	case yaml.SequenceNode:
		names, err := scalars(file, n)
		if err != nil {
			return err
		}
		for _, name := range names {
			s.Children[name] = &ChildSpec{}
			s.childOrder = append(s.childOrder, name)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			cs := &ChildSpec{}
			if v.Kind == yaml.MappingNode {
				for j := 0; j+1 < len(v.Content); j += 2 {
					ck, cv := v.Content[j], v.Content[j+1]
					switch ck.Value {
					case "sheet":
						val, err := scalar(file, cv)
						if err != nil {
							return err
						}
						cs.Sheet = val
					case "columns":
						cols, err := parseColumns(file, cv)
						if err != nil {
							return err
						}
						cs.Columns = cols
					default:
						return specErr(file, ck, fmt.Sprintf("unknown key %q in child %s (want sheet, columns)", ck.Value, k.Value))
					}
				}
			} else if !(v.Kind == yaml.ScalarNode && (v.Tag == "!!null" || v.Value == "")) {
				return specErr(file, v, fmt.Sprintf("child %s: want {sheet, columns} or nothing", k.Value))
			}
			s.Children[k.Value] = cs
			s.childOrder = append(s.childOrder, k.Value)
		}
	case yaml.ScalarNode:
		if v := strings.ToLower(strings.TrimSpace(n.Value)); v != "none" && v != "" && n.Tag != "!!null" {
			return specErr(file, n, "children: want a list of child lists, a mapping, [] or none")
		}
	default:
		return specErr(file, n, "children: want a list of child lists, a mapping, [] or none")
	}
	return nil
}

// check parses the operands of a condition.
func (c *Condition) check() error {
	need := func(n int) error {
		if len(c.Values) != n {
			return fmt.Errorf("%s %s: want %d value(s), got %d", c.Path, c.Op, n, len(c.Values))
		}
		return nil
	}
	switch c.Op {
	case "gt", "gte", "lt", "lte":
		if err := need(1); err != nil {
			return err
		}
		if f, ok := parseNumber(c.Values[0]); ok {
			c.num = f
			return nil
		}
		t, date, err := parseWhen(c.Values[0], time.UTC)
		if err != nil {
			return fmt.Errorf("%s %s: %q is neither a number nor a date", c.Path, c.Op, c.Values[0])
		}
		c.when, c.whenDate = t, date
	case "since", "until":
		if err := need(1); err != nil {
			return err
		}
		t, date, err := parseWhen(c.Values[0], time.UTC)
		if err != nil {
			return fmt.Errorf("%s %s: %w", c.Path, c.Op, err)
		}
		c.when, c.whenDate = t, date
	case "empty":
		if err := need(1); err != nil {
			return err
		}
		if _, err := strconv.ParseBool(c.Values[0]); err != nil {
			return fmt.Errorf("%s empty: want true or false", c.Path)
		}
	case "eq", "ne", "contains":
		return need(1)
	}
	return nil
}

// parseWhen reads a filter date: 2026-11-01, 01/11/2026 (day first), or an ISO date-time.
// date reports a bare date, to be read as midnight in the export's zone.
func parseWhen(s string, loc *time.Location) (t time.Time, date bool, err error) {
	s = strings.TrimSpace(s)
	if t, hasTime, ok := parseISO(s, loc); ok {
		return t, !hasTime, nil
	}
	for _, layout := range []string{"02/01/2006", "2/1/2006", "02-01-2006", "2006/01/02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true, nil
		}
	}
	return time.Time{}, false, fmt.Errorf("%q is not a date (want 2026-11-01 or 01/11/2026)", s)
}

// instant places a date operand in loc (midnight there); date-times are kept.
func instant(t time.Time, date bool, loc *time.Location) time.Time {
	if date {
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	}
	return t
}

// match reports whether the condition holds for a record.
func (c *Condition) match(f *flat, loc *time.Location) bool {
	v, _ := f.get(c.Path)
	if v.kind == vNull && v.s == "" {
		if alt, ok := f.get("custom." + c.Path); ok {
			v = alt
		}
	}
	text := strings.TrimSpace(v.text())
	if v.kind == vNull {
		text = ""
	}
	switch c.Op {
	case "eq":
		return strings.EqualFold(text, c.Values[0])
	case "ne":
		return !strings.EqualFold(text, c.Values[0])
	case "in":
		return slices.ContainsFunc(c.Values, func(s string) bool { return strings.EqualFold(text, s) })
	case "not_in":
		return !slices.ContainsFunc(c.Values, func(s string) bool { return strings.EqualFold(text, s) })
	case "contains":
		return strings.Contains(strings.ToLower(text), strings.ToLower(c.Values[0]))
	case "empty":
		want, _ := strconv.ParseBool(c.Values[0])
		return (text == "") == want
	case "gt", "gte", "lt", "lte":
		var cmp int
		if c.when.IsZero() {
			f, ok := parseNumber(text)
			if !ok {
				return false
			}
			cmp = compareFloat(f, c.num)
		} else {
			t, ok := valueInstant(text, loc)
			if !ok {
				return false
			}
			cmp = t.Compare(instant(c.when, c.whenDate, loc))
		}
		switch c.Op {
		case "gt":
			return cmp > 0
		case "gte":
			return cmp >= 0
		case "lt":
			return cmp < 0
		}
		return cmp <= 0
	case "since", "until":
		t, ok := valueInstant(text, loc)
		if !ok {
			return false
		}
		bound := instant(c.when, c.whenDate, loc)
		if c.Op == "since" {
			return !t.Before(bound)
		}
		return t.Before(bound)
	}
	return false
}

// valueInstant reads a record's date or date-time value; a bare date is midnight in loc.
func valueInstant(s string, loc *time.Location) (time.Time, bool) {
	t, hasTime, ok := parseISO(s, loc)
	if !ok {
		return time.Time{}, false
	}
	return instant(t, !hasTime, loc), true
}

func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// excelLayout turns the date parts of an Excel number format into a Go time layout, for
// CSV cells ("dd/mm/yyyy hh:mm" → "02/01/2006 15:04"). ok is false when the format has
// no date part.
func excelLayout(format string) (layout string, ok bool) {
	f := strings.ToLower(format)
	ampm := strings.Contains(f, "am/pm")
	type tok struct{ s, kind string }
	var toks []tok
	for i := 0; i < len(f); {
		c := f[i]
		if c == '"' { // quoted literal
			j := strings.IndexByte(f[i+1:], '"')
			if j < 0 {
				j = len(f) - i - 1
			}
			toks = append(toks, tok{format[i+1 : i+1+j], "lit"})
			i += j + 2
			continue
		}
		if c == '\\' && i+1 < len(f) {
			toks = append(toks, tok{format[i+1 : i+2], "lit"})
			i += 2
			continue
		}
		if strings.HasPrefix(f[i:], "am/pm") {
			toks = append(toks, tok{"PM", "ampm"})
			i += 5
			continue
		}
		if strings.ContainsRune("ymdhs", rune(c)) {
			j := i
			for j < len(f) && f[j] == c {
				j++
			}
			toks = append(toks, tok{f[i:j], string(c)})
			i = j
			continue
		}
		if c == '[' { // [h], [$-vi-VN] and the like
			j := strings.IndexByte(f[i:], ']')
			if j < 0 {
				j = len(f) - i - 1
			}
			i += j + 1
			continue
		}
		toks = append(toks, tok{format[i : i+1], "lit"})
		i++
	}
	var b strings.Builder
	for i, t := range toks {
		switch t.kind {
		case "y":
			ok = true
			if len(t.s) <= 2 {
				b.WriteString("06")
			} else {
				b.WriteString("2006")
			}
		case "m":
			minute := false
			for j := i - 1; j >= 0; j-- { // after an hour
				if toks[j].kind == "h" {
					minute = true
				}
				if toks[j].kind != "lit" {
					break
				}
			}
			for j := i + 1; j < len(toks); j++ { // before seconds
				if toks[j].kind == "s" {
					minute = true
				}
				if toks[j].kind != "lit" {
					break
				}
			}
			ok = true
			switch {
			case minute && len(t.s) == 1:
				b.WriteString("4")
			case minute:
				b.WriteString("04")
			case len(t.s) == 1:
				b.WriteString("1")
			case len(t.s) == 2:
				b.WriteString("01")
			case len(t.s) == 3:
				b.WriteString("Jan")
			default:
				b.WriteString("January")
			}
		case "d":
			ok = true
			switch len(t.s) {
			case 1:
				b.WriteString("2")
			case 2:
				b.WriteString("02")
			case 3:
				b.WriteString("Mon")
			default:
				b.WriteString("Monday")
			}
		case "h":
			ok = true
			switch {
			case ampm && len(t.s) == 1:
				b.WriteString("3")
			case ampm:
				b.WriteString("03")
			default:
				b.WriteString("15")
			}
		case "s":
			ok = true
			if len(t.s) == 1 {
				b.WriteString("5")
			} else {
				b.WriteString("05")
			}
		case "ampm":
			b.WriteString("PM")
		default:
			b.WriteString(t.s)
		}
	}
	return b.String(), ok
}
