package templates

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/oplabatch/oplabatch/mapping/coerce"
	"github.com/oplabatch/oplabatch/opla"
)

// Lists are the CRM's own lists a template's dropdowns offer, read from the API when the
// template is made. A nil *Lists means none were read: the columns have no dropdown.
type Lists struct {
	From   string              // where they were read from, for the Instructions sheet
	Values map[string][]string // list name (ListIndustries…) -> values, in the API's order
	// Stages names, per sales process, its stages in order (for the notes).
	Stages []ProcessStages
}

// ProcessStages is a sales process and the names of its stages.
type ProcessStages struct {
	Process string
	Stages  []string
}

// Get returns a list's values.
func (l *Lists) Get(name string) []string {
	if l == nil {
		return nil
	}
	return l.Values[name]
}

// FetchLists reads the named lists (ListIndustries…) from the API.
func FetchLists(ctx context.Context, c *opla.Client, names []string) (*Lists, error) {
	l := &Lists{From: c.BaseURL(), Values: map[string][]string{}}
	named := func(items []opla.NamedItem, err error, what string) ([]string, error) {
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", what, err)
		}
		var out []string
		for _, it := range items {
			out = appendUnique(out, it.Name)
		}
		return out, nil
	}
	var err error
	for _, name := range names {
		if _, done := l.Values[name]; done {
			continue
		}
		switch name {
		case ListIndustries:
			items, e := c.Accounts.Industries(ctx)
			l.Values[name], err = named(items, e, "industries")
		case ListSources:
			items, e := c.Accounts.Sources(ctx)
			l.Values[name], err = named(items, e, "sources")
		case ListLeadStatuses:
			items, e := c.Leads.Statuses(ctx)
			l.Values[name], err = named(items, e, "lead statuses")
		case ListSalesProcesses, ListStages:
			var procs []opla.SalesProcess
			procs, err = c.SalesProcesses.List(ctx)
			if err != nil {
				err = fmt.Errorf("read sales processes: %w", err)
				break
			}
			var names, stages []string
			l.Stages = nil
			for _, p := range procs {
				if !p.IsActive && len(procs) > 1 && hasActive(procs) {
					continue
				}
				names = appendUnique(names, p.Name)
				ps := ProcessStages{Process: p.Name}
				st := slices.Clone(p.Stages)
				slices.SortStableFunc(st, func(a, b opla.Stage) int { return a.Order - b.Order })
				for _, s := range st {
					stages = appendUnique(stages, s.Name)
					ps.Stages = append(ps.Stages, s.Name)
				}
				l.Stages = append(l.Stages, ps)
			}
			l.Values[ListSalesProcesses], l.Values[ListStages] = names, stages
		case ListEmployeeEmails, ListEmployeeCodes:
			var emails, codes []string
			for e, lerr := range c.Employees.List(ctx, opla.EmployeeListOptions{}) {
				if lerr != nil {
					err = fmt.Errorf("read employees: %w", lerr)
					break
				}
				if e.IsActive != nil && !*e.IsActive {
					continue
				}
				emails = appendUnique(emails, strings.TrimSpace(e.Email))
				codes = appendUnique(codes, strings.TrimSpace(string(e.ExternalID)))
			}
			// The API lists the newest first; a dropdown of people reads best sorted.
			slices.SortFunc(emails, compareFolded)
			slices.SortFunc(codes, compareFolded)
			l.Values[ListEmployeeEmails], l.Values[ListEmployeeCodes] = emails, codes
		default:
			err = fmt.Errorf("templates: unknown list %q", name)
		}
		if err != nil {
			return nil, err
		}
	}
	return l, nil
}

func compareFolded(a, b string) int {
	if c := strings.Compare(coerce.Fold(a), coerce.Fold(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

func hasActive(procs []opla.SalesProcess) bool {
	return slices.ContainsFunc(procs, func(p opla.SalesProcess) bool { return p.IsActive })
}

func appendUnique(list []string, v string) []string {
	if v == "" || slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

// listTitles head the columns of the Lists sheet.
var listTitles = map[string]string{
	ListIndustries:     "Industries",
	ListSources:        "Sources",
	ListLeadStatuses:   "Lead statuses",
	ListSalesProcesses: "Sales processes",
	ListStages:         "Sales process stages",
	ListEmployeeEmails: "Employee e-mails",
	ListEmployeeCodes:  "Employee codes",
}
