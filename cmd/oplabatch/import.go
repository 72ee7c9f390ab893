package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/oplabatch/oplabatch/importer"
	"github.com/oplabatch/oplabatch/mapping"
	"github.com/oplabatch/oplabatch/sheet"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// importOptions are the import command's flags.
type importOptions struct {
	mappingPath string
	sheet       string
	output      string
	concurrency int
	mode        string
	dryRun      bool
	delimiter   string
	encoding    string
	input       string
	resume      bool
	restart     bool
	maxErrors   int
	maxRate     float64
	keepGoing   bool
	entity      string // retry: the entity the results workbook says
}

func newImportCmd(g *globalOptions) *cobra.Command {
	o := &importOptions{}
	cmd := &cobra.Command{
		Use:   "import -m MAPPING.yaml [flags] FILE",
		Short: "Load a CSV or Excel sheet into OplaCRM through a column mapping",
		Long: `Load a CSV or Excel sheet into OplaCRM through a YAML column mapping.

The whole file is read and checked first (header, every cell, duplicate keys); a
file-level problem stops the run before anything is written. Rows are then written
with -c writers in flight. Every row ends in the results workbook: the Succeeded sheet
(created, updated or unchanged) or the Failed sheet, whose _error column says what to
fix. Fix the Failed sheet and import it again with the same mapping.

Modes: create (fail if the key exists), update (fail if it does not; only mapped,
non-blank cells change), upsert (default: create or update by the key).

Exit codes: 0 every row succeeded, 1 some rows failed, 2 usage/mapping/file error
(nothing written), 3 stopped mid-run (e.g. the token was refused).`,
		Example: `  oplabatch import -m samples/mappings/contacts.yaml samples/contacts.csv
  oplabatch import --sandbox -m samples/mappings/accounts.yaml --dry-run samples/migration.xlsx
  oplabatch import -m contacts.yaml -s Failed contacts.results.xlsx   # re-run fixed rows`,
		Args: exactArgs(1, "FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.input = args[0]
			return runImport(cmd, g, o, false)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.mappingPath, "mapping", "m", "", "mapping YAML (required)")
	f.StringVarP(&o.sheet, "sheet", "s", "", "sheet to read (default: the mapping's sheet, else the first)")
	f.StringVarP(&o.output, "output", "o", "", "results workbook (default: <input>.results.xlsx beside the input)")
	f.IntVarP(&o.concurrency, "concurrency", "c", 4, "rows written at once")
	f.StringVar(&o.mode, "mode", "", "create, update or upsert (default: the mapping's mode, else upsert)")
	f.BoolVar(&o.dryRun, "dry-run", false, "check everything against the API but write nothing; the results show the planned actions")
	addResumeFlags(f, o)
	addReaderFlags(f, &o.delimiter, &o.encoding)
	return cmd
}

func addResumeFlags(f *pflag.FlagSet, o *importOptions) {
	f.BoolVar(&o.resume, "resume", false, "continue an interrupted run from its journal (nothing is written twice)")
	f.BoolVar(&o.restart, "restart", false, "discard the journal of an interrupted run and start over")
	f.IntVar(&o.maxErrors, "max-errors", 0, "stop (resumable) after this many failed rows (0: no limit)")
	f.Float64Var(&o.maxRate, "max-error-rate", 0, "stop (resumable) when more than this fraction of rows fail, e.g. 0.2, once 100 rows are done (0: no limit)")
	f.BoolVar(&o.keepGoing, "keep-going", false, "do not stop when the first 100 rows all fail")
}

func newValidateCmd(g *globalOptions) *cobra.Command {
	o := &importOptions{concurrency: 1}
	cmd := &cobra.Command{
		Use:   "validate -m MAPPING.yaml [-s SHEET] FILE",
		Short: "Check a file against a mapping offline (no API calls)",
		Long: `Check a file against a mapping without calling the API: the mapping itself, the
header, every cell's value and duplicate keys. References (accounts, owners,
industries…) are not checked: that needs the API (use import --dry-run).

Exit codes: 0 every row is valid, 1 some rows are not, 2 mapping or file error.`,
		Example: `  oplabatch validate -m samples/mappings/contacts.yaml samples/contacts.csv`,
		Args:    exactArgs(1, "FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.input = args[0]
			return runImport(cmd, g, o, true)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.mappingPath, "mapping", "m", "", "mapping YAML (required)")
	f.StringVarP(&o.sheet, "sheet", "s", "", "sheet to read (default: the mapping's sheet, else the first)")
	f.StringVarP(&o.output, "output", "o", "", "also write a results workbook of the invalid rows")
	addReaderFlags(f, &o.delimiter, &o.encoding)
	return cmd
}

func addReaderFlags(f interface {
	StringVar(p *string, name, value, usage string)
}, delim, enc *string) {
	f.StringVar(delim, "delimiter", "", `CSV delimiter: ",", ";", "tab" (default: sniffed)`)
	f.StringVar(enc, "encoding", "", "CSV encoding when not UTF-8: windows-1258 or windows-1252")
}

func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return withCode(exitUsage, fmt.Errorf("want %s, got %d argument(s)\nUsage: %s", what, len(args), cmd.UseLine()))
		}
		return nil
	}
}

func parseDelimiter(s string) (rune, error) {
	switch strings.ToLower(s) {
	case "":
		return 0, nil
	case "tab", `\t`:
		return '\t', nil
	}
	r, size := utf8.DecodeRuneInString(s)
	if size != len(s) || r == '"' || r == '\n' || r == '\r' {
		return 0, fmt.Errorf("--delimiter %q: want one character such as , ; or tab", s)
	}
	return r, nil
}

// baseOptions checks the flags every import shares, single sheet or job, and turns them
// into importer options (without the mapping or the API client).
func (o *importOptions) baseOptions(g *globalOptions, offline bool) (importer.Options, error) {
	delim, err := parseDelimiter(o.delimiter)
	if err != nil {
		return importer.Options{}, withCode(exitUsage, err)
	}
	var mode mapping.Mode
	if o.mode != "" {
		if mode, err = mapping.ParseMode(o.mode); err != nil {
			return importer.Options{}, withCode(exitUsage, err)
		}
	}
	switch {
	case o.resume && o.restart:
		return importer.Options{}, withCode(exitUsage, errors.New("--resume and --restart exclude each other"))
	case o.concurrency < 1 || o.concurrency > 256:
		return importer.Options{}, withCode(exitUsage, fmt.Errorf("-c %d: want 1 to 256 writers", o.concurrency))
	case o.maxErrors < 0 || o.maxRate < 0 || o.maxRate > 1:
		return importer.Options{}, withCode(exitUsage, errors.New("--max-errors is a count (0 or more) and --max-error-rate a fraction between 0 and 1"))
	}
	return importer.Options{
		Input: o.input, Mode: mode, Concurrency: o.concurrency,
		DryRun: o.dryRun, Offline: offline, Log: g.logger(),
		Reader: sheet.Options{Delimiter: delim, Encoding: o.encoding},
		Resume: o.resume, Restart: o.restart, Stop: g.io.stop,
		MaxErrors: o.maxErrors, MaxErrorRate: o.maxRate, KeepGoing: o.keepGoing,
	}, nil
}

func runImport(cmd *cobra.Command, g *globalOptions, o *importOptions, offline bool) error {
	ctx := cmd.Context()
	if o.mappingPath == "" {
		return withCode(exitUsage, fmt.Errorf("-m MAPPING.yaml is required\nUsage: %s", cmd.UseLine()))
	}
	opts, err := o.baseOptions(g, offline)
	if err != nil {
		return err
	}
	prof, err := g.profile()
	if err != nil {
		return err
	}
	data, err := mapping.ReadLimited(o.mappingPath, 1<<20)
	if err != nil {
		return withCode(exitUsage, fmt.Errorf("read mapping: %w", err))
	}
	if importer.IsJob(data) {
		return runJob(cmd, g, o, opts, prof)
	}
	m, err := mapping.Parse(data, o.mappingPath, prof)
	if err != nil {
		return withCode(exitUsage, err)
	}
	if o.entity != "" && o.entity != m.Entity {
		return withCode(exitUsage, fmt.Errorf("the mapping %s loads %s, but the results workbook is of %s", o.mappingPath, m.Entity, o.entity))
	}
	opts.Mapping, opts.Sheet, opts.Output = m, o.sheet, o.output
	if !offline {
		c, cleanup, err := g.client(ctx, clientOptions{concurrency: o.concurrency})
		if err != nil {
			return err
		}
		defer cleanup()
		opts.Client = c
	}
	opts.Progress = newProgress(g, offline)
	start := time.Now()
	rep, err := importer.Run(ctx, opts)
	if err != nil {
		var fe *importer.FileError
		if errors.As(err, &fe) {
			return withCode(exitUsage, err)
		}
		return withCode(exitStopped, err)
	}
	printReport(g.io.err, rep, offline, time.Since(start))
	switch {
	case rep.Stopped != nil:
		msg := fmt.Sprintf("stopped: %v", rep.Stopped)
		if rep.Journal != "" {
			msg += fmt.Sprintf("\nto continue where it stopped, run the same command with --resume (journal: %s)", rep.Journal)
		}
		return withCode(exitStopped, errors.New(msg))
	case rep.Summary.Failed > 0:
		return withCode(exitFailed, nil)
	}
	return nil
}

func printReport(w io.Writer, rep *importer.Report, offline bool, elapsed time.Duration) {
	s := rep.Summary
	if n := len(rep.Ignored); n > 0 {
		shown := rep.Ignored[:min(n, 12)]
		more := ""
		if n > len(shown) {
			more = fmt.Sprintf(" … and %d more", n-len(shown))
		}
		fmt.Fprintf(w, "note: columns not in the mapping (ignored): %s%s\n", strings.Join(shown, ", "), more)
	}
	for _, warn := range rep.Warnings {
		fmt.Fprintf(w, "note: %s\n", warn)
	}
	for _, e := range rep.Errors {
		fmt.Fprintln(w, "  "+e)
	}
	if s.Failed > len(rep.Errors) {
		fmt.Fprintf(w, "  … and %d more (see the Failed sheet)\n", s.Failed-len(rep.Errors))
	}
	rate := 0.0
	if elapsed > 0 {
		rate = float64(s.Succeeded+s.Failed) / elapsed.Seconds()
	}
	if offline {
		fmt.Fprintf(w, "%s: %d rows, %d valid, %d invalid (%.1fs)\n", s.Input, s.Total, s.Succeeded, s.Failed, elapsed.Seconds())
	} else {
		verb := ""
		if rep.Summary.Extra != nil {
			for _, kv := range rep.Summary.Extra {
				if kv[0] == "dry_run" {
					verb = "dry run (nothing written): "
				}
			}
		}
		fmt.Fprintf(w, "%s%s: %d rows: %d created, %d updated, %d unchanged, %d failed, %d skipped in %.1fs (%.0f rows/s)\n",
			verb, s.Entity, s.Total, s.Created, s.Updated, s.Unchanged, s.Failed, s.Skipped, elapsed.Seconds(), rate)
	}
	if rep.Output != "" {
		fmt.Fprintf(w, "results: %s\n", rep.Output)
	}
}

// progress shows a bar on a terminal, else a log line every few seconds.
type progress struct {
	mu     sync.Mutex
	bar    *progressbar.ProgressBar
	g      *globalOptions
	total  int
	done   int
	failed int
	last   time.Time
	start  time.Time
}

func newProgress(g *globalOptions, offline bool) importer.Progress {
	return &progress{g: g}
}

func (p *progress) Start(total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total, p.start, p.last = total, time.Now(), time.Now()
	if isTerminal(p.g.io.err) {
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(p.g.io.err), progressbar.OptionSetItsString("rows"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
	}
}

func (p *progress) Done(action string, failed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if failed {
		p.failed++
	}
	if p.bar != nil {
		_ = p.bar.Add(1)
		return
	}
	if time.Since(p.last) >= 5*time.Second {
		p.last = time.Now()
		p.g.logger().Info("progress", "rows", p.done, "of", p.total, "failed", p.failed, "rows_per_s", fmt.Sprintf("%.0f", float64(p.done)/time.Since(p.start).Seconds()))
	}
}

func (p *progress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
