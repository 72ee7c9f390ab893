package oplatest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oplabatch/oplabatch/opla"
)

// object is a decoded JSON object that remembers its key order, so validation messages
// come out in the order NestJS gives them.
type object struct {
	keys []string
	vals map[string]any
}

// decodeBody parses a request body. An empty body is an empty object, as Express gives.
// On a syntax error it returns the message Node's JSON.parse would give, and no value.
func decodeBody(data []byte) (any, string) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return &object{vals: map[string]any{}}, ""
	}
	var probe any
	if err := json.Unmarshal(data, &probe); err != nil {
		var se *json.SyntaxError
		switch {
		case !errors.As(err, &se):
			return nil, "Unexpected number in JSON" // e.g. 1e400: valid syntax, no float64
		case se.Offset > 0 && se.Offset <= int64(len(data)) && !strings.Contains(se.Error(), "unexpected end"):
			pos := se.Offset - 1
			r := []rune(string(data[pos:]))
			return nil, fmt.Sprintf("Unexpected token %c in JSON at position %d", r[0], pos)
		}
		return nil, "Unexpected end of JSON input"
	}
	v, err := decodeValue(json.NewDecoder(bytes.NewReader(data)))
	if err != nil {
		return nil, "Unexpected end of JSON input"
	}
	return v, ""
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return tok, nil // string, float64, bool or nil
	}
	switch d {
	case '{':
		o := &object{vals: map[string]any{}}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			k, _ := kt.(string)
			v, err := decodeValue(dec)
			if err != nil {
				return nil, err
			}
			if _, dup := o.vals[k]; !dup {
				o.keys = append(o.keys, k)
			}
			o.vals[k] = v
		}
		_, err := dec.Token()
		return o, err
	case '[':
		arr := []any{}
		for dec.More() {
			v, err := decodeValue(dec)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		_, err := dec.Token()
		return arr, err
	}
	return nil, fmt.Errorf("unexpected %v", d)
}

// plain turns decoded values into ordinary JSON-shaped Go values.
func plain(v any) any {
	switch v := v.(type) {
	case *object:
		m := make(map[string]any, len(v.vals))
		for k, x := range v.vals {
			m[k] = plain(x)
		}
		return m
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = plain(x)
		}
		return out
	}
	return v
}

// validator checks bodies against profile fields the way NestJS's ValidationPipe with
// whitelist and forbidNonWhitelisted does.
type validator struct{ shapes map[string][]opla.Field }

// object validates o against fields; prefix is "" at the top and "custom_fields.0." below.
func (v *validator) object(fields []opla.Field, o *object, prefix string, optionalKeys bool) []string {
	var msgs []string
	for _, k := range o.keys {
		if !slices.ContainsFunc(fields, func(f opla.Field) bool { return f.Name == k }) {
			msgs = append(msgs, prefix+"property "+k+" should not exist")
		}
	}
	for _, f := range fields {
		val, present := o.vals[f.Name]
		required := f.Required && !optionalKeys
		if !present || val == nil {
			if required && !(present && f.Nullable) {
				msgs = append(msgs, prefix+f.Name+" should not be empty")
			}
			continue
		}
		msgs = append(msgs, v.value(f, val, prefix)...)
	}
	return msgs
}

func (v *validator) value(f opla.Field, val any, prefix string) []string {
	name := prefix + f.Name
	switch f.Type {
	case opla.TypeString:
		s, ok := val.(string)
		if !ok {
			return []string{name + " must be a string"}
		}
		var msgs []string
		if len(f.Enum) > 0 && !slices.Contains(f.Enum, s) {
			msgs = append(msgs, enumMessage(name, f.Enum))
		}
		if f.NonEmpty && s == "" {
			msgs = append(msgs, name+" should not be empty")
		}
		if (f.Format == "date" || f.Format == "datetime") && s != "" && !isISODate(s) {
			msgs = append(msgs, name+" must be a valid ISO 8601 date string")
		}
		return msgs
	case opla.TypeNumber:
		n, ok := val.(float64)
		if !ok {
			return []string{name + " must be a number"}
		}
		if len(f.Enum) > 0 && !slices.Contains(f.Enum, strconv.FormatFloat(n, 'f', -1, 64)) {
			return []string{enumMessage(name, f.Enum)}
		}
	case opla.TypeBoolean:
		if _, ok := val.(bool); !ok {
			return []string{name + " must be a boolean value"}
		}
	case opla.TypeObject:
		o, ok := val.(*object)
		if !ok {
			return []string{name + " must be an object"}
		}
		if f.Shape != "" {
			// Phone objects may be {} (no phone): their keys are all optional.
			return v.object(v.shapes[f.Shape], o, name+".", f.Shape == "phone")
		}
	case opla.TypeStringObject:
		switch val.(type) {
		case string, *object:
		default:
			return []string{name + " must be a string or an object"}
		}
	case opla.TypeStringArray:
		arr, ok := val.([]any)
		if !ok {
			return []string{name + " must be an array"}
		}
		for _, x := range arr {
			if _, ok := x.(string); !ok {
				return []string{"each value in " + name + " must be a string"}
			}
		}
	case opla.TypeObjectArray:
		arr, ok := val.([]any)
		if !ok {
			return []string{name + " must be an array"}
		}
		var msgs []string
		for i, x := range arr {
			o, ok := x.(*object)
			if !ok {
				return []string{"each value in " + name + " must be an object"}
			}
			if f.Shape != "" {
				msgs = append(msgs, v.object(v.shapes[f.Shape], o, fmt.Sprintf("%s.%d.", name, i), f.Shape == "phone")...)
			}
		}
		return msgs
	}
	return nil
}

func enumMessage(name string, enum []string) string {
	return name + " must be one of the following values: " + strings.Join(enum, ", ")
}

// isISODate accepts the ISO 8601 forms a date column takes: a date, or a date and time
// with or without fractions and zone.
func isISODate(s string) bool {
	for _, layout := range []string{"2006-01-02", time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}
