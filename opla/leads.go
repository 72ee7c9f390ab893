package opla

import (
	"context"
	"iter"
)

// LeadListOptions filter Leads.List.
type LeadListOptions struct {
	ExternalID string
}

// Statuses lists the company's lead statuses (lead_status takes their names).
func (s *LeadsService) Statuses(ctx context.Context) ([]NamedItem, error) {
	return All[NamedItem](ctx, s.c, "leads.status", nil)
}

// List walks every lead matching opts, page by page.
func (s *LeadsService) List(ctx context.Context, opts LeadListOptions) iter.Seq2[Lead, error] {
	return List[Lead](ctx, s.c, "leads.list", filters("external_id", opts.ExternalID))
}

// Create creates a lead.
func (s *LeadsService) Create(ctx context.Context, body LeadCreate) (*Lead, error) {
	return doJSON[Lead](ctx, s.c, Call{Op: "leads.create", Body: body})
}

// Update replaces a lead's fields, finding it by external_id (the route names it {id}).
func (s *LeadsService) Update(ctx context.Context, externalID string, body LeadUpdate) (*Lead, error) {
	return doJSON[Lead](ctx, s.c, Call{Op: "leads.update", Path: []string{externalID}, Body: body})
}
