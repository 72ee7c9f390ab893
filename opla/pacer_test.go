package opla

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }
func newFakeClock() *fakeClock           { return &fakeClock{t: time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)} }
func successes(p *pacer, c *fakeClock, n int, every time.Duration) {
	for range n {
		p.success()
		c.add(every)
	}
}

func TestPacerReactions(t *testing.T) {
	c := newFakeClock()
	p := newPacer(c.now)
	require.Zero(t, p.rate(), "no pacing before the first 429")
	require.NoError(t, p.wait(context.Background()))

	// 200 requests got through in the first second, then the server said 429.
	successes(p, c, 200, 5*time.Millisecond)
	p.throttled()
	require.InDelta(t, 200, p.rate(), 25, "paces at the rate that was getting through")

	first := p.rate()
	c.add(100 * time.Millisecond)
	p.throttled()
	require.Equal(t, first, p.rate(), "a second 429 within half a second does not cut again")
	c.add(500 * time.Millisecond)
	p.throttled()
	require.InDelta(t, first*0.90, p.rate(), 0.01, "a later 429 cuts by 10%")

	cut := p.rate()
	c.add(500 * time.Millisecond)
	p.success()
	require.Equal(t, cut, p.rate(), "no raise within a second of a cut")
	c.add(time.Second)
	p.success()
	require.InDelta(t, cut*1.10, p.rate(), 0.01, "a second without 429 raises by 10%")

	for range 100 {
		c.add(500 * time.Millisecond)
		p.throttled()
	}
	require.Equal(t, 1.0, p.rate(), "never below one request per second")
}

func TestPacerEarlyThrottleUsesElapsedTime(t *testing.T) {
	c := newFakeClock()
	p := newPacer(c.now)
	c.add(3 * time.Second) // the client was idle for a while (reading the file)
	// 20 requests in 100 ms, then 429: that is 200/s, not 20/s.
	successes(p, c, 20, 5*time.Millisecond)
	p.throttled()
	require.InDelta(t, 200, p.rate(), 1)
}
