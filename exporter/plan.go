package exporter

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"
)

// column is one output column.
type column struct {
	path   string
	header string
	typ    colType
	format string // Excel number format; "" for the type's default
	layout string // Go layout for dates and times in CSV
	width  float64
	money  bool
	style  int // XLSX style, set by the XLSX writer
}

// Default formats. Dates are ISO-ordered: unambiguous for day-first and month-first
// readers alike; an export mapping can ask for dd/mm/yyyy.
const (
	fmtDate     = "yyyy-mm-dd"
	fmtDateTime = "yyyy-mm-dd hh:mm:ss"
	fmtMoney    = "#,##0"
	fmtMoney2   = "#,##0.00"
	fmtText     = "@"
)

// pathStats is what the planning window saw of one path.
type pathStats struct {
	kinds     uint16 // bit per vkind seen with a non-empty value
	n         int    // non-empty values
	dates     int    // ISO dates among the strings
	datetimes int    // ISO date-times among the strings
	numeric   int    // values that read as numbers (numbers and numeric strings)
	fraction  bool   // a number with a fractional part
	maxLen    int    // longest value, in runes
}

// collector gathers path statistics over a planning window.
type collector struct {
	order []string
	stats map[string]*pathStats
}

func newCollector() *collector { return &collector{stats: map[string]*pathStats{}} }

func (c *collector) add(fields []field) {
	for _, f := range fields {
		st := c.stats[f.path]
		if st == nil {
			st = &pathStats{}
			c.stats[f.path] = st
			c.order = append(c.order, f.path)
		}
		if f.v.kind == vNull || (f.v.kind != vBool && f.v.s == "") {
			continue
		}
		st.kinds |= 1 << f.v.kind
		st.n++
		if n := utf8.RuneCountInString(f.v.text()); n > st.maxLen {
			st.maxLen = n
		}
		switch f.v.kind {
		case vString:
			switch {
			case isISODate(f.v.s):
				st.dates++
			case isISODateTime(f.v.s):
				st.datetimes++
			}
			if _, ok := parseNumber(f.v.s); ok {
				st.numeric++
				if strings.ContainsAny(f.v.s, ".eE") {
					st.fraction = true
				}
			}
		case vNumber:
			st.numeric++
			if strings.ContainsAny(f.v.s, ".eE") {
				st.fraction = true
			}
		}
	}
}

// has reports whether a path was seen.
func (c *collector) has(path string) bool { _, ok := c.stats[path]; return ok }

// sheetPlan is the fixed layout of one sheet (or CSV file).
type sheetPlan struct {
	name    string // sheet name (XLSX)
	file    string // file suffix (CSV): OUT-<file>.csv
	main    bool   // the main sheet (OUT.csv itself)
	child   string // child list key; "" for the main sheet
	cols    []*column
	index   map[string]int // path → column
	keyCols int            // leading parent.<key> columns (child sheets)
	// extras sends values at paths the plan has no column for to the Extra sheet (the
	// default layout); with chosen columns they are simply not wanted.
	extras bool
}

func (p *sheetPlan) build() {
	p.index = make(map[string]int, len(p.cols))
	for i, c := range p.cols {
		if _, dup := p.index[c.path]; !dup {
			p.index[c.path] = i
		}
	}
}

// textLeaf reports keys that hold codes: ids, phone numbers, tax numbers. They are text
// even when the API sends a number, so leading zeros and long digits survive.
func textLeaf(leaf string) bool {
	switch leaf {
	case "id", "ids", "short_id", "external_id", "tax_identification_number", "code", "zip", "zip_code", "postal_code", "call_code", "country_code", "email":
		return true
	}
	return strings.HasSuffix(leaf, "_id") || strings.HasSuffix(leaf, "_ids") || strings.Contains(leaf, "phone")
}

// moneyLeaf reports amounts, shown with a thousands separator.
func moneyLeaf(leaf string) bool {
	switch leaf {
	case "amount", "amount_usd_dollar", "tax_inclusive_amount", "invoice", "price", "total", "subtotal", "revenue":
		return true
	}
	return strings.HasPrefix(leaf, "amount_") || strings.HasSuffix(leaf, "_amount") || strings.HasSuffix(leaf, "_price")
}

// inferType decides a column's type from its name, the profile's field formats and the
// values the planning window saw.
func inferType(path string, st *pathStats, formats map[string]string) (colType, bool) {
	leaf := lastKey(path)
	custom := strings.HasPrefix(path, "custom.") || strings.Contains(path, ".custom.")
	if st == nil {
		st = &pathStats{}
	}
	textOnly := st.kinds&^(1<<vString|1<<vNumber|1<<vBool) != 0
	if !custom && textLeaf(leaf) || textOnly {
		return tText, false
	}
	allNumeric := st.n > 0 && st.numeric == st.n
	allWhen := st.dates+st.datetimes == st.n
	if !custom {
		if moneyLeaf(leaf) && (allNumeric || st.n == 0) {
			return tNumber, true
		}
		switch formats[leaf] {
		case "date":
			if allWhen {
				return tDate, false
			}
		case "datetime":
			if allWhen {
				return tDateTime, false
			}
		}
		if strings.HasSuffix(leaf, "_at") && allWhen {
			return tDateTime, false
		}
		if (leaf == "date" || strings.HasPrefix(leaf, "date_") || strings.HasSuffix(leaf, "_date")) && allWhen {
			if st.datetimes > 0 {
				return tDateTime, false
			}
			return tDate, false
		}
	}
	switch {
	case st.n == 0:
		return tText, false
	case st.kinds == 1<<vNumber:
		return tNumber, false
	case st.kinds == 1<<vBool:
		return tBool, false
	case st.kinds == 1<<vString && st.datetimes == st.n:
		return tDateTime, false
	case st.kinds == 1<<vString && st.dates == st.n:
		return tDate, false
	}
	return tText, false
}

// finish sets a column's formats and width from its type and statistics.
func (c *column) finish(st *pathStats) {
	if st == nil {
		st = &pathStats{}
	}
	if c.format == "" {
		switch {
		case c.typ == tDate:
			c.format = fmtDate
		case c.typ == tDateTime:
			c.format = fmtDateTime
		case c.typ == tNumber && c.money && (st.fraction || strings.Contains(c.path, "usd") || strings.Contains(c.path, "dollar")):
			c.format = fmtMoney2
		case c.typ == tNumber && c.money:
			c.format = fmtMoney
		}
	}
	if c.typ == tDate || c.typ == tDateTime {
		if l, ok := excelLayout(c.format); ok {
			c.layout = l
		} else if c.typ == tDate {
			c.layout = "2006-01-02"
		} else {
			c.layout = "2006-01-02 15:04:05"
		}
	}
	w := utf8.RuneCountInString(c.header)
	v := st.maxLen
	switch c.typ {
	case tDate, tDateTime:
		v = len(c.layout)
	case tNumber:
		if strings.Contains(c.format, ",") {
			v += v / 3
		}
	}
	w = max(w, v) + 2
	c.width = float64(min(max(w, 8), 60))
}

// planOptions carry what planning needs besides the window.
type planOptions struct {
	formats map[string]string // profile field formats by key
	lead    []string          // leading columns of the default layout
	keys    []string          // parent.<key> columns of child sheets
}

// planDefault lays out every path seen: the lead columns first, then the rest in order of
// first appearance, custom fields last.
func planDefault(name, childKey string, col *collector, o planOptions) *sheetPlan {
	p := &sheetPlan{name: name, child: childKey, extras: true}
	seen := map[string]bool{}
	add := func(path string) {
		if seen[path] {
			return
		}
		seen[path] = true
		p.cols = append(p.cols, &column{path: path})
		for _, k := range phoneKeys { // a phone's parts stay beside it
			if part := path + "." + k; col.has(part) && !seen[part] {
				seen[part] = true
				p.cols = append(p.cols, &column{path: part})
			}
		}
	}
	for _, k := range o.keys {
		add("parent." + k)
	}
	p.keyCols = len(p.cols)
	empty := len(col.order) == 0
	for _, path := range o.lead {
		if empty || col.has(path) {
			add(path)
		}
	}
	var custom []string
	for _, path := range col.order {
		if strings.HasPrefix(path, "custom.") {
			custom = append(custom, path)
			continue
		}
		add(path)
	}
	for _, path := range custom {
		add(path)
	}
	headers := map[string]bool{}
	for _, c := range p.cols {
		headers[c.path] = true
	}
	for _, c := range p.cols {
		c.header = c.path
		if name, ok := strings.CutPrefix(c.path, "custom."); ok && !headers[name] {
			c.header = name
		}
		st := col.stats[c.path]
		if strings.HasPrefix(c.path, "parent.") && slices.Contains(o.keys, strings.TrimPrefix(c.path, "parent.")) {
			c.typ = tText
		} else {
			c.typ, c.money = inferType(c.path, st, o.formats)
		}
		c.finish(st)
	}
	p.build()
	return p
}

// planChosen lays out the columns an export mapping chose. A path may name a flattened
// path, a custom field by its name, or a default header. warn is told about paths the
// window never saw, with the closest known ones.
func planChosen(name, childKey string, specs []ColumnSpec, col *collector, o planOptions, warn func(string)) (*sheetPlan, error) {
	p := &sheetPlan{name: name, child: childKey}
	for _, s := range specs {
		path := s.Path
		if !col.has(path) {
			switch {
			case col.has("custom." + path):
				path = "custom." + path
			case len(col.order) > 0:
				warn(fmt.Sprintf("%s: column %q: no record in the first %d had this path; it may stay empty (known paths like it: %s)",
					sheetLabel(name, childKey), s.Path, windowSize, strings.Join(closest(s.Path, col.order, 3), ", ")))
			}
		}
		c := &column{path: path, header: s.Header, format: s.Format}
		if c.header == "" {
			c.header = s.Path
		}
		st := col.stats[path]
		if s.Type != "" {
			c.typ = typeNames[s.Type]
			c.money = c.typ == tNumber && moneyLeaf(lastKey(path))
		} else if strings.HasPrefix(path, "parent.") {
			c.typ = tText
		} else {
			c.typ, c.money = inferType(path, st, o.formats)
		}
		c.finish(st)
		p.cols = append(p.cols, c)
	}
	if len(p.cols) == 0 {
		return nil, fmt.Errorf("%s: the export mapping chooses no columns", sheetLabel(name, childKey))
	}
	p.build()
	return p, nil
}

func sheetLabel(name, child string) string {
	if child == "" {
		return "main sheet"
	}
	return "child sheet " + child
}

// closest returns up to n candidates nearest to s by edit distance.
func closest(s string, candidates []string, n int) []string {
	type scored struct {
		s string
		d int
	}
	var all []scored
	for _, c := range candidates {
		all = append(all, scored{c, levenshtein.ComputeDistance(strings.ToLower(s), strings.ToLower(c))})
	}
	slices.SortStableFunc(all, func(a, b scored) int { return a.d - b.d })
	var out []string
	for i := 0; i < len(all) && i < n; i++ {
		out = append(out, all[i].s)
	}
	return out
}
