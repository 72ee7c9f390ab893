package coerce

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

var gender = Options{
	Map:  map[string]string{"Nam": "MALE", "Nữ": "FEMALE", "Khác": "OTHER"},
	Enum: []string{"MALE", "FEMALE", "OTHER"},
}

// requireErr checks that err is an *Error whose sentence is want.
func requireErr(t *testing.T, err error, want string) {
	t.Helper()
	require.Error(t, err)
	var e *Error
	require.True(t, errors.As(err, &e), "want *Error, got %T: %v", err, err)
	require.Equal(t, want, err.Error())
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Nữ", "nu"},
		{"NỮ", "nu"},
		{"Nu\u031b\u0303", "nu"}, // decomposed input
		{"Đúng", "dung"},
		{"đường", "duong"},
		{"  Nguyễn   Văn\u00a0A ", "nguyen van a"},
		{"Khác", "khac"},
		{"Hồ Chí Minh", "ho chi minh"},
		{"a\u200bb", "ab"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			require.Equal(t, tt.want, Fold(tt.in))
		})
	}
}

func TestClosest(t *testing.T) {
	cands := []string{"MALE", "FEMALE", "OTHER", "Nam", "Nữ", "Khác"}
	tests := []struct {
		value string
		n     int
		want  []string
	}{
		{"Femal", 2, []string{"FEMALE"}},
		{"femail", 2, []string{"FEMALE"}},
		{"Nam giới", 2, []string{"Nam"}},
		{"khac", 2, []string{"Khác"}},
		{"xyz", 2, nil},
		{"x", 2, nil},
		{"Femal", 0, nil},
		{"", 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			got := Closest(tt.value, cands, tt.n)
			if len(tt.want) == 0 {
				require.Empty(t, got)
				return
			}
			require.Equal(t, tt.want, got)
		})
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		name string
		in   string
		o    Options
		want string
	}{
		{"trims NBSP and spaces", "\u00a0 Công ty ABC \t", Options{}, "Công ty ABC"},
		{"keeps inner spaces", "a  b", Options{}, "a  b"},
		{"NFC", "Nu\u031b\u0303", Options{}, "Nữ"},
		{"blank", " \u00a0\u200b ", Options{}, ""},
		{"map folded key", "NỮ", gender, "FEMALE"},
		{"map no accents", "nu", gender, "FEMALE"},
		{"map miss passes through", "Không rõ", gender, "Không rõ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := String(Input{Text: tt.in}, tt.o)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestEmail(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: " An.Nguyen@Opla.VN ", want: "An.Nguyen@opla.vn"},
		{in: "x@y.vn\u00a0", want: "x@y.vn"},
		{in: "mailto:a@b.com", want: "a@b.com"},
		{in: "", want: ""},
		{in: "abc", err: `"abc" is not an e-mail address: it has no @`},
		{in: "a@localhost", err: `"a@localhost" is not an e-mail address: the part after @ must be a domain like example.com`},
		{in: "a@b.", err: `"a@b." is not an e-mail address`},
		{in: "Nguyen An <an@opla.vn>", err: `"Nguyen An <an@opla.vn>" has more than the address; keep only an@opla.vn`},
		{in: "a@b.com; c@d.com", err: `"a@b.com; c@d.com" holds more than one e-mail address; keep one per cell`},
		{in: "an @opla.vn", err: `"an @opla.vn" is not an e-mail address: it contains a space`},
		{in: "an@opla,vn", err: `"an@opla,vn" is not an e-mail address`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Email(Input{Text: tt.in}, Options{})
			if tt.err != "" {
				requireErr(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestEnum(t *testing.T) {
	status := Options{Enum: []string{"NEW", "IN_PROGRESS", "DONE"}}
	mapOnly := Options{Map: map[string]string{"Mới": "New", "Đã liên hệ": "Contacted"}}
	tests := []struct {
		name string
		in   string
		o    Options
		want string
		err  string
	}{
		{name: "map accents", in: "Nữ", o: gender, want: "FEMALE"},
		{name: "map upper", in: "NỮ", o: gender, want: "FEMALE"},
		{name: "map no accents", in: "nu", o: gender, want: "FEMALE"},
		{name: "map khac", in: "khac", o: gender, want: "OTHER"},
		{name: "enum case", in: "male", o: gender, want: "MALE"},
		{name: "enum separators", in: "in progress", o: status, want: "IN_PROGRESS"},
		{name: "enum dash", in: "In-Progress", o: status, want: "IN_PROGRESS"},
		{name: "map values allowed", in: "contacted", o: mapOnly, want: "Contacted"},
		{name: "map only", in: "da lien he", o: mapOnly, want: "Contacted"},
		{name: "no rules", in: " anything ", o: Options{}, want: "anything"},
		{name: "blank", in: "  ", o: gender, want: ""},
		{name: "not allowed", in: "Nam giới", o: gender,
			err: `"Nam giới" is not one of Khác, Nam, Nữ, MALE, FEMALE, OTHER; did you mean Nam?`},
		{name: "typo", in: "Femal", o: gender,
			err: `"Femal" is not one of Khác, Nam, Nữ, MALE, FEMALE, OTHER; did you mean FEMALE?`},
		{name: "far off", in: "xyz", o: Options{Enum: []string{"MALE", "FEMALE", "OTHER"}},
			err: `"xyz" is not one of MALE, FEMALE, OTHER`},
		{name: "bad mapping", in: "Nam", o: Options{Map: map[string]string{"Nam": "MAN"}, Enum: []string{"MALE"}},
			err: `"Nam" is mapped to "MAN", which is not one of MALE; fix the mapping`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Enum(Input{Text: tt.in}, tt.o)
			if tt.err != "" {
				requireErr(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestBool(t *testing.T) {
	yesNo := Options{Map: map[string]string{"Đã ký": "true", "Chưa ký": "false"}}
	tests := []struct {
		in   string
		o    Options
		want bool
		err  string
	}{
		{in: "TRUE", want: true},
		{in: "false", want: false},
		{in: "Yes", want: true},
		{in: "n", want: false},
		{in: "1", want: true},
		{in: "0", want: false},
		{in: "x", want: true},
		{in: "Có", want: true},
		{in: "co", want: true},
		{in: "CÓ", want: true},
		{in: "Không", want: false},
		{in: "khong", want: false},
		{in: "Đúng", want: true},
		{in: "dung", want: true},
		{in: "Sai", want: false},
		{in: " ", want: false},
		{in: "da ky", o: yesNo, want: true},
		{in: "Chưa ký", o: yesNo, want: false},
		{in: "maybe", err: `"maybe" is not a yes/no value; use TRUE/FALSE, Có/Không or 1/0`},
		{in: "??", o: yesNo, err: `"??" is not a yes/no value; use TRUE/FALSE, Có/Không or 1/0 (the mapping also accepts Chưa ký, Đã ký)`},
		{in: "Nam", o: gender, err: `"Nam" is mapped to "MALE", which is not true or false; fix the mapping`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Bool(Input{Text: tt.in}, tt.o)
			if tt.err != "" {
				requireErr(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestList(t *testing.T) {
	tests := []struct {
		name string
		in   string
		o    Options
		want []string
		err  string
	}{
		{name: "comma", in: "a, b ,c", want: []string{"a", "b", "c"}},
		{name: "semicolon and newline", in: "a;b\nc\r\nd", want: []string{"a", "b", "c", "d"}},
		{name: "drops empties", in: ",a,, ,b,", want: []string{"a", "b"}},
		{name: "custom separator", in: "a|b, c", o: Options{Separator: "|"}, want: []string{"a", "b, c"}},
		{name: "NFC", in: "Nu\u031b\u0303, Nam", want: []string{"Nữ", "Nam"}},
		{name: "blank", in: " , ", want: nil},
		{name: "map", in: "nu, nam", o: Options{Map: gender.Map}, want: []string{"FEMALE", "MALE"}},
		{name: "enum", in: "male, Nữ", o: gender, want: []string{"MALE", "FEMALE"}},
		{name: "enum error names the item", in: "male, Femal", o: gender,
			err: `"Femal" is not one of Khác, Nam, Nữ, MALE, FEMALE, OTHER; did you mean FEMALE?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := List(Input{Text: tt.in}, tt.o)
			if tt.err != "" {
				requireErr(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		err  string
	}{
		{name: "zero", o: Options{}},
		{name: "gender", o: gender},
		{name: "locale", o: Options{Locale: "vi-VN"}},
		{name: "bad locale", o: Options{Locale: "fr"}, err: `unknown number locale "fr": use vi (1.000.000,50), en (1,000,000.50) or auto`},
		{name: "bad region", o: Options{Region: "XX"}, err: `unknown phone region "XX": use a two-letter country code such as VN`},
		{name: "folded conflict", o: Options{Map: map[string]string{"Nữ": "FEMALE", "nu": "OTHER"}},
			err: `map keys "Nữ" and "nu" are the same ignoring case and accents but map to "FEMALE" and "OTHER"`},
		{name: "outside enum", o: Options{Map: map[string]string{"Nam": "MAN"}, Enum: []string{"MALE"}},
			err: `map sends "Nam" to "MAN", which is not one of MALE`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.o.Check()
			if tt.err == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tt.err)
		})
	}
}

func TestErrorTruncatesLongValues(t *testing.T) {
	long := "Đây là một đoạn văn bản rất dài không phải là ngày tháng gì cả, thật sự rất dài"
	_, err := Date(Input{Text: long}, Options{})
	require.Error(t, err)
	var e *Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, long, e.Value)
	require.Contains(t, err.Error(), "…\" is not a date")
}
