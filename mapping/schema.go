package mapping

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/oplabatch/oplabatch/opla"
)

// Schema is what a mapping may target for one entity: the union of the fields its create,
// update and upsert operations accept, as the API profile documents them.
type Schema struct {
	Entity string
	Key    string
	Fields map[string]opla.Field
	Order  []string // field names in the create operation's order, then the others
	entity *opla.Entity
}

// Importable lists the entities a mapping can load, in dependency order.
var Importable = []string{"employees", "sites", "buyer-groups", "suppliers", "unit-of-measures", "products", "accounts", "contacts", "leads", "opportunities"}

// SchemaFor builds the schema of an importable entity from the profile.
func SchemaFor(p *opla.Profile, entity string) (*Schema, error) {
	if !slices.Contains(Importable, entity) {
		names := slices.Clone(Importable)
		sort.Strings(names)
		return nil, fmt.Errorf("entity %q cannot be imported (importable: %v)", entity, names)
	}
	e, err := p.Entity(entity)
	if err != nil {
		return nil, err
	}
	s := &Schema{Entity: entity, Key: e.Key, Fields: map[string]opla.Field{}, entity: e}
	if s.Key == "" {
		s.Key = "external_id"
	}
	for _, opName := range []string{e.Create, e.Upsert, e.Update} {
		if opName == "" {
			continue
		}
		op, err := p.Op(opName)
		if err != nil {
			return nil, err
		}
		for _, f := range op.Body {
			if _, seen := s.Fields[f.Name]; seen {
				continue
			}
			s.Fields[f.Name] = f
			s.Order = append(s.Order, f.Name)
		}
	}
	return s, nil
}

// ProfileEntity returns the profile's entity entry (its operations).
func (s *Schema) ProfileEntity() *opla.Entity { return s.entity }

// FieldNames lists the schema's fields in order.
func (s *Schema) FieldNames() []string { return slices.Clone(s.Order) }

// Singular names one record of an entity in a sentence: "contact", "opportunity",
// "unit of measure".
func Singular(entity string) string {
	switch entity {
	case "opportunities":
		return "opportunity"
	case "unit-of-measures":
		return "unit of measure"
	case "buyer-groups":
		return "buyer group"
	}
	return strings.TrimSuffix(entity, "s")
}
