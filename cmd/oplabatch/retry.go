package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/oplabatch/oplabatch/results"
	"github.com/spf13/cobra"
)

func newRetryCmd(g *globalOptions) *cobra.Command {
	o := &importOptions{}
	cmd := &cobra.Command{
		Use:   "retry [-m MAPPING.yaml] [-o RESULTS.xlsx] RESULTS.xlsx",
		Short: "Re-run only the failed rows of an earlier import",
		Long: `Re-run only the rows of the Failed sheet of a results workbook, usually after fixing
them by hand in Excel. The entity, mapping and mode come from the workbook's Summary
sheet; -m overrides the mapping (e.g. after fixing it). Rows keep their original row
numbers in the new results workbook (default: <name>.retry-N.xlsx beside it), so the
Failed sheet of a retry can be retried again.

The same works by hand: oplabatch import -m MAPPING.yaml -s Failed RESULTS.xlsx`,
		Example: `  oplabatch retry contacts.results.xlsx
  oplabatch retry -m contacts-fixed.yaml contacts.results.xlsx`,
		Args: exactArgs(1, "RESULTS.xlsx"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := prepareRetry(o, args[0]); err != nil {
				return err
			}
			return runImport(cmd, g, o, false)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.mappingPath, "mapping", "m", "", "mapping YAML (default: the one the Summary sheet names)")
	f.StringVarP(&o.output, "output", "o", "", "results workbook of the retry (default: <name>.retry-N.xlsx)")
	f.IntVarP(&o.concurrency, "concurrency", "c", 4, "rows written at once")
	f.BoolVar(&o.dryRun, "dry-run", false, "check everything against the API but write nothing")
	addResumeFlags(f, o)
	return cmd
}

// prepareRetry fills the import options from a results workbook's Summary.
func prepareRetry(o *importOptions, path string) error {
	if !results.IsResultsWorkbook(path) {
		return withCode(exitUsage, fmt.Errorf("%s is not an oplabatch results workbook (it needs Summary, Succeeded and Failed sheets)", path))
	}
	run, err := results.ReadSummary(path)
	if err != nil {
		return withCode(exitUsage, fmt.Errorf("read %s: %w", path, err))
	}
	if run.Int(results.KeyFailed) == 0 {
		return withCode(exitOK, fmt.Errorf("%s has no failed rows: nothing to retry", path))
	}
	o.input, o.sheet, o.entity = path, results.SheetFailed, run.Get(results.KeyEntity)
	if o.mode == "" {
		o.mode = run.Get(results.KeyMode)
	}
	if o.mappingPath == "" {
		o.mappingPath = findMapping(run.Get(results.KeyMapping), path)
		if o.mappingPath == "" {
			return withCode(exitUsage, fmt.Errorf("the mapping %q named in %s's Summary was not found; pass it with -m", run.Get(results.KeyMapping), path))
		}
	}
	if o.output == "" && !o.resume {
		o.output = nextRetryName(path)
	} else if o.output == "" {
		o.output = lastRetryName(path)
	}
	return nil
}

// findMapping looks for the Summary's mapping as written, then beside the workbook.
func findMapping(name, workbook string) string {
	if name == "" {
		return ""
	}
	for _, p := range []string{name, filepath.Join(filepath.Dir(workbook), filepath.Base(name))} {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}

func retryName(path string, n int) string {
	return fmt.Sprintf("%s.retry-%d.xlsx", strings.TrimSuffix(path, filepath.Ext(path)), n)
}

// nextRetryName is <name>.retry-N.xlsx with the first N not taken.
func nextRetryName(path string) string {
	for n := 1; ; n++ {
		p := retryName(path, n)
		if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
			return p
		}
	}
}

// lastRetryName is the newest retry that left a journal to resume.
func lastRetryName(path string) string {
	last := retryName(path, 1)
	for n := 1; ; n++ {
		p := retryName(path, n)
		_, errOut := os.Stat(p)
		_, errJournal := os.Stat(p + ".journal")
		if errJournal == nil {
			last = p
		}
		if errOut != nil && errJournal != nil {
			return last
		}
	}
}
