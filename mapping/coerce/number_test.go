package coerce

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNumber(t *testing.T) {
	vi, en := Options{Locale: "vi"}, Options{Locale: "en"}
	tests := []struct {
		in   string
		o    Options
		want float64
		err  string
	}{
		// auto: Vietnamese first
		{in: "1.000.000", want: 1000000},
		{in: "1.000.000,50", want: 1000000.5},
		{in: "1,000,000.50", want: 1000000.5},
		{in: "1 000 000", want: 1000000},
		{in: "1\u00a0000\u00a0000", want: 1000000},
		{in: "1 000,5", want: 1000.5},
		{in: "12,5", want: 12.5},
		{in: "1.5", want: 1.5},
		{in: "1.25", want: 1.25},
		{in: "1.500", want: 1500}, // ambiguous: thousands, as in Vietnam
		{in: "0.500", want: 0.5},  // a leading 0 is never a thousands group
		{in: "1234.567", want: 1234.567},
		{in: ".5", want: 0.5},
		{in: "42", want: 42},
		{in: "007", want: 7},
		{in: "-1.000", want: -1000},
		{in: "−5", want: -5},
		{in: "+3", want: 3},
		{in: "-0", want: 0},
		{in: "1.23E+09", want: 1.23e9},
		{in: "1,5e3", want: 1500},
		{in: "2e-3", want: 0.002},
		// currency
		{in: "1.000.000 đ", want: 1000000},
		{in: "1.000.000đ", want: 1000000},
		{in: "1.000.000₫", want: 1000000},
		{in: "VND 1.000.000", want: 1000000},
		{in: "1.000.000 VNĐ", want: 1000000},
		{in: "500.000 đồng", want: 500000},
		{in: "$1,200.50", want: 1200.5},
		{in: "-$5", want: -5},
		{in: "$-5", want: -5},
		{in: "100 USD", want: 100},
		{in: "", want: 0},
		{in: " \u00a0", want: 0},
		// explicit locales
		{in: "1.000.000,50", o: vi, want: 1000000.5},
		{in: "1,5", o: vi, want: 1.5},
		{in: "1.500", o: vi, want: 1500},
		{in: "1,500", o: vi, want: 1.5},
		{in: "1,000,000.50", o: en, want: 1000000.5},
		{in: "1,500", o: en, want: 1500},
		{in: "1.500", o: en, want: 1.5},
		{in: "1.5", o: Options{Locale: "en-US"}, want: 1.5},
		// errors
		{in: "abc", err: `"abc" is not a number`},
		{in: "1,500", err: `"1,500" is ambiguous: it could be 1500 or 1.5; write it without the comma, or set the column's locale to vi (1.000,5) or en (1,000.5)`},
		{in: "1,000", err: `"1,000" is ambiguous: it could be 1000 or 1; write it without the comma, or set the column's locale to vi (1.000,5) or en (1,000.5)`},
		{in: "1.5", o: vi, err: `"1.5" is not a number in the Vietnamese format, like 1.000.000,50`},
		{in: "1.000.000,50", o: en, err: `"1.000.000,50" is not a number in the English format, like 1,000,000.50`},
		{in: "1.00.000", err: `"1.00.000" is not a number; write it like 1.000.000 or 1000000,50`},
		{in: "1,000.000,5", err: `"1,000.000,5" is not a number; write it like 1.000.000 or 1000000,50`},
		{in: "1 5", err: `"1 5" is not a number`},
		{in: "(1.234)", err: `"(1.234)" is not a number; write negative numbers with a minus sign, like -1.234`},
		{in: "12%", err: `"12%" is a percentage; write it as a plain number (12 or 0.12, whichever the field expects)`},
		{in: "NaN", err: `"NaN" is not a number`},
		{in: "Inf", err: `"Inf" is not a number`},
		{in: "1e999", err: `"1e999" is too large to be a number`},
		{in: "--5", err: `"--5" is not a number`},
		{in: "đ", err: `"đ" is not a number`},
		{in: "12345678901234567", err: `"12345678901234567" has more than 15 digits, too many to keep exactly as a number; if it is a code (account, tax or ID number), map it to a text field`},
	}
	for _, tt := range tests {
		t.Run(tt.o.Locale+" "+tt.in, func(t *testing.T) {
			got, err := Number(Input{Text: tt.in}, tt.o)
			if tt.err != "" {
				requireErr(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.InDelta(t, tt.want, got, 1e-9)
		})
	}
}

func TestNumberUnknownLocale(t *testing.T) {
	_, err := Number(Input{Text: "1"}, Options{Locale: "fr"})
	require.EqualError(t, err, `unknown number locale "fr": use vi (1.000.000,50), en (1,000,000.50) or auto`)
}

func TestDetectLocale(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   string
	}{
		{"vi thousands", []string{"1.000.000", "1.500", ""}, "vi"},
		{"vi decimal comma", []string{"12,5", "3"}, "vi"},
		{"en", []string{"1,000,000", "1,500"}, "en"},
		{"en decimal", []string{"12.5", "1,500"}, "en"},
		{"ambiguous only", []string{"1.500", "1,500", "42"}, ""},
		{"disagree", []string{"1.000.000", "1,000,000"}, ""},
		{"junk ignored", []string{"abc", "1.000,5"}, "vi"},
		{"empty", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, DetectLocale(tt.values))
		})
	}
}
