package opla

import (
	_ "embed"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed profile.yaml
var defaultProfileYAML []byte

// Field types a profile may declare.
const (
	TypeString       = "string"
	TypeNumber       = "number"
	TypeBoolean      = "boolean"
	TypeObject       = "object"
	TypeStringArray  = "string[]"
	TypeObjectArray  = "object[]"
	TypeStringObject = "string|object"
)

var validTypes = []string{TypeString, TypeNumber, TypeBoolean, TypeObject, TypeStringArray, TypeObjectArray, TypeStringObject}

// Field is one key of a request body, as the vendor page documents it, plus the hints
// oplabatch needs to fill it from a spreadsheet (Format, Ref, Shape).
type Field struct {
	Name     string   `yaml:"name"`
	Type     string   `yaml:"type"`
	Required bool     `yaml:"required"`
	Nullable bool     `yaml:"nullable"`
	NonEmpty bool     `yaml:"non_empty"`
	Enum     []string `yaml:"enum"`
	Default  any      `yaml:"default"`
	Format   string   `yaml:"format"`
	Ref      string   `yaml:"ref"`
	Shape    string   `yaml:"shape"`
}

// Operation is one route of the API.
type Operation struct {
	Name      string   `yaml:"-"`
	Title     string   `yaml:"title"`
	Method    string   `yaml:"method"`
	Path      string   `yaml:"path"`
	Confirmed bool     `yaml:"confirmed"`
	Query     []string `yaml:"query"`
	MaxTake   int      `yaml:"max_take"`
	Body      []Field  `yaml:"body"`
}

// Entity names the operations that read and write one kind of record.
type Entity struct {
	Name          string `yaml:"-"`
	Key           string `yaml:"key"`
	Create        string `yaml:"create"`
	Update        string `yaml:"update"`
	UpdateBy      string `yaml:"update_by"`
	Upsert        string `yaml:"upsert"`
	Get           string `yaml:"get"`
	List          string `yaml:"list"`
	ListKeyFilter string `yaml:"list_key_filter"`
}

// Profile is the route table and request schemas of the API. The client and the
// emulator read the same profile, so a wrong guess about a route is fixed in one file.
type Profile struct {
	BaseURL    string                `yaml:"base_url"`
	Shapes     map[string][]Field    `yaml:"shapes"`
	Entities   map[string]*Entity    `yaml:"entities"`
	Operations map[string]*Operation `yaml:"operations"`
	Source     string                `yaml:"-"`
}

// DefaultProfile returns the embedded profile. It panics only if the embedded file is
// broken, which the package tests rule out.
func DefaultProfile() *Profile {
	p, err := ParseProfile(defaultProfileYAML, "embedded profile.yaml")
	if err != nil {
		panic(err)
	}
	return p
}

// DefaultProfileYAML returns the embedded profile's text, e.g. to write it out for editing.
func DefaultProfileYAML() []byte { return slices.Clone(defaultProfileYAML) }

// LoadProfile reads a profile from a file (the --api-profile flag).
func LoadProfile(path string) (*Profile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read API profile: %w", err)
	}
	defer f.Close()
	const limit = 4 << 20 // the built-in profile is 25 KB
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read API profile: %w", err)
	}
	if len(data) > limit {
		return nil, fmt.Errorf("API profile %s is larger than 4 MB; is it the right file?", path)
	}
	return ParseProfile(data, path)
}

// ParseProfile parses and checks a profile; name is used in error messages.
func ParseProfile(data []byte, name string) (*Profile, error) {
	var p Profile
	if err := yaml.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("API profile %s: %w", name, err)
	}
	p.Source = name
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("API profile %s: %w", name, err)
	}
	return &p, nil
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

func (p *Profile) check() error {
	if len(p.Operations) == 0 {
		return fmt.Errorf("no operations")
	}
	checkFields := func(where string, fields []Field) error {
		for _, f := range fields {
			if f.Name == "" {
				return fmt.Errorf("%s: a field has no name", where)
			}
			if !slices.Contains(validTypes, f.Type) {
				return fmt.Errorf("%s: field %s: unknown type %q (want one of %s)", where, f.Name, f.Type, strings.Join(validTypes, ", "))
			}
			if f.Shape != "" {
				if _, ok := p.Shapes[f.Shape]; !ok {
					return fmt.Errorf("%s: field %s: unknown shape %q", where, f.Name, f.Shape)
				}
			}
		}
		return nil
	}
	for name, fields := range p.Shapes {
		if err := checkFields("shape "+name, fields); err != nil {
			return err
		}
	}
	for name, op := range p.Operations {
		op.Name = name
		if op.Method == "" || !strings.HasPrefix(op.Path, "/") {
			return fmt.Errorf("operation %s: needs a method and a path starting with /", name)
		}
		op.Method = strings.ToUpper(op.Method)
		if err := checkFields("operation "+name, op.Body); err != nil {
			return err
		}
	}
	for name, e := range p.Entities {
		e.Name = name
		for _, ref := range []string{e.Create, e.Update, e.Upsert, e.Get, e.List} {
			if ref == "" {
				continue
			}
			if _, ok := p.Operations[ref]; !ok {
				return fmt.Errorf("entity %s names operation %q, which the profile does not define", name, ref)
			}
		}
	}
	return nil
}

// Op returns the named operation.
func (p *Profile) Op(name string) (*Operation, error) {
	op, ok := p.Operations[name]
	if !ok {
		return nil, fmt.Errorf("the API profile has no operation %q", name)
	}
	return op, nil
}

// Entity returns the named entity.
func (p *Profile) Entity(name string) (*Entity, error) {
	e, ok := p.Entities[name]
	if !ok {
		return nil, fmt.Errorf("unknown entity %q (known: %s)", name, strings.Join(p.EntityNames(), ", "))
	}
	return e, nil
}

// EntityNames lists the profile's entities, sorted.
func (p *Profile) EntityNames() []string {
	names := make([]string, 0, len(p.Entities))
	for n := range p.Entities {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// OperationNames lists the profile's operations, sorted.
func (p *Profile) OperationNames() []string {
	names := make([]string, 0, len(p.Operations))
	for n := range p.Operations {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// PathParams lists the operation's path parameters in order.
func (o *Operation) PathParams() []string {
	var out []string
	for _, m := range pathParam.FindAllStringSubmatch(o.Path, -1) {
		out = append(out, m[1])
	}
	return out
}

// Field returns the body field with the given name.
func (o *Operation) Field(name string) (Field, bool) {
	for _, f := range o.Body {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Pattern is "METHOD /path/{param}", the key used in request counters and errors.
func (o *Operation) Pattern() string { return o.Method + " " + o.Path }
