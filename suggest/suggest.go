// Package suggest drafts a column mapping from a sheet's header and first rows.
//
// Each header is matched to the entity's fields by, in falling confidence: the exact
// field name, the field name ignoring case, accents and punctuation, the header labels of
// oplabatch's templates, a dictionary of English and Vietnamese synonyms (Họ, Tên,
// Điện thoại, Mã số thuế/MST, Người phụ trách…), a known phrase inside a longer header,
// and finally a fuzzy match above a threshold. Each field is filled by one column: the
// most confident pairs win. The sampled values then shape each rule: value maps for enum
// columns (Nam/Nữ/Khác → MALE/FEMALE/OTHER), date layouts (dd/mm/yyyy or yyyy-mm-dd),
// how references are looked up (an employee by e-mail or by code, an industry by name or
// id), list separators and number locales. The result is YAML with a comment on every
// guess, the headers left out and the fields no column fills.
package suggest

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"
	"github.com/oplabatch/oplabatch/mapping"
	"github.com/oplabatch/oplabatch/opla"
	"github.com/oplabatch/oplabatch/sheet"
	"github.com/oplabatch/oplabatch/templates"
)

// Confidence levels of the ways a header can match.
const (
	confExact     = 1.00 // the field's own name
	confName      = 0.95 // the field's name ignoring case, accents and punctuation
	confLabel     = 0.95 // a header label of oplabatch's templates
	confSynonym   = 0.90 // a dictionary phrase
	confMin       = 0.60 // below this a guess is not made
	fuzzyMinScore = 0.85 // similarity (1 - edits/length) a fuzzy match needs
)

// Options say what to suggest a mapping for.
type Options struct {
	Profile *opla.Profile
	Entity  string
	Header  []string
	Rows    []sheet.Row // the first rows of the sheet, to look at values
	Sheet   string      // the sheet's name ("" for CSV)
	Source  string      // the file, for the comments
}

// Match is a header matched to a field, with what the values suggest about reading it.
type Match struct {
	Header     string
	Column     int
	Field      string
	Confidence float64
	Reason     string

	Ref       string            // ref: to write ("" = none)
	Formats   []string          // date layouts
	Map       map[string]string // sheet value -> API value
	MapKeys   []string          // Map's keys in the order first seen
	Separator string
	Locale    string
	Required  bool     // required: true (a row cannot do without the field)
	Notes     []string // comments under the rule: what the values showed
	TODO      []string // what the user must decide
}

// Unmatched is a header no field was found for.
type Unmatched struct {
	Header string
	Note   string
	Custom bool // may be a custom field of the entity
}

// Suggestion is a drafted mapping.
type Suggestion struct {
	Entity    string
	Sheet     string
	Source    string
	Key       string
	Rows      int // rows looked at
	Matches   []*Match
	Unmatched []Unmatched
	// Missing lists the fields a row cannot do without that no column fills; Blank the
	// other fields the API wants present, which are sent empty.
	Missing, Blank []string
	schema         *mapping.Schema
	custom         bool
}

type candidate struct {
	col   int
	field string
	conf  float64
	why   string
}

// Suggest drafts a mapping.
func Suggest(o Options) (*Suggestion, error) {
	p := o.Profile
	if p == nil {
		p = opla.DefaultProfile()
	}
	schema, err := mapping.SchemaFor(p, o.Entity)
	if err != nil {
		return nil, err
	}
	s := &Suggestion{Entity: o.Entity, Sheet: o.Sheet, Source: o.Source, Key: schema.Key, Rows: len(o.Rows), schema: schema}
	// Custom fields by name (custom_fields.<name>) are offered where creating a record
	// takes them; accounts take them only on update.
	if op, err := p.Op(schema.ProfileEntity().Create); err == nil {
		_, s.custom = op.Field("custom_fields")
	}
	cols := columns(o.Header, o.Rows)
	var cands []candidate
	for i, h := range o.Header {
		if strings.TrimSpace(h) == "" || strings.HasPrefix(h, "_") {
			continue // results workbooks' own columns (_row, _error…) are ignored on import too
		}
		for _, c := range s.candidates(h) {
			c.col = i
			c.conf = adjust(c.conf, schema.Fields[c.field], cols[i])
			cands = append(cands, c)
		}
	}
	sort.SliceStable(cands, func(a, b int) bool {
		if cands[a].conf != cands[b].conf {
			return cands[a].conf > cands[b].conf
		}
		return cands[a].col < cands[b].col
	})
	colTaken := map[int]bool{}
	fieldTaken := map[string]bool{}
	byCol := map[int]*Match{}
	for _, c := range cands {
		if c.conf < confMin || colTaken[c.col] || fieldTaken[c.field] {
			continue
		}
		colTaken[c.col], fieldTaken[c.field] = true, true
		byCol[c.col] = &Match{Header: o.Header[c.col], Column: c.col, Field: c.field, Confidence: c.conf, Reason: c.why}
	}
	for i, h := range o.Header {
		if strings.TrimSpace(h) == "" || strings.HasPrefix(h, "_") {
			continue
		}
		if m, ok := byCol[i]; ok {
			shape(m, schema, cols[i])
			s.Matches = append(s.Matches, m)
			continue
		}
		s.Unmatched = append(s.Unmatched, s.unmatched(h))
	}
	for _, name := range schema.Order {
		f := schema.Fields[name]
		if fieldTaken[name] || f.Type == opla.TypeObjectArray || name == "custom_fields" || name == "id" {
			continue
		}
		switch {
		case templates.MustFill(o.Entity, schema.Key, name):
			s.Missing = append(s.Missing, name)
		case f.Required:
			s.Blank = append(s.Blank, name)
		}
	}
	return s, nil
}

// candidates lists the fields a header may mean, each with its best confidence.
func (s *Suggestion) candidates(header string) []candidate {
	best := map[string]candidate{}
	add := func(field string, conf float64, why string) {
		if _, ok := s.schema.Fields[field]; !ok {
			return
		}
		f := s.schema.Fields[field]
		if f.Type == opla.TypeObjectArray || field == "custom_fields" {
			return
		}
		if c, ok := best[field]; !ok || conf > c.conf {
			best[field] = candidate{field: field, conf: conf, why: why}
		}
	}
	h := strings.TrimSpace(header)
	n := norm(h)
	np := norm(withoutParens(h))
	for _, name := range s.schema.Order {
		switch {
		case h == name:
			add(name, confExact, "exact field name")
		case n == norm(name):
			add(name, confName, "field name")
		}
		for _, lang := range templates.Langs {
			l := norm(templates.Label(s.Entity, name, lang))
			switch {
			case l == n:
				add(name, confLabel, "template header")
			case l == np:
				add(name, confLabel-0.05, "template header")
			}
		}
	}
	phrases := s.phrases()
	if knownElsewhere(n) || knownElsewhere(np) {
		// A dictionary phrase that means fields this entity does not have ("Họ và tên" of
		// a contact, "Tên công ty" of a product): no partial or fuzzy guesses.
		known := false
		for _, ph := range phrases {
			known = known || ph.text == n || ph.text == np
		}
		if !known && len(best) == 0 {
			return nil
		}
	}
	vietnamese := !isASCII(h)
	for _, ph := range phrases {
		for i, t := range ph.targets {
			step := 0.01 * float64(i)
			switch {
			case ph.text == n:
				add(t, confSynonym-step, fmt.Sprintf("synonym %q", ph.orig))
			case ph.text == np:
				add(t, confSynonym-0.05-step, fmt.Sprintf("synonym %q", ph.orig))
			case headPhrase(n, ph.text, vietnamese) && !shadowed(n, ph.text, vietnamese):
				share := float64(len(strings.Fields(ph.text))) / float64(len(strings.Fields(n)))
				add(t, 0.55+0.3*share-step, fmt.Sprintf("contains %q", ph.orig))
			}
		}
	}
	// Fuzzy: a header with accents is compared with its accents (Vietnamese words a letter
	// apart without them, like "Ngân hàng" and "Ngành hàng", are different words).
	accented := !isASCII(h)
	hf := n
	if accented {
		hf = lowerNorm(h)
	}
	if utf8.RuneCountInString(hf) >= 4 {
		for _, ph := range phrases {
			pf := ph.text
			if accented {
				pf = lowerNorm(ph.orig)
			}
			if utf8.RuneCountInString(pf) < 4 || pf == hf {
				continue
			}
			d := levenshtein.ComputeDistance(hf, pf)
			sim := 1 - float64(d)/float64(max(utf8.RuneCountInString(hf), utf8.RuneCountInString(pf)))
			if sim >= fuzzyMinScore {
				for i, t := range ph.targets {
					add(t, 0.85*sim-0.01*float64(i), fmt.Sprintf("close to %q", ph.orig))
				}
			}
		}
	}
	out := make([]candidate, 0, len(best))
	for _, c := range best {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].field < out[j].field })
	return out
}

// allPhrases holds every dictionary phrase, whatever entity it applies to.
var allPhrases = func() map[string]bool {
	m := map[string]bool{}
	for _, sy := range synonyms {
		for _, p := range sy.phrases {
			m[norm(p)] = true
		}
	}
	return m
}()

var allPhraseList = func() []string {
	var out []string
	for _, sy := range synonyms {
		for _, p := range sy.phrases {
			out = append(out, norm(p))
		}
	}
	return out
}()

func knownElsewhere(n string) bool { return allPhrases[n] }

type phrase struct {
	text, orig string
	targets    []string // fields of this entity, most likely first
}

// phrases are the dictionary entries and field names that apply to the entity.
func (s *Suggestion) phrases() []phrase {
	var out []phrase
	for _, sy := range synonyms {
		var targets []string
		for _, t := range sy.targets {
			if ent, field, ok := strings.Cut(t, ":"); ok {
				if ent != s.Entity {
					continue
				}
				t = field
			}
			if _, has := s.schema.Fields[t]; has && !slices.Contains(targets, t) {
				targets = append(targets, t)
			}
		}
		if len(targets) == 0 {
			continue
		}
		for _, p := range sy.phrases {
			out = append(out, phrase{text: norm(p), orig: p, targets: targets})
		}
	}
	for _, name := range s.schema.Order {
		out = append(out, phrase{text: norm(name), orig: name, targets: []string{name}})
		for _, lang := range templates.Langs {
			l := templates.Label(s.Entity, name, lang)
			out = append(out, phrase{text: norm(l), orig: l, targets: []string{name}})
		}
	}
	return out
}

// headPhrase reports whether a phrase heads the (longer) header: it begins a Vietnamese
// header, as the head of a Vietnamese noun phrase does ("Email cá nhân", "Trạng thái
// KH"), and ends an English one ("Personal email", "Contact owner"). Phrases shorter
// than three letters (KH, ĐT) never count.
func headPhrase(header, phrase string, vietnamese bool) bool {
	if len(phrase) >= len(header) || utf8.RuneCountInString(phrase) < 3 {
		return false
	}
	if vietnamese {
		return strings.HasPrefix(header, phrase+" ")
	}
	return strings.HasSuffix(header, " "+phrase)
}

// shadowed reports whether a longer dictionary phrase (of any entity) heads the header
// and includes the phrase: "Họ tên khách hàng" is a full name, not a "Họ".
func shadowed(header, phrase string, vietnamese bool) bool {
	for _, q := range allPhraseList {
		if len(q) > len(phrase) && (q == header || headPhrase(header, q, vietnamese)) &&
			(strings.HasPrefix(q, phrase+" ") || strings.HasSuffix(q, " "+phrase) || strings.Contains(q, " "+phrase+" ")) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// lowerNorm is norm keeping the accents.
func lowerNorm(s string) string {
	s = strings.ToLower(norm2(s))
	return strings.Join(strings.Fields(s), " ")
}

// containsWords reports whether the words of sub appear, in order and together, in s
// (which is longer).
func containsWords(s, sub string) bool {
	if len(sub) >= len(s) || sub == "" {
		return false
	}
	return strings.HasPrefix(s, sub+" ") || strings.HasSuffix(s, " "+sub) || strings.Contains(s, " "+sub+" ")
}

func (s *Suggestion) unmatched(h string) Unmatched {
	u := Unmatched{Header: h}
	n := norm(h)
	switch {
	case slices.Contains([]string{"stt", "so thu tu", "no", "#", "tt", "row", "so tt"}, n) || n == "":
		u.Note = "a row number: not imported"
		return u
	case slices.Contains([]string{"ho va ten", "ho ten", "full name", "fullname", "ten day du"}, n) && s.schema.Fields["first_name"].Name != "":
		u.Note = "holds the whole name, but OplaCRM wants last_name (Họ) and first_name (Tên) apart: split the column in Excel (Data > Text to Columns) and map the parts"
	case s.custom:
		u.Custom = true
		u.Note = fmt.Sprintf("no field of %s matches; uncomment this line if it is a custom field in OplaCRM", s.Entity)
	default:
		u.Note = fmt.Sprintf("no field of %s matches; it is ignored on import", s.Entity)
	}
	if close := closestFields(n, s.schema); close != "" && !u.Custom {
		u.Note += "; the nearest field is " + close
	}
	return u
}

// closestFields names the field whose name is nearest to the header, when near at all.
func closestFields(n string, schema *mapping.Schema) string {
	best, bestSim := "", 0.0
	for _, name := range schema.Order {
		fn := norm(name)
		d := levenshtein.ComputeDistance(n, fn)
		sim := 1 - float64(d)/float64(max(len(n), len(fn)))
		if sim > bestSim {
			best, bestSim = name, sim
		}
	}
	if bestSim >= 0.6 {
		return best
	}
	return ""
}

// GuessEntity guesses the entity from a sheet's or a file's name ("Khách hàng" → accounts,
// "contacts.csv" → contacts); "" when nothing fits.
func GuessEntity(names ...string) string {
	for _, name := range names {
		n := norm(strings.TrimSuffix(name, fileExt(name)))
		if n == "" {
			continue
		}
		for _, ew := range entityWords {
			for _, w := range ew.words {
				if nw := norm(w); n == nw || containsWords(n, nw) {
					return ew.entity
				}
			}
		}
	}
	return ""
}

func fileExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > 0 && len(name)-i <= 5 {
		return name[i:]
	}
	return ""
}
