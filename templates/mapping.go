package templates

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/oplabatch/oplabatch/mapping"
	"github.com/oplabatch/oplabatch/opla"
)

// MappingOptions tune Plan.Mapping.
type MappingOptions struct {
	FileName    string // the template's file name, for the comments
	MappingName string // the mapping's own file name, for the comments
}

// Mapping returns the mapping that imports the filled template as it is. It is checked
// against the profile before it is returned.
func (pl *Plan) Mapping(p *opla.Profile, o MappingOptions) ([]byte, error) {
	var b bytes.Buffer
	file := nameOr(o.FileName, "TEMPLATE.xlsx")
	self := nameOr(o.MappingName, "MAPPING.yaml")
	fmt.Fprintf(&b, "# Imports the %s template %s as it is (made by oplabatch template %s", pl.Entity, file, pl.Entity)
	if pl.Lang != LangEN {
		fmt.Fprintf(&b, " --lang %s", pl.Lang)
	}
	b.WriteString(").\n")
	fmt.Fprintf(&b, "#   oplabatch validate -m %s %s          # offline check\n", self, file)
	fmt.Fprintf(&b, "#   oplabatch import --dry-run -m %s %s  # everything but the writes\n", self, file)
	fmt.Fprintf(&b, "#   oplabatch import -m %s %s\n", self, file)
	b.WriteString("# Edit it freely: samples/migration/mappings/ explains every key.\n")
	fmt.Fprintf(&b, "description: %s\n", quote(fmt.Sprintf("OplaCRM %s template", pl.Entity)))
	fmt.Fprintf(&b, "entity: %s\n", pl.Entity)
	b.WriteString("mode: upsert              # new codes are created, known ones updated\n")
	fmt.Fprintf(&b, "key: %s\n", pl.Key)
	fmt.Fprintf(&b, "sheet: %s\n", quote(pl.Sheet))
	if slices.ContainsFunc(pl.Columns, func(c *Column) bool { return c.Kind == KindPhone }) {
		b.WriteString("phone_region: VN          # phones without +country code are Vietnamese\n")
	}
	b.WriteString("columns:\n")
	for _, c := range pl.Columns {
		pl.writeRule(&b, c)
	}
	data := b.Bytes()
	if _, err := mapping.Parse(data, self, p); err != nil {
		return nil, fmt.Errorf("templates: the generated mapping for %s does not parse: %w", pl.Entity, err)
	}
	return data, nil
}

func (pl *Plan) writeRule(b *bytes.Buffer, c *Column) {
	var opts []string
	if c.Required && c.Field.Name != pl.Key {
		opts = append(opts, "required: true")
	}
	if c.Ref != "" {
		opts = append(opts, "ref: "+c.Ref)
	}
	if c.Separator != "" {
		opts = append(opts, "separator: "+quote(c.Separator))
	}
	if c.Kind == KindDate {
		opts = append(opts, "formats: "+flowList(DateLayouts))
	}
	if len(c.Map) > 0 {
		var pairs []string
		for _, shown := range c.Choices {
			if v, ok := c.Map[shown]; ok {
				pairs = append(pairs, quote(shown)+": "+quote(v))
			}
		}
		opts = append(opts, "map: {"+strings.Join(pairs, ", ")+"}")
	}
	note := ruleNote(c)
	if len(opts) == 0 {
		line := fmt.Sprintf("  %s: %s", quote(c.Header), c.Field.Name)
		b.WriteString(padComment(line, note))
		return
	}
	b.WriteString(padComment(fmt.Sprintf("  %s:", quote(c.Header)), note))
	fmt.Fprintf(b, "    field: %s\n", c.Field.Name)
	for _, o := range opts {
		fmt.Fprintf(b, "    %s\n", o)
	}
}

// ruleNote is the comment beside a rule: how the cell is read, in a few words.
func ruleNote(c *Column) string {
	var parts []string
	switch c.Ref {
	case "employees.email":
		if c.Field.Ref == "employees.email" {
			parts = append(parts, "an employee's e-mail")
		} else {
			parts = append(parts, "an employee's e-mail; OplaCRM gets the employee's code")
		}
	case "employees":
		parts = append(parts, "an employee's code")
	case "industries.name":
		parts = append(parts, "an industry by name; OplaCRM gets its id")
	case "sources.name":
		parts = append(parts, "a source by name")
	case "lead-statuses.name":
		parts = append(parts, "a lead status by name")
	case "sales-processes.name":
		parts = append(parts, "a sales process by name")
	case "sales-process-stages.name":
		parts = append(parts, "a stage of the row's sales process")
	case "accounts":
		parts = append(parts, "must exist in OplaCRM or earlier in the import")
	case "contacts":
		parts = append(parts, "contact codes, comma-separated")
	}
	switch c.Kind {
	case KindEnum:
		parts = append(parts, "one of "+strings.Join(c.Field.Enum, ", "))
	case KindDate:
		parts = append(parts, "dd/mm/yyyy, ISO or an Excel date")
	case KindPhone:
		parts = append(parts, "becomes {phone, call_code, country_code, country_name}")
	case KindBool:
		parts = append(parts, "yes/no: TRUE/FALSE, Có/Không, 1/0")
	}
	if c.UpdateOnly {
		parts = append(parts, "used on update only")
	}
	return strings.Join(parts, "; ")
}

func padComment(line, note string) string {
	if note == "" {
		return line + "\n"
	}
	pad := 40 - len([]rune(line))
	if pad < 2 {
		pad = 2
	}
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

func flowList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
