package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/oplabatch/oplabatch/mapping"
	"github.com/oplabatch/oplabatch/opla"
	"github.com/oplabatch/oplabatch/opla/oplatest"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// streams are the command's standard streams: data on out, everything else on err.
type streams struct {
	in       io.Reader
	out, err io.Writer
	stop     <-chan struct{} // closed on the first interrupt; nil = never
}

// stopContext is ctx, cancelled on the first interrupt: for commands that have nothing
// to finish gracefully.
func (s *streams) stopContext(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	if s.stop != nil {
		go func() {
			select {
			case <-s.stop:
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	return ctx, cancel
}

// isTerminal reports whether w is a terminal (progress bars only then).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd())) && os.Getenv("TERM") != "dumb"
}

// globalOptions are the flags every command shares.
type globalOptions struct {
	io          *streams
	baseURL     string
	token       string
	tokenFile   string
	sandbox     bool
	sandboxData string
	apiProfile  string
	verbose     bool
	log         *slog.Logger
}

func newRootCmd(s *streams) *cobra.Command {
	g := &globalOptions{io: s}
	root := &cobra.Command{
		Use:   "oplabatch",
		Short: "Bulk import and export for OplaCRM",
		Long: `oplabatch moves data in and out of OplaCRM in bulk.

It loads CSV and Excel files through YAML column mappings (create, update or upsert),
checks every row before it is written, resolves references (accounts, owners,
industries, sources, lead statuses, sales processes), and writes a results workbook
with a Succeeded and a Failed sheet; the Failed sheet can be fixed and imported again.

Authentication: set OPLA_TOKEN, or pass --token-file FILE (or --token, which other
users of the machine can see in the process list). --sandbox runs any command against
an in-process OplaCRM emulator seeded with sample data, so you can try everything
without an account.`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			level := slog.LevelInfo
			if g.verbose {
				level = slog.LevelDebug
			}
			g.log = slog.New(slog.NewTextHandler(s.err, &slog.HandlerOptions{Level: level}))
			return nil
		},
	}
	root.SetOut(s.out)
	root.SetErr(s.err)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return withCode(exitUsage, fmt.Errorf("%w\nsee '%s --help'", err, cmd.CommandPath()))
	})
	pf := root.PersistentFlags()
	pf.StringVar(&g.baseURL, "base-url", os.Getenv("OPLA_BASE_URL"), "API root (env OPLA_BASE_URL)")
	pf.StringVar(&g.token, "token", "", "API token (prefer OPLA_TOKEN or --token-file: a flag shows in the process list)")
	pf.StringVar(&g.tokenFile, "token-file", "", "read the API token from this file")
	pf.BoolVar(&g.sandbox, "sandbox", false, "use an in-process OplaCRM emulator seeded with the sample data")
	pf.StringVar(&g.sandboxData, "sandbox-data", "", "with --sandbox: load the sandbox's state from this file and save it back (as sandbox --data does)")
	pf.StringVar(&g.apiProfile, "api-profile", "", "API profile YAML that replaces the built-in route table")
	pf.BoolVarP(&g.verbose, "verbose", "v", false, "log every API request (never the token)")

	root.AddCommand(newImportCmd(g), newRetryCmd(g), newValidateCmd(g), newExportCmd(g), newSandboxCmd(g), newDemoCmd(g), newTemplateCmd(g), newMappingCmd(g))
	addProfileFlags(root) // hidden --cpuprofile/--memprofile (profile.go); keep after the last AddCommand
	return root
}

func (g *globalOptions) logger() *slog.Logger {
	if g.log == nil {
		return slog.New(slog.NewTextHandler(g.io.err, nil))
	}
	return g.log
}

// profile returns the API profile: --api-profile or the built-in one.
func (g *globalOptions) profile() (*opla.Profile, error) {
	if g.apiProfile == "" {
		return opla.DefaultProfile(), nil
	}
	p, err := opla.LoadProfile(g.apiProfile)
	if err != nil {
		return nil, withCode(exitUsage, err)
	}
	return p, nil
}

// resolveToken finds the token: --token, then --token-file, then OPLA_TOKEN.
func (g *globalOptions) resolveToken() (string, error) {
	if g.token != "" {
		g.logger().Warn("--token is visible to other users in the process list; prefer OPLA_TOKEN or --token-file")
		return strings.TrimSpace(g.token), nil
	}
	if g.tokenFile != "" {
		st, err := os.Stat(g.tokenFile)
		if err != nil {
			return "", withCode(exitUsage, fmt.Errorf("token file: %w", err))
		}
		if st.Mode().Perm()&0o077 != 0 {
			g.logger().Warn("the token file can be read by other users; run chmod 600 on it", "file", g.tokenFile)
		}
		data, err := mapping.ReadLimited(g.tokenFile, 64<<10)
		if err != nil {
			return "", withCode(exitUsage, fmt.Errorf("token file: %w", err))
		}
		tok := strings.TrimSpace(string(data))
		if tok == "" {
			return "", withCode(exitUsage, fmt.Errorf("token file %s is empty", g.tokenFile))
		}
		return tok, nil
	}
	return strings.TrimSpace(os.Getenv("OPLA_TOKEN")), nil
}

// clientOptions tune a client per command.
type clientOptions struct {
	concurrency int
}

// client builds the API client: against the in-process sandbox with --sandbox, else the
// configured API. The returned cleanup stops the sandbox.
func (g *globalOptions) client(ctx context.Context, co clientOptions) (*opla.Client, func(), error) {
	prof, err := g.profile()
	if err != nil {
		return nil, nil, err
	}
	conns := max(co.concurrency*2, 8)
	if g.sandboxData != "" && !g.sandbox {
		return nil, nil, withCode(exitUsage, fmt.Errorf("--sandbox-data needs --sandbox"))
	}
	if g.sandbox {
		srv := oplatest.NewServer(oplatest.Options{Token: "sandbox", Profile: prof, Seed: 1, PersistPath: g.sandboxData})
		c := srv.Client(func(o *opla.Options) {
			o.Logger = g.logger()
			o.MaxConns = conns
		})
		return c, srv.Close, nil
	}
	tok, err := g.resolveToken()
	if err != nil {
		return nil, nil, err
	}
	if tok == "" {
		return nil, nil, withCode(exitUsage, fmt.Errorf("no API token: set OPLA_TOKEN, or pass --token-file FILE; or try it on sample data with --sandbox"))
	}
	c, err := opla.New(opla.Options{BaseURL: g.baseURL, Token: tok, Profile: prof, Logger: g.logger(), MaxConns: conns})
	if err != nil {
		return nil, nil, withCode(exitUsage, err)
	}
	return c, func() {}, nil
}
