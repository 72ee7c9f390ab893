package opla

import (
	"context"
	"iter"
)

// ContactListOptions filter Contacts.List.
type ContactListOptions struct {
	AccountExternalID string // only the contacts of this account
	ExternalID        string // only the contact with this external_id
}

// Get fetches a contact by its external_id.
func (s *ContactsService) Get(ctx context.Context, externalID string) (*Contact, error) {
	return doJSON[Contact](ctx, s.c, Call{Op: "contacts.get", Path: []string{externalID}})
}

// List walks every contact matching opts, page by page.
func (s *ContactsService) List(ctx context.Context, opts ContactListOptions) iter.Seq2[Contact, error] {
	q := filters("account_external_id", opts.AccountExternalID, "external_id", opts.ExternalID)
	return List[Contact](ctx, s.c, "contacts.list", q)
}

// Create creates a contact. Its account and owner must exist.
func (s *ContactsService) Create(ctx context.Context, body ContactCreate) (*Contact, error) {
	return doJSON[Contact](ctx, s.c, Call{Op: "contacts.create", Body: body})
}

// Update replaces a contact's fields. Every required field is sent, so callers read the
// contact first and overlay their changes.
func (s *ContactsService) Update(ctx context.Context, externalID string, body ContactUpdate) (*Contact, error) {
	return doJSON[Contact](ctx, s.c, Call{Op: "contacts.update", Path: []string{externalID}, Body: body})
}

// Delete removes a contact (the page's body-less "Update contact by external_id").
func (s *ContactsService) Delete(ctx context.Context, externalID string) error {
	return s.c.Do(ctx, Call{Op: "contacts.delete", Path: []string{externalID}}, nil)
}
