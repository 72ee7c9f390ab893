package opla

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// pacer adapts the request rate to a server's rate limit. It does nothing until the
// server first answers 429; it then paces every request at the rate that was getting
// through, cuts that rate by 10% on each further 429 (at most twice a second) and raises
// it by 10% for each second without one: the rate hovers just under the server's limit,
// meeting a 429 every few seconds. So a client with many workers settles just under
// the server's limit instead of bouncing off it with 429s and Retry-After sleeps.
type pacer struct {
	mu        sync.Mutex
	now       func() time.Time
	lim       *rate.Limiter // nil until the first 429
	buckets   [10]int       // successes per 100 ms over the last second
	bucketAt  time.Time
	lastCut   time.Time
	lastRaise time.Time
}

func newPacer(now func() time.Time) *pacer {
	if now == nil {
		now = time.Now
	}
	return &pacer{now: now}
}

// wait blocks until the paced rate allows one more request.
func (p *pacer) wait(ctx context.Context) error {
	p.mu.Lock()
	lim := p.lim
	p.mu.Unlock()
	if lim == nil {
		return nil
	}
	return lim.Wait(ctx)
}

// roll moves the success window to now.
func (p *pacer) roll(now time.Time) {
	if p.bucketAt.IsZero() {
		p.bucketAt = now.Truncate(100 * time.Millisecond)
		return
	}
	steps := int(now.Sub(p.bucketAt) / (100 * time.Millisecond))
	if steps <= 0 {
		return
	}
	for i := 0; i < min(steps, len(p.buckets)); i++ {
		copy(p.buckets[:], p.buckets[1:])
		p.buckets[len(p.buckets)-1] = 0
	}
	p.bucketAt = p.bucketAt.Add(time.Duration(steps) * 100 * time.Millisecond)
}

// success records a request that got through.
func (p *pacer) success() {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	p.roll(now)
	p.buckets[len(p.buckets)-1]++
	if p.lim != nil && now.Sub(p.lastCut) >= time.Second && now.Sub(p.lastRaise) >= time.Second {
		p.setRate(float64(p.lim.Limit()) * 1.10)
		p.lastRaise = now
	}
}

// throttled records a 429.
func (p *pacer) throttled() {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	p.roll(now)
	if p.lim == nil {
		// The rate that got through: successes of the last second over the time since the
		// oldest of them (at least 100 ms).
		ok, oldest := 0, -1
		for i, n := range p.buckets {
			if n > 0 && oldest < 0 {
				oldest = i
			}
			ok += n
		}
		window := 100 * time.Millisecond
		if oldest >= 0 {
			first := p.bucketAt.Add(-time.Duration(len(p.buckets)-1-oldest) * 100 * time.Millisecond)
			window = max(window, now.Sub(first))
		}
		r := float64(ok) / min(window, time.Second).Seconds()
		p.lim = rate.NewLimiter(rate.Limit(max(r, 1)), 1)
		p.setRate(max(r, 1))
		p.lastCut, p.lastRaise = now, now
		return
	}
	if now.Sub(p.lastCut) < 500*time.Millisecond {
		return
	}
	p.setRate(float64(p.lim.Limit()) * 0.90)
	p.lastCut = now
}

func (p *pacer) setRate(r float64) {
	r = max(r, 1)
	p.lim.SetLimitAt(p.now(), rate.Limit(r))
	p.lim.SetBurstAt(p.now(), max(1, int(r/20)))
}

// rate is the paced rate, 0 when not pacing.
func (p *pacer) rate() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lim == nil {
		return 0
	}
	return float64(p.lim.Limit())
}
