package importer

import (
	"context"
	"sync"
)

// aimd is an adaptive concurrency limit: additive increase, multiplicative decrease.
// When the server is overloaded (503) on at least a fifth of a window of requests
// (a window is as many completions as the limit), the number of rows in flight is
// halved, at most once per window so one burst of refusals cuts once. Occasional
// refusals (a flaky proxy, a few 503s) do not cut: the client's retries absorb them.
// Every completed row adds 1/limit, so the limit grows by one per window of successes,
// back up to the user's -c. (The client's pacer handles the request rate after 429s.)
type aimd struct {
	mu       sync.Mutex
	max      int
	limit    float64
	inflight int
	sinceCut int // completions since the last cut
	window   int // completions in the current window
	pushes   int // push-backs in the current window
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
	a.window++
	if a.window >= int(a.limit) {
		a.window, a.pushes = 0, 0
	}
	if ok && a.limit < float64(a.max) {
		a.limit = min(float64(a.max), a.limit+1/a.limit)
	}
	close(a.wake)
	a.wake = make(chan struct{})
	a.mu.Unlock()
}

// pushback counts a refusal; enough of them in a window halve the limit, unless it was
// cut less than a window ago.
func (a *aimd) pushback() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pushes++
	if a.pushes*5 < int(a.limit) || a.sinceCut < int(a.limit) {
		return
	}
	a.limit = max(1, a.limit/2)
	a.sinceCut, a.window, a.pushes = 0, 0, 0
	a.cuts++
}

// current returns the limit in force.
func (a *aimd) current() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return int(a.limit)
}
