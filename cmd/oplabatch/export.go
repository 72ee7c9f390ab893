package main

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/oplabatch/oplabatch/exporter"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
)

// exportOptions are the export command's flags.
type exportOptions struct {
	output      string
	mappingPath string
	concurrency int
	filters     []string
	since       string
	until       string
	dateField   string
	tz          string
	bom         bool
	delimiter   string
	v1          bool
	phoneParts  bool
}

func newExportCmd(g *globalOptions) *cobra.Command {
	o := &exportOptions{}
	cmd := &cobra.Command{
		Use:   "export ENTITY -o OUT.xlsx|OUT.csv [flags]",
		Short: "Page a whole dataset out of OplaCRM into an Excel workbook or CSV files",
		Long: `Page a whole dataset out of OplaCRM into a workbook (or CSV files) that opens
cleanly in Excel and LibreOffice.

Entities: ` + strings.Join(exporter.Entities(), ", ") + `.

Every record is fetched exactly once, even while the CRM changes underneath: pages of
the route's largest size are fetched -c at a time with overlapping windows, glued by the
records they share and checked to the end (an empty page). Nested objects become dotted
columns (owner.email), custom fields one column each under their name with list values
shown as labels, phones one readable column (+84 909 080 808). Lists inside a record
(stage_logs, opportunities_products, invoices, users_opportunities …) go to their own
sheets, or OUT-<list>.csv files, keyed by the parent's id, short_id and external_id.

In a workbook numbers are numbers (amounts with a thousands separator), dates and times
are real dates in --tz, and ids, phones and tax numbers are text. CSV is UTF-8 (--bom for
Excel) and text that a spreadsheet would run as a formula gets a leading apostrophe.
The file appears only when the export is complete.

An export mapping (-m) chooses, renames and orders columns by path, sets types and
Excel formats, filters rows and picks child sheets:

  entity: opportunities
  sheet: Cơ hội
  columns:
    - {path: short_id, header: Mã}
    - {path: amount, header: Giá trị, type: number, format: "#,##0"}
    - {path: date_closed, header: Ngày chốt, type: date, format: dd/mm/yyyy}
    - {path: owner.email, header: Phụ trách}
    - {path: Kênh bán hàng}              # a custom field, by its name
  where:
    stage_compact: CLOSE_WON             # also in, contains, gt, gte, lt, lte, since, until, empty
  children:
    stage_logs: {columns: [parent.short_id, new_stage, created_at, creator.email]}

Paths are the column headers of a default export.

Exit codes: 0 done, 2 usage, mapping or file name error (nothing fetched),
3 stopped (API error, token refused, interrupted): no file is written.`,
		Example: `  oplabatch export opportunities -o opportunities.xlsx
  oplabatch export opportunities -o nov.xlsx --since 2026-11-01 --until 2026-12-01 --date-field date_closed
  oplabatch export contacts -o contacts.csv --bom --delimiter ';' --filter account_external_id=ACC-001
  oplabatch export opportunities -m finance.yaml -o finance.xlsx -c 8
  oplabatch export sales-processes -o processes.xlsx --sandbox`,
		Args: exactArgs(1, "ENTITY"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExport(cmd, g, o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", "", "output file: .xlsx (one workbook) or .csv (one file per sheet) (required)")
	f.StringVarP(&o.mappingPath, "mapping", "m", "", "export mapping YAML: columns, headers, types, formats, row filters, child sheets")
	f.IntVarP(&o.concurrency, "concurrency", "c", 4, "pages fetched at once")
	f.StringArrayVar(&o.filters, "filter", nil, "API filter KEY=VALUE, repeatable (e.g. external_id, account_external_id, tax_identification_number, search, sales_process, sales_process_stages)")
	f.StringVar(&o.since, "since", "", "keep records whose --date-field is on or after this date (2026-11-01)")
	f.StringVar(&o.until, "until", "", "keep records whose --date-field is before this date (2026-12-01)")
	f.StringVar(&o.dateField, "date-field", "", "field --since/--until read (default: date_closed for opportunities, else created_at)")
	f.StringVar(&o.tz, "tz", "", "time zone dates and times are shown in (default: the mapping's, else "+exporter.DefaultTimezone+")")
	f.BoolVar(&o.bom, "bom", false, "CSV: start with a UTF-8 byte order mark so Excel reads the accents right")
	f.StringVar(&o.delimiter, "delimiter", "", `CSV: field delimiter: ",", ";", "tab" (default ",")`)
	f.BoolVar(&o.v1, "v1", false, "opportunities: use the vendor's V1 optimized list route")
	f.BoolVar(&o.phoneParts, "phone-parts", false, "add phone.phone, .call_code, .country_code and .country_name columns beside each phone")
	return cmd
}

func runExport(cmd *cobra.Command, g *globalOptions, o *exportOptions, entity string) error {
	ctx := cmd.Context()
	if o.output == "" {
		return withCode(exitUsage, fmt.Errorf("-o OUT.xlsx or OUT.csv is required\nUsage: %s", cmd.UseLine()))
	}
	format, err := exporter.FormatOf(o.output)
	if err != nil {
		return withCode(exitUsage, err)
	}
	if o.concurrency < 1 || o.concurrency > 64 {
		return withCode(exitUsage, fmt.Errorf("-c %d: want 1 to 64 pages at once", o.concurrency))
	}
	delim, err := parseDelimiter(o.delimiter)
	if err != nil {
		return withCode(exitUsage, err)
	}
	if format == exporter.XLSX && (o.bom || delim != 0) {
		return withCode(exitUsage, fmt.Errorf("--bom and --delimiter apply to CSV output; %s is a workbook", o.output))
	}
	query := url.Values{}
	for _, kv := range o.filters {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return withCode(exitUsage, fmt.Errorf("--filter %q: want KEY=VALUE", kv))
		}
		query.Add(strings.TrimSpace(k), v)
	}
	opts := exporter.Options{
		Entity: entity, Output: o.output, Format: format, Concurrency: o.concurrency, Query: query, V1: o.v1,
		Since: o.since, Until: o.until, DateField: o.dateField, BOM: o.bom, Delimiter: delim, PhoneParts: o.phoneParts,
		Log: g.logger(),
	}
	if o.mappingPath != "" {
		if opts.Spec, err = exporter.LoadSpec(o.mappingPath); err != nil {
			return withCode(exitUsage, err)
		}
	}
	if o.tz != "" {
		if opts.Location, err = time.LoadLocation(o.tz); err != nil {
			return withCode(exitUsage, fmt.Errorf("--tz %q: %w", o.tz, err))
		}
	}
	c, cleanup, err := g.client(ctx, clientOptions{concurrency: o.concurrency})
	if err != nil {
		return err
	}
	defer cleanup()
	opts.Client = c
	prog := newExportProgress(g)
	opts.Progress = prog.update
	rep, err := exporter.Run(ctx, opts)
	prog.finish()
	if err != nil {
		var oe *exporter.OptionError
		if errors.As(err, &oe) {
			return withCode(exitUsage, err)
		}
		return withCode(exitStopped, fmt.Errorf("export stopped, nothing written: %w", err))
	}
	printExportReport(g.io.err, rep)
	return nil
}

// printExportReport writes the closing lines: counts, pages, time, files.
func printExportReport(w io.Writer, rep *exporter.Report) {
	secs := rep.Elapsed.Seconds()
	rate := func(n int) float64 {
		if secs <= 0 {
			return 0
		}
		return float64(n) / secs
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", rep.Entity, exportPlural(rep.Records, "record"))
	if rep.Filtered > 0 {
		fmt.Fprintf(&b, " (%d of %d kept by the filters)", rep.Records, rep.Fetched)
	}
	fmt.Fprintf(&b, " in %.1fs (%.0f records/s), %s (%.1f/s)", secs, rate(rep.Fetched), exportPlural(rep.Pages, "page"), rate(rep.Pages))
	if rep.Retries > 0 {
		fmt.Fprintf(&b, ", %s", exportPlural(int(rep.Retries), "retry"))
	}
	if len(rep.Files) > 0 {
		fmt.Fprintf(&b, " → %s", rep.Files[0])
	}
	fmt.Fprintln(w, b.String())
	if len(rep.Children) > 0 {
		names := make([]string, 0, len(rep.Children))
		for name := range rep.Children {
			names = append(names, name)
		}
		sort.Strings(names)
		parts := make([]string, len(names))
		for i, name := range names {
			parts[i] = fmt.Sprintf("%s %d", name, rep.Children[name])
		}
		fmt.Fprintf(w, "  child rows: %s\n", strings.Join(parts, ", "))
	}
	if rep.Extra > 0 {
		fmt.Fprintf(w, "  %d values of fields that appeared late are on the Extra sheet\n", rep.Extra)
	}
	if rep.Mismatch > 0 {
		fmt.Fprintf(w, "  %d cells did not fit their column's type and were written as text\n", rep.Mismatch)
	}
	for _, f := range rep.Files[min(1, len(rep.Files)):] {
		fmt.Fprintf(w, "  also %s\n", filepath.Base(f))
	}
}

func exportPlural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(word, "y"))
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// exportProgress shows records and pages/s on a terminal, else a log line every few seconds.
type exportProgress struct {
	g    *globalOptions
	bar  *progressbar.ProgressBar
	last time.Time
}

func newExportProgress(g *globalOptions) *exportProgress {
	p := &exportProgress{g: g, last: time.Now()}
	if isTerminal(g.io.err) {
		p.bar = progressbar.NewOptions(-1, progressbar.OptionSetWriter(g.io.err), progressbar.OptionSetItsString("records"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSpinnerType(14),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish(),
			progressbar.OptionSetDescription("exporting"))
	}
	return p
}

func (p *exportProgress) update(pr exporter.Progress) {
	pps := 0.0
	if s := pr.Elapsed.Seconds(); s > 0 {
		pps = float64(pr.Pages) / s
	}
	if p.bar != nil {
		p.bar.Describe(fmt.Sprintf("exporting: %d pages (%.1f/s)", pr.Pages, pps))
		_ = p.bar.Set(pr.Fetched)
		return
	}
	if time.Since(p.last) >= 5*time.Second {
		p.last = time.Now()
		p.g.logger().Info("progress", "records", pr.Fetched, "written", pr.Records, "pages", pr.Pages, "pages_per_s", fmt.Sprintf("%.1f", pps))
	}
}

func (p *exportProgress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
