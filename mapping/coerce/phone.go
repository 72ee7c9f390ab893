package coerce

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// PhoneNumber is the CRM's phone object. (The type cannot be called Phone:
// that name is the function.)
type PhoneNumber struct {
	Phone       string `json:"phone"`        // national significant number: no country code, no trunk 0 ("909080808")
	CallCode    string `json:"call_code"`    // "+84"
	CountryCode string `json:"country_code"` // the number's region, "VN"
	CountryName string `json:"country_name"` // English name, "Vietnam"
}

// Display is the number as people read it, "+84 909 080 808" (the
// international format), or "" for the zero PhoneNumber.
func (p PhoneNumber) Display() string {
	if p.Phone == "" {
		return ""
	}
	if num, err := phonenumbers.Parse(p.CallCode+p.Phone, p.CountryCode); err == nil {
		return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
	}
	return strings.TrimSpace(p.CallCode + " " + p.Phone)
}

var (
	// A number Excel stored as a float and a reader printed back: "909080808.0".
	floatDigits = regexp.MustCompile(`^\+?\d+\.0+$`)
	// A number Excel showed in scientific notation: its last digits are gone.
	sciDigits = regexp.MustCompile(`(?i)^\+?\d+(?:[.,]\d+)?e\+?\d+$`)
	// Separators people put between two numbers in one cell.
	manyPhones = regexp.MustCompile(`[;,/|\n]|\s(?:or|hoặc|hoac|và|va)\s`)
)

// Phone parses a phone number with libphonenumber; numbers written without a
// country code belong to o.Region (default VN). A VN number whose leading 0
// Excel ate ("909080808") still parses. Only numbers libphonenumber considers
// valid (assigned ranges of the right length) are accepted.
func Phone(in Input, o Options) (PhoneNumber, error) {
	s := clean(in.Text)
	if s == "" {
		return PhoneNumber{}, nil
	}
	region := strings.ToUpper(strings.TrimSpace(o.Region))
	if region == "" {
		region = "VN"
	}
	if !phonenumbers.GetSupportedRegions()[region] {
		return PhoneNumber{}, fmt.Errorf("unknown phone region %q: use a two-letter country code such as VN", o.Region)
	}
	text := s
	switch {
	case floatDigits.MatchString(text):
		text = text[:strings.IndexByte(text, '.')]
	case sciDigits.MatchString(text):
		return PhoneNumber{}, fail(s, "was turned into a number by Excel and lost its last digits; format the column as Text and type the number again")
	}
	if parts := manyPhones.Split(text, -1); len(parts) > 1 {
		n := 0
		for _, p := range parts {
			if len(phonenumbers.NormalizeDigitsOnly(p)) >= 6 {
				n++
			}
		}
		if n > 1 {
			return PhoneNumber{}, fail(s, "holds more than one phone number; keep one number per cell")
		}
	}
	invalid := fmt.Sprintf("is not a valid phone number (region %s)", region)
	num, err := phonenumbers.Parse(text, region)
	if err != nil {
		return PhoneNumber{}, &Error{Value: s, Msg: invalid}
	}
	if num.GetExtension() != "" {
		return PhoneNumber{}, fail(s, "has an extension (%s), which the CRM's phone field cannot hold; remove it", num.GetExtension())
	}
	if !phonenumbers.IsValidNumber(num) {
		return PhoneNumber{}, &Error{Value: s, Msg: invalid + phoneReason(num, text)}
	}
	cc := phonenumbers.GetRegionCodeForNumber(num)
	return PhoneNumber{
		Phone:       phonenumbers.GetNationalSignificantNumber(num),
		CallCode:    "+" + strconv.Itoa(int(num.GetCountryCode())),
		CountryCode: cc,
		CountryName: countryName(cc),
	}, nil
}

// phoneReason explains an invalid number in words a person can act on.
func phoneReason(num *phonenumbers.PhoneNumber, text string) string {
	switch phonenumbers.IsPossibleNumberWithReason(num) {
	case phonenumbers.TOO_SHORT:
		return ": too few digits"
	case phonenumbers.TOO_LONG:
		return ": too many digits"
	case phonenumbers.INVALID_LENGTH:
		return ": wrong number of digits"
	case phonenumbers.INVALID_COUNTRY_CODE:
		return ": unknown country code"
	}
	if !strings.HasPrefix(strings.TrimSpace(text), "+") {
		return "; if it is a foreign number, write it with its country code, like +65 6123 4567"
	}
	return ""
}

// countryNames are the regions OplaCRM's users deal with most; others fall
// back to their region code.
var countryNames = map[string]string{
	"AE": "United Arab Emirates", "AU": "Australia", "CA": "Canada", "CH": "Switzerland",
	"CN": "China", "DE": "Germany", "ES": "Spain", "FR": "France", "GB": "United Kingdom",
	"HK": "Hong Kong", "ID": "Indonesia", "IN": "India", "IT": "Italy", "JP": "Japan",
	"KH": "Cambodia", "KR": "South Korea", "LA": "Laos", "MM": "Myanmar", "MY": "Malaysia",
	"NL": "Netherlands", "NZ": "New Zealand", "PH": "Philippines", "RU": "Russia",
	"SE": "Sweden", "SG": "Singapore", "TH": "Thailand", "TW": "Taiwan", "US": "United States",
	"VN": "Vietnam",
}

func countryName(region string) string {
	if name, ok := countryNames[region]; ok {
		return name
	}
	return region
}
