package oplatest

import (
	"net/url"
	"sort"
	"strings"

	"github.com/oplabatch/oplabatch/opla"
)

// route is one profile operation's path, split into segments; "" marks a {param}.
type route struct {
	op   *opla.Operation
	segs []string
}

// router matches method + path against the profile's operations. When several patterns
// match, the one with a literal segment earliest wins (/accounts/sources beats
// /accounts/{external_id}).
type router struct{ routes []route }

func newRouter(p *opla.Profile) *router {
	rt := &router{}
	for _, name := range p.OperationNames() {
		op := p.Operations[name]
		var segs []string
		for _, s := range splitPath(op.Path) {
			if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
				s = ""
			}
			segs = append(segs, s)
		}
		rt.routes = append(rt.routes, route{op: op, segs: segs})
	}
	// Most specific first: a literal segment sorts before a parameter at the same place.
	shape := func(r route) string {
		var b strings.Builder
		for _, s := range r.segs {
			if s == "" {
				b.WriteByte('P')
			} else {
				b.WriteByte('L')
			}
		}
		return b.String()
	}
	sort.SliceStable(rt.routes, func(i, j int) bool { return shape(rt.routes[i]) < shape(rt.routes[j]) })
	return rt
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match finds the operation for a method and an escaped path below the base path, and
// the decoded path parameters in order.
func (rt *router) match(method, escapedPath string) (*opla.Operation, []string, bool) {
	raw := splitPath(escapedPath)
	segs := make([]string, len(raw))
	for i, s := range raw {
		u, err := url.PathUnescape(s)
		if err != nil {
			return nil, nil, false
		}
		segs[i] = u
	}
	for _, r := range rt.routes {
		if r.op.Method != method || len(r.segs) != len(segs) {
			continue
		}
		var params []string
		ok := true
		for i, s := range r.segs {
			switch {
			case s == "":
				if segs[i] == "" {
					ok = false
				}
				params = append(params, segs[i])
			case s != segs[i]:
				ok = false
			}
			if !ok {
				break
			}
		}
		if ok {
			return r.op, params, true
		}
	}
	return nil, nil, false
}
