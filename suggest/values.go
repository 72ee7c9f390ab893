package suggest

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/oplabatch/oplabatch/mapping"
	"github.com/oplabatch/oplabatch/mapping/coerce"
	"github.com/oplabatch/oplabatch/opla"
	"github.com/oplabatch/oplabatch/sheet"
	"github.com/oplabatch/oplabatch/templates"
)

// sample is the non-blank cells of one column in the rows looked at.
type sample struct {
	cells []cellAt
}

type cellAt struct {
	row    int
	text   string
	time   bool
	cellIn coerce.Input
}

func columns(header []string, rows []sheet.Row) []sample {
	out := make([]sample, len(header))
	for _, r := range rows {
		for i := range header {
			if i >= len(r.Cells) {
				continue
			}
			c := r.Cells[i]
			t := strings.TrimSpace(c.Text)
			if t == "" && !c.IsTime {
				continue
			}
			out[i].cells = append(out[i].cells, cellAt{row: r.Num, text: t, time: c.IsTime,
				cellIn: coerce.Input{Text: c.Text, Time: c.Time, IsTime: c.IsTime}})
		}
	}
	return out
}

// share is the fraction of the sampled cells for which ok holds (1 when there are none).
func (s sample) share(ok func(cellAt) bool) float64 {
	if len(s.cells) == 0 {
		return 1
	}
	n := 0
	for _, c := range s.cells {
		if ok(c) {
			n++
		}
	}
	return float64(n) / float64(len(s.cells))
}

func isEmail(c cellAt) bool {
	return strings.Contains(c.text, "@") && !strings.ContainsAny(c.text, " ,;")
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func kindOf(f opla.Field) mapping.Kind {
	switch {
	case len(f.Enum) > 0 && f.Type == opla.TypeString:
		return mapping.KindEnum
	case f.Format == "email":
		return mapping.KindEmail
	case f.Format == "date":
		return mapping.KindDate
	case f.Format == "datetime":
		return mapping.KindDateTime
	case f.Format == "phone":
		return mapping.KindPhone
	case f.Type == opla.TypeNumber:
		return mapping.KindNumber
	case f.Type == opla.TypeBoolean:
		return mapping.KindBool
	case f.Type == opla.TypeStringArray:
		return mapping.KindList
	}
	return mapping.KindString
}

// adjust lowers a candidate's confidence when the column's values do not look like what
// the field takes (e-mails in an e-mail field, dates in a date field…).
func adjust(conf float64, f opla.Field, s sample) float64 {
	if len(s.cells) == 0 {
		return conf
	}
	ok := 1.0
	switch kindOf(f) {
	case mapping.KindEmail:
		ok = s.share(isEmail)
	case mapping.KindDate, mapping.KindDateTime:
		ok = s.share(func(c cellAt) bool {
			_, err := coerce.Date(c.cellIn, coerce.Options{})
			return err == nil
		})
	case mapping.KindNumber:
		ok = s.share(func(c cellAt) bool {
			_, err := coerce.Number(c.cellIn, coerce.Options{})
			return err == nil
		})
	case mapping.KindPhone:
		ok = s.share(func(c cellAt) bool { return digits(c.text) >= 6 })
	case mapping.KindBool:
		ok = s.share(func(c cellAt) bool {
			_, err := coerce.Bool(c.cellIn, coerce.Options{})
			return err == nil
		})
	}
	if strings.HasPrefix(f.Ref, "employees") && f.Ref != "employees.email" {
		// owner_id and friends take codes or e-mails alike; nothing to check.
	} else if f.Ref == "employees.email" {
		ok = s.share(isEmail)
	}
	if ok < 0.5 {
		return conf * (0.75 + ok/2)
	}
	return conf
}

func digits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

// shape fills in how the matched column is read, from the field and the sampled values.
func shape(m *Match, schema *mapping.Schema, s sample) {
	f := schema.Fields[m.Field]
	m.Required = m.Field != schema.Key && templates.MustFill(schema.Entity, schema.Key, m.Field)
	kind := kindOf(f)
	switch {
	case strings.HasPrefix(f.Ref, "employees"):
		switch {
		case f.Ref == "employees.email":
			m.Ref = "employees.email"
		case len(s.cells) > 0 && s.share(isEmail) >= 0.5:
			m.Ref = "employees.email"
			m.Notes = append(m.Notes, "the values are e-mails: the employee is looked up by e-mail")
		default:
			m.Ref = "employees"
			if len(s.cells) > 0 {
				m.Notes = append(m.Notes, "the values are employee codes (external ids)")
			}
		}
	case f.Ref == "industries" || f.Ref == "sources":
		if len(s.cells) > 0 && s.share(func(c cellAt) bool { return uuidRE.MatchString(c.text) }) >= 0.5 {
			m.Ref = f.Ref
			m.Notes = append(m.Notes, "the values are OplaCRM ids")
		} else {
			m.Ref = f.Ref + ".name"
			m.Notes = append(m.Notes, "looked up by name; OplaCRM gets the id")
		}
	case f.Ref != "":
		m.Ref = f.Ref
	}
	if kind == mapping.KindList {
		m.Separator = separatorOf(s)
	}
	switch kind {
	case mapping.KindEnum:
		enumMap(m, f, s)
	case mapping.KindDate, mapping.KindDateTime:
		dateFormats(m, s)
	case mapping.KindNumber:
		var texts []string
		for _, c := range s.cells {
			texts = append(texts, c.text)
		}
		if loc := coerce.DetectLocale(texts); loc != "" {
			m.Locale = loc
			if loc == "vi" {
				m.Notes = append(m.Notes, "numbers are written 1.000.000,50")
			} else {
				m.Notes = append(m.Notes, "numbers are written 1,000,000.50")
			}
		}
	}
	checkValues(m, f, kind, s)
}

// enumMap proposes a value map: the sheet's words for the API's values.
func enumMap(m *Match, f opla.Field, s sample) {
	type seen struct {
		text  string
		row   int
		count int
	}
	var order []string
	distinct := map[string]*seen{}
	for _, c := range s.cells {
		k := coerce.Fold(c.text)
		if d, ok := distinct[k]; ok {
			d.count++
			continue
		}
		distinct[k] = &seen{text: c.text, row: c.row, count: 1}
		order = append(order, k)
	}
	for _, k := range order {
		d := distinct[k]
		if _, err := coerce.Enum(coerce.Input{Text: d.text}, coerce.Options{Enum: f.Enum}); err == nil {
			continue // the API's own value, in any case
		}
		if v := enumSynonym(d.text, f.Enum); v != "" {
			if m.Map == nil {
				m.Map = map[string]string{}
			}
			m.Map[d.text] = v
			m.MapKeys = append(m.MapKeys, d.text)
			continue
		}
		var vocab []string
		means := map[string]string{}
		for _, v := range f.Enum {
			vocab = append(vocab, v)
			means[v] = v
			for _, w := range enumSynonyms[v] {
				vocab = append(vocab, w)
				means[w] = v
			}
		}
		hint := ""
		if near := coerce.Closest(d.text, vocab, 1); len(near) > 0 {
			hint = fmt.Sprintf(" (nearest: %q, which is %s)", near[0], means[near[0]])
			if near[0] == means[near[0]] {
				hint = fmt.Sprintf(" (nearest: %s)", near[0])
			}
		}
		m.TODO = append(m.TODO, fmt.Sprintf("%q (%s) is none of %s%s: add it to map: with the value it means, or fix the cells",
			d.text, rowsPhrase(d.row, d.count), strings.Join(f.Enum, ", "), hint))
	}
	if len(m.Map) > 0 {
		m.Notes = append(m.Notes, fmt.Sprintf("map: built from the %d distinct values seen", len(order)))
	}
}

func rowsPhrase(row, count int) string {
	if count == 1 {
		return fmt.Sprintf("row %d", row)
	}
	return fmt.Sprintf("row %d and %d more", row, count-1)
}

// enumSynonym finds the enum value a word means, by the dictionary.
func enumSynonym(text string, enum []string) string {
	k := coerce.Fold(text)
	for _, v := range enum {
		for _, w := range enumSynonyms[v] {
			if coerce.Fold(w) == k {
				return v
			}
		}
	}
	return ""
}

var (
	dmyRE = regexp.MustCompile(`^(\d{1,2})([/.\-])(\d{1,2})([/.\-])(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(:\d{2})?)?$`)
	ymdRE = regexp.MustCompile(`^(\d{4})([/.\-])(\d{1,2})([/.\-])(\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(:\d{2})?)?$`)
)

// dateFormats proposes Go layouts from the sampled values: day or month first (day first
// unless a value says otherwise), the separator, zero padding, a time of day.
func dateFormats(m *Match, s sample) {
	excel, text := 0, 0
	var layouts []string
	add := func(l string) {
		if !slices.Contains(layouts, l) {
			layouts = append(layouts, l)
		}
	}
	type dmyInfo struct {
		sep           string
		maxA, maxB    int
		unpadded      bool
		clock, second bool
	}
	dmy := map[string]*dmyInfo{}
	var dmyOrder []string
	for _, c := range s.cells {
		if c.time {
			excel++
			continue
		}
		text++
		if g := dmyRE.FindStringSubmatch(c.text); g != nil {
			if g[2] != g[4] {
				continue
			}
			info, ok := dmy[g[2]]
			if !ok {
				info = &dmyInfo{sep: g[2]}
				dmy[g[2]] = info
				dmyOrder = append(dmyOrder, g[2])
			}
			a, _ := strconv.Atoi(g[1])
			b, _ := strconv.Atoi(g[3])
			info.maxA, info.maxB = max(info.maxA, a), max(info.maxB, b)
			if len(g[1]) == 1 || len(g[3]) == 1 {
				info.unpadded = true
			}
			if g[6] != "" {
				info.clock = true
				info.second = info.second || g[8] != ""
			}
			continue
		}
		if g := ymdRE.FindStringSubmatch(c.text); g != nil && g[2] == g[4] {
			l := "2006" + g[2] + "01" + g[2] + "02"
			add(l)
			if g[6] != "" {
				if g[8] != "" {
					add(l + " 15:04:05")
				} else {
					add(l + " 15:04")
				}
			}
		}
	}
	var dmyLayouts []string
	for _, sep := range dmyOrder {
		info := dmy[sep]
		monthFirst := info.maxB > 12 && info.maxA <= 12
		day, month := "02", "01"
		if info.unpadded {
			day, month = "2", "1"
		}
		l := day + sep + month + sep + "2006"
		if monthFirst {
			l = month + sep + day + sep + "2006"
			m.Notes = append(m.Notes, "dates are month first (mm"+sep+"dd"+sep+"yyyy): a value has a day above 12 in second place")
		} else if info.maxA <= 12 && info.maxB <= 12 {
			m.Notes = append(m.Notes, "dates read day first (dd"+sep+"mm"+sep+"yyyy), as in Vietnam: no value tells day and month apart")
		}
		dmyLayouts = append(dmyLayouts, l)
		if info.clock {
			if info.second {
				dmyLayouts = append(dmyLayouts, l+" 15:04:05")
			} else {
				dmyLayouts = append(dmyLayouts, l+" 15:04")
			}
		}
	}
	layouts = append(dmyLayouts, layouts...)
	switch {
	case len(layouts) == 0 && excel > 0:
		m.Notes = append(m.Notes, "the cells are Excel dates, read as they are; the format is for any typed as text")
		layouts = []string{"02/01/2006"}
	case len(layouts) == 0:
		layouts = []string{"02/01/2006"}
	case excel > 0:
		m.Notes = append(m.Notes, fmt.Sprintf("%d cells are Excel dates (read as they are), %d text", excel, text))
	}
	m.Formats = layouts
}

// separatorOf is what separates several values in the column's cells.
func separatorOf(s sample) string {
	counts := map[string]int{}
	for _, c := range s.cells {
		for _, sep := range []string{",", ";", "|", "\n"} {
			counts[sep] += strings.Count(c.text, sep)
		}
	}
	if counts["|"] > counts[","] && counts["|"] > counts[";"] {
		return "|"
	}
	return ","
}

// checkValues reads every sampled cell the way the rule will, and notes the ones that
// would fail (up to three).
func checkValues(m *Match, f opla.Field, kind mapping.Kind, s sample) {
	if kind == mapping.KindEnum && len(m.TODO) > 0 {
		return // the TODOs already name the values
	}
	o := coerce.Options{Formats: m.Formats, Map: m.Map, Locale: m.Locale, Separator: m.Separator, Enum: f.Enum}
	var bad []string
	n := 0
	for _, c := range s.cells {
		var err error
		switch kind {
		case mapping.KindEmail:
			_, err = coerce.Email(c.cellIn, o)
		case mapping.KindEnum:
			_, err = coerce.Enum(c.cellIn, o)
		case mapping.KindBool:
			_, err = coerce.Bool(c.cellIn, o)
		case mapping.KindDate:
			_, err = coerce.Date(c.cellIn, o)
		case mapping.KindDateTime:
			_, err = coerce.DateTime(c.cellIn, o)
		case mapping.KindNumber:
			_, err = coerce.Number(c.cellIn, o)
		case mapping.KindPhone:
			_, err = coerce.Phone(c.cellIn, o)
		}
		if err != nil {
			n++
			if len(bad) < 3 {
				bad = append(bad, fmt.Sprintf("row %d: %v", c.row, err))
			}
		}
	}
	if n == 0 {
		return
	}
	msg := fmt.Sprintf("%d of the %d sampled values would fail: %s", n, len(s.cells), strings.Join(bad, "; "))
	if n > len(bad) {
		msg += "; …"
	}
	if kind == mapping.KindBool {
		m.TODO = append(m.TODO, msg+" (add a map: to true/false, or fix the cells)")
		return
	}
	m.Notes = append(m.Notes, "check: "+msg)
}
