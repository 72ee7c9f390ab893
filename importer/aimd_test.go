package importer

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAIMDReactions(t *testing.T) {
	a := newAIMD(32)
	require.Equal(t, 32, a.current())

	for range 6 {
		a.pushback()
	}
	require.Equal(t, 32, a.current(), "a few refusals (under a fifth of a window) do not cut")
	a.pushback()
	require.Equal(t, 16, a.current(), "a fifth of a window refused halves the limit")
	for range 10 {
		a.pushback()
	}
	require.Equal(t, 16, a.current(), "a burst of refusals within one window cuts once")

	for range 16 {
		a.inflight++
		a.release(false)
	}
	for range 4 {
		a.pushback()
	}
	require.Equal(t, 8, a.current(), "after a window, enough refusals cut again")

	for range 3 {
		a.sinceCut = 100
		for range 2 {
			a.pushback()
		}
	}
	require.Equal(t, 1, a.current(), "never below one")
	a.pushback()
	require.Equal(t, 1, a.current())

	// Additive increase: one more slot per window of successes.
	a.inflight++
	a.release(true)
	require.Equal(t, 2, a.current(), "at 1, one success adds one")
	for range 3 {
		a.inflight++
		a.release(true)
	}
	require.Equal(t, 3, a.current(), "at 2, about two successes add one")
	for range 10000 {
		a.inflight++
		a.release(true)
	}
	require.Equal(t, 32, a.current(), "back up to -c, never above")
}

func TestAIMDAcquireWaitsForASlot(t *testing.T) {
	a := newAIMD(2)
	ctx := context.Background()
	require.NoError(t, a.acquire(ctx))
	require.NoError(t, a.acquire(ctx))
	got := make(chan error, 1)
	go func() { got <- a.acquire(ctx) }()
	select {
	case <-got:
		t.Fatal("a third row got a slot under a limit of 2")
	default:
	}
	a.release(true)
	require.NoError(t, <-got)

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, a.acquire(cctx), context.Canceled)
}
