package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/oplabatch/oplabatch/mapping"
	"github.com/oplabatch/oplabatch/mapping/coerce"
	"github.com/oplabatch/oplabatch/templates"
	"github.com/spf13/cobra"
)

type templateOptions struct {
	output  string
	lang    string
	force   bool
	noLists bool
}

func newTemplateCmd(g *globalOptions) *cobra.Command {
	o := &templateOptions{}
	cmd := &cobra.Command{
		Use:   "template ENTITY -o TEMPLATE.xlsx [--lang vi] [--force]",
		Short: "Write an import template workbook for an entity, and the mapping that imports it",
		Long: `Write an Excel template for one kind of record, and beside it TEMPLATE.mapping.yaml:
the mapping that imports the filled-in template as it is.

The data sheet has one column per field a column can fill; the columns a row must
fill are marked * and shown in red. Each header has a note saying what its cells take
(type, format, allowed values). Enum and yes/no columns have dropdowns, dates are shown
dd/mm/yyyy and text columns are formatted as text so Excel keeps leading zeros. When
OplaCRM is at hand (a token, or --sandbox), the columns that name its lists —
industries, sources, lead statuses, sales processes and stages, employees' e-mails —
get dropdowns of the current values, kept on a hidden Lists sheet; without a token the
template is made without them. The Instructions sheet explains it all in plain words.

--lang vi writes Vietnamese headers (Mã KH, Họ, Tên, Ngày sinh, Giới tính, Điện thoại…)
and Vietnamese dropdown values (Nam, Nữ, Khác…), which the mapping translates.

Entities: ` + strings.Join(mapping.Importable, ", ") + `.
Existing files are not overwritten unless --force is given.`,
		Example: `  oplabatch template contacts -o contacts.xlsx              # + contacts.mapping.yaml
  oplabatch template accounts -o khach-hang.xlsx --lang vi --sandbox
  oplabatch import -m contacts.mapping.yaml contacts.xlsx    # once it is filled in`,
		Args: exactArgs(1, "ENTITY"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTemplate(cmd, g, o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", "", "template workbook to write (default: ENTITY.template.xlsx); the mapping goes beside it as NAME.mapping.yaml")
	f.StringVar(&o.lang, "lang", templates.LangEN, "header language: en or vi")
	f.BoolVar(&o.force, "force", false, "overwrite existing files")
	f.BoolVar(&o.noLists, "no-lists", false, "do not read OplaCRM's lists (industries, employees…) for dropdowns")
	return cmd
}

// mappingPathFor is where a template's mapping goes: T.xlsx -> T.mapping.yaml.
func mappingPathFor(workbook string) string {
	return strings.TrimSuffix(workbook, filepath.Ext(workbook)) + ".mapping.yaml"
}

func runTemplate(cmd *cobra.Command, g *globalOptions, o *templateOptions, entity string) error {
	prof, err := g.profile()
	if err != nil {
		return err
	}
	entity = strings.ToLower(strings.TrimSpace(entity))
	pl, err := templates.NewPlan(prof, entity, strings.ToLower(o.lang))
	if err != nil {
		if close := coerce.Closest(entity, mapping.Importable, 1); len(close) > 0 && !strings.Contains(err.Error(), "language") {
			err = fmt.Errorf("%w; did you mean %s?", err, close[0])
		}
		return withCode(exitUsage, err)
	}
	out := o.output
	if out == "" {
		out = entity + ".template.xlsx"
	}
	if !strings.EqualFold(filepath.Ext(out), ".xlsx") {
		return withCode(exitUsage, fmt.Errorf("-o %s: a template is an Excel workbook; name it .xlsx", out))
	}
	mapPath := mappingPathFor(out)
	if !o.force {
		var exist []string
		for _, p := range []string{out, mapPath} {
			if _, err := os.Stat(p); err == nil {
				exist = append(exist, p)
			}
		}
		if len(exist) > 0 {
			return withCode(exitUsage, fmt.Errorf("%s already exist(s); pass --force to overwrite, or choose another -o", strings.Join(exist, " and ")))
		}
	}

	var lists *templates.Lists
	if need := pl.Lists(); len(need) > 0 && !o.noLists {
		lists, err = liveLists(cmd, g, need)
		if err != nil {
			return err
		}
		if lists == nil {
			fmt.Fprintln(g.io.err, "note: no API token (OPLA_TOKEN, --token-file) and no --sandbox: the template has no dropdowns of OplaCRM's lists (industries, sources, employees…)")
		}
	}

	base := filepath.Base(out)
	mapBase := filepath.Base(mapPath)
	f, err := pl.Workbook(templates.WorkbookOptions{Lists: lists, FileName: base, MappingName: mapBase})
	if err != nil {
		return err
	}
	defer f.Close()
	yaml, err := pl.Mapping(prof, templates.MappingOptions{FileName: base, MappingName: mapBase})
	if err != nil {
		return err
	}
	if err := writeAtomic(out, func(tmp string) error { return f.SaveAs(tmp) }); err != nil {
		return withCode(exitUsage, fmt.Errorf("write %s: %w", out, err))
	}
	if err := writeAtomic(mapPath, func(tmp string) error { return os.WriteFile(tmp, yaml, 0o644) }); err != nil {
		return withCode(exitUsage, fmt.Errorf("write %s: %w", mapPath, err))
	}

	w := g.io.err
	required, dropdowns := 0, 0
	for _, c := range pl.Columns {
		if c.Required {
			required++
		}
		if len(c.Choices) > 0 || len(lists.Get(c.List)) > 0 {
			dropdowns++
		}
	}
	fmt.Fprintf(w, "wrote %s: %s, %d columns (%d required), %d with dropdowns", out, pl.Entity, len(pl.Columns), required, dropdowns)
	if lists != nil {
		fmt.Fprintf(w, ", lists from %s", lists.From)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "wrote %s: the mapping that imports it\n", mapPath)
	fmt.Fprintf(w, "fill in the %q sheet, then: oplabatch import -m %s %s\n", pl.Sheet, mapPath, out)
	return nil
}

// liveLists reads the lists from OplaCRM or the sandbox; nil, nil when there is no token
// and no --sandbox (the template is then made without them).
func liveLists(cmd *cobra.Command, g *globalOptions, need []string) (*templates.Lists, error) {
	if !g.sandbox {
		tok, err := g.resolveToken()
		if err != nil {
			return nil, err
		}
		if tok == "" {
			return nil, nil
		}
	}
	ctx, cancel := g.io.stopContext(cmd.Context())
	defer cancel()
	c, cleanup, err := g.client(ctx, clientOptions{concurrency: 1})
	if err != nil {
		return nil, err
	}
	defer cleanup()
	lists, err := templates.FetchLists(ctx, c, need)
	if err != nil {
		return nil, withCode(exitStopped, fmt.Errorf("read OplaCRM's lists for the dropdowns: %w\n(pass --no-lists to make the template without them)", err))
	}
	if g.sandbox {
		lists.From = "the sandbox"
	}
	return lists, nil
}

// writeAtomic writes a file through a temporary file in the same folder, so a failure
// never leaves half a file under the final name.
func writeAtomic(path string, write func(tmp string) error) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*"+filepath.Ext(path))
	if err != nil {
		return err
	}
	name := tmp.Name()
	_ = tmp.Close()
	if err := write(name); err != nil {
		_ = os.Remove(name)
		return err
	}
	if err := os.Chmod(name, 0o644); err != nil {
		_ = os.Remove(name)
		return err
	}
	if err := os.Rename(name, path); err != nil {
		_ = os.Remove(name)
		return err
	}
	return nil
}
