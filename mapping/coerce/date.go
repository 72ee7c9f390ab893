package coerce

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the default zone must load on machines without tzdata (Windows, scratch images)
)

// defaultLocation is where the users are; a date without a zone is a day
// there, not in UTC.
var defaultLocation = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return loc
	}
	return time.FixedZone("+07", 7*60*60)
}()

func location(o Options) *time.Location {
	if o.Location != nil {
		return o.Location
	}
	return defaultLocation
}

// Date returns "2006-01-02". It accepts Excel date cells, o.Formats, Excel
// serial day numbers ("45123", "45123.5"), ISO 8601 with or without time and
// zone, and day-first dates: dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy,
// ddmmyyyy, yyyy/mm/dd, yyyymmdd, "15 Jan 2024", "ngày 15 tháng 1 năm 2024",
// any of them followed by a time, which is ignored. A zoned date-time is
// taken in o.Location ("2010-10-27T17:00:00Z" is 2010-10-28 in Vietnam).
func Date(in Input, o Options) (string, error) {
	t, ok, err := when(in, o, false)
	if !ok {
		return "", err
	}
	t = t.In(location(o))
	if t.Year() < 1 || t.Year() > 9999 {
		return "", fail(shown(in), "is too far in the past or future")
	}
	return t.Format("2006-01-02"), nil
}

// DateTime returns the instant in the API's form, RFC 3339 in UTC with
// milliseconds: "2010-10-27T17:00:00.000Z". It accepts what Date accepts; a
// value without a zone (Excel date cells included: their clock reading is
// used, their time.Location ignored) is wall-clock time in o.Location, and a
// date alone is midnight there.
func DateTime(in Input, o Options) (string, error) {
	t, ok, err := when(in, o, true)
	if !ok {
		return "", err
	}
	t = t.UTC()
	if t.Year() < 1 || t.Year() > 9999 {
		return "", fail(shown(in), "is too far in the past or future")
	}
	return t.Format("2006-01-02T15:04:05.000Z"), nil
}

// shown is the cell as a person saw it, for messages.
func shown(in Input) string {
	if in.IsTime && clean(in.Text) == "" {
		return in.Time.Format("2006-01-02 15:04:05")
	}
	return clean(in.Text)
}

// zonedLayouts are the ISO 8601 forms that carry their own offset.
var zonedLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999 Z07:00",
	"2006-01-02T15:04Z07:00",
}

// when parses the cell into a time in location(o) (or in its own zone).
// ok is false for a blank cell (err nil) or a bad one (err set).
func when(in Input, o Options, withTime bool) (t time.Time, ok bool, err error) {
	loc := location(o)
	if in.IsTime {
		c := in.Time
		return time.Date(c.Year(), c.Month(), c.Day(), c.Hour(), c.Minute(), c.Second(), c.Nanosecond(), loc), true, nil
	}
	s := clean(in.Text)
	if s == "" {
		return t, false, nil
	}
	var unreal *Error // a format matched the shape but not the calendar
	for _, layout := range o.Formats {
		t, err := time.ParseInLocation(layout, s, loc)
		if err == nil {
			return t, true, nil
		}
		if unreal == nil {
			unreal = outOfRange(s, layout, err)
		}
	}
	for _, layout := range zonedLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true, nil
		}
	}
	if g := noYear.FindStringSubmatch(s); g != nil { // before serials: "15.01" is not Excel's day 15
		return t, false, fail(s, "has no year; write the whole date, like %s%s2024", s, g[1])
	}
	if serialNumber.MatchString(s) {
		t, err = serial(s, loc)
		return t, err == nil, err
	}
	order := layoutOrder(o.Formats)
	c, err := parseCivil(s, order)
	switch {
	case err == nil:
		return time.Date(c.y, time.Month(c.m), c.d, c.hh, c.mm, c.ss, c.ns, loc), true, nil
	case !errors.Is(err, errNoForm):
		return t, false, err
	case unreal != nil:
		return t, false, unreal
	}
	what, example := "a date", "31/12/2024"
	if withTime {
		what, example = "a date and time", "31/12/2024 17:30"
	}
	if len(o.Formats) > 0 {
		example = time.Date(2024, 12, 31, 17, 30, 0, 0, time.UTC).Format(o.Formats[0])
	}
	return t, false, fail(s, "is not %s; write it like %s", what, example)
}

// Excel's day 1 is 1900-01-01 and it believes 1900 was a leap year, so from
// day 61 on, day n is 1899-12-30 + n.
const maxSerial = 2958465 // 9999-12-31

var (
	serialNumber = regexp.MustCompile(`^\d{1,7}(?:[.,]\d+)?$`)
	noYear       = regexp.MustCompile(`^\d{1,2}([./-])\d{1,2}$`)
)

func serial(s string, loc *time.Location) (time.Time, error) {
	v, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil || v < 1 || v >= maxSerial+1 {
		return time.Time{}, fail(s, "is not a date; write it like 31/12/2024")
	}
	days := math.Floor(v)
	if days == v && days >= 1900 && days <= 2100 {
		return time.Time{}, fail(s, "looks like a year, not a date; write the whole date, like 01/01/%s", s)
	}
	if days == 60 {
		return time.Time{}, fail(s, "is Excel's 29 February 1900, a day that did not exist")
	}
	secs := int(math.Round((v - days) * 86400))
	d := int(days)
	base := 30
	if d < 61 {
		base = 31
	}
	return time.Date(1899, 12, base+d, 0, 0, secs, 0, loc), nil
}

type civil struct{ y, m, d, hh, mm, ss, ns int }

type fieldOrder int

const (
	dayFirst fieldOrder = iota
	monthFirst
)

var (
	// The date part and an optional time ("10:30", "10h30", "10:30:15.250",
	// "2:30 pm", "2:30 CH"), on Fold()ed text.
	timeSuffix = regexp.MustCompile(`^(.+?)[ t,]+(\d{1,2})[:h](\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)? ?(am|pm|sa|ch)?$`)
	ymd        = regexp.MustCompile(`^(\d{4})([-/.])(\d{1,2})([-/.])(\d{1,2})$`)
	xxy        = regexp.MustCompile(`^(\d{1,2})([-/. ])(\d{1,2})([-/. ])(\d{2}|\d{4})$`)
	compact    = regexp.MustCompile(`^\d{8}$`)
	dMonY      = regexp.MustCompile(`^(\d{1,2})(?:st|nd|rd|th)?[-/ .]?([a-z]{3,9})\.?[-/ .,]*(\d{4})$`)
	monDY      = regexp.MustCompile(`^([a-z]{3,9})\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})$`)
	viLong     = regexp.MustCompile(`^(?:ngay ?)?(\d{1,2}),? ?thang ?(\d{1,2}),? ?(?:nam ?|[/-] ?)?(\d{4})$`)
)

var monthNames = func() map[string]int {
	m := map[string]int{}
	for i := time.January; i <= time.December; i++ {
		name := strings.ToLower(i.String())
		m[name], m[name[:3]] = int(i), int(i)
	}
	m["sept"] = 9
	return m
}()

// parseCivil reads the built-in forms. It returns an *Error for a value that
// has a date's shape but not a real date, and a plain error for anything else.
func parseCivil(s string, order fieldOrder) (civil, error) {
	f := Fold(s)
	tm := timeSuffix.FindStringSubmatch(f)
	if tm != nil {
		f = tm[1]
	}
	var c civil
	y, m, d, hint, err := datePart(f, s, order)
	if err != nil {
		return c, err
	}
	if y < 1 {
		return c, fail(s, "is not a real date: there is no year 0")
	}
	if why := realDate(y, m, d); why != "" {
		if m >= 1 && m <= 12 {
			hint = "" // the field order is not in question when the month is real
		}
		return c, fail(s, "is not a real date: %s%s", why, hint)
	}
	c.y, c.m, c.d = y, m, d
	if tm == nil {
		return c, nil
	}
	c.hh, c.mm, c.ss = atoi(tm[2]), atoi(tm[3]), atoi(tm[4])
	if tm[5] != "" {
		c.ns = atoi((tm[5] + "00000000")[:9])
	}
	if c.mm > 59 || c.ss > 59 {
		return c, fail(s, "is not a real time of day")
	}
	switch tm[6] {
	case "":
		if c.hh > 23 {
			return c, fail(s, "is not a real time of day")
		}
	default: // am, pm, sa (sáng), ch (chiều)
		if c.hh < 1 || c.hh > 12 {
			return c, fail(s, "is not a real time of day: with %s the hour is 1 to 12", strings.ToUpper(tm[6]))
		}
		c.hh %= 12
		if tm[6] == "pm" || tm[6] == "ch" {
			c.hh += 12
		}
	}
	return c, nil
}

var errNoForm = errors.New("no date form matches")

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// datePart reads the date of f (s Fold()ed, time removed). hint explains the
// field order for a message about an impossible month.
func datePart(f, s string, order fieldOrder) (y, m, d int, hint string, err error) {
	if g := ymd.FindStringSubmatch(f); g != nil && g[2] == g[4] {
		return atoi(g[1]), atoi(g[3]), atoi(g[5]), "", nil
	}
	if g := xxy.FindStringSubmatch(f); g != nil && g[2] == g[4] {
		if len(g[5]) == 2 {
			return 0, 0, 0, "", fail(s, "has a two-digit year; write the year in full, like %s%s%s%s20%s", g[1], g[2], g[3], g[4], g[5])
		}
		if order == monthFirst {
			return atoi(g[5]), atoi(g[1]), atoi(g[3]), " (dates are read month first: mm/dd/yyyy)", nil
		}
		return atoi(g[5]), atoi(g[3]), atoi(g[1]), " (dates are read day first: dd/mm/yyyy)", nil
	}
	if compact.MatchString(f) {
		// yyyymmdd, else ddmmyyyy (mmddyyyy): with years 1900-2199 the two
		// readings are never both real dates.
		y, m, d = atoi(f[:4]), atoi(f[4:6]), atoi(f[6:])
		if y >= 1900 && y <= 2199 && realDate(y, m, d) == "" {
			return y, m, d, "", nil
		}
		y, d, m = atoi(f[4:]), atoi(f[:2]), atoi(f[2:4])
		if order == monthFirst {
			d, m = m, d
		}
		if y < 1900 || y > 2199 {
			return 0, 0, 0, "", errNoForm
		}
		return y, m, d, "", nil
	}
	if g := dMonY.FindStringSubmatch(f); g != nil && monthNames[g[2]] > 0 {
		return atoi(g[3]), monthNames[g[2]], atoi(g[1]), "", nil
	}
	if g := monDY.FindStringSubmatch(f); g != nil && monthNames[g[1]] > 0 {
		return atoi(g[3]), monthNames[g[1]], atoi(g[2]), "", nil
	}
	if g := viLong.FindStringSubmatch(f); g != nil {
		return atoi(g[3]), atoi(g[2]), atoi(g[1]), "", nil
	}
	return 0, 0, 0, "", errNoForm
}

// realDate says why y-m-d is not on the calendar, or "" if it is.
func realDate(y, m, d int) string {
	switch {
	case m < 1 || m > 12:
		return fmt.Sprintf("there is no month %d", m)
	case d < 1:
		return "there is no day 0"
	}
	if n := daysIn(y, m); d > n {
		return fmt.Sprintf("%s %d has %d days", time.Month(m), y, n)
	}
	return ""
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// layoutRoles names the numeric fields a layout produces, in order: 'd', 'm',
// 'y' (four digits), 'Y' (two digits), or 0 for anything else. It formats a
// reference date whose fields are all distinct and reads them back.
func layoutRoles(layout string) []byte {
	ref := time.Date(2033, 11, 22, 0, 0, 0, 0, time.UTC).Format(layout)
	var roles []byte
	for _, run := range digitRuns(ref) {
		var r byte
		switch run {
		case "22":
			r = 'd'
		case "11":
			r = 'm'
		case "2033":
			r = 'y'
		case "33":
			r = 'Y'
		}
		roles = append(roles, r)
	}
	return roles
}

func digitRuns(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r < '0' || r > '9' })
}

// layoutOrder is month first when the first layout naming both day and month
// puts the month first.
func layoutOrder(layouts []string) fieldOrder {
	for _, l := range layouts {
		roles := string(layoutRoles(l))
		d, m := strings.IndexByte(roles, 'd'), strings.IndexByte(roles, 'm')
		if d >= 0 && m >= 0 {
			if m < d {
				return monthFirst
			}
			return dayFirst
		}
	}
	return dayFirst
}

// outOfRange turns time.Parse's "day out of range" for s into a sentence
// naming the month's length, or returns nil if err is about something else.
func outOfRange(s, layout string, err error) *Error {
	var pe *time.ParseError
	if !errors.As(err, &pe) || !(strings.Contains(pe.Message, "day out of range") || strings.Contains(pe.Message, "month out of range")) {
		return nil
	}
	roles, runs := layoutRoles(layout), digitRuns(s)
	if len(roles) == len(runs) {
		y, m, d := -1, -1, -1
		for i, r := range roles {
			n, _ := strconv.Atoi(runs[i])
			switch r {
			case 'd':
				d = n
			case 'm':
				m = n
			case 'y':
				y = n
			case 'Y':
				y = 2000 + n
				if n >= 69 {
					y = 1900 + n
				}
			}
		}
		if y >= 0 && m >= 0 && d >= 0 {
			if why := realDate(y, m, d); why != "" {
				return fail(s, "is not a real date: %s", why)
			}
		}
	}
	return fail(s, "is not a real date")
}
