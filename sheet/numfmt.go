package sheet

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
)

// fmtKind says how a number format shows a number.
type fmtKind uint8

const (
	kindNumber   fmtKind = iota // a plain number
	kindDate                    // a calendar date
	kindDateTime                // a date with a time of day
	kindTime                    // a time of day or a duration
)

// builtinKind classifies the number formats Excel knows by id alone
// (ECMA-376 Part 1, 18.8.30). 27-36 and 50-58 are the date and time formats
// of the Chinese, Japanese and Korean editions; every id in those ranges is
// a date or a time there.
func builtinKind(id int) fmtKind {
	switch {
	case 14 <= id && id <= 17, 27 <= id && id <= 31, id == 36, 50 <= id && id <= 54, id == 57, id == 58:
		return kindDate
	case id == 22:
		return kindDateTime
	case 18 <= id && id <= 21, 32 <= id && id <= 35, 45 <= id && id <= 47, id == 55, id == 56:
		return kindTime
	}
	return kindNumber
}

// classifyFormat tells a date or time format code from a number format
// code by its d, m, y, h and s tokens, looking past quoted text, escaped
// characters, fill and padding characters, and bracketed colours, locales
// and conditions. Bracketed elapsed-time tokens ([h], [mm], [ss]) count as
// time; AM/PM counts as time.
func classifyFormat(code string) fmtKind {
	var date, month, clock bool
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"':
			if j := strings.IndexByte(code[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				i = len(code)
			}
		case '\\', '_', '*':
			i++ // the next character is literal, or only sets a width
		case '[':
			j := strings.IndexByte(code[i+1:], ']')
			if j < 0 {
				return kindNumber
			}
			if inner := strings.ToLower(code[i+1 : i+1+j]); inner != "" && strings.Trim(inner, "hms") == "" {
				clock = true
			}
			i += j + 1
		case 'd', 'D', 'y', 'Y':
			date = true
		case 'm', 'M':
			month = true
		case 'h', 'H', 's', 'S':
			clock = true
		case 'a', 'A':
			switch rest := strings.ToLower(code[i:]); {
			case strings.HasPrefix(rest, "am/pm"):
				clock = true
				i += len("am/pm") - 1
			case strings.HasPrefix(rest, "a/p"):
				clock = true
				i += len("a/p") - 1
			}
		case 'g', 'G':
			if strings.HasPrefix(strings.ToLower(code[i:]), "general") {
				i += len("general") - 1
			}
		}
	}
	switch {
	case date && clock:
		return kindDateTime
	case date, month && !clock:
		return kindDate // "mmm yyyy", or "mmm" alone
	case clock:
		return kindTime // "m" next to h or s is minutes
	}
	return kindNumber
}

// formatNumber renders a stored number the way Excel's General format
// would show it, but never in scientific notation: at most 15 significant
// digits, plain decimal, no trailing ".0". Text that is not a number is
// returned as it is.
func formatNumber(raw string) string {
	if isPlainInteger(raw) {
		return raw
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return raw
	}
	// Excel computes with 17 digits but shows 15: 0.1+0.2 is stored as
	// 0.30000000000000004 and shown as 0.3.
	f, _ = strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	if f == 0 {
		return "0" // also for -0
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// isPlainInteger reports whether s is already how formatNumber would write
// it: an optional minus, then 1 to 15 digits without a leading zero.
func isPlainInteger(s string) bool {
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || len(digits) > 15 || (digits[0] == '0' && (len(digits) > 1 || len(s) > 1)) {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	return true
}

// cellText turns stored string bytes into cell text: OOXML escapes
// (_x000D_ and the like) decoded, and "\r\n" made "\n".
func cellText(b []byte) string {
	s := string(b)
	if strings.Contains(s, "_x") {
		s = unescapeOOXML(s)
	}
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	return s
}

// unescapeOOXML decodes the _xHHHH_ escapes Excel writes for characters XML
// cannot hold; "_x005F_" is an escaped underscore, so "_x005F_x0041_" is the
// literal text "_x0041_".
func unescapeOOXML(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, ok := escapeAt(s, i)
		if !ok {
			b.WriteByte(s[i])
			i++
			continue
		}
		i += 7
		if utf16.IsSurrogate(r) {
			if r2, ok := escapeAt(s, i); ok {
				if pair := utf16.DecodeRune(r, r2); pair != '\uFFFD' {
					r = pair
					i += 7
				}
			}
		}
		b.WriteRune(r) // a lone surrogate becomes U+FFFD
	}
	return b.String()
}

// escapeAt decodes an _xHHHH_ escape starting at s[i].
func escapeAt(s string, i int) (rune, bool) {
	if i+7 > len(s) || s[i] != '_' || s[i+1] != 'x' || s[i+6] != '_' {
		return 0, false
	}
	v, err := strconv.ParseUint(s[i+2:i+6], 16, 16)
	if err != nil {
		return 0, false
	}
	return rune(v), true
}
