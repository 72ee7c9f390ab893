package coerce

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPhone(t *testing.T) {
	vn := func(national string) PhoneNumber {
		return PhoneNumber{Phone: national, CallCode: "+84", CountryCode: "VN", CountryName: "Vietnam"}
	}
	tests := []struct {
		in      string
		o       Options
		want    PhoneNumber
		display string
		err     string
	}{
		{in: "909080808", want: vn("909080808"), display: "+84 909 080 808"}, // leading 0 eaten by Excel
		{in: "987654321", want: vn("987654321"), display: "+84 987 654 321"},
		{in: "0909080808", want: vn("909080808"), display: "+84 909 080 808"},
		{in: "+84 909 080 808", want: vn("909080808"), display: "+84 909 080 808"},
		{in: "84909080808", want: vn("909080808"), display: "+84 909 080 808"},
		{in: "0084 909 080 808", want: vn("909080808"), display: "+84 909 080 808"},
		{in: "0909.080.808", want: vn("909080808"), display: "+84 909 080 808"},
		{in: "0909-080-808", want: vn("909080808"), display: "+84 909 080 808"},
		{in: "\u00a00909 080 808 ", want: vn("909080808"), display: "+84 909 080 808"},
		{in: "909080808.0", want: vn("909080808"), display: "+84 909 080 808"},
		{in: "(028) 3823 4567", want: vn("2838234567"), display: "+84 28 3823 4567"},
		{in: "2838234567", want: vn("2838234567"), display: "+84 28 3823 4567"},
		{in: "1900 1234", want: vn("19001234"), display: "+84 1900 1234"},
		{in: "+1 650-253-0000", want: PhoneNumber{"6502530000", "+1", "US", "United States"}, display: "+1 650-253-0000"},
		{in: "+65 6123 4567", want: PhoneNumber{"61234567", "+65", "SG", "Singapore"}, display: "+65 6123 4567"},
		{in: "6123 4567", o: Options{Region: "sg"}, want: PhoneNumber{"61234567", "+65", "SG", "Singapore"}, display: "+65 6123 4567"},
		{in: "+56 2 2123 4567", want: PhoneNumber{"221234567", "+56", "CL", "CL"}, display: "+56 2 2123 4567"},
		{in: "  ", want: PhoneNumber{}, display: ""},

		{in: "12345", err: `"12345" is not a valid phone number (region VN): too few digits`},
		{in: "0123", err: `"0123" is not a valid phone number (region VN): too few digits`},
		{in: "abc", err: `"abc" is not a valid phone number (region VN)`},
		{in: "6502530000", err: `"6502530000" is not a valid phone number (region VN); if it is a foreign number, write it with its country code, like +65 6123 4567`},
		{in: "0909080808 / 0912345678", err: `"0909080808 / 0912345678" holds more than one phone number; keep one number per cell`},
		{in: "0909080808; 0912345678", err: `"0909080808; 0912345678" holds more than one phone number; keep one number per cell`},
		{in: "0909080808 ext. 12", err: `"0909080808 ext. 12" has an extension (12), which the CRM's phone field cannot hold; remove it`},
		{in: "9.0908E+08", err: `"9.0908E+08" was turned into a number by Excel and lost its last digits; format the column as Text and type the number again`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Phone(Input{Text: tt.in}, tt.o)
			if tt.err != "" {
				requireErr(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.display, got.Display())
		})
	}
}

func TestPhoneJSON(t *testing.T) {
	p, err := Phone(Input{Text: "0909 080 808"}, Options{})
	require.NoError(t, err)
	b, err := json.Marshal(p)
	require.NoError(t, err)
	require.JSONEq(t, `{"phone":"909080808","call_code":"+84","country_code":"VN","country_name":"Vietnam"}`, string(b))
}

func TestPhoneUnknownRegion(t *testing.T) {
	_, err := Phone(Input{Text: "0909080808"}, Options{Region: "XX"})
	require.EqualError(t, err, `unknown phone region "XX": use a two-letter country code such as VN`)
}
