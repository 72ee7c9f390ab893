package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/oplabatch/oplabatch/importer"
	"github.com/oplabatch/oplabatch/opla"
	"github.com/spf13/cobra"
)

// runJob imports every sheet a job names, in dependency order; -o is then a directory
// for the per-step results workbooks.
func runJob(cmd *cobra.Command, g *globalOptions, o *importOptions, base importer.Options, prof *opla.Profile) error {
	ctx := cmd.Context()
	job, err := importer.LoadJob(o.mappingPath, prof)
	if err != nil {
		return withCode(exitUsage, err)
	}
	if o.sheet != "" {
		return withCode(exitUsage, errors.New("-s does not apply to a job: each step names its sheet"))
	}
	if !base.Offline {
		c, cleanup, err := g.client(ctx, clientOptions{concurrency: o.concurrency})
		if err != nil {
			return err
		}
		defer cleanup()
		base.Client = c
	}
	failed, stopped := 0, false
	start := time.Now()
	_, err = importer.RunJob(ctx, job, base, o.output, func(s *importer.Step, rep *importer.Report) {
		if rep == nil {
			fmt.Fprintf(g.io.err, "%s: done in the earlier run (results kept)\n", s.Mapping.Entity)
			return
		}
		printReport(g.io.err, rep, base.Offline, time.Since(start))
		start = time.Now()
		failed += rep.Summary.Failed
		if rep.Stopped != nil {
			stopped = true
			msg := fmt.Sprintf("stopped in step %s: %v", s.Mapping.Entity, rep.Stopped)
			if rep.Journal != "" {
				msg += "\nto continue, run the same command with --resume"
			}
			fmt.Fprintln(g.io.err, msg)
		}
	})
	if err != nil {
		var fe *importer.FileError
		if errors.As(err, &fe) {
			return withCode(exitUsage, err)
		}
		return withCode(exitStopped, err)
	}
	switch {
	case stopped:
		return withCode(exitStopped, nil)
	case failed > 0:
		return withCode(exitFailed, nil)
	}
	return nil
}
