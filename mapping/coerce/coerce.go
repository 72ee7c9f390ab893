package coerce

import (
	"errors"
	"fmt"
	"net/mail"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"
	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/unicode/norm"
)

// Input is one cell as the reader gives it.
type Input struct {
	Text   string    // raw cell text (may have spaces, NBSP, etc.)
	Time   time.Time // set with IsTime when the cell was an Excel date cell
	IsTime bool
}

// Options tune coercion per mapping rule. The zero value is usable.
type Options struct {
	// Formats are Go time layouts tried first for Date and DateTime
	// (e.g. "02/01/2006"). A layout that puts the month before the day also
	// makes the built-in fallbacks read the month first.
	Formats []string
	// Map translates cell values; keys match case- and accent-insensitively
	// (see Fold). For Bool the values must be "true" or "false".
	Map map[string]string
	// Locale of numbers: "" or "auto" (guess, Vietnamese first), "vi"
	// (1.000.000,50) or "en" (1,000,000.50).
	Locale string
	// Region is the default region of phone numbers written without a country
	// code; default "VN".
	Region string
	// Separator splits List cells; default ",". ";" and line breaks always
	// split too.
	Separator string
	// Location is the time zone of date-times written without one; default
	// Asia/Ho_Chi_Minh.
	Location *time.Location
	// Enum lists the allowed values of Enum (and of List items when set).
	Enum []string
}

// Error is a problem with a cell's value. Error() is a plain sentence that
// starts with the quoted value and does not name the column, e.g.
// `"31/02/2024" is not a real date: February 2024 has 29 days`.
type Error struct {
	Value string // the cell text, trimmed
	Msg   string // what is wrong, worded to follow the quoted value
}

func (e *Error) Error() string {
	v := e.Value
	if utf8.RuneCountInString(v) > 60 {
		r := []rune(v)
		v = string(r[:57]) + "…"
	}
	return strconv.Quote(v) + " " + e.Msg
}

func fail(value, format string, args ...any) *Error {
	return &Error{Value: value, Msg: fmt.Sprintf(format, args...)}
}

// zeroWidth reports characters that are invisible and never meaningful in a
// cell: zero-width space/joiners, word joiner, BOM.
func zeroWidth(r rune) bool {
	return r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\u2060' || r == '\ufeff'
}

func trimmable(r rune) bool { return unicode.IsSpace(r) || zeroWidth(r) }

// clean trims spaces (NBSP included) and invisible characters and returns the
// NFC form, which is what Vietnamese text typed on different systems needs to
// compare equal byte for byte.
func clean(s string) string {
	s = strings.TrimFunc(s, trimmable)
	if s == "" {
		return ""
	}
	return norm.NFC.String(s)
}

// String returns the trimmed NFC text, translated through o.Map when a key
// matches; values no key matches pass through unchanged.
func String(in Input, o Options) (string, error) {
	s := clean(in.Text)
	if s == "" {
		return "", nil
	}
	if v, ok := lookup(o.Map, s); ok {
		return norm.NFC.String(v), nil
	}
	return s, nil
}

// Email returns the address with its domain lower-cased (the local part keeps
// its case: a few servers honour it). It must be a bare address, with no
// display name, and its domain must contain a dot.
func Email(in Input, _ Options) (string, error) {
	s := clean(in.Text)
	if s == "" {
		return "", nil
	}
	if len(s) > 7 && strings.EqualFold(s[:7], "mailto:") {
		s = strings.TrimSpace(s[7:])
	}
	if strings.Count(s, "@") > 1 && strings.ContainsAny(s, ",; \t\n") {
		return "", fail(s, "holds more than one e-mail address; keep one per cell")
	}
	addr, err := mail.ParseAddress(s)
	switch {
	case err == nil && addr.Address != s:
		return "", fail(s, "has more than the address; keep only %s", addr.Address)
	case err == nil:
	case !strings.Contains(s, "@"):
		return "", fail(s, "is not an e-mail address: it has no @")
	case strings.IndexFunc(s, unicode.IsSpace) >= 0:
		return "", fail(s, "is not an e-mail address: it contains a space")
	default:
		return "", fail(s, "is not an e-mail address")
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], strings.ToLower(s[at+1:])
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") ||
		strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "", fail(s, "is not an e-mail address: the part after @ must be a domain like example.com")
	}
	return local + "@" + domain, nil
}

// Enum returns the canonical allowed value for the cell. o.Map is applied
// first; then the value is matched against o.Enum ignoring case, accents, and
// the difference between spaces, "_" and "-" ("in progress" is IN_PROGRESS).
// Without o.Enum, the values of o.Map are the allowed values; with neither,
// the trimmed text is returned as is.
func Enum(in Input, o Options) (string, error) {
	s := clean(in.Text)
	if s == "" {
		return "", nil
	}
	allowed := o.Enum
	if len(allowed) == 0 {
		if len(o.Map) == 0 {
			return s, nil
		}
		allowed = mapValues(o.Map)
	}
	if v, ok := lookup(o.Map, s); ok {
		if c, ok := matchEnum(v, allowed); ok {
			return c, nil
		}
		return "", fail(s, "is mapped to %q, which is not one of %s; fix the mapping", v, listing(allowed))
	}
	if c, ok := matchEnum(s, allowed); ok {
		return c, nil
	}
	vocab := dedupeFolded(append(sortedKeys(o.Map), allowed...))
	msg := "is not one of " + listing(vocab)
	if near := Closest(s, vocab, 2); len(near) > 0 {
		msg += "; did you mean " + orList(near) + "?"
	}
	return "", &Error{Value: s, Msg: msg}
}

// matchEnum finds s among allowed: exactly, then folded, then folded with
// "_", "-" and spaces treated alike.
func matchEnum(s string, allowed []string) (string, bool) {
	for _, a := range allowed {
		if a == s {
			return a, true
		}
	}
	f := Fold(s)
	for _, a := range allowed {
		if Fold(a) == f {
			return a, true
		}
	}
	k := enumKey(f)
	for _, a := range allowed {
		if enumKey(Fold(a)) == k {
			return a, true
		}
	}
	return "", false
}

func enumKey(folded string) string {
	return strings.Join(strings.FieldsFunc(folded, func(r rune) bool {
		return r == ' ' || r == '_' || r == '-'
	}), " ")
}

var (
	trueWords  = wordSet("true", "t", "yes", "y", "1", "x", "✓", "✔", "on", "có", "đúng", "bật", "rồi")
	falseWords = wordSet("false", "f", "no", "n", "0", "off", "không", "ko", "sai", "tắt", "chưa")
)

func wordSet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[Fold(w)] = true
	}
	return m
}

func boolWord(s string) (value, ok bool) {
	f := Fold(s)
	switch {
	case trueWords[f]:
		return true, true
	case falseWords[f]:
		return false, true
	}
	return false, false
}

// Bool reads yes/no cells: TRUE/FALSE, yes/no, y/n, 1/0, on/off, x or ✓
// (a ticked box), and the Vietnamese Có/Không, Đúng/Sai, Bật/Tắt, Rồi/Chưa,
// with or without accents. o.Map is tried first; its values must read as
// true or false.
func Bool(in Input, o Options) (bool, error) {
	s := clean(in.Text)
	if s == "" {
		return false, nil
	}
	if v, ok := lookup(o.Map, s); ok {
		b, ok := boolWord(v)
		if !ok {
			return false, fail(s, "is mapped to %q, which is not true or false; fix the mapping", v)
		}
		return b, nil
	}
	if b, ok := boolWord(s); ok {
		return b, nil
	}
	msg := "is not a yes/no value; use TRUE/FALSE, Có/Không or 1/0"
	if len(o.Map) > 0 {
		msg += " (the mapping also accepts " + listing(sortedKeys(o.Map)) + ")"
	}
	return false, &Error{Value: s, Msg: msg}
}

// List splits the cell on o.Separator (default ","), ";" and line breaks,
// trims each item and drops empty ones. Each item then goes through Enum when
// o.Enum is set, else through String (so o.Map applies).
func List(in Input, o Options) ([]string, error) {
	s := clean(in.Text)
	if s == "" {
		return nil, nil
	}
	sep := o.Separator
	if sep == "" {
		sep = ","
	}
	s = strings.NewReplacer(";", sep, "\r\n", sep, "\n", sep, "\r", sep).Replace(s)
	var out []string
	for _, part := range strings.Split(s, sep) {
		item := Input{Text: part}
		var v string
		var err error
		if len(o.Enum) > 0 {
			v, err = Enum(item, o)
		} else {
			v, err = String(item, o)
		}
		if err != nil {
			return nil, err
		}
		if v != "" {
			out = append(out, v)
		}
	}
	return out, nil
}

// Fold is the key under which values compare "the same" for people typing
// Vietnamese: lower case, without diacritics (đ/Đ become d), runs of spaces
// collapsed to one, trimmed, invisible characters dropped.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r), zeroWidth(r):
			continue
		case r == 'đ' || r == 'Đ':
			r = 'd'
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// Closest returns up to n candidates closest to value by Levenshtein distance
// over Fold()ed strings, nearest first, keeping only plausible typos (at most
// max(2, length/3) edits, and never a complete rewrite) and candidates one is
// a prefix of the other ("Nam giới" suggests "Nam", "fem" suggests "FEMALE").
func Closest(value string, candidates []string, n int) []string {
	fv := Fold(value)
	if n <= 0 || fv == "" {
		return nil
	}
	type scored struct {
		s string
		d int
	}
	var hits []scored
	seen := map[string]bool{}
	lv := utf8.RuneCountInString(fv)
	for _, c := range candidates {
		fc := Fold(c)
		if fc == "" || seen[fc] {
			continue
		}
		seen[fc] = true
		lc := utf8.RuneCountInString(fc)
		d := levenshtein.ComputeDistance(fv, fc)
		longer := max(lv, lc)
		typo := d <= max(2, longer/3) && d < longer
		prefix := min(lv, lc) >= 2 && (strings.HasPrefix(fv, fc) || strings.HasPrefix(fc, fv))
		if typo || prefix {
			hits = append(hits, scored{c, d})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].d < hits[j].d })
	out := make([]string, 0, min(n, len(hits)))
	for _, h := range hits[:min(n, len(hits))] {
		out = append(out, h.s)
	}
	return out
}

// lookup finds s in m: the exact key first, then the keys that fold to the
// same string (the smallest such key wins, so the result never depends on map
// iteration order).
func lookup(m map[string]string, s string) (string, bool) {
	if len(m) == 0 {
		return "", false
	}
	if v, ok := m[s]; ok {
		return v, true
	}
	f := Fold(s)
	var key, val string
	found := false
	for k, v := range m {
		if Fold(k) == f && (!found || k < key) {
			key, val, found = k, v, true
		}
	}
	return val, found
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortFolded(keys)
	return keys
}

func mapValues(m map[string]string) []string {
	vals := make([]string, 0, len(m))
	for _, v := range m {
		vals = append(vals, v)
	}
	sortFolded(vals)
	return dedupeFolded(vals)
}

func sortFolded(s []string) {
	sort.Slice(s, func(i, j int) bool {
		fi, fj := Fold(s[i]), Fold(s[j])
		if fi != fj {
			return fi < fj
		}
		return s[i] < s[j]
	})
}

func dedupeFolded(s []string) []string {
	seen := make(map[string]bool, len(s))
	out := s[:0:0]
	for _, v := range s {
		if f := Fold(v); !seen[f] {
			seen[f] = true
			out = append(out, v)
		}
	}
	return out
}

// listing joins values for a message, cutting long lists short.
func listing(values []string) string {
	const most = 15
	if len(values) <= most {
		return strings.Join(values, ", ")
	}
	return strings.Join(values[:most], ", ") + fmt.Sprintf(", … (%d more)", len(values)-most)
}

func orList(values []string) string {
	if len(values) == 1 {
		return values[0]
	}
	return strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
}

// Check reports what is wrong with o itself, so that a mapping can be
// rejected before any row is read: an unknown Locale or Region, Map keys that
// fold to the same key but map to different values, and Map values outside a
// non-empty Enum. It cannot know the target type, so it does not check that
// a Bool map's values are true/false.
func (o Options) Check() error {
	var errs []error
	if _, err := parseLocale(o.Locale); err != nil {
		errs = append(errs, err)
	}
	if o.Region != "" && !phonenumbers.GetSupportedRegions()[strings.ToUpper(strings.TrimSpace(o.Region))] {
		errs = append(errs, fmt.Errorf("unknown phone region %q: use a two-letter country code such as VN", o.Region))
	}
	byFold := map[string]string{}
	for _, k := range sortedKeys(o.Map) {
		f := Fold(k)
		if prev, ok := byFold[f]; ok && o.Map[prev] != o.Map[k] {
			errs = append(errs, fmt.Errorf("map keys %q and %q are the same ignoring case and accents but map to %q and %q", prev, k, o.Map[prev], o.Map[k]))
			continue
		}
		byFold[f] = k
		if len(o.Enum) > 0 {
			if _, ok := matchEnum(o.Map[k], o.Enum); !ok {
				errs = append(errs, fmt.Errorf("map sends %q to %q, which is not one of %s", k, o.Map[k], listing(o.Enum)))
			}
		}
	}
	return errors.Join(errs...)
}
