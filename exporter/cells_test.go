package exporter

import (
	"math/big"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestNeutralize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"},
		{"=1+1", "'=1+1"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-cmd", "'-cmd"},
		{"-2+3", "'-2+3"},
		{"+", "'+"},
		{"-", "'-"},
		{"\tTAB", "'\tTAB"},
		{"\rCR", "'\rCR"},
		{"-5", "-5"},
		{"-3.5", "-3.5"},
		{"+84 909 080 808", "+84 909 080 808"},
		{"+84 (28) 3822-1234", "+84 (28) 3822-1234"},
		{"-(1.234)", "-(1.234)"},
		{"a=b", "a=b"},
		{" =x", " =x"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, neutralize(tc.in), "%q", tc.in)
	}
}

func TestConvert(t *testing.T) {
	hcm, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	require.NoError(t, err)
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name string
		typ  colType
		v    value
		loc  *time.Location
		want cell
		fits bool
	}{
		{"number", tNumber, value{kind: vNumber, s: "34500000"}, hcm, cell{kind: cNumber, s: "34500000", f: 34500000}, true},
		{"numeric string", tNumber, value{kind: vString, s: " 0 "}, hcm, cell{kind: cNumber, s: "0", f: 0}, true},
		{"word in a number column", tNumber, value{kind: vString, s: "n/a"}, hcm, cell{kind: cText, s: "n/a"}, false},
		{"null", tNumber, value{kind: vNull}, hcm, cell{}, true},
		{"empty", tDate, value{kind: vString}, hcm, cell{}, true},
		{"date", tDate, value{kind: vString, s: "2026-03-31"}, hcm, cell{kind: cTime, t: day(2026, 3, 31), f: 46112}, true},
		{"instant as a date in the zone", tDate, value{kind: vString, s: "1988-03-14T17:00:00.000Z"}, hcm,
			cell{kind: cTime, t: day(1988, 3, 15), f: 32217}, true},
		{"midnight UTC is a calendar day", tDate, value{kind: vString, s: "2026-01-12T00:00:00+00:00"}, ny,
			cell{kind: cTime, t: day(2026, 1, 12), f: 46034}, true},
		{"date-time in the zone", tDateTime, value{kind: vString, s: "2026-01-09T02:48:00.000Z"}, hcm,
			cell{kind: cTime, t: time.Date(2026, 1, 9, 9, 48, 0, 0, time.UTC), f: 46031 + (9*60+48)/1440.0}, true},
		{"bare date in a date-time column", tDateTime, value{kind: vString, s: "2026-01-09"}, hcm,
			cell{kind: cTime, t: day(2026, 1, 9), f: 46031}, true},
		{"not a date", tDate, value{kind: vString, s: "soon"}, hcm, cell{kind: cText, s: "soon"}, false},
		{"before 1900-03-01", tDate, value{kind: vString, s: "1900-01-01"}, hcm, cell{kind: cText, s: "1900-01-01"}, false},
		{"bool", tBool, value{kind: vBool, b: true}, hcm, cell{kind: cBool, b: true}, true},
		{"bool text", tBool, value{kind: vString, s: "false"}, hcm, cell{kind: cBool, b: false}, true},
		{"text keeps digits", tText, value{kind: vNumber, s: "0312345678"}, hcm, cell{kind: cText, s: "0312345678"}, true},
		{"text of a bool", tText, value{kind: vBool, b: false}, hcm, cell{kind: cText, s: "FALSE"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &column{typ: tc.typ}
			got, fits := c.convert(tc.v, tc.loc)
			require.Equal(t, tc.fits, fits)
			if tc.want.kind == cTime {
				require.InDelta(t, tc.want.f, got.f, 1e-9)
				got.f = tc.want.f
			}
			require.Equal(t, tc.want, got)
		})
	}
}

func TestExcelLayout(t *testing.T) {
	tests := []struct{ in, want string }{
		{"yyyy-mm-dd", "2006-01-02"},
		{"dd/mm/yyyy", "02/01/2006"},
		{"dd/mm/yyyy hh:mm", "02/01/2006 15:04"},
		{"d/m/yy h:mm AM/PM", "2/1/06 3:04 PM"},
		{"hh:mm:ss", "15:04:05"},
		{"mmm yyyy", "Jan 2006"},
		{`dd"."mm`, "02.01"},
		{"[$-vi-VN]dd/mm/yyyy", "02/01/2006"},
	}
	for _, tc := range tests {
		got, ok := excelLayout(tc.in)
		require.True(t, ok, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
	_, ok := excelLayout("#,##0")
	require.False(t, ok)
}

func TestInferType(t *testing.T) {
	formats := map[string]string{"date_closed": "date", "birthday": "datetime"}
	stats := func(values ...value) *pathStats {
		c := newCollector()
		var fs []field
		for _, v := range values {
			fs = append(fs, field{path: "x", v: v})
		}
		c.add(fs)
		return c.stats["x"]
	}
	num := func(s string) value { return value{kind: vNumber, s: s} }
	str := func(s string) value { return value{kind: vString, s: s} }
	tests := []struct {
		path  string
		st    *pathStats
		want  colType
		money bool
	}{
		{"amount", stats(num("1"), num("2")), tNumber, true},
		{"tax_inclusive_amount", stats(str("0"), str("12000")), tNumber, true},
		{"amount", stats(str("n/a")), tText, false},
		{"id", stats(num("12")), tText, false},
		{"external_id", stats(num("1001")), tText, false},
		{"tax_identification_number", stats(str("0312345678")), tText, false},
		{"owner.user_site.external_id", stats(str("S-1")), tText, false},
		{"phone", stats(value{kind: vPhone, s: "+84 909 080 808"}), tText, false},
		{"quantity", stats(num("2")), tNumber, false},
		{"is_public", stats(value{kind: vBool, b: true}), tBool, false},
		{"date_closed", stats(str("2026-03-31")), tDate, false},
		{"date_closed", stats(str("2026-03-31"), str("soon")), tText, false},
		{"birthday", stats(str("1988-03-14T17:00:00.000Z")), tDateTime, false},
		{"created_at", stats(str("2026-01-09T02:48:00.000Z")), tDateTime, false},
		{"date_open", stats(str("2026-01-12T00:00:00+00:00")), tDateTime, false},
		{"whatever", stats(str("2026-01-12")), tDate, false},
		{"custom.Mã", stats(str("0123")), tText, false},
		{"custom.Xác suất", stats(num("60")), tNumber, false},
		{"never_seen", nil, tText, false},
	}
	for _, tc := range tests {
		got, money := inferType(tc.path, tc.st, formats)
		require.Equal(t, tc.want, got, tc.path)
		require.Equal(t, tc.money, money, tc.path)
	}
}

// TestExcelSerialNeverEarly: written the way excelize writes numbers (15 significant
// digits, the rest cut off), a time's serial is never before the time, and less than a
// millisecond after it, so no reader shows 10:00:00 as 09:59:59.
func TestExcelSerialNeverEarly(t *testing.T) {
	cut15 := func(s string) string {
		sig := 0
		for i := 0; i < len(s); i++ {
			if s[i] >= '0' && s[i] <= '9' && (sig > 0 || s[i] != '0') {
				if sig++; sig > 15 {
					return s[:i]
				}
			}
		}
		return s
	}
	for _, day := range []time.Time{time.Date(1926, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 6, 0, 0, 0, 0, time.UTC)} {
		days, ok := excelSerial(day)
		require.True(t, ok)
		for sec := 0; sec < 86400; sec += 7 {
			serial, ok := excelSerial(day.Add(time.Duration(sec) * time.Second))
			require.True(t, ok)
			written, ok := new(big.Rat).SetString(cut15(strconv.FormatFloat(serial, 'f', -1, 64)))
			require.True(t, ok)
			exact := new(big.Rat).Add(new(big.Rat).SetFloat64(days), big.NewRat(int64(sec), 86400))
			late := new(big.Rat).Sub(written, exact)
			require.GreaterOrEqual(t, late.Sign(), 0, "%s + %ds is written early", day.Format(time.DateOnly), sec)
			require.Negative(t, late.Cmp(big.NewRat(1, 86400*1000)), "%s + %ds is written late by %s days", day.Format(time.DateOnly), sec, late.FloatString(12))
		}
	}
}
