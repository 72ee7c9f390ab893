package importer

import (
	"context"
	"sync"
)

// aimd is an adaptive concurrency limit: additive increase, multiplicative decrease.
// When the server pushes back (429, 503) the number of rows in flight is halved, at
// most once per window of completions so one burst of refusals cuts once; every
// completed row adds 1/limit, so the limit grows by one per window of successes, back up
// to the user's -c.
type aimd struct {
	mu       sync.Mutex
	max      int
	limit    float64
	inflight int
	sinceCut int // completions since the last cut
	cuts     int
	wake     chan struct{}
}

func newAIMD(max int) *aimd {
	return &aimd{max: max, limit: float64(max), sinceCut: max, wake: make(chan struct{})}
}

// acquire waits for a slot under the current limit.
func (a *aimd) acquire(ctx context.Context) error {
	for {
		a.mu.Lock()
		if a.inflight < int(a.limit) {
			a.inflight++
			a.mu.Unlock()
			return nil
		}
		wake := a.wake
		a.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// release frees a slot; ok says the row completed without the server pushing back.
func (a *aimd) release(ok bool) {
	a.mu.Lock()
	a.inflight--
	a.sinceCut++
	if ok && a.limit < float64(a.max) {
		a.limit = min(float64(a.max), a.limit+1/a.limit)
	}
	close(a.wake)
	a.wake = make(chan struct{})
	a.mu.Unlock()
}

// pushback halves the limit, unless it was cut less than a window ago.
func (a *aimd) pushback() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.sinceCut < int(a.limit) {
		return
	}
	a.limit = max(1, a.limit/2)
	a.sinceCut = 0
	a.cuts++
}

// current returns the limit in force.
func (a *aimd) current() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return int(a.limit)
}
