package exporter

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// colType is how a column's values are written: text, number, date, date-time or boolean.
type colType uint8

const (
	tText colType = iota
	tNumber
	tDate
	tDateTime
	tBool
)

var typeNames = map[string]colType{"text": tText, "number": tNumber, "date": tDate, "datetime": tDateTime, "bool": tBool}

func (t colType) String() string {
	for name, v := range typeNames {
		if v == t {
			return name
		}
	}
	return "text"
}

// ckind is the kind of one output cell.
type ckind uint8

const (
	cEmpty ckind = iota
	cText
	cNumber
	cTime // f is the Excel serial, t the wall-clock time
	cBool
)

// cell is one output cell, ready for either writer.
type cell struct {
	kind ckind
	s    string    // text; for numbers the digits as the API sent them
	f    float64   // number or Excel serial
	t    time.Time // wall clock (in time.UTC) for cTime
	b    bool
}

// convert turns a flattened value into a cell of the column's type. A value that does not
// fit the type (a word in a number column) is written as text rather than lost.
func (c *column) convert(v value, loc *time.Location) (cell, bool) {
	if v.kind == vNull || (v.kind != vBool && v.s == "") {
		return cell{}, true
	}
	switch c.typ {
	case tNumber:
		switch v.kind {
		case vNumber, vString:
			s := strings.TrimSpace(v.s)
			if f, ok := parseNumber(s); ok {
				return cell{kind: cNumber, s: s, f: f}, true
			}
		}
	case tDate, tDateTime:
		if v.kind == vString {
			if t, hasTime, ok := parseISO(v.s, loc); ok {
				if c.typ == tDate {
					// A date sent as midnight UTC ("2026-01-12T00:00:00+00:00") is a calendar
					// day, not an instant: moving it into a zone west of UTC would show the day
					// before.
					if hasTime && !isUTCMidnight(t) {
						t = t.In(loc)
					}
					t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
				} else {
					if hasTime {
						t = t.In(loc)
					}
					t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
				}
				if serial, ok := excelSerial(t); ok {
					return cell{kind: cTime, t: t, f: serial}, true
				}
			}
		}
	case tBool:
		switch v.kind {
		case vBool:
			return cell{kind: cBool, b: v.b}, true
		case vString:
			switch strings.ToLower(strings.TrimSpace(v.s)) {
			case "true":
				return cell{kind: cBool, b: true}, true
			case "false":
				return cell{kind: cBool, b: false}, true
			}
		}
	default:
		return cell{kind: cText, s: v.text()}, true
	}
	return cell{kind: cText, s: v.text()}, false
}

func isUTCMidnight(t time.Time) bool {
	_, off := t.Zone()
	return off == 0 && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

// parseNumber reads a plain decimal as the API sends it ("1200000", "-3.5", "1e3").
func parseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9') && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E' {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// isISODate reports "2006-01-02".
func isISODate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// isISODateTime reports "2006-01-02T15:04:05…" (with or without fraction and zone).
func isISODateTime(s string) bool {
	if len(s) < 19 || (s[10] != 'T' && s[10] != ' ') || s[4] != '-' || s[13] != ':' {
		return false
	}
	_, _, ok := parseISO(s, time.UTC)
	return ok
}

var isoLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"}

// parseISO reads an ISO date or date-time. A date-time without a zone is wall-clock time
// in loc; hasTime is false for a bare date (returned at midnight UTC, a calendar day).
func parseISO(s string, loc *time.Location) (t time.Time, hasTime, ok bool) {
	s = strings.TrimSpace(s)
	if isISODate(s) {
		t, _ := time.Parse("2006-01-02", s)
		return t, false, true
	}
	if len(s) < 19 {
		return time.Time{}, false, false
	}
	for i, layout := range isoLayouts {
		var err error
		if i%2 == 1 { // no zone
			t, err = time.ParseInLocation(layout, s, loc)
		} else {
			t, err = time.Parse(layout, s)
		}
		if err == nil {
			return t, true, true
		}
	}
	return time.Time{}, false, false
}

// excelEpoch is day 0 of Excel's 1900 date system as it counts from March 1900 on.
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// excelSerial is the Excel serial number of a wall-clock time (in time.UTC). Dates before
// March 1900, where Excel's count is off by its 1900 leap-year bug, are refused.
//
// Most times of day have no exact decimal fraction, and excelize writes at most 15
// significant digits by cutting the rest off, so 10:00:00 would be stored a hair early
// and shown as 09:59:59 by a reader that truncates (LibreOffice does). The serial is
// therefore the smallest 15-digit decimal not before the time (at most 9 µs after it).
func excelSerial(t time.Time) (float64, bool) {
	if t.Before(time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)) || t.Year() > 9999 {
		return 0, false
	}
	d := t.Sub(excelEpoch)
	days := int64(d / (24 * time.Hour))
	rest := int64(d % (24 * time.Hour)) // nanoseconds into the day
	if rest == 0 {
		return float64(days), true
	}
	digits := 15 - len(strconv.FormatInt(days, 10))
	num := new(big.Int).Mul(big.NewInt(rest), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits)), nil))
	den := big.NewInt(int64(24 * time.Hour))
	k := num.Add(num, new(big.Int).Sub(den, big.NewInt(1))).Quo(num, den) // ceil
	frac := k.String()
	if len(frac) > digits { // rounded up to the next day
		days, frac = days+1, strings.Repeat("0", digits)
	}
	f, err := strconv.ParseFloat(strconv.FormatInt(days, 10)+"."+strings.Repeat("0", digits-len(frac))+frac, 64)
	return f, err == nil
}

// neutralize protects a CSV text cell from being run as a formula by a spreadsheet: text
// that starts with "=" or "@", with "+" or "-" not followed by a number, or with a tab or
// carriage return gets a leading apostrophe. A number-like tail ("-5", "+84 909 080 808",
// "-(3.5)") cannot call anything and is left as it is.
func neutralize(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '@', '\t', '\r':
		return "'" + s
	case '+', '-':
		if !numberLike(s[1:]) {
			return "'" + s
		}
	}
	return s
}

// numberLike reports a non-empty run of digits with number and phone punctuation only,
// starting with a digit, a dot or an opening parenthesis.
func numberLike(s string) bool {
	if s == "" {
		return false
	}
	if c := s[0]; !(c >= '0' && c <= '9') && c != '.' && c != '(' {
		return false
	}
	digits := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits = true
		case c == ' ' || c == '.' || c == ',' || c == '(' || c == ')' || c == '-':
		default:
			return false
		}
	}
	return digits
}
