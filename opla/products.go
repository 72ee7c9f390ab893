package opla

import (
	"context"
	"iter"
)

// Create creates a product.
func (s *ProductsService) Create(ctx context.Context, body ProductCreate) (*Product, error) {
	return doJSON[Product](ctx, s.c, Call{Op: "products.create", Body: body})
}

// List walks every product. The route takes no skip/take: the whole list comes at once.
func (s *ProductsService) List(ctx context.Context) iter.Seq2[Product, error] {
	return List[Product](ctx, s.c, "products.list", nil)
}

// Update replaces a product's fields, finding it by external_id.
func (s *ProductsService) Update(ctx context.Context, externalID string, body ProductUpdate) (*Product, error) {
	return doJSON[Product](ctx, s.c, Call{Op: "products.update", Path: []string{externalID}, Body: body})
}

// Delete removes a product (the page's body-less "Update product by external_id").
func (s *ProductsService) Delete(ctx context.Context, externalID string) error {
	return s.c.Do(ctx, Call{Op: "products.delete", Path: []string{externalID}}, nil)
}

// Upsert creates or updates a product by external_id.
func (s *ProductsService) Upsert(ctx context.Context, body ProductUpsert) (*Product, error) {
	return doJSON[Product](ctx, s.c, Call{Op: "products.upsert", Body: body})
}
