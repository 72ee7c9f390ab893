package opla

import "context"

// Entity names the profile entity the service writes ("sites", "suppliers", …).
func (s *SimpleService) Entity() string { return s.entity }

// Create creates a record. body is the entity's create type (SiteCreate, SupplierCreate,
// UnitOfMeasureCreate, BuyerGroupCreate) or a map; it is sent as given.
func (s *SimpleService) Create(ctx context.Context, body any) (*SimpleRecord, error) {
	return doJSON[SimpleRecord](ctx, s.c, Call{Op: s.entity + ".create", Body: body})
}

// Update replaces a record's fields. externalID fills the route's {id}: the page's titles
// say these records are updated by external_id.
func (s *SimpleService) Update(ctx context.Context, externalID string, body any) (*SimpleRecord, error) {
	return doJSON[SimpleRecord](ctx, s.c, Call{Op: s.entity + ".update", Path: []string{externalID}, Body: body})
}
