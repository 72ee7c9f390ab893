package coerce

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func FuzzNumber(f *testing.F) {
	for _, s := range []string{"1.000.000", "1.000.000,50", "1,000,000.50", "1 000 000", "12,5", "1.500", "1,500",
		"1.23E+09", "-1.000 đ", "$-5", "(1.234)", "12%", "1e999", ".", ",", "-", "đ", "1 000,5", "\u00a0", "1..0", "٣"} {
		for _, loc := range []string{"", "vi", "en"} {
			f.Add(s, loc)
		}
	}
	f.Fuzz(func(t *testing.T, s, loc string) {
		v, err := Number(Input{Text: s}, Options{Locale: loc})
		if err != nil {
			require.Zero(t, v)
			return
		}
		require.False(t, math.IsNaN(v) || math.IsInf(v, 0), "%q gave %v", s, v)
	})
}

func FuzzDate(f *testing.F) {
	for _, s := range []string{"45123", "45123.5", "31/02/2024", "29/02/2024", "15/01/2024 10:30", "2010-10-27T17:00:00.000Z",
		"20240115", "15012024", "ngày 15 tháng 1 năm 2024", "Jan 15, 2024", "15/1/24", "99999999", "0", "60", "1/1/0000", "9999-12-31T23:59:59-14:00"} {
		f.Add(s, "")
		f.Add(s, "01/02/2006")
	}
	f.Fuzz(func(t *testing.T, s, layout string) {
		o := Options{}
		if layout != "" {
			o.Formats = []string{layout}
		}
		d, err := Date(Input{Text: s}, o)
		if err == nil && d != "" {
			_, perr := time.Parse("2006-01-02", d)
			require.NoError(t, perr, "%q gave %q", s, d)
		}
		dt, err := DateTime(Input{Text: s}, o)
		if err == nil && dt != "" {
			_, perr := time.Parse(time.RFC3339, dt)
			require.NoError(t, perr, "%q gave %q", s, dt)
		}
	})
}

func FuzzPhone(f *testing.F) {
	for _, s := range []string{"909080808", "+84 909 080 808", "0909.080.808", "(028) 3823 4567", "12345", "0909080808 / 0912345678",
		"0909080808 ext. 12", "9.0908E+08", "+1 650-253-0000", "+800 1234 5678", "tel:+84909080808", "++84", "0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Phone(Input{Text: s}, Options{})
		if err != nil || p.Phone == "" {
			return
		}
		// What Phone accepts, its own Display gives back unchanged.
		again, err := Phone(Input{Text: p.Display()}, Options{})
		require.NoError(t, err, "%q displayed as %q", s, p.Display())
		require.Equal(t, p, again)
	})
}
