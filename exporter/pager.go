package exporter

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
)

// The paging algorithm (the package doc explains the why):
//
//  1. Page 0 (skip 0, take = the route's max_take) fixes the effective page size P: its
//     length. A server that clamps take silently answers fewer than asked; P follows.
//     Page 0 starts the chain: the set of ids known to cover the list, without a gap, from
//     its head down to the anchor A (the chain's last record).
//  2. Speculation (straight to 3 when page 0 is shorter than asked: the whole list, or a
//     clamped page, which one probe tells apart): pages at skips base, base+S, base+2S, …
//     with base = (A's offset) + 1 − o, stride S = P − o and overlap o = max(1, P/20)
//     (none when P = 1: then one page at a time), are fetched by up to -c workers
//     inside a window of 2·c pages and processed strictly in skip order. A page that
//     contains any chain id is glued to the chain: the list is contiguous at the moment it
//     is served and its order does not change, so everything between that id and the
//     page's end is now covered; its last record becomes the anchor. Speculation stops at
//     the first page that is empty, short (fewer than P) or does not touch the chain (more
//     records were inserted at the head between two adjacent pages than the overlap absorbs).
//  3. Tail: sequential probes from the anchor (skip = A's offset + 1 − o). A probe that holds
//     the anchor and is full goes back to speculation; one that lies before the anchor
//     (head inserts moved it) moves forward; a short probe that ends with the anchor is
//     followed by a request for the offset right after it: an empty answer there is the
//     end (head inserts only move A further down, so nothing can hide after it).
//  4. Pages that did not touch the chain are kept (ids only) and glued later if a repair
//     reaches them. Every record of every page is emitted once, by id, whether or not its
//     page is glued: the chain decides completeness, the id set uniqueness.
//  5. Should a probe find the anchor gone backwards (records deleted above it beyond the
//     overlap), the walk starts again from skip 0 with a fresh chain and the same id set
//     (no record is emitted twice); after three such restarts the export fails rather
//     than risk a silent gap.

// fetchFunc fetches one page.
type fetchFunc func(ctx context.Context, skip, take int) ([]*flat, error)

// pagerStats count what paging did.
type pagerStats struct {
	pageSize int // effective page size P
	repairs  int // speculation rounds cut short by a gap, a short or an empty page
	rescans  int // walks restarted from the head
}

const (
	flagSeen  uint8 = 1 << iota // emitted
	flagChain                   // part of the verified chain
)

// errRescan restarts the walk from the head.
var errRescan = errors.New("the list moved under the export; starting again from the head")

// maxRescans bounds restarts before the export gives up.
const maxRescans = 3

type pager struct {
	fetch fetchFunc
	take  int  // requested take
	conc  int  // fetches in flight
	paged bool // the route takes skip/take; else one request answers everything
	emit  func([]*flat) error
	// onPage is told about every answered page (for progress); may be nil.
	onPage func()

	state   idFlags
	chained int // ids in the chain
	anchor  string
	aOff    int // the anchor's offset when last seen
	size    int // effective page size P
	overlap int
	pending []pendingPage
	stats   pagerStats
	pages   atomic.Int64
}

type pendingPage struct {
	skip int
	ids  []string
}

func newPager(fetch fetchFunc, take, conc int, paged bool, emit func([]*flat) error) *pager {
	return &pager{fetch: fetch, take: max(1, take), conc: max(1, conc), paged: paged, emit: emit, state: newIDFlags()}
}

// run pages the whole list.
func (p *pager) run(ctx context.Context) error {
	if !p.paged {
		recs, err := p.get(ctx, 0)
		if err != nil {
			return err
		}
		return p.emitNew(recs)
	}
	for {
		err := p.walk(ctx)
		if !errors.Is(err, errRescan) {
			return err
		}
		p.stats.rescans++
		if p.stats.rescans > maxRescans {
			return fmt.Errorf("the list changed faster than it could be read (%d restarts); try again, or with a smaller -c", maxRescans)
		}
		p.state.clear(flagChain)
		p.chained, p.size, p.overlap = 0, 0, 0
		p.pending = nil
	}
}

func (p *pager) get(ctx context.Context, skip int) ([]*flat, error) {
	recs, err := p.fetch(ctx, skip, p.take)
	if err != nil {
		return nil, err
	}
	p.pages.Add(1)
	if p.onPage != nil {
		p.onPage()
	}
	return recs, nil
}

// walk pages from the head. It returns nil at the verified end, errRescan to start over.
func (p *pager) walk(ctx context.Context) error {
	first, err := p.get(ctx, 0)
	if err != nil {
		return err
	}
	if err := p.emitNew(first); err != nil {
		return err
	}
	if len(first) == 0 {
		return nil // an empty first page: the list is empty
	}
	p.setSize(len(first))
	for _, r := range first {
		p.chain(r.id)
	}
	p.anchor, p.aOff = first[len(first)-1].id, len(first)-1
	if p.size < 2 {
		// A server that answers one record a page leaves no room for an overlap: walk
		// one request at a time, which head inserts cannot make skip a record.
		return p.sequential(ctx, 1)
	}
	stale := 0
	// A first page shorter than asked is either the whole list or a clamped page: a
	// sequential probe tells which before any pages are fetched ahead.
	short := len(first) < p.take
	for {
		before := p.chainLen()
		if !short {
			if err := p.speculate(ctx); err != nil {
				return err
			}
		}
		short = false
		done, err := p.tail(ctx)
		if err != nil || done {
			return err
		}
		if p.chainLen() == before {
			if stale++; stale > 20 {
				return errRescan
			}
		} else {
			stale = 0
		}
	}
}

func (p *pager) chainLen() int { return p.chained }

// chain marks an id as part of the chain.
func (p *pager) chain(id string) {
	if f := p.state.get(id); f&flagChain == 0 {
		p.state.set(id, f|flagChain)
		p.chained++
	}
}

// sequential pages one request at a time from skip until an empty page. Each page is
// served after the one before it, so records inserted at the head only repeat records
// (dropped by id), never hide one.
func (p *pager) sequential(ctx context.Context, skip int) error {
	for {
		recs, err := p.get(ctx, skip)
		if err != nil {
			return err
		}
		if err := p.emitNew(recs); err != nil {
			return err
		}
		if len(recs) == 0 {
			return nil
		}
		skip += len(recs)
	}
}

// setSize adopts a new effective page size and its overlap.
func (p *pager) setSize(n int) {
	if n <= p.size {
		return
	}
	p.size = n
	p.overlap = 0
	if n > 1 {
		p.overlap = min(n-1, max(1, n/20))
	}
	p.stats.pageSize = n
}

func (p *pager) stride() int { return max(1, p.size-p.overlap) }

// emitNew emits the records not seen before.
func (p *pager) emitNew(recs []*flat) error {
	var out []*flat
	for _, r := range recs {
		f := p.state.get(r.id)
		if f&flagSeen != 0 {
			continue
		}
		p.state.set(r.id, f|flagSeen)
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil
	}
	return p.emit(out)
}

// glue adds a page to the chain when it touches it. It reports whether it did.
func (p *pager) glue(recs []*flat, skip int) bool {
	touches := false
	for _, r := range recs {
		if p.state.get(r.id)&flagChain != 0 {
			touches = true
			break
		}
	}
	if !touches || len(recs) == 0 {
		return false
	}
	last := recs[len(recs)-1].id
	lastKnown := p.state.get(last)&flagChain != 0
	for _, r := range recs {
		p.chain(r.id)
	}
	if !lastKnown || last == p.anchor {
		p.anchor, p.aOff = last, skip+len(recs)-1
	}
	return true
}

// park keeps a page that does not touch the chain, to glue it once the chain reaches it.
func (p *pager) park(recs []*flat, skip int) {
	if len(recs) == 0 {
		return
	}
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.id
	}
	p.pending = append(p.pending, pendingPage{skip: skip, ids: ids})
	if max := 8 * p.conc; len(p.pending) > max {
		p.pending = p.pending[len(p.pending)-max:]
	}
}

// unpark glues every parked page that now touches the chain.
func (p *pager) unpark() {
	for changed := true; changed; {
		changed = false
		for i := 0; i < len(p.pending); i++ {
			pg := p.pending[i]
			recs := make([]*flat, len(pg.ids))
			for j, id := range pg.ids {
				recs[j] = &flat{id: id}
			}
			if p.glue(recs, pg.skip) {
				p.pending = append(p.pending[:i], p.pending[i+1:]...)
				changed = true
				i--
			}
		}
	}
}

type fetched struct {
	skip int
	recs []*flat
	err  error
}

// speculate fetches pages ahead of the anchor concurrently and glues them in skip order
// until one is empty, short or detached.
func (p *pager) speculate(ctx context.Context) error {
	base := max(0, p.aOff+1-p.overlap)
	stride := p.stride()
	size := p.size
	window := 2 * p.conc

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(p.conc)
	order := make(chan chan fetched, window)
	stop := make(chan struct{})
	var stopOnce sync.Once
	halt := func() { stopOnce.Do(func() { close(stop) }) }
	scheduled := make(chan struct{})
	go func() {
		defer close(scheduled)
		defer close(order)
		for k := 0; ; k++ {
			skip := base + k*stride
			ch := make(chan fetched, 1)
			select {
			case order <- ch:
			case <-stop:
				return
			case <-gctx.Done():
				return
			}
			g.Go(func() error {
				recs, err := p.fetch(gctx, skip, p.take)
				ch <- fetched{skip: skip, recs: recs, err: err}
				return err
			})
			select {
			case <-stop:
				return
			default:
			}
		}
	}()

	var emitErr error
	stopped := false
	for ch := range order {
		f := <-ch
		if f.err != nil || emitErr != nil {
			halt()
			continue
		}
		p.pages.Add(1)
		if p.onPage != nil {
			p.onPage()
		}
		if err := p.emitNew(f.recs); err != nil {
			emitErr = err
			halt()
			continue
		}
		if stopped {
			p.park(f.recs, f.skip)
			continue
		}
		if len(f.recs) > size {
			p.setSize(len(f.recs))
		}
		switch {
		case len(f.recs) == 0:
			stopped = true
		case !p.glue(f.recs, f.skip):
			p.park(f.recs, f.skip)
			stopped = true
		case len(f.recs) < size:
			stopped = true
		}
		if stopped {
			p.stats.repairs++
			halt()
		}
	}
	<-scheduled
	err := g.Wait()
	if emitErr != nil {
		return emitErr
	}
	if err != nil {
		return err
	}
	p.unpark()
	return nil
}

// tail probes sequentially from the anchor. It reports done at the verified end; false
// with no error sends the walk back to speculation.
func (p *pager) tail(ctx context.Context) (bool, error) {
	y := max(0, p.aOff+1-p.overlap)
	moves, ends := 0, 0
	for {
		recs, err := p.get(ctx, y)
		if err != nil {
			return false, err
		}
		if err := p.emitNew(recs); err != nil {
			return false, err
		}
		if len(recs) == 0 {
			if y == 0 {
				return true, nil // the list is empty now
			}
			// The anchor's offset went down (records deleted above it): verify from the head.
			return false, errRescan
		}
		if len(recs) > p.size {
			p.setSize(len(recs))
		}
		if !p.glue(recs, y) {
			// Nothing of the chain here: records inserted at the head since the anchor was
			// seen push it further down. Move on.
			p.park(recs, y)
			if moves++; moves > 1000 {
				return false, errRescan
			}
			y += max(1, len(recs)-p.overlap)
			continue
		}
		p.unpark()
		if recs[len(recs)-1].id != p.anchor {
			// The page lies before the anchor.
			if moves++; moves > 1000 {
				return false, errRescan
			}
			y += max(1, len(recs)-p.overlap)
			continue
		}
		if len(recs) >= p.size {
			return false, nil // a full page ends at the anchor: more may follow
		}
		// A short page ends at the anchor. The end is an empty page right after it.
		after := p.aOff + 1
		next, err := p.get(ctx, after)
		if err != nil {
			return false, err
		}
		if err := p.emitNew(next); err != nil {
			return false, err
		}
		if len(next) == 0 {
			return true, nil
		}
		if p.glue(next, after) {
			p.unpark()
			if next[len(next)-1].id == p.anchor && len(next) < p.size {
				// Only the anchor again: a record was inserted at the head between the two
				// requests. A list that grows at its head on every request would never show
				// the empty page; after a few rounds in which nothing followed the anchor,
				// that is taken as the end.
				if ends++; ends >= 8 {
					return true, nil
				}
			}
		} else {
			p.park(next, after)
		}
		y = max(0, p.aOff+1-p.overlap)
	}
}

// idFlags holds a few flag bits per record id. UUIDs, the API's ids, are kept as 16 bytes
// rather than 36-character strings: a 200,000-record export keeps one entry per record.
type idFlags struct {
	uuids map[[16]byte]uint8
	other map[string]uint8
}

func newIDFlags() idFlags {
	return idFlags{uuids: map[[16]byte]uint8{}, other: map[string]uint8{}}
}

func (m idFlags) get(id string) uint8 {
	if u, ok := parseUUID(id); ok {
		return m.uuids[u]
	}
	return m.other[id]
}

func (m idFlags) set(id string, f uint8) {
	if u, ok := parseUUID(id); ok {
		m.uuids[u] = f
		return
	}
	m.other[id] = f
}

// clear drops a flag from every id.
func (m idFlags) clear(flag uint8) {
	for k, f := range m.uuids {
		m.uuids[k] = f &^ flag
	}
	for k, f := range m.other {
		m.other[k] = f &^ flag
	}
}

// parseUUID reads a canonical lower-case UUID (8-4-4-4-12 hex digits). Other spellings
// stay strings, so two spellings of one UUID are never merged by mistake.
func parseUUID(s string) (u [16]byte, ok bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	j := 0
	for i := 0; i < 36; {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			i++
			continue
		}
		hi, ok1 := hexVal(s[i])
		lo, ok2 := hexVal(s[i+1])
		if !ok1 || !ok2 {
			return u, false
		}
		u[j] = hi<<4 | lo
		j++
		i += 2
	}
	return u, true
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}
