package templates_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oplabatch/oplabatch/importer"
	"github.com/oplabatch/oplabatch/mapping"
	"github.com/oplabatch/oplabatch/mapping/coerce"
	"github.com/oplabatch/oplabatch/opla"
	"github.com/oplabatch/oplabatch/opla/oplatest"
	"github.com/oplabatch/oplabatch/templates"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

func newServer(t *testing.T) (*oplatest.Server, *opla.Client) {
	t.Helper()
	srv := oplatest.NewServer(oplatest.Options{Seed: 1})
	t.Cleanup(srv.Close)
	c := srv.Client(func(o *opla.Options) {
		o.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	})
	return srv, c
}

// build makes an entity's template (with the emulator's lists when c is not nil), saves it
// and returns the plan, the path and the parsed mapping.
func build(t *testing.T, c *opla.Client, entity, lang string) (*templates.Plan, string, *mapping.Mapping) {
	t.Helper()
	p := opla.DefaultProfile()
	pl, err := templates.NewPlan(p, entity, lang)
	require.NoError(t, err)
	var lists *templates.Lists
	if c != nil {
		lists, err = templates.FetchLists(context.Background(), c, pl.Lists())
		require.NoError(t, err)
	}
	f, err := pl.Workbook(templates.WorkbookOptions{Lists: lists, FileName: "T.xlsx", MappingName: "T.mapping.yaml"})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "T.xlsx")
	require.NoError(t, f.SaveAs(path))
	require.NoError(t, f.Close())
	y, err := pl.Mapping(p, templates.MappingOptions{FileName: "T.xlsx", MappingName: "T.mapping.yaml"})
	require.NoError(t, err)
	m, err := mapping.Parse(y, "T.mapping.yaml", p)
	require.NoError(t, err, "%s", y)
	return pl, path, m
}

// dropdowns reads a sheet's list validations back: column letter -> allowed values (the
// values of a range on the Lists sheet, or the inline list).
func dropdowns(t *testing.T, f *excelize.File, sheet string) map[string][]string {
	t.Helper()
	dvs, err := f.GetDataValidations(sheet)
	require.NoError(t, err)
	out := map[string][]string{}
	for _, dv := range dvs {
		require.Equal(t, "list", dv.Type)
		first, _, _ := strings.Cut(dv.Sqref, ":")
		col := strings.TrimRight(first, "0123456789")
		require.Equal(t, fmt.Sprintf("%s2:%s1048576", col, col), dv.Sqref)
		formula := dv.Formula1
		if strings.HasPrefix(formula, `"`) {
			out[col] = strings.Split(strings.Trim(formula, `"`), ",")
			continue
		}
		sh, rng, ok := strings.Cut(formula, "!")
		require.True(t, ok, formula)
		from, to, _ := strings.Cut(strings.ReplaceAll(rng, "$", ""), ":")
		c1, r1, err := excelize.CellNameToCoordinates(from)
		require.NoError(t, err)
		_, r2, err := excelize.CellNameToCoordinates(to)
		require.NoError(t, err)
		for r := r1; r <= r2; r++ {
			cell, _ := excelize.CoordinatesToCellName(c1, r)
			v, err := f.GetCellValue(sh, cell)
			require.NoError(t, err)
			out[col] = append(out[col], v)
		}
	}
	return out
}

// fill writes n rows of valid values into the template, as a person would: dropdown values
// from the dropdowns, the seed's accounts and contacts for references, dates both as text
// and as Excel dates.
func fill(t *testing.T, path string, pl *templates.Plan, n int) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer f.Close()
	dd := dropdowns(t, f, pl.Sheet)
	for i := 1; i <= n; i++ {
		row := i + 1
		for j, c := range pl.Columns {
			col, _ := excelize.ColumnNumberToName(j + 1)
			cell := fmt.Sprintf("%s%d", col, row)
			var v any
			switch {
			case c.Field.Name == pl.Key:
				v = fmt.Sprintf("TPL-%s-%d", strings.ToUpper(pl.Entity), i)
			case len(dd[col]) > 0:
				v = dd[col][0] // the first stage belongs to the first process
				if c.List == templates.ListEmployeeEmails || c.List == templates.ListEmployeeCodes {
					v = dd[col][(i-1)%len(dd[col])]
				}
			case c.Ref == "accounts":
				v = []string{"ACC-001", "ACC-002"}[(i-1)%2]
			case c.Ref == "contacts":
				v = "CT-001, CT-002"
			case c.Kind == templates.KindDate && i%2 == 0:
				v = time.Date(1990, 3, 14, 0, 0, 0, 0, time.UTC)
			case c.Kind == templates.KindDate:
				v = "29/02/1996"
			case c.Kind == templates.KindPhone:
				v = []string{"0909 123 456", "+84 28 3823 4567"}[(i-1)%2]
			case c.Kind == templates.KindEmail:
				v = fmt.Sprintf("tpl.%d@example.vn", i)
			case c.Kind == templates.KindURL:
				v = "https://example.vn"
			case c.Kind == templates.KindNumber && i%2 == 0:
				v = "12.500.000" // typed as text, Vietnamese thousands
			case c.Kind == templates.KindNumber:
				v = 1250000.5
			default:
				v = fmt.Sprintf("%s %d", c.Label, i)
			}
			require.NoError(t, f.SetCellValue(pl.Sheet, cell, v))
		}
	}
	require.NoError(t, f.Save())
}

// TestTemplatesImport fills every entity's template, in both languages, through its own
// mapping into the emulator: every row is created, then the same file again updates or
// leaves them unchanged, with no failure either time.
func TestTemplatesImport(t *testing.T) {
	for _, entity := range mapping.Importable {
		for _, lang := range templates.Langs {
			t.Run(entity+"/"+lang, func(t *testing.T) {
				t.Parallel()
				srv, c := newServer(t)
				pl, path, m := build(t, c, entity, lang)
				fill(t, path, pl, 2)
				for run := 1; run <= 2; run++ {
					rep, err := importer.Run(context.Background(), importer.Options{Mapping: m, Client: c, Input: path, Concurrency: 2,
						Output: filepath.Join(filepath.Dir(path), fmt.Sprintf("results-%d.xlsx", run))})
					require.NoError(t, err)
					require.NoError(t, rep.Stopped)
					require.Zero(t, rep.Summary.Failed, "run %d: %v", run, rep.Errors)
					require.Empty(t, rep.Ignored)
					require.Equal(t, 2, rep.Summary.Total)
					if run == 1 {
						require.Equal(t, 2, rep.Summary.Created)
					} else {
						require.Equal(t, 2, rep.Summary.Updated+rep.Summary.Unchanged)
					}
				}
				checkStored(t, srv, pl)
			})
		}
	}
}

// checkStored spot-checks the stored records: enums arrive as the API's values (through
// the map for Vietnamese labels), dates as dates.
func checkStored(t *testing.T, srv *oplatest.Server, pl *templates.Plan) {
	t.Helper()
	recs := srv.Emulator().Records(pl.Entity)
	var rec map[string]any
	for _, r := range recs {
		if r["external_id"] == "TPL-"+strings.ToUpper(pl.Entity)+"-1" {
			rec = r
		}
	}
	require.NotNil(t, rec, "record 1 of %s not stored", pl.Entity)
	for _, c := range pl.Columns {
		if c.UpdateOnly {
			continue
		}
		got := rec[c.Field.Name]
		switch {
		case c.Kind == templates.KindEnum && c.Field.Type == opla.TypeString:
			require.Equal(t, c.Field.Enum[0], got, c.Field.Name)
		case c.Kind == templates.KindDate:
			require.Contains(t, fmt.Sprint(got), "1996-02-2", c.Field.Name) // 29/02 (or 28T17:00Z in UTC)
		case c.Kind == templates.KindText && c.Ref == "" && c.Field.Name != pl.Key:
			require.Equal(t, c.Label+" 1", got, c.Field.Name)
		}
	}
}

// TestDropdownsMatchProfile reads the data validations back: every enum column offers the
// profile's values (through the mapping's map for Vietnamese labels), yes/no columns offer
// yes and no, live lists offer the CRM's lists, and no other column has a dropdown.
func TestDropdownsMatchProfile(t *testing.T) {
	_, c := newServer(t)
	industries, err := c.Accounts.Industries(context.Background())
	require.NoError(t, err)
	var industryNames []string
	for _, it := range industries {
		industryNames = append(industryNames, it.Name)
	}
	for _, entity := range mapping.Importable {
		for _, lang := range templates.Langs {
			for _, live := range []bool{true, false} {
				t.Run(fmt.Sprintf("%s/%s/live=%v", entity, lang, live), func(t *testing.T) {
					var cl *opla.Client
					if live {
						cl = c
					}
					pl, path, m := build(t, cl, entity, lang)
					f, err := excelize.OpenFile(path)
					require.NoError(t, err)
					defer f.Close()
					dd := dropdowns(t, f, pl.Sheet)
					rules := map[string]*mapping.Rule{}
					for _, r := range m.Rules {
						rules[r.Field] = r
					}
					seen := 0
					for j, col := range pl.Columns {
						letter, _ := excelize.ColumnNumberToName(j + 1)
						values, has := dd[letter]
						header, err := f.GetCellValue(pl.Sheet, letter+"1")
						require.NoError(t, err)
						require.Equal(t, col.Header, header)
						rule := rules[col.Field.Name]
						require.NotNil(t, rule, col.Field.Name)
						require.Equal(t, col.Header, rule.Header)
						switch {
						case len(col.Field.Enum) > 0:
							require.True(t, has, "%s has no dropdown", col.Field.Name)
							var api []string
							for _, v := range values {
								got, err := coerce.Enum(coerce.Input{Text: v}, coerce.Options{Map: rule.Map, Enum: col.Field.Enum})
								if col.Field.Type == opla.TypeNumber {
									got, err = v, nil
								}
								require.NoError(t, err)
								api = append(api, got)
							}
							require.Equal(t, col.Field.Enum, api, col.Field.Name)
							if lang == templates.LangEN {
								require.Equal(t, col.Field.Enum, values)
							}
							seen++
						case col.Field.Type == opla.TypeBoolean:
							require.True(t, has, "%s has no dropdown", col.Field.Name)
							var bs []bool
							for _, v := range values {
								b, err := coerce.Bool(coerce.Input{Text: v}, coerce.Options{})
								require.NoError(t, err)
								bs = append(bs, b)
							}
							require.Equal(t, []bool{true, false}, bs)
							seen++
						case col.List != "" && live:
							require.True(t, has, "%s has no dropdown", col.Field.Name)
							require.NotEmpty(t, values)
							if col.List == templates.ListIndustries {
								require.Equal(t, industryNames, values)
							}
							seen++
						default:
							require.False(t, has, "%s should have no dropdown", col.Field.Name)
						}
					}
					require.Len(t, dd, seen)
					sheets := f.GetSheetList()
					require.Equal(t, pl.Sheet, sheets[0])
					require.Contains(t, sheets, templates.InstructionsSheet)
					if live && len(pl.Lists()) > 0 {
						require.Contains(t, sheets, templates.ListsSheet)
						visible, err := f.GetSheetVisible(templates.ListsSheet)
						require.NoError(t, err)
						require.False(t, visible)
					} else {
						require.NotContains(t, sheets, templates.ListsSheet)
					}
				})
			}
		}
	}
}

// TestLiveListsAreTheSeeds: the lists of an opportunities template are the sandbox
// seed's processes, stages and employees.
func TestLiveListsAreTheSeeds(t *testing.T) {
	_, c := newServer(t)
	pl, path, _ := build(t, c, "opportunities", templates.LangEN)
	f, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer f.Close()
	dd := dropdowns(t, f, pl.Sheet)
	byField := map[string][]string{}
	for j, col := range pl.Columns {
		letter, _ := excelize.ColumnNumberToName(j + 1)
		byField[col.Field.Name] = dd[letter]
	}
	require.Equal(t, []string{"Sales process Default", "Quy trình dự án"}, byField["sale_process"])
	require.Contains(t, byField["sale_process_stage"], "Prospecting")
	require.Contains(t, byField["sale_process_stage"], "Khảo sát")
	require.Contains(t, byField["owner_email"], "an.nguyen@example.vn")
	require.Contains(t, byField["owner_external_id"], "MNV_001")
	require.Equal(t, []string{"Website", "Referral", "Event"}, byField["source"])
}

// TestWorkbookLayout checks what a person sees: the key first, required headers marked
// and red, a note on every header, a frozen header, text and date formats, Instructions.
func TestWorkbookLayout(t *testing.T) {
	_, c := newServer(t)
	pl, path, _ := build(t, c, "contacts", templates.LangVI)
	f, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer f.Close()
	header, err := f.GetRows(pl.Sheet)
	require.NoError(t, err)
	require.Equal(t, "Mã LH *", header[0][0])
	for _, want := range []string{"Tên *", "Họ *", "Mã KH *", "Email", "Ngày sinh", "Giới tính", "Điện thoại", "Địa chỉ", "Người phụ trách"} {
		require.Contains(t, header[0], want)
	}
	comments, err := f.GetComments(pl.Sheet)
	require.NoError(t, err)
	require.Len(t, comments, len(pl.Columns))
	var notes []string
	for _, cm := range comments {
		var b strings.Builder
		for _, r := range cm.Paragraph {
			b.WriteString(r.Text)
		}
		notes = append(notes, b.String())
	}
	all := strings.Join(notes, "\n")
	for _, want := range []string{"dd/mm/yyyy", "leading 0", "Nam (MALE), Nữ (FEMALE) or Khác (OTHER)", "an employee's e-mail", "API field birthday"} {
		require.Contains(t, strings.ToLower(all), strings.ToLower(want))
	}
	panes, err := f.GetPanes(pl.Sheet)
	require.NoError(t, err)
	require.True(t, panes.Freeze)
	require.Equal(t, 1, panes.YSplit)

	styleOf := func(cell string) *excelize.Style {
		id, err := f.GetCellStyle(pl.Sheet, cell)
		require.NoError(t, err)
		st, err := f.GetStyle(id)
		require.NoError(t, err)
		return st
	}
	for j, col := range pl.Columns {
		letter, _ := excelize.ColumnNumberToName(j + 1)
		hs := styleOf(letter + "1")
		require.True(t, hs.Font.Bold)
		if col.Required {
			require.Equal(t, "C00000", hs.Font.Color, col.Header)
		} else {
			require.NotEqual(t, "C00000", hs.Font.Color, col.Header)
		}
		id, err := f.GetColStyle(pl.Sheet, letter)
		require.NoError(t, err)
		st, err := f.GetStyle(id)
		require.NoError(t, err)
		switch col.Kind {
		case templates.KindDate:
			require.NotNil(t, st.CustomNumFmt, col.Header)
			require.Equal(t, "dd/mm/yyyy", *st.CustomNumFmt)
		case templates.KindPhone, templates.KindText:
			require.NotNil(t, st.CustomNumFmt, col.Header)
			require.Equal(t, "@", *st.CustomNumFmt)
		}
	}
	rows, err := f.GetRows(templates.InstructionsSheet)
	require.NoError(t, err)
	var text []string
	for _, r := range rows {
		text = append(text, strings.Join(r, " | "))
	}
	instr := strings.Join(text, "\n")
	require.Contains(t, instr, "oplabatch import -m T.mapping.yaml T.xlsx")
	require.Contains(t, instr, "Mã KH * | account_external_id | yes")
	require.Contains(t, instr, "were read from")
}

// TestPlans: every importable entity has a template in both languages, whose labels are
// unique, whose key comes first, and which leaves out only what a column cannot fill.
func TestPlans(t *testing.T) {
	p := opla.DefaultProfile()
	for _, entity := range mapping.Importable {
		for _, lang := range templates.Langs {
			pl, err := templates.NewPlan(p, entity, lang)
			require.NoError(t, err, entity)
			require.Equal(t, pl.Key, pl.Columns[0].Field.Name, entity)
			require.True(t, pl.Columns[0].Required)
			schema, err := mapping.SchemaFor(p, entity)
			require.NoError(t, err)
			require.Equal(t, len(schema.Order), len(pl.Columns)+len(pl.Skipped), entity)
			for _, s := range pl.Skipped {
				f := schema.Fields[s.Field]
				require.True(t, f.Type == opla.TypeObjectArray || s.Field == "custom_fields" || s.Field == "id" || strings.HasSuffix(s.Field, "_ids") || s.Field == "account_id",
					"%s.%s skipped", entity, s.Field)
			}
		}
	}
	_, err := templates.NewPlan(p, "industries", templates.LangEN)
	require.Error(t, err)
	_, err = templates.NewPlan(p, "contacts", "fr")
	require.ErrorContains(t, err, "want en or vi")
}
