package opla

import "context"

// List returns every sales process with its stages.
func (s *SalesProcessesService) List(ctx context.Context) ([]SalesProcess, error) {
	return All[SalesProcess](ctx, s.c, "sales-processes.list", nil)
}

// Get fetches a sales process by its OplaCRM id.
func (s *SalesProcessesService) Get(ctx context.Context, id string) (*SalesProcess, error) {
	return doJSON[SalesProcess](ctx, s.c, Call{Op: "sales-processes.get", Path: []string{id}})
}
