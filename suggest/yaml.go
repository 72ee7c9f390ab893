package suggest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/oplabatch/oplabatch/mapping"
)

// lowConfidence marks guesses a person should look at twice.
const lowConfidence = 0.8

// YAML renders the suggestion as a mapping file, with a comment on every guess.
func (s *Suggestion) YAML() []byte {
	var b bytes.Buffer
	where := s.Source
	if where == "" {
		where = "a sheet"
	}
	if s.Sheet != "" {
		where += fmt.Sprintf(" (sheet %q)", s.Sheet)
	}
	fmt.Fprintf(&b, "# Draft mapping for %s, suggested by oplabatch mapping suggest from %s,\n", s.Entity, where)
	fmt.Fprintf(&b, "# after looking at the header and the first %d rows. Each guess says how sure it is;\n", s.Rows)
	b.WriteString("# read the lines marked \"check\" and TODO, then try it offline and without writing:\n")
	b.WriteString("#   oplabatch validate -m MAPPING.yaml FILE\n")
	b.WriteString("#   oplabatch import --dry-run -m MAPPING.yaml FILE\n")
	fmt.Fprintf(&b, "entity: %s\n", s.Entity)
	b.WriteString("mode: upsert              # create new records, update those whose key exists\n")
	fmt.Fprintf(&b, "key: %s\n", s.Key)
	if s.Sheet != "" {
		fmt.Fprintf(&b, "sheet: %s\n", quote(s.Sheet))
	}
	b.WriteString("columns:\n")
	if !s.fills(s.Key) {
		fmt.Fprintf(&b, "  # TODO: no column looks like the key %s, the code that identifies each row's record;\n", s.Key)
		fmt.Fprintf(&b, "  # add one, e.g.  \"Mã\": %s\n", s.Key)
	}
	for _, m := range s.Matches {
		writeMatch(&b, m)
	}
	for _, u := range s.Unmatched {
		if u.Custom {
			fmt.Fprintf(&b, "  # %s: %s\n", quote(u.Header), quote("custom_fields."+u.Header))
			writeWrapped(&b, "  #   ", "unmatched: "+u.Note)
		}
	}
	var plain []Unmatched
	for _, u := range s.Unmatched {
		if !u.Custom {
			plain = append(plain, u)
		}
	}
	if len(plain) > 0 {
		b.WriteString("# Headers left out (ignored on import):\n")
		for _, u := range plain {
			fmt.Fprintf(&b, "#   %s: %s\n", quote(u.Header), u.Note)
		}
	}
	if len(s.Missing) > 0 {
		fmt.Fprintf(&b, "# TODO: a %s needs these fields, but no column fills them: %s.\n", mapping.Singular(s.Entity), strings.Join(s.Missing, ", "))
		b.WriteString("#   Add a column for each (or a constant under defaults:), or rows will fail or be incomplete.\n")
	}
	if len(s.Blank) > 0 {
		b.WriteString("# Fields no column fills, sent empty (the API wants them present):\n")
		writeWrapped(&b, "#   ", strings.Join(s.Blank, ", "))
	}
	return b.Bytes()
}

func (s *Suggestion) fills(field string) bool {
	for _, m := range s.Matches {
		if m.Field == field {
			return true
		}
	}
	return false
}

func writeMatch(b *bytes.Buffer, m *Match) {
	pct := int(math.Round(m.Confidence * 100))
	note := fmt.Sprintf("%d%%: %s", pct, m.Reason)
	if m.Confidence < lowConfidence {
		note += "; check"
	}
	var opts []string
	if m.Required {
		opts = append(opts, "required: true")
	}
	if m.Ref != "" {
		opts = append(opts, "ref: "+m.Ref)
	}
	if m.Separator != "" {
		opts = append(opts, "separator: "+quote(m.Separator))
	}
	if len(m.Formats) > 0 {
		q := make([]string, len(m.Formats))
		for i, f := range m.Formats {
			q[i] = quote(f)
		}
		opts = append(opts, "formats: ["+strings.Join(q, ", ")+"]")
	}
	if m.Locale != "" {
		opts = append(opts, "locale: "+m.Locale)
	}
	if len(m.Map) > 0 {
		pairs := make([]string, 0, len(m.MapKeys))
		for _, k := range m.MapKeys {
			pairs = append(pairs, quote(k)+": "+quote(m.Map[k]))
		}
		opts = append(opts, "map: {"+strings.Join(pairs, ", ")+"}")
	}
	if len(opts) == 0 {
		b.WriteString(padComment(fmt.Sprintf("  %s: %s", quote(m.Header), m.Field), note))
	} else {
		b.WriteString(padComment(fmt.Sprintf("  %s:", quote(m.Header)), note))
		fmt.Fprintf(b, "    field: %s\n", m.Field)
		for _, o := range opts {
			fmt.Fprintf(b, "    %s\n", o)
		}
	}
	for _, n := range m.Notes {
		writeWrapped(b, "    # ", n)
	}
	for _, t := range m.TODO {
		writeWrapped(b, "    # TODO: ", t)
	}
}

// writeWrapped writes a comment, wrapped at about 100 characters, every line prefixed.
func writeWrapped(b *bytes.Buffer, prefix, text string) {
	cont := strings.Repeat(" ", utf8.RuneCountInString(prefix)-utf8.RuneCountInString(strings.TrimLeft(prefix, " "))) + "#   "
	line := prefix
	width := utf8.RuneCountInString(prefix)
	empty := true
	for _, w := range strings.Fields(strings.ReplaceAll(text, "\n", " ")) {
		n := utf8.RuneCountInString(w)
		if !empty && width+1+n > 100 {
			b.WriteString(line + "\n")
			line, width, empty = cont, utf8.RuneCountInString(cont), true
		}
		if !empty {
			line += " "
			width++
		}
		line += w
		width += n
		empty = false
	}
	b.WriteString(line + "\n")
}

func padComment(line, note string) string {
	if note == "" {
		return line + "\n"
	}
	pad := max(40-utf8.RuneCountInString(line), 2)
	return line + strings.Repeat(" ", pad) + "# " + note + "\n"
}

// quote writes s as a YAML double-quoted scalar (JSON's string syntax is a subset).
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}
