package exporter

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeList is a list served newest first with skip/take, changing while it is read: the
// emulator's knobs, in miniature, with random delays so concurrent pages are served out
// of order.
type fakeList struct {
	mu          sync.Mutex
	ids         []string
	clamp       int // >0: take is silently clamped to this
	insertEvery int // >0: every n-th request with skip>0 first inserts a record at the head
	deleteEvery int // >0: every n-th request deletes a random record
	seq         int
	reqs        int
	skipped     int
	deleted     map[string]bool
	rng         *rand.Rand
	jitter      time.Duration
}

func newFakeList(n int, seed uint64) *fakeList {
	l := &fakeList{deleted: map[string]bool{}, rng: rand.New(rand.NewPCG(seed, 1))}
	for i := n; i >= 1; i-- {
		l.ids = append(l.ids, fmt.Sprintf("r%06d", i))
	}
	l.seq = n
	return l
}

func (l *fakeList) fetch(ctx context.Context, skip, take int) ([]*flat, error) {
	l.mu.Lock()
	d := time.Duration(0)
	if l.jitter > 0 {
		d = time.Duration(l.rng.Int64N(int64(l.jitter)))
	}
	l.mu.Unlock()
	if d > 0 {
		time.Sleep(d)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reqs++
	if skip > 0 && l.insertEvery > 0 {
		if l.skipped++; l.skipped%l.insertEvery == 0 {
			l.seq++
			l.ids = append([]string{fmt.Sprintf("r%06d", l.seq)}, l.ids...)
		}
	}
	if l.deleteEvery > 0 && l.reqs%l.deleteEvery == 0 && len(l.ids) > 0 {
		i := l.rng.IntN(len(l.ids))
		l.deleted[l.ids[i]] = true
		l.ids = append(l.ids[:i:i], l.ids[i+1:]...)
	}
	if l.clamp > 0 {
		take = min(take, l.clamp)
	}
	var out []*flat
	for i := skip; i < len(l.ids) && i < skip+take; i++ {
		out = append(out, &flat{id: l.ids[i]})
	}
	return out, nil
}

func TestPagerCompleteUnderChange(t *testing.T) {
	tests := []struct {
		name                 string
		n, take, clamp, conc int
		insertEvery          int
		deleteEvery          int
		paged                bool
	}{
		{name: "empty", n: 0, take: 200, conc: 4, paged: true},
		{name: "one record", n: 1, take: 200, conc: 4, paged: true},
		{name: "less than a page", n: 150, take: 200, conc: 4, paged: true},
		{name: "exact pages", n: 1000, take: 100, conc: 4, paged: true},
		{name: "ragged", n: 1234, take: 200, conc: 8, paged: true},
		{name: "serial", n: 999, take: 50, conc: 1, paged: true},
		{name: "clamped", n: 1500, take: 200, clamp: 37, conc: 4, paged: true},
		{name: "clamped to one", n: 60, take: 200, clamp: 1, conc: 4, paged: true},
		{name: "clamped to two", n: 90, take: 200, clamp: 2, conc: 4, paged: true},
		{name: "head inserts", n: 3000, take: 200, conc: 4, insertEvery: 3, paged: true},
		{name: "head insert every request", n: 2000, take: 200, conc: 8, insertEvery: 1, paged: true},
		{name: "head inserts clamped", n: 2000, take: 200, clamp: 50, conc: 6, insertEvery: 2, paged: true},
		{name: "head inserts serial", n: 800, take: 100, conc: 1, insertEvery: 1, paged: true},
		{name: "deletions", n: 2000, take: 200, conc: 4, deleteEvery: 3, paged: true},
		{name: "inserts and deletions", n: 2000, take: 100, conc: 4, insertEvery: 2, deleteEvery: 5, paged: true},
		{name: "unpaged route", n: 40, take: 200, conc: 4},
	}
	for _, tc := range tests {
		for seed := uint64(1); seed <= 3; seed++ {
			t.Run(fmt.Sprintf("%s/seed%d", tc.name, seed), func(t *testing.T) {
				t.Parallel()
				l := newFakeList(tc.n, seed)
				l.clamp, l.insertEvery, l.deleteEvery, l.jitter = tc.clamp, tc.insertEvery, tc.deleteEvery, 300*time.Microsecond
				original := append([]string(nil), l.ids...)
				fetch := l.fetch
				if !tc.paged {
					fetch = func(ctx context.Context, skip, take int) ([]*flat, error) {
						if skip > 0 {
							return nil, nil
						}
						return l.fetch(ctx, 0, len(l.ids))
					}
				}
				got := map[string]int{}
				p := newPager(fetch, tc.take, tc.conc, tc.paged, func(recs []*flat) error {
					for _, r := range recs {
						got[r.id]++
					}
					return nil
				})
				require.NoError(t, p.run(context.Background()))
				for id, n := range got {
					if n != 1 {
						require.Failf(t, "duplicate", "record %s emitted %d times", id, n)
					}
				}
				for _, id := range original {
					if _, ok := got[id]; !ok && !l.deleted[id] {
						require.Failf(t, "missing", "record %s existed for the whole export but is missing", id)
					}
				}
				if tc.insertEvery == 0 && tc.deleteEvery == 0 {
					require.Len(t, got, tc.n)
				}
				// The overlap costs little: at most ~10% more pages than a plain walk, plus
				// the end checks and the pages in flight when the end is found.
				if tc.insertEvery == 0 && tc.deleteEvery == 0 && tc.paged && tc.n > 0 {
					size := tc.take
					if tc.clamp > 0 {
						size = min(size, tc.clamp)
					}
					stride := size
					if size > 1 {
						stride = size - max(1, size/20)
					}
					plain := tc.n/stride + 1
					require.LessOrEqual(t, int(p.pages.Load()), plain+2*tc.conc+4, "pages")
				}
			})
		}
	}
}

func TestPagerStopsOnError(t *testing.T) {
	l := newFakeList(5000, 1)
	boom := fmt.Errorf("boom")
	var mu sync.Mutex
	calls := 0
	fetch := func(ctx context.Context, skip, take int) ([]*flat, error) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 7 {
			return nil, boom
		}
		return l.fetch(ctx, skip, take)
	}
	p := newPager(fetch, 100, 4, true, func([]*flat) error { return nil })
	require.ErrorIs(t, p.run(context.Background()), boom)
}

func TestPagerStopsWhenEmitFails(t *testing.T) {
	l := newFakeList(5000, 1)
	stop := fmt.Errorf("disk full")
	n := 0
	p := newPager(l.fetch, 100, 4, true, func(recs []*flat) error {
		if n += len(recs); n > 1000 {
			return stop
		}
		return nil
	})
	require.ErrorIs(t, p.run(context.Background()), stop)
}
