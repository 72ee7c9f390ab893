package opla

import (
	"context"
	"net/url"
)

// doJSON performs a call and decodes its answer into a new T.
func doJSON[T any](ctx context.Context, c *Client, call Call) (*T, error) {
	v := new(T)
	if err := c.Do(ctx, call, v); err != nil {
		return nil, err
	}
	return v, nil
}

// filters builds a query from name/value pairs, leaving out empty values: the page marks
// every filter required but gives each a default, and real clients omit them.
func filters(kv ...string) url.Values {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	return q
}
