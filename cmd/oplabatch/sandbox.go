package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/oplabatch/oplabatch/opla"
	"github.com/oplabatch/oplabatch/opla/oplatest"
	"github.com/spf13/cobra"
)

type sandboxOptions struct {
	addr       string
	data       string
	token      string
	seed       int64
	latency    time.Duration
	failRate   float64
	lostRate   float64
	rateLimit  float64
	clampTake  int
	headInsert int
}

func newSandboxCmd(g *globalOptions) *cobra.Command {
	o := &sandboxOptions{}
	cmd := &cobra.Command{
		Use:   "sandbox [--addr 127.0.0.1:8787] [--data FILE]",
		Short: "Serve an OplaCRM emulator on loopback, seeded with sample data",
		Long: `Serve a strict OplaCRM emulator on a loopback address, seeded with the sample data
(industries, sources, lead statuses, a sales process with stages, employees and
accounts). Point any OplaCRM client at it:

  oplabatch sandbox &
  curl -H 'Authorization: Bearer sandbox' http://127.0.0.1:8787/api/public/leads/status

With --data FILE the state is loaded from and saved to FILE, so it survives a restart.
Fault knobs (--fail-rate, --lost-response-rate, --rate-limit, --latency) let you see how
a client copes with a bad day. GET /__sandbox/stats (no auth) returns request counters
per route and record counts per entity.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := g.io.stopContext(cmd.Context())
			defer cancel()
			return runSandbox(ctx, g, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:8787", "loopback address to listen on")
	f.StringVar(&o.data, "data", "", "load state from and save it to this JSON file")
	f.StringVar(&o.token, "token", "sandbox", "bearer token the sandbox accepts")
	f.Int64Var(&o.seed, "seed", 1, "seed for generated ids and injected faults")
	f.DurationVar(&o.latency, "latency", 0, "added to every API request, e.g. 20ms")
	f.Float64Var(&o.failRate, "fail-rate", 0, "fraction of requests answered 503 before doing anything")
	f.Float64Var(&o.lostRate, "lost-response-rate", 0, "fraction of writes applied whose answer is then lost (connection closed)")
	f.Float64Var(&o.rateLimit, "rate-limit", 0, "requests per second above which the sandbox answers 429 with Retry-After")
	f.IntVar(&o.clampTake, "clamp-take", 0, "silently clamp every list's take to this")
	f.IntVar(&o.headInsert, "head-insert-every", 0, "insert a record at the head of a list every N paged list requests")
	return cmd
}

func runSandbox(ctx context.Context, g *globalOptions, o *sandboxOptions) error {
	host, _, err := net.SplitHostPort(o.addr)
	if err != nil {
		return withCode(exitUsage, fmt.Errorf("--addr %q: want HOST:PORT such as 127.0.0.1:8787", o.addr))
	}
	if !opla.IsLoopbackHost(host) {
		return withCode(exitUsage, fmt.Errorf("--addr %q: the sandbox listens on loopback only (127.0.0.1, localhost or ::1)", o.addr))
	}
	for _, r := range []float64{o.failRate, o.lostRate} {
		if r < 0 || r > 1 {
			return withCode(exitUsage, fmt.Errorf("rates are fractions between 0 and 1, got %v", r))
		}
	}
	prof, err := g.profile()
	if err != nil {
		return err
	}
	emu, err := oplatest.NewHandler(oplatest.Options{
		Token: o.token, Profile: prof, Seed: o.seed, PersistPath: o.data,
		Latency: o.latency, FailRate: o.failRate, LostResponseRate: o.lostRate, RateLimit: o.rateLimit,
		ClampTake: o.clampTake, HeadInsertEvery: o.headInsert,
	})
	if err != nil {
		return withCode(exitUsage, err)
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return withCode(exitUsage, fmt.Errorf("listen on %s: %w", o.addr, err))
	}
	srv := &http.Server{Handler: emu, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(g.io.out, "listening on http://%s/api\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("sandbox: %w", err)
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	if err := emu.Close(); err != nil {
		return fmt.Errorf("sandbox: save %s: %w", o.data, err)
	}
	if o.data != "" {
		fmt.Fprintf(g.io.err, "state saved to %s\n", o.data)
	}
	return nil
}
