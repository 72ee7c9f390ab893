package opla

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"strconv"
)

// DefaultTake is the page size used when an operation declares no max_take.
const DefaultTake = 200

// PageSize is the take to use for an operation: its documented maximum, else DefaultTake.
func (c *Client) PageSize(opName string) int {
	if op, err := c.profile.Op(opName); err == nil && op.MaxTake > 0 {
		return op.MaxTake
	}
	return DefaultTake
}

// Paged reports whether an operation takes skip and take.
func (c *Client) Paged(opName string) bool {
	op, err := c.profile.Op(opName)
	if err != nil {
		return false
	}
	var skip, take bool
	for _, q := range op.Query {
		skip = skip || q == "skip"
		take = take || q == "take"
	}
	return skip && take
}

// Page fetches one page of a list operation. An operation without skip/take returns
// its whole list on the first page (skip 0) and an empty page after.
func (c *Client) Page(ctx context.Context, opName string, query url.Values, skip, take int) ([]json.RawMessage, error) {
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	if c.Paged(opName) {
		q.Set("skip", strconv.Itoa(skip))
		q.Set("take", strconv.Itoa(take))
	} else if skip > 0 {
		return nil, nil
	}
	var page []json.RawMessage
	if err := c.Do(ctx, Call{Op: opName, Query: q}, &page); err != nil {
		return nil, err
	}
	return page, nil
}

// Pages walks a list operation page by page with skip/take until a page comes back
// empty. A short page is not the end: a server may clamp take silently.
func (c *Client) Pages(ctx context.Context, opName string, query url.Values) iter.Seq2[[]json.RawMessage, error] {
	return func(yield func([]json.RawMessage, error) bool) {
		take := c.PageSize(opName)
		for skip := 0; ; {
			page, err := c.Page(ctx, opName, query, skip, take)
			if err != nil {
				yield(nil, err)
				return
			}
			if len(page) == 0 {
				return
			}
			if !yield(page, nil) {
				return
			}
			skip += len(page)
		}
	}
}

// List walks every record of a list operation, decoded into T.
func List[T any](ctx context.Context, c *Client, opName string, query url.Values) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		for page, err := range c.Pages(ctx, opName, query) {
			if err != nil {
				yield(zero, err)
				return
			}
			for _, raw := range page {
				var v T
				if err := json.Unmarshal(raw, &v); err != nil {
					yield(zero, fmt.Errorf("%s: decode record: %w", opName, err))
					return
				}
				if !yield(v, nil) {
					return
				}
			}
		}
	}
}

// All collects a whole list; for small lists (sources, industries, statuses).
func All[T any](ctx context.Context, c *Client, opName string, query url.Values) ([]T, error) {
	var out []T
	for v, err := range List[T](ctx, c, opName, query) {
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
