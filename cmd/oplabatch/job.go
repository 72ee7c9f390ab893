package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/oplabatch/oplabatch/importer"
	"github.com/oplabatch/oplabatch/mapping"
	"github.com/oplabatch/oplabatch/opla"
	"github.com/oplabatch/oplabatch/sheet"
	"github.com/spf13/cobra"
)

// runJob imports every sheet a job names, in dependency order; -o is then a directory
// for the per-step results workbooks.
func runJob(cmd *cobra.Command, g *globalOptions, o *importOptions, prof *opla.Profile, offline bool) error {
	ctx := cmd.Context()
	job, err := importer.LoadJob(o.mappingPath, prof)
	if err != nil {
		return withCode(exitUsage, err)
	}
	if o.sheet != "" {
		return withCode(exitUsage, errors.New("-s does not apply to a job: each step names its sheet"))
	}
	delim, err := parseDelimiter(o.delimiter)
	if err != nil {
		return withCode(exitUsage, err)
	}
	var mode mapping.Mode
	if o.mode != "" {
		if mode, err = mapping.ParseMode(o.mode); err != nil {
			return withCode(exitUsage, err)
		}
	}
	base := importer.Options{
		Input: o.input, Mode: mode, Concurrency: o.concurrency, DryRun: o.dryRun, Offline: offline,
		Log: g.logger(), Reader: sheet.Options{Delimiter: delim, Encoding: o.encoding},
		Resume: o.resume, Restart: o.restart, Stop: g.io.stop,
		MaxErrors: o.maxErrors, MaxErrorRate: o.maxRate, KeepGoing: o.keepGoing,
	}
	if !offline {
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
		printReport(g.io.err, rep, offline, time.Since(start))
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
