package coerce

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

type locale int

const (
	localeAuto locale = iota
	localeVI
	localeEN
)

// parseLocale accepts "", "auto", "vi", "en" and region-qualified forms such
// as "vi-VN" or "en_US".
func parseLocale(s string) (locale, error) {
	l := strings.ToLower(strings.TrimSpace(s))
	lang, _, _ := strings.Cut(strings.ReplaceAll(l, "_", "-"), "-")
	switch lang {
	case "", "auto":
		return localeAuto, nil
	case "vi":
		return localeVI, nil
	case "en":
		return localeEN, nil
	}
	return localeAuto, fmt.Errorf("unknown number locale %q: use vi (1.000.000,50), en (1,000,000.50) or auto", s)
}

// Currency marks stripped around numbers, longest first so "vnđ" is not
// read as "vn" + "đ".
var currencies = []string{"đồng", "vnđ", "vnd", "usd", "us$", "₫", "đ", "$"}

var scientific = regexp.MustCompile(`^(\d+(?:[.,]\d+)?)e([+-]?\d{1,4})$`)

// Number reads amounts as people type them in Vietnam and elsewhere:
// "1.000.000", "1.000.000,50", "1,000,000.50", "1 000 000", "12,5",
// "1.000.000 đ", "$1,200", "1.23E+09". See the package doc for how
// Locale "auto" settles "1.500" (1500) and "1,500" (rejected as ambiguous).
// Percentages and accounting negatives "(1.234)" are rejected with a hint.
func Number(in Input, o Options) (float64, error) {
	s := clean(in.Text)
	if s == "" {
		return 0, nil
	}
	loc, err := parseLocale(o.Locale)
	if err != nil {
		return 0, err
	}
	neg, body, msg := numberBody(s)
	if msg != "" {
		return 0, &Error{Value: s, Msg: msg}
	}
	var canon string
	if m := scientific.FindStringSubmatch(body); m != nil {
		canon = strings.Replace(m[1], ",", ".", 1) + "e" + m[2]
	} else {
		if strings.Trim(body, "0123456789.,") != "" {
			return 0, fail(s, "is not a number")
		}
		var ok bool
		canon, ok, msg = interpret(body, loc)
		if msg != "" {
			return 0, &Error{Value: s, Msg: msg}
		}
		if !ok {
			return 0, &Error{Value: s, Msg: "is not a number" + formatHint(loc)}
		}
		intPart, _, _ := strings.Cut(canon, ".")
		if len(strings.TrimLeft(intPart, "0")) > 15 {
			return 0, fail(s, "has more than 15 digits, too many to keep exactly as a number; if it is a code (account, tax or ID number), map it to a text field")
		}
	}
	v, err := strconv.ParseFloat(canon, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fail(s, "is too large to be a number")
	}
	if neg {
		v = -v
	}
	if v == 0 {
		v = 0 // no negative zero
	}
	return v, nil
}

func formatHint(loc locale) string {
	switch loc {
	case localeVI:
		return " in the Vietnamese format, like 1.000.000,50"
	case localeEN:
		return " in the English format, like 1,000,000.50"
	}
	return "; write it like 1.000.000 or 1000000,50"
}

// numberBody strips sign, currency marks and spaces used as thousands
// separators, and returns the rest lower-cased, or a message saying why the
// cell cannot be a number.
func numberBody(s string) (neg bool, body, msg string) {
	t := strings.Map(func(r rune) rune {
		switch {
		case zeroWidth(r):
			return -1
		case unicode.IsSpace(r):
			return ' '
		case r == '−': // U+2212 MINUS SIGN
			return '-'
		}
		return unicode.ToLower(r)
	}, s)
	t = strings.TrimSpace(t)
	switch {
	case strings.HasSuffix(t, "%"):
		return false, "", "is a percentage; write it as a plain number (12 or 0.12, whichever the field expects)"
	case strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")"):
		return false, "", "is not a number; write negative numbers with a minus sign, like -1.234"
	}
	signed, prefixed, suffixed := false, false, false
	for changed := true; changed; {
		changed = false
		t = strings.TrimSpace(t)
		if !signed && (strings.HasPrefix(t, "-") || strings.HasPrefix(t, "+")) {
			signed, neg, changed = true, t[0] == '-', true
			t = t[1:]
			continue
		}
		for _, c := range currencies {
			if !prefixed && strings.HasPrefix(t, c) {
				prefixed, changed = true, true
				t = t[len(c):]
				break
			}
			if !suffixed && strings.HasSuffix(t, c) {
				suffixed, changed = true, true
				t = t[:len(t)-len(c)]
				break
			}
		}
	}
	if t == "" {
		return false, "", "is not a number"
	}
	if strings.Contains(t, " ") {
		if !spaceGroups(strings.Split(t, " ")) {
			return false, "", "is not a number"
		}
		t = strings.ReplaceAll(t, " ", "")
	}
	return neg, t, ""
}

// spaceGroups reports whether spaces separate thousands ("1 000 000,5"),
// the only place a space may stand inside a number.
func spaceGroups(tokens []string) bool {
	if lead := tokens[0]; len(lead) < 1 || len(lead) > 3 || strings.Trim(lead, "0123456789") != "" {
		return false
	}
	for i, tok := range tokens[1:] {
		if len(tok) < 3 || strings.Trim(tok[:3], "0123456789") != "" {
			return false
		}
		last := i == len(tokens)-2
		if !last && len(tok) != 3 {
			return false
		}
		if last && len(tok) > 3 && tok[3] != '.' && tok[3] != ',' {
			return false
		}
	}
	return true
}

// interpret turns digits with "." and "," into ParseFloat's form. ok is false
// when the separators do not fit the locale; msg is set for the one case
// worth its own explanation (auto and "1,500").
func interpret(t string, loc locale) (canon string, ok bool, msg string) {
	switch loc {
	case localeVI:
		canon, ok = separated(t, '.', ',')
		return canon, ok, ""
	case localeEN:
		canon, ok = separated(t, ',', '.')
		return canon, ok, ""
	}
	dots, commas := strings.Count(t, "."), strings.Count(t, ",")
	switch {
	case dots > 0 && commas > 0:
		if strings.LastIndexByte(t, ',') > strings.LastIndexByte(t, '.') {
			canon, ok = separated(t, '.', ',')
		} else {
			canon, ok = separated(t, ',', '.')
		}
	case commas > 1:
		canon, ok = separated(t, ',', '.')
	case dots > 1:
		canon, ok = separated(t, '.', ',')
	case commas == 1:
		whole, frac, _ := strings.Cut(t, ",")
		if len(frac) == 3 && leadGroup(whole) {
			dec := whole
			if f := strings.TrimRight(frac, "0"); f != "" {
				dec += "." + f
			}
			return "", false, fmt.Sprintf("is ambiguous: it could be %s%s or %s; write it without the comma, or set the column's locale to vi (1.000,5) or en (1,000.5)", whole, frac, dec)
		}
		canon, ok = separated(t, '.', ',')
	case dots == 1:
		whole, frac, _ := strings.Cut(t, ".")
		if len(frac) == 3 && leadGroup(whole) {
			canon, ok = separated(t, '.', ',') // Vietnamese thousands: 1.500 is 1500
		} else {
			canon, ok = separated(t, ',', '.')
		}
	default:
		canon, ok = t, t != ""
	}
	return canon, ok, ""
}

// leadGroup reports whether s can be the first group of a number written with
// thousands separators: one to three digits, not starting with 0.
func leadGroup(s string) bool {
	return len(s) >= 1 && len(s) <= 3 && s[0] != '0' && strings.Trim(s, "0123456789") == ""
}

// separated reads t with the given thousands and decimal separators, strictly:
// thousands groups of exactly three digits, at most one decimal separator.
func separated(t string, thousands, decimal byte) (string, bool) {
	whole, frac, hasFrac := strings.Cut(t, string(decimal))
	if hasFrac && (frac == "" || strings.Trim(frac, "0123456789") != "") {
		return "", false
	}
	if strings.IndexByte(whole, thousands) >= 0 {
		groups := strings.Split(whole, string(thousands))
		if !leadGroup(groups[0]) {
			return "", false
		}
		for _, g := range groups[1:] {
			if len(g) != 3 || strings.Trim(g, "0123456789") != "" {
				return "", false
			}
		}
		whole = strings.Join(groups, "")
	}
	if strings.Trim(whole, "0123456789") != "" || (whole == "" && !hasFrac) {
		return "", false
	}
	if whole == "" {
		whole = "0"
	}
	if hasFrac {
		return whole + "." + frac, true
	}
	return whole, true
}

// DetectLocale guesses a column's number locale from its cells so that
// Locale "auto" is needed only for the cells it can settle: it returns "vi"
// when some cells read only the Vietnamese way ("1.000,5", "1.000.000",
// "12,5") and none only the English way ("1,000.5", "1,000,000", "12.5"),
// "en" in the opposite case, and "" when the cells do not tell or disagree.
func DetectLocale(values []string) string {
	vi, en := 0, 0
	for _, v := range values {
		s := clean(v)
		if s == "" {
			continue
		}
		_, body, msg := numberBody(s)
		if msg != "" || scientific.MatchString(body) || strings.Trim(body, "0123456789.,") != "" {
			continue
		}
		_, viOK := separated(body, '.', ',')
		_, enOK := separated(body, ',', '.')
		// Both readings fit plain digits and the ambiguous "1.500" / "1,500":
		// those cells do not vote.
		switch {
		case viOK && !enOK:
			vi++
		case enOK && !viOK:
			en++
		}
	}
	switch {
	case vi > 0 && en == 0:
		return "vi"
	case en > 0 && vi == 0:
		return "en"
	}
	return ""
}
