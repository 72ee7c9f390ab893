package exporter

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// The exporter decodes records into ordered values so that the default columns follow the
// API's own key order ("union of keys in order of first appearance"); encoding/json's maps
// would give a random order. The input is a json.RawMessage that encoding/json has already
// checked, so the decoder below is small and fast rather than a validator.

// object is a JSON object with its keys in document order.
type object struct {
	keys []string
	vals []any
}

// get returns the value of key and whether it is present.
func (o *object) get(key string) (any, bool) {
	for i, k := range o.keys {
		if k == key {
			return o.vals[i], true
		}
	}
	return nil, false
}

// str returns the value of key as text ("" when absent, null or not a scalar).
func (o *object) str(key string) string {
	v, _ := o.get(key)
	return scalarText(v)
}

// number is a JSON number kept as its literal digits, so nothing is lost to float rounding.
type number string

// decodeJSON decodes one JSON value into nil, bool, number, string, []any or *object.
func decodeJSON(data []byte) (any, error) {
	d := decoder{data: data}
	d.space()
	v, err := d.value()
	if err != nil {
		return nil, err
	}
	d.space()
	if d.i != len(d.data) {
		return nil, d.fail("unexpected data after the value")
	}
	return v, nil
}

type decoder struct {
	data []byte
	i    int
}

var errUnexpectedEnd = errors.New("unexpected end of JSON input")

func (d *decoder) fail(msg string) error {
	return fmt.Errorf("JSON at offset %d: %s", d.i, msg)
}

func (d *decoder) space() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *decoder) value() (any, error) {
	if d.i >= len(d.data) {
		return nil, errUnexpectedEnd
	}
	switch c := d.data[d.i]; {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		return d.string()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		start := d.i
		d.i++
		for d.i < len(d.data) {
			c := d.data[d.i]
			if (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-' {
				d.i++
				continue
			}
			break
		}
		return number(d.data[start:d.i]), nil
	}
	return nil, d.fail(fmt.Sprintf("unexpected character %q", d.data[d.i]))
}

func (d *decoder) literal(s string) error {
	if len(d.data)-d.i < len(s) || string(d.data[d.i:d.i+len(s)]) != s {
		return d.fail("invalid literal")
	}
	d.i += len(s)
	return nil
}

func (d *decoder) string() (string, error) {
	start := d.i
	d.i++ // opening quote
	escaped := false
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case '\\':
			escaped = true
			d.i += 2
			continue
		case '"':
			d.i++
			raw := d.data[start:d.i]
			if !escaped {
				s := string(raw[1 : len(raw)-1])
				if !utf8.ValidString(s) { // let encoding/json replace invalid bytes as it does
					escaped = true
				} else {
					return s, nil
				}
			}
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return "", d.fail(err.Error())
			}
			return s, nil
		}
		d.i++
	}
	return "", errUnexpectedEnd
}

func (d *decoder) object() (*object, error) {
	d.i++ // {
	o := &object{}
	d.space()
	if d.i < len(d.data) && d.data[d.i] == '}' {
		d.i++
		return o, nil
	}
	for {
		d.space()
		if d.i >= len(d.data) || d.data[d.i] != '"' {
			return nil, d.fail("want an object key")
		}
		k, err := d.string()
		if err != nil {
			return nil, err
		}
		d.space()
		if d.i >= len(d.data) || d.data[d.i] != ':' {
			return nil, d.fail("want ':'")
		}
		d.i++
		d.space()
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		o.keys = append(o.keys, k)
		o.vals = append(o.vals, v)
		d.space()
		if d.i >= len(d.data) {
			return nil, errUnexpectedEnd
		}
		switch d.data[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			return o, nil
		default:
			return nil, d.fail("want ',' or '}'")
		}
	}
}

func (d *decoder) array() ([]any, error) {
	d.i++ // [
	out := []any{}
	d.space()
	if d.i < len(d.data) && d.data[d.i] == ']' {
		d.i++
		return out, nil
	}
	for {
		d.space()
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		d.space()
		if d.i >= len(d.data) {
			return nil, errUnexpectedEnd
		}
		switch d.data[d.i] {
		case ',':
			d.i++
		case ']':
			d.i++
			return out, nil
		default:
			return nil, d.fail("want ',' or ']'")
		}
	}
}

// scalarText renders a scalar as text: strings as they are, numbers as their digits,
// booleans as TRUE/FALSE (as Excel shows them), null and containers as "".
func scalarText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case number:
		return string(v)
	case bool:
		if v {
			return "TRUE"
		}
		return "FALSE"
	}
	return ""
}

// compactJSON renders a decoded value back as compact JSON (for values that have no
// column of their own, e.g. a list nested inside a child row).
func compactJSON(v any) string {
	b := appendJSON(nil, v)
	return string(b)
}

func appendJSON(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, v)
	case number:
		return append(b, v...)
	case string:
		q, _ := json.Marshal(v)
		return append(b, q...)
	case []any:
		b = append(b, '[')
		for i, x := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, x)
		}
		return append(b, ']')
	case *object:
		b = append(b, '{')
		for i, k := range v.keys {
			if i > 0 {
				b = append(b, ',')
			}
			q, _ := json.Marshal(k)
			b = append(b, q...)
			b = append(b, ':')
			b = appendJSON(b, v.vals[i])
		}
		return append(b, '}')
	}
	return b
}
