package opla

import (
	"context"
	"iter"
)

// EmployeeListOptions filter Employees.List.
type EmployeeListOptions struct {
	Search string // free text the server matches against names and e-mails
}

// Create creates an employee.
func (s *EmployeesService) Create(ctx context.Context, body EmployeeCreate) (*Employee, error) {
	return doJSON[Employee](ctx, s.c, Call{Op: "employees.create", Body: body})
}

// List walks every employee matching opts, page by page.
func (s *EmployeesService) List(ctx context.Context, opts EmployeeListOptions) iter.Seq2[Employee, error] {
	return List[Employee](ctx, s.c, "employees.list", filters("search", opts.Search))
}

// Update replaces an employee's fields, finding it by its OplaCRM id (learnt from Get).
func (s *EmployeesService) Update(ctx context.Context, id string, body EmployeeUpdate) (*Employee, error) {
	return doJSON[Employee](ctx, s.c, Call{Op: "employees.update", Path: []string{id}, Body: body})
}

// Get fetches an employee by external_id.
func (s *EmployeesService) Get(ctx context.Context, externalID string) (*Employee, error) {
	return doJSON[Employee](ctx, s.c, Call{Op: "employees.get", Path: []string{externalID}})
}

// Activate re-enables an employee.
func (s *EmployeesService) Activate(ctx context.Context, externalID string) error {
	return s.c.Do(ctx, Call{Op: "employees.activate", Path: []string{externalID}}, nil)
}

// Deactivate disables an employee.
func (s *EmployeesService) Deactivate(ctx context.Context, externalID string) error {
	return s.c.Do(ctx, Call{Op: "employees.deactivate", Path: []string{externalID}}, nil)
}
