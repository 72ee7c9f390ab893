package exporter

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/oplabatch/oplabatch/opla"
)

// entityInfo is what the exporter knows about one exportable entity beyond the API
// profile: how people name it, which keys identify a parent row on its child sheets,
// which nested lists are child sheets, which date field a --since/--until month filter
// reads by default, and the columns that lead the default layout.
type entityInfo struct {
	name      string   // command-line name: "opportunities"
	sheet     string   // main sheet name
	list      string   // default list operation when the profile's entity has none
	v1        string   // the "V1 Optimized" list operation (opportunities)
	parentKey []string // keys copied onto child rows as parent.<key>
	children  []string // top-level lists of objects that become child sheets
	dateField string   // default --date-field
	lead      []string // leading columns of the default layout, in order
}

// entities are the exportable entities, in the order the help text lists them.
var entities = []entityInfo{
	{name: "accounts", sheet: "Accounts", list: "accounts.list", parentKey: []string{"id", "external_id"},
		children: []string{"contributors"}, dateField: "created_at",
		lead: []string{"id", "external_id", "name", "long_name", "tax_identification_number", "email", "phone"}},
	{name: "contacts", sheet: "Contacts", list: "contacts.list", parentKey: []string{"id", "external_id"},
		dateField: "created_at",
		lead:      []string{"id", "external_id", "first_name", "last_name", "name", "email", "phone_work", "phone_other"}},
	{name: "leads", sheet: "Leads", list: "leads.list", parentKey: []string{"id", "external_id"},
		dateField: "created_at",
		lead:      []string{"id", "external_id", "name", "account_name", "contact_name", "email", "phone"}},
	{name: "opportunities", sheet: "Opportunities", list: "opportunities.list", v1: "opportunities.list_v1",
		parentKey: []string{"id", "short_id", "external_id"},
		children: []string{"stage_logs", "opportunities_products", "invoices", "users_opportunities",
			"accounts_opportunities", "contributors", "products"},
		dateField: "date_closed",
		lead: []string{"id", "short_id", "external_id", "name", "amount", "amount_usd_dollar", "stage_compact",
			"opportunity_process_stage.opportunity_stage.name", "date_open", "date_closed", "owner.email"}},
	{name: "employees", sheet: "Employees", list: "employees.list", parentKey: []string{"id", "external_id"},
		dateField: "created_at",
		lead:      []string{"id", "external_id", "first_name", "last_name", "full_name", "email"}},
	{name: "products", sheet: "Products", list: "products.list", parentKey: []string{"id", "external_id"},
		dateField: "created_at",
		lead:      []string{"id", "external_id", "name", "price"}},
	{name: "sources", sheet: "Sources", list: "accounts.sources", parentKey: []string{"id", "name"},
		dateField: "created_at", lead: []string{"id", "name"}},
	{name: "industries", sheet: "Industries", list: "accounts.industries", parentKey: []string{"id", "name"},
		dateField: "created_at", lead: []string{"id", "name"}},
	{name: "lead-statuses", sheet: "Lead statuses", list: "leads.status", parentKey: []string{"id", "name"},
		dateField: "created_at", lead: []string{"id", "name"}},
	{name: "sales-processes", sheet: "Sales processes", list: "sales-processes.list", parentKey: []string{"id", "name"},
		children: []string{"stages"}, dateField: "created_at",
		lead: []string{"id", "name", "is_active", "description"}},
}

// Entities lists the names `export` accepts.
func Entities() []string {
	out := make([]string, len(entities))
	for i, e := range entities {
		out[i] = e.name
	}
	return out
}

func lookupEntity(name string) (*entityInfo, error) {
	for i := range entities {
		if entities[i].name == name {
			return &entities[i], nil
		}
	}
	return nil, fmt.Errorf("cannot export %q: want one of %s", name, strings.Join(Entities(), ", "))
}

// listOp returns the list operation for an entity: the profile's entities.<name>.list
// (so --api-profile can move it), else the built-in default; v1 picks the V1 route.
func (e *entityInfo) listOp(p *opla.Profile, v1 bool) (*opla.Operation, error) {
	name := e.list
	if v1 {
		if e.v1 == "" {
			return nil, fmt.Errorf("--v1: %s has no V1 list route (only opportunities do)", e.name)
		}
		name = e.v1
	} else if pe, ok := p.Entities[e.name]; ok && pe.List != "" {
		name = pe.List
	}
	op, err := p.Op(name)
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", e.name, err)
	}
	return op, nil
}

// checkFilters checks --filter keys against the query parameters the list operation
// takes (skip and take are the exporter's own).
func checkFilters(op *opla.Operation, q url.Values) error {
	var allowed []string
	for _, name := range op.Query {
		if name != "skip" && name != "take" {
			allowed = append(allowed, name)
		}
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !slices.Contains(allowed, k) {
			if len(allowed) == 0 {
				return fmt.Errorf("--filter %s: %s (%s) takes no filters", k, op.Path, op.Name)
			}
			return fmt.Errorf("--filter %s: %s takes %s", k, op.Path, strings.Join(allowed, ", "))
		}
	}
	return nil
}

// fieldFormats collects, for every body field of the entity's operations, the format the
// profile gives it (date, datetime, phone …), so that a response key with the same name is
// typed the same way. Formats of nested shapes are keyed by "<shape-field>".
func fieldFormats(p *opla.Profile, entity string) map[string]string {
	out := map[string]string{}
	add := func(fields []opla.Field) {
		for _, f := range fields {
			if f.Format != "" {
				out[f.Name] = f.Format
			}
			if f.Shape != "" {
				for _, sf := range p.Shapes[f.Shape] {
					if sf.Format != "" {
						out[sf.Name] = sf.Format
					}
				}
			}
		}
	}
	prefix := entity + "."
	names := make([]string, 0, len(p.Operations))
	for name := range p.Operations {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if strings.HasPrefix(name, prefix) {
			add(p.Operations[name].Body)
		}
	}
	return out
}

// childFields names the fields of a child list as the profile's request shapes know them
// (invoices: code, amount, date), for a child sheet that no record filled.
func childFields(p *opla.Profile, entity, key string) []string {
	prefix := entity + "."
	names := make([]string, 0, len(p.Operations))
	for name := range p.Operations {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		for _, f := range p.Operations[name].Body {
			if f.Name == key && f.Shape != "" {
				var out []string
				for _, sf := range p.Shapes[f.Shape] {
					out = append(out, sf.Name)
				}
				return out
			}
		}
	}
	return nil
}
