package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/oplabatch/oplabatch/exporter"
	"github.com/oplabatch/oplabatch/importer"
	"github.com/oplabatch/oplabatch/opla"
	"github.com/oplabatch/oplabatch/opla/oplatest"
	"github.com/oplabatch/oplabatch/samples"
	"github.com/spf13/cobra"
)

type demoOptions struct {
	out string
}

func newDemoCmd(g *globalOptions) *cobra.Command {
	o := &demoOptions{}
	cmd := &cobra.Command{
		Use:   "demo [--out DIR]",
		Short: "Run the whole sample migration against an in-process sandbox",
		Long: `Run the sample migration of a Vietnamese company (employees, accounts, contacts,
leads, products, opportunities, with a few deliberate mistakes) against an in-process
OplaCRM sandbox, then print what was created, what failed and why, and where the
workbooks are. Nothing leaves this machine; the files go to a new temporary folder,
or to --out DIR.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDemo(cmd, g, o)
		},
	}
	cmd.Flags().StringVar(&o.out, "out", "", "folder for the sample files and results (default: a new temporary folder)")
	return cmd
}

func runDemo(cmd *cobra.Command, g *globalOptions, o *demoOptions) error {
	ctx, cancel := g.io.stopContext(cmd.Context())
	defer cancel()
	w := g.io.err
	dir := o.out
	var err error
	if dir == "" {
		if dir, err = os.MkdirTemp("", "oplabatch-demo-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return withCode(exitUsage, err)
	}
	// The sample files, copied out of the binary so the user can open and edit them.
	if err := fs.WalkDir(samples.Migration, "migration", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := samples.Migration.ReadFile(path)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	}); err != nil {
		return fmt.Errorf("write the sample files: %w", err)
	}
	jobPath := filepath.Join(dir, "migration", "job.yaml")
	workbook := filepath.Join(dir, "migration", "migration.xlsx")
	resultsDir := filepath.Join(dir, "results")

	prof, err := g.profile()
	if err != nil {
		return err
	}
	state := filepath.Join(dir, "sandbox.json")
	srv := oplatest.NewServer(oplatest.Options{Token: "sandbox", Profile: prof, Seed: 1, PersistPath: state})
	defer srv.Close()
	client := srv.Client(func(co *opla.Options) { co.Logger = g.logger() })
	job, err := importer.LoadJob(jobPath, prof)
	if err != nil {
		return err
	}

	fmt.Fprintf(w, "oplabatch demo: the Sao Mai migration into an in-process OplaCRM sandbox\n")
	fmt.Fprintf(w, "sample files: %s\n\n", filepath.Join(dir, "migration"))
	start := time.Now()
	var created, failed, total int
	var failures []string
	_, err = importer.RunJob(ctx, job, importer.Options{Client: client, Input: workbook, Concurrency: 8, Log: g.logger()}, resultsDir,
		func(s *importer.Step, rep *importer.Report) {
			sum := rep.Summary
			total += sum.Total
			created += sum.Created
			failed += sum.Failed
			fmt.Fprintf(w, "  %-14s %3d rows  %3d created  %3d updated  %3d failed   %s\n", s.Mapping.Entity, sum.Total, sum.Created, sum.Updated, sum.Failed, rel(dir, rep.Output))
			for _, e := range rep.Errors {
				failures = append(failures, fmt.Sprintf("  %-14s %s", s.Mapping.Entity, e))
			}
		})
	if err != nil {
		return withCode(exitStopped, err)
	}
	fmt.Fprintf(w, "\n%d rows in %.1fs: %d created, %d failed.\n", total, time.Since(start).Seconds(), created, failed)

	// The monthly-finance side: the opportunities back out, flattened for people.
	exported := filepath.Join(resultsDir, "opportunities.xlsx")
	erep, err := exporter.Run(ctx, exporter.Options{Client: client, Entity: "opportunities", Output: exported, Log: g.logger()})
	if err != nil {
		return withCode(exitStopped, fmt.Errorf("export opportunities: %w", err))
	}
	fmt.Fprintf(w, "\nExported %d opportunities (owners, stages and custom fields as columns; stage logs and products on their own sheets) to %s\n",
		erep.Records, rel(dir, exported))
	if len(failures) > 0 {
		fmt.Fprintf(w, "\nThe sample has deliberate mistakes; each failed row says what to fix:\n")
		for _, f := range failures {
			fmt.Fprintln(w, f)
		}
	}
	stats := srv.Emulator().Stats()
	requests := 0
	for _, n := range stats.Requests {
		requests += n
	}
	fmt.Fprintf(w, "\nThe sandbox answered %d API requests and now holds %d accounts, %d contacts, %d leads, %d opportunities.\n",
		requests, stats.Records["accounts"], stats.Records["contacts"], stats.Records["leads"], stats.Records["opportunities"])
	contacts := filepath.Join(resultsDir, "migration.contacts.results.xlsx")
	fmt.Fprintf(w, `
Next:
  open %s in Excel or LibreOffice (sheets Summary, Succeeded, Failed),
  fix a row of its Failed sheet, save, and send only the failed rows again:
    oplabatch retry --sandbox --sandbox-data %s %s
  read a mapping to learn the format: %s
  export what is there now:
    oplabatch export --sandbox --sandbox-data %s contacts -o contacts.csv --bom
`, contacts, state, contacts, filepath.Join(dir, "migration", "mappings", "contacts.yaml"), state)
	fmt.Fprintf(w, "\nEverything is in %s\n", dir)
	return nil
}

func rel(base, path string) string {
	if r, err := filepath.Rel(base, path); err == nil {
		return r
	}
	return path
}
