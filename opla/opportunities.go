package opla

import (
	"context"
	"iter"
	"net/url"
)

// OpportunityListOptions filter Opportunities.List and ListV1.
type OpportunityListOptions struct {
	SalesProcess       string
	SalesProcessStages string
}

func (o OpportunityListOptions) query() url.Values {
	return filters("sales_process", o.SalesProcess, "sales_process_stages", o.SalesProcessStages)
}

// GetByShortID fetches an opportunity by its short id (e.g. "2025.00186").
func (s *OpportunitiesService) GetByShortID(ctx context.Context, shortID string) (*Opportunity, error) {
	return doJSON[Opportunity](ctx, s.c, Call{Op: "opportunities.get_by_short_id", Path: []string{shortID}})
}

// GetByExternalID fetches an opportunity by its external_id.
func (s *OpportunitiesService) GetByExternalID(ctx context.Context, externalID string) (*Opportunity, error) {
	return doJSON[Opportunity](ctx, s.c, Call{Op: "opportunities.get_by_external_id", Path: []string{externalID}})
}

// UpdateByShortID replaces an opportunity's fields, finding it by short id.
func (s *OpportunitiesService) UpdateByShortID(ctx context.Context, shortID string, body OpportunityUpdate) (*Opportunity, error) {
	return doJSON[Opportunity](ctx, s.c, Call{Op: "opportunities.update_by_short_id", Path: []string{shortID}, Body: body})
}

// Update replaces an opportunity's fields, finding it by its OplaCRM id.
func (s *OpportunitiesService) Update(ctx context.Context, id string, body OpportunityUpdate) (*Opportunity, error) {
	return doJSON[Opportunity](ctx, s.c, Call{Op: "opportunities.update", Path: []string{id}, Body: body})
}

// Create creates an opportunity.
func (s *OpportunitiesService) Create(ctx context.Context, body OpportunityCreate) (*Opportunity, error) {
	return doJSON[Opportunity](ctx, s.c, Call{Op: "opportunities.create", Body: body})
}

// AddContributor gives an employee access to an opportunity (by its OplaCRM id).
func (s *OpportunitiesService) AddContributor(ctx context.Context, id string, body ContributorAdd) (*Opportunity, error) {
	return doJSON[Opportunity](ctx, s.c, Call{Op: "opportunities.add_contributor", Path: []string{id}, Body: body})
}

// List walks every opportunity matching opts, up to 200 a page.
func (s *OpportunitiesService) List(ctx context.Context, opts OpportunityListOptions) iter.Seq2[Opportunity, error] {
	return List[Opportunity](ctx, s.c, "opportunities.list", opts.query())
}

// ListV1 is List through the vendor's faster "V1 Optimized" route, same records.
func (s *OpportunitiesService) ListV1(ctx context.Context, opts OpportunityListOptions) iter.Seq2[Opportunity, error] {
	return List[Opportunity](ctx, s.c, "opportunities.list_v1", opts.query())
}
