package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/oplabatch/oplabatch/mapping"
	"github.com/oplabatch/oplabatch/mapping/coerce"
	"github.com/oplabatch/oplabatch/sheet"
	"github.com/oplabatch/oplabatch/suggest"
	"github.com/spf13/cobra"
)

func newMappingCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mapping",
		Short: "Work with column mappings (suggest a draft from a sheet)",
		Long: `Work with column mappings: the YAML files that say which column fills which
OplaCRM field. "oplabatch mapping suggest" drafts one from a sheet's headers.`,
		Args: exactArgs(0, "a subcommand (suggest)"),
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newSuggestCmd(g))
	return cmd
}

type suggestOptions struct {
	entity    string
	sheet     string
	output    string
	rows      int
	force     bool
	delimiter string
	encoding  string
}

func newSuggestCmd(g *globalOptions) *cobra.Command {
	o := &suggestOptions{}
	cmd := &cobra.Command{
		Use:   "suggest FILE -e ENTITY [-s SHEET] [-o OUT.yaml]",
		Short: "Draft a mapping from a sheet's headers and first rows",
		Long: `Draft a mapping for a CSV or Excel sheet from its headers and its first rows.

Each header is matched to a field of the entity by its name (exact, or ignoring case,
accents and punctuation), by the labels of oplabatch's templates, by a dictionary of
English and Vietnamese words (Họ, Tên, Họ và tên, Điện thoại, Di động, SĐT, Địa chỉ,
Mã số thuế/MST, Ngày sinh, Giới tính, Công ty, Người phụ trách, Mã KH, Mã NV…), by a
known phrase inside a longer header, or by a close spelling. Every guess carries its
confidence in a comment; guesses below 80% are marked "check".

The values of the first rows shape each rule: value maps for enum columns (Nam, Nữ,
Khác → MALE, FEMALE, OTHER; unknown words are left as TODOs), date formats (dd/mm/yyyy
or yyyy-mm-dd), how a reference is looked up (an owner by e-mail or by employee code, an
industry or source by name or id), list separators and number locales. Values that
would fail on import are named. Headers left unmatched and the fields no column fills
are listed at the end.

The draft goes to standard output, or to -o (not overwritten without --force). Nothing
is sent to OplaCRM. Check it, then: oplabatch validate -m DRAFT.yaml FILE.`,
		Example: `  oplabatch mapping suggest -e contacts contacts.xlsx
  oplabatch mapping suggest -e accounts -s "Khách hàng" -o accounts.yaml migration.xlsx
  oplabatch mapping suggest -e leads --delimiter ";" leads.csv > leads.yaml`,
		Args: exactArgs(1, "FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSuggest(g, o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.entity, "entity", "e", "", "what the rows are: "+strings.Join(mapping.Importable, ", ")+" (default: guessed from the sheet's or file's name)")
	f.StringVarP(&o.sheet, "sheet", "s", "", "sheet to read (default: the first)")
	f.StringVarP(&o.output, "output", "o", "", "write the draft to this file instead of standard output")
	f.IntVar(&o.rows, "rows", suggest.DefaultRows, "data rows to look at for values (0 = all)")
	f.BoolVar(&o.force, "force", false, "overwrite the -o file")
	addReaderFlags(f, &o.delimiter, &o.encoding)
	return cmd
}

func runSuggest(g *globalOptions, o *suggestOptions, input string) error {
	prof, err := g.profile()
	if err != nil {
		return err
	}
	delim, err := parseDelimiter(o.delimiter)
	if err != nil {
		return withCode(exitUsage, err)
	}
	if o.rows < 0 {
		return withCode(exitUsage, fmt.Errorf("--rows %d: want 0 (all) or more", o.rows))
	}
	if o.output != "" && !o.force {
		if _, err := os.Stat(o.output); err == nil {
			return withCode(exitUsage, fmt.Errorf("%s already exists; pass --force to overwrite it, or choose another -o", o.output))
		}
	}
	header, rows, sheetName, err := suggest.Sample(input, sheet.Options{Sheet: o.sheet, Delimiter: delim, Encoding: o.encoding}, o.rows)
	if err != nil {
		return withCode(exitUsage, err)
	}
	entity := strings.ToLower(strings.TrimSpace(o.entity))
	if entity == "" {
		entity = suggest.GuessEntity(sheetName, filepath.Base(input))
		if entity == "" {
			return withCode(exitUsage, fmt.Errorf("say what the rows are with -e ENTITY (one of %s): neither the sheet's nor the file's name tells", strings.Join(mapping.Importable, ", ")))
		}
		fmt.Fprintf(g.io.err, "note: taking the rows as %s (from the name %q); pass -e to say otherwise\n", entity, firstNonEmpty(sheetName, filepath.Base(input)))
	}
	s, err := suggest.Suggest(suggest.Options{Profile: prof, Entity: entity, Header: header, Rows: rows, Sheet: sheetName, Source: filepath.Base(input)})
	if err != nil {
		if close := coerce.Closest(entity, mapping.Importable, 1); len(close) > 0 {
			err = fmt.Errorf("%w; did you mean %s?", err, close[0])
		}
		return withCode(exitUsage, err)
	}
	draft := s.YAML()
	if o.output == "" {
		if _, err := g.io.out.Write(draft); err != nil {
			return err
		}
	} else if err := writeAtomic(o.output, func(tmp string) error { return os.WriteFile(tmp, draft, 0o644) }); err != nil {
		return withCode(exitUsage, fmt.Errorf("write %s: %w", o.output, err))
	}

	w := g.io.err
	todo := 0
	for _, m := range s.Matches {
		todo += len(m.TODO)
	}
	fmt.Fprintf(w, "%s: %d of %d columns matched", entity, len(s.Matches), len(s.Matches)+len(s.Unmatched))
	if len(s.Unmatched) > 0 {
		var names []string
		for _, u := range s.Unmatched {
			names = append(names, fmt.Sprintf("%q", u.Header))
		}
		fmt.Fprintf(w, "; left out: %s", strings.Join(names, ", "))
	}
	fmt.Fprintln(w)
	if len(s.Missing) > 0 {
		fmt.Fprintf(w, "no column fills: %s\n", strings.Join(s.Missing, ", "))
	}
	if todo > 0 {
		fmt.Fprintf(w, "%d TODO(s) in the draft need a decision\n", todo)
	}
	if _, err := mapping.Parse(draft, "draft", prof); err != nil {
		fmt.Fprintf(w, "note: the draft does not load as it is yet:\n%v\n", err)
	} else if o.output != "" {
		fmt.Fprintf(w, "wrote %s; check it, then: oplabatch validate -m %s %s\n", o.output, o.output, input)
	}
	return nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
