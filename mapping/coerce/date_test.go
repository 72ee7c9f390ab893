package coerce

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDate(t *testing.T) {
	us := Options{Formats: []string{"01/02/2006"}}
	tests := []struct {
		name string
		in   Input
		o    Options
		want string
		err  string
	}{
		{name: "excel cell", in: Input{Time: time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC), IsTime: true}, want: "2024-01-15"},
		{name: "excel cell late evening", in: Input{Time: time.Date(2024, 1, 15, 23, 30, 0, 0, time.UTC), IsTime: true}, want: "2024-01-15"},
		{name: "serial", in: Input{Text: "45123"}, want: "2023-07-16"},
		{name: "serial with time", in: Input{Text: "45123.5"}, want: "2023-07-16"},
		{name: "serial day 1", in: Input{Text: "1"}, want: "1900-01-01"},
		{name: "serial day 61", in: Input{Text: "61"}, want: "1900-03-01"},
		{name: "serial max", in: Input{Text: "2958465"}, want: "9999-12-31"},
		{name: "dd/mm/yyyy", in: Input{Text: "15/01/2024"}, want: "2024-01-15"},
		{name: "d/m/yyyy", in: Input{Text: "5/1/2024"}, want: "2024-01-05"},
		{name: "dd-mm-yyyy", in: Input{Text: "15-01-2024"}, want: "2024-01-15"},
		{name: "dd.mm.yyyy", in: Input{Text: "15.01.2024"}, want: "2024-01-15"},
		{name: "ambiguous is day first", in: Input{Text: "02/03/2024"}, want: "2024-03-02"},
		{name: "yyyy/mm/dd", in: Input{Text: "2024/01/15"}, want: "2024-01-15"},
		{name: "iso", in: Input{Text: "2024-01-15"}, want: "2024-01-15"},
		{name: "iso with time", in: Input{Text: "2024-01-15T10:30:00"}, want: "2024-01-15"},
		{name: "yyyymmdd", in: Input{Text: "20240115"}, want: "2024-01-15"},
		{name: "ddmmyyyy", in: Input{Text: "15012024"}, want: "2024-01-15"},
		{name: "with time", in: Input{Text: "15/01/2024 10:30:00"}, want: "2024-01-15"},
		{name: "month name", in: Input{Text: "15 Jan 2024"}, want: "2024-01-15"},
		{name: "month name first", in: Input{Text: "January 15, 2024"}, want: "2024-01-15"},
		{name: "vietnamese long", in: Input{Text: "Ngày 15 tháng 01 năm 2024"}, want: "2024-01-15"},
		{name: "vietnamese short", in: Input{Text: "15 tháng 1, 2024"}, want: "2024-01-15"},
		{name: "leap day", in: Input{Text: "29/02/2024"}, want: "2024-02-29"},
		{name: "NBSP", in: Input{Text: "\u00a015/01/2024 "}, want: "2024-01-15"},
		{name: "zoned instant taken in Vietnam", in: Input{Text: "2010-10-27T17:00:00.000Z"}, want: "2010-10-28"},
		{name: "zoned instant in UTC", in: Input{Text: "2010-10-27T17:00:00.000Z"}, o: Options{Location: time.UTC}, want: "2010-10-27"},
		{name: "format", in: Input{Text: "2024.15.01"}, o: Options{Formats: []string{"2006.02.01"}}, want: "2024-01-15"},
		{name: "month-first format", in: Input{Text: "01/15/2024"}, o: us, want: "2024-01-15"},
		{name: "month-first fallback", in: Input{Text: "1/15/2024"}, o: us, want: "2024-01-15"},
		{name: "format wins over serial", in: Input{Text: "2024"}, o: Options{Formats: []string{"2006"}}, want: "2024-01-01"},
		{name: "blank", in: Input{Text: "  "}, want: ""},

		{name: "31 February", in: Input{Text: "31/02/2024"}, err: `"31/02/2024" is not a real date: February 2024 has 29 days`},
		{name: "29 February 2023", in: Input{Text: "29/02/2023"}, err: `"29/02/2023" is not a real date: February 2023 has 28 days`},
		{name: "31 April", in: Input{Text: "2024-04-31"}, err: `"2024-04-31" is not a real date: April 2024 has 30 days`},
		{name: "month 13", in: Input{Text: "01/13/2024"}, err: `"01/13/2024" is not a real date: there is no month 13 (dates are read day first: dd/mm/yyyy)`},
		{name: "day 0", in: Input{Text: "00/01/2024"}, err: `"00/01/2024" is not a real date: there is no day 0`},
		{name: "format impossible", in: Input{Text: "02/30/2024"}, o: us, err: `"02/30/2024" is not a real date: February 2024 has 29 days`},
		{name: "month-first month 13", in: Input{Text: "13/01/2024"}, o: us, err: `"13/01/2024" is not a real date: there is no month 13 (dates are read month first: mm/dd/yyyy)`},
		{name: "two-digit year", in: Input{Text: "15/01/24"}, err: `"15/01/24" has a two-digit year; write the year in full, like 15/01/2024`},
		{name: "bare year", in: Input{Text: "1990"}, err: `"1990" looks like a year, not a date; write the whole date, like 01/01/1990`},
		{name: "serial 60", in: Input{Text: "60"}, err: `"60" is Excel's 29 February 1900, a day that did not exist`},
		{name: "serial 0", in: Input{Text: "0"}, err: `"0" is not a date; write it like 31/12/2024`},
		{name: "words", in: Input{Text: "hôm qua"}, err: `"hôm qua" is not a date; write it like 31/12/2024`},
		{name: "words with format", in: Input{Text: "soon"}, o: us, err: `"soon" is not a date; write it like 12/31/2024`},
		{name: "mixed separators", in: Input{Text: "15/01-2024"}, err: `"15/01-2024" is not a date; write it like 31/12/2024`},
		{name: "no year", in: Input{Text: "15.01"}, err: `"15.01" has no year; write the whole date, like 15.01.2024`},
		{name: "no year slash", in: Input{Text: "15/1"}, err: `"15/1" has no year; write the whole date, like 15/1/2024`},
		{name: "bad time", in: Input{Text: "15/01/2024 25:00"}, err: `"15/01/2024 25:00" is not a real time of day`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Date(tt.in, tt.o)
			if tt.err != "" {
				requireErr(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestDateTime(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	require.NoError(t, err)
	tests := []struct {
		name string
		in   Input
		o    Options
		want string
		err  string
	}{
		{name: "date is midnight in Vietnam", in: Input{Text: "28/10/2010"}, want: "2010-10-27T17:00:00.000Z"},
		{name: "API form round-trips", in: Input{Text: "2010-10-27T17:00:00.000Z"}, want: "2010-10-27T17:00:00.000Z"},
		{name: "offset", in: Input{Text: "2024-01-15T10:00:00+07:00"}, want: "2024-01-15T03:00:00.000Z"},
		{name: "wall clock", in: Input{Text: "15/01/2024 10:30"}, want: "2024-01-15T03:30:00.000Z"},
		{name: "seconds and millis", in: Input{Text: "2024-01-15 10:30:15.25"}, want: "2024-01-15T03:30:15.250Z"},
		{name: "pm", in: Input{Text: "15/01/2024 2:30 PM"}, want: "2024-01-15T07:30:00.000Z"},
		{name: "chiều", in: Input{Text: "15/01/2024 2:30 CH"}, want: "2024-01-15T07:30:00.000Z"},
		{name: "12 sáng", in: Input{Text: "15/01/2024 12:05 SA"}, want: "2024-01-14T17:05:00.000Z"},
		{name: "10h30", in: Input{Text: "15/01/2024 10h30"}, want: "2024-01-15T03:30:00.000Z"},
		{name: "excel cell is wall clock", in: Input{Time: time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC), IsTime: true}, want: "2024-01-15T03:30:00.000Z"},
		{name: "serial noon", in: Input{Text: "45123.5"}, want: "2023-07-16T05:00:00.000Z"},
		{name: "location", in: Input{Text: "15/01/2024"}, o: Options{Location: tokyo}, want: "2024-01-14T15:00:00.000Z"},
		{name: "format with time", in: Input{Text: "15/01/2024 10:30"}, o: Options{Formats: []string{"02/01/2006 15:04"}}, want: "2024-01-15T03:30:00.000Z"},
		{name: "blank", in: Input{Text: ""}, want: ""},
		{name: "words", in: Input{Text: "sáng mai"}, err: `"sáng mai" is not a date and time; write it like 31/12/2024 17:30`},
		{name: "13 pm", in: Input{Text: "15/01/2024 13:00 PM"}, err: `"15/01/2024 13:00 PM" is not a real time of day: with PM the hour is 1 to 12`},
		{name: "minute 61", in: Input{Text: "15/01/2024 10:61"}, err: `"15/01/2024 10:61" is not a real time of day`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DateTime(tt.in, tt.o)
			if tt.err != "" {
				requireErr(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
