package opla

import (
	"context"
	"iter"
)

// AccountListOptions filter Accounts.List.
type AccountListOptions struct {
	ExternalID              string
	TaxIdentificationNumber string
}

// Get fetches an account by its external_id.
func (s *AccountsService) Get(ctx context.Context, externalID string) (*Account, error) {
	return doJSON[Account](ctx, s.c, Call{Op: "accounts.get", Path: []string{externalID}})
}

// List walks every account matching opts, page by page.
func (s *AccountsService) List(ctx context.Context, opts AccountListOptions) iter.Seq2[Account, error] {
	q := filters("external_id", opts.ExternalID, "tax_identification_number", opts.TaxIdentificationNumber)
	return List[Account](ctx, s.c, "accounts.list", q)
}

// Create creates an account. Its source, industry and employees must exist.
func (s *AccountsService) Create(ctx context.Context, body AccountCreate) (*Account, error) {
	return doJSON[Account](ctx, s.c, Call{Op: "accounts.create", Body: body})
}

// Update replaces an account's fields, finding it by external_id.
func (s *AccountsService) Update(ctx context.Context, externalID string, body AccountUpdate) (*Account, error) {
	return doJSON[Account](ctx, s.c, Call{Op: "accounts.update", Path: []string{externalID}, Body: body})
}

// UpdateByUUID replaces an account's fields, finding it by its OplaCRM id.
func (s *AccountsService) UpdateByUUID(ctx context.Context, uuid string, body AccountUpdate) (*Account, error) {
	return doJSON[Account](ctx, s.c, Call{Op: "accounts.update_by_uuid", Path: []string{uuid}, Body: body})
}

// Sources lists the company's account sources (source_id takes their ids).
func (s *AccountsService) Sources(ctx context.Context) ([]NamedItem, error) {
	return All[NamedItem](ctx, s.c, "accounts.sources", nil)
}

// Industries lists the company's industries (industry_id takes their ids).
func (s *AccountsService) Industries(ctx context.Context) ([]NamedItem, error) {
	return All[NamedItem](ctx, s.c, "accounts.industries", nil)
}

// AssignOwner makes an employee the owner of an account (both by external_id).
func (s *AccountsService) AssignOwner(ctx context.Context, body AccountEmployee) error {
	return s.c.Do(ctx, Call{Op: "accounts.assign_owner", Body: body}, nil)
}

// AssignContributor adds an employee as a contributor of an account.
func (s *AccountsService) AssignContributor(ctx context.Context, body AccountEmployee) error {
	return s.c.Do(ctx, Call{Op: "accounts.assign_contributor", Body: body}, nil)
}

// UnassignContributor removes an employee from an account's contributors.
func (s *AccountsService) UnassignContributor(ctx context.Context, body AccountEmployee) error {
	return s.c.Do(ctx, Call{Op: "accounts.unassign_contributor", Body: body}, nil)
}
