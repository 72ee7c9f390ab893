package importer

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/oplabatch/oplabatch/mapping"
)

// minRowsForList is the smallest file for which paging the whole list is considered:
// below it a GET per row is cheap anyway and reads the freshest state.
const minRowsForList = 20

// listIsCheaper is the cost model: reading the entity's whole list costs one request per
// page, looking rows up costs one GET per row. The list is chosen when its pages cost at
// most half the GETs, so a wrong guess about the list's size is never expensive. pages is
// an upper bound on the list's pages (from a probe), rows the rows that need a lookup.
func listIsCheaper(rows, pages int) bool {
	return rows >= minRowsForList && pages <= rows/2
}

// planLookups decides, for update and upsert, between a GET per row and paging the
// entity's list once to learn which keys exist and their current values. One probe
// request (take=1 at the page where the list would stop being worth it) bounds the
// list's size. With the list chosen, the records whose keys are in the file are kept.
// An entity the API reads only as a whole list (products) is always read once, unless
// a real create run has no lookups to make.
func (w *writer) planLookups(ctx context.Context, rows int, inFile func(key string) bool) error {
	e := w.entity
	if w.wholeList() {
		if w.mode == mapping.Create && !w.dryRun {
			return nil
		}
		return w.readList(ctx, inFile, "the whole list read once (the API has no lookup by key)")
	}
	if w.mode == mapping.Create || e.List == "" || !w.c.Paged(e.List) {
		return nil
	}
	take := w.c.PageSize(e.List)
	budget := rows / 2
	if !listIsCheaper(rows, budget) {
		return nil
	}
	// Is there any record at the first skip the budget cannot pay for?
	probe, err := w.c.Page(ctx, e.List, nil, budget*take, 1)
	if err != nil {
		return fmt.Errorf("size the %s list: %w", e.Name, err)
	}
	if len(probe) > 0 {
		w.plan = fmt.Sprintf("a GET per row (the %s list has more than %d records)", e.Name, budget*take)
		return nil
	}
	return w.readList(ctx, inFile, "the list read once instead of a GET per row")
}

// readList pages the entity's list once and indexes the records whose keys are in the
// file; current then answers from the index.
func (w *writer) readList(ctx context.Context, inFile func(key string) bool, plan string) error {
	e := w.entity
	idx := map[string]map[string]any{}
	pages := 0
	for page, err := range w.c.Pages(ctx, e.List, url.Values{}) {
		if err != nil {
			return fmt.Errorf("read the %s list: %w", e.Name, err)
		}
		pages++
		for _, raw := range page {
			rec, err := decodeRecord(raw)
			if err != nil {
				return fmt.Errorf("read the %s list: %w", e.Name, err)
			}
			if k := str(rec[keyField(e)]); k != "" && inFile(k) {
				idx[k] = rec
			}
		}
	}
	w.indexMu.Lock()
	w.index, w.indexed = idx, true
	w.indexMu.Unlock()
	w.plan = plan + " (" + strconv.Itoa(pages) + " pages)"
	return nil
}

func decodeRecord(raw []byte) (map[string]any, error) {
	var rec map[string]any
	err := json.Unmarshal(raw, &rec)
	return rec, err
}
