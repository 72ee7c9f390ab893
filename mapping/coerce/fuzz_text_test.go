package coerce

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"
)

// The coercers fuzz_test.go does not cover: String, Email, Enum, Bool, List,
// Fold, Closest and DetectLocale. Each must answer a value or an *Error
// whose sentence starts with the quoted value; none may panic.
//
//	go test -run x -fuzz FuzzTextCoercers -fuzztime 2m ./mapping/coerce/

var textSeeds = []string{
	"", " ", "\u00a0An\u200b ", "Nguyễn Văn An", "Nguye\u0303n", "NỮ", "nu", "Nam giới", "in progress", "IN-PROGRESS",
	"a@b.c", "An@Example.VN", "mailto:an@x.vn", "An <an@x.vn>", "a@b@c", "a@b.c; d@e.f", "a b@c.d", "a@.c", "@", "\"a b\"@c.d",
	"TRUE", "có", "Không", "x", "✓", "1", "0", "yes", "ko", "a,b;c\nd\r\ne", ",,;;", "|", "1.000.000", "1,000.50", "12,5",
	"\xff\xfe", "\x00", "İ", "ẞ", "ǅ", "\u0345", "ﬃ", strings.Repeat("á", 70),
}

func FuzzTextCoercers(f *testing.F) {
	for i, s := range textSeeds {
		f.Add(s, textSeeds[(i+7)%len(textSeeds)], "|")
	}
	enum := []string{"MALE", "FEMALE", "OTHER", "IN_PROGRESS", "Đã chốt"}
	f.Fuzz(func(t *testing.T, s, key, sep string) {
		in := Input{Text: s}
		maps := []map[string]string{nil, {key: "FEMALE", "Nam": "MALE"}, {key: "true", "Chưa": "false"}}

		// String: trimmed NFC text; coercing it again changes nothing.
		for _, m := range maps {
			v, err := String(in, Options{Map: m})
			require.NoError(t, err)
			if m == nil && utf8.ValidString(s) {
				require.True(t, norm.NFC.IsNormalString(v), "%q", v)
				again, _ := String(Input{Text: v}, Options{})
				require.Equal(t, v, again)
			}
		}

		// Email: an accepted address is accepted again unchanged.
		if v, err := Email(in, Options{}); err != nil {
			checkValueError(t, err)
		} else if v != "" {
			again, err := Email(Input{Text: v}, Options{})
			require.NoError(t, err, "%q gave %q", s, v)
			require.Equal(t, v, again)
			require.Equal(t, 1, strings.Count(v, "@"), "%q gave %q", s, v)
		}

		// Enum: the answer is one of the allowed values, or an error.
		for _, m := range maps[:2] {
			for _, allowed := range [][]string{nil, enum} {
				v, err := Enum(in, Options{Map: m, Enum: allowed})
				if err != nil {
					checkValueError(t, err)
					continue
				}
				switch {
				case v == "":
				case len(allowed) > 0:
					require.Contains(t, allowed, v)
				case len(m) > 0:
					require.Contains(t, mapValues(m), v)
				}
			}
		}

		// Bool: the answer reads back as itself.
		for _, m := range append(maps[:1:1], maps[2]) {
			b, err := Bool(in, Options{Map: m})
			if err != nil {
				checkValueError(t, err)
				continue
			}
			if clean(s) != "" {
				again, err := Bool(Input{Text: strconv.FormatBool(b)}, Options{})
				require.NoError(t, err)
				require.Equal(t, b, again)
			}
		}

		// List: non-empty trimmed items; with an enum, allowed values only.
		for _, allowed := range [][]string{nil, enum} {
			items, err := List(in, Options{Separator: sep, Enum: allowed})
			if err != nil {
				checkValueError(t, err)
				continue
			}
			for _, it := range items {
				require.NotEmpty(t, it)
				if len(allowed) > 0 {
					require.Contains(t, allowed, it)
				} else if utf8.ValidString(it) {
					require.Equal(t, clean(it), it)
				}
			}
		}

		// Fold is a key: folding a key again gives the same key. Only for valid UTF-8,
		// which is all Fold ever sees: the readers refuse invalid cells and YAML is
		// UTF-8 (testdata/fuzz/FuzzTextCoercers/266f81194d2f38e2: after an invalid
		// byte, NFD leaves the next character composed).
		if f1 := Fold(s); utf8.ValidString(s) {
			require.Equal(t, f1, Fold(f1), "Fold(%q)", s)
		}

		// Closest: at most n candidates, each one of those offered.
		cands := []string{key, sep, "Nữ", "MALE", s + "x"}
		for _, n := range []int{0, 1, 3} {
			got := Closest(s, cands, n)
			require.LessOrEqual(t, len(got), n)
			for _, g := range got {
				require.True(t, slices.Contains(cands, g))
			}
		}

		require.Contains(t, []string{"", "vi", "en"}, DetectLocale([]string{s, key, sep}))
		_ = Options{Map: map[string]string{s: key, key: s}, Enum: enum, Locale: sep, Region: key}.Check()
	})
}

// checkValueError requires a *Error whose sentence starts with the value.
func checkValueError(t *testing.T, err error) {
	t.Helper()
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("%T %v is not a *coerce.Error", err, err)
	}
	require.NotEmpty(t, ce.Msg)
	require.True(t, strings.HasPrefix(err.Error(), `"`), "%q", err.Error())
}
