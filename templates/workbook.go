package templates

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oplabatch/oplabatch/mapping"
	"github.com/xuri/excelize/v2"
)

// Sheet names of a template besides the data sheet.
const (
	InstructionsSheet = "Instructions"
	ListsSheet        = "Lists"
)

// lastRow bounds the dropdowns: the whole sheet, as Excel's own "entire column" does.
const lastRow = 1048576

// WorkbookOptions tune Plan.Workbook.
type WorkbookOptions struct {
	Lists       *Lists    // the CRM's lists for dropdowns; nil = none
	MappingName string    // the mapping file's name, for the instructions
	FileName    string    // the workbook's own name, for the instructions
	Now         time.Time // when the lists were read; zero = time.Now()
}

// Workbook writes the template: the data sheet (first and active), the Instructions sheet
// and, with lists, the hidden Lists sheet the dropdowns read.
func (pl *Plan) Workbook(o WorkbookOptions) (*excelize.File, error) {
	f := excelize.NewFile()
	ok := false
	defer func() {
		if !ok {
			_ = f.Close()
		}
	}()
	if err := f.SetSheetName("Sheet1", pl.Sheet); err != nil {
		return nil, err
	}
	w := &bookWriter{f: f, pl: pl, o: o}
	steps := []func() error{w.styles, w.listsSheet, w.dataSheet, w.instructions}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, fmt.Errorf("template workbook: %w", err)
		}
	}
	f.SetActiveSheet(0)
	if err := f.SetDocProps(&excelize.DocProperties{
		Creator:     "oplabatch",
		Title:       fmt.Sprintf("OplaCRM %s import template", pl.Entity),
		Description: fmt.Sprintf("Fill the %s sheet, then: oplabatch import -m %s %s", pl.Sheet, nameOr(o.MappingName, "MAPPING.yaml"), nameOr(o.FileName, "FILE.xlsx")),
	}); err != nil {
		return nil, err
	}
	ok = true
	return f, nil
}

func nameOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

type bookWriter struct {
	f  *excelize.File
	pl *Plan
	o  WorkbookOptions

	header, required, text, date, general, title, bold, wrap int
	listRefs                                                 map[string]string // list name -> Lists!$A$2:$A$n
}

func (w *bookWriter) styles() error {
	var err error
	fill := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}
	border := []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}}
	mk := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = w.f.NewStyle(s)
		return id
	}
	textFmt := "@"
	dateFmt := "dd/mm/yyyy"
	w.header = mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill, Border: border, NumFmt: 49})
	w.required = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "C00000"}, Fill: fill, Border: border, NumFmt: 49})
	w.text = mk(&excelize.Style{CustomNumFmt: &textFmt})
	w.date = mk(&excelize.Style{CustomNumFmt: &dateFmt})
	w.general = mk(&excelize.Style{})
	w.title = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	w.bold = mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill, Border: border})
	w.wrap = mk(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	return err
}

// listsSheet writes the live lists on a hidden sheet, one column per list.
func (w *bookWriter) listsSheet() error {
	w.listRefs = map[string]string{}
	var names []string
	for _, name := range w.pl.Lists() {
		if len(w.o.Lists.Get(name)) > 0 {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	f := w.f
	if _, err := f.NewSheet(ListsSheet); err != nil {
		return err
	}
	for i, name := range names {
		col, _ := excelize.ColumnNumberToName(i + 1)
		values := w.o.Lists.Get(name)
		if err := f.SetCellStr(ListsSheet, col+"1", listTitles[name]); err != nil {
			return err
		}
		for j, v := range values {
			if err := f.SetCellStr(ListsSheet, fmt.Sprintf("%s%d", col, j+2), v); err != nil {
				return err
			}
		}
		if err := f.SetColWidth(ListsSheet, col, col, 32); err != nil {
			return err
		}
		w.listRefs[name] = fmt.Sprintf("%s!$%s$2:$%s$%d", ListsSheet, col, col, len(values)+1)
	}
	if err := f.SetCellStyle(ListsSheet, "A1", fmt.Sprintf("%s1", mustCol(len(names))), w.bold); err != nil {
		return err
	}
	return f.SetSheetVisible(ListsSheet, false)
}

func mustCol(n int) string {
	s, _ := excelize.ColumnNumberToName(n)
	return s
}

func (w *bookWriter) dataSheet() error {
	f, sh := w.f, w.pl.Sheet
	for i, c := range w.pl.Columns {
		col := mustCol(i + 1)
		style := w.text
		switch c.Kind {
		case KindDate:
			style = w.date
		case KindNumber, KindBool:
			style = w.general
		}
		if err := f.SetColStyle(sh, col, style); err != nil {
			return err
		}
		width := float64(utf8.RuneCountInString(c.Header)) * 1.25
		switch c.Kind {
		case KindEmail, KindURL, KindList:
			width = max(width, 28)
		case KindText:
			width = max(width, 20)
		}
		if c.List == ListEmployeeEmails {
			width = max(width, 28)
		}
		if err := f.SetColWidth(sh, col, col, min(max(width, 14), 45)); err != nil {
			return err
		}
		cell := col + "1"
		if err := f.SetCellStr(sh, cell, c.Header); err != nil {
			return err
		}
		hs := w.header
		if c.Required {
			hs = w.required
		}
		if err := f.SetCellStyle(sh, cell, cell, hs); err != nil {
			return err
		}
		if err := w.comment(cell, c); err != nil {
			return err
		}
		if err := w.validation(col, c); err != nil {
			return err
		}
	}
	return f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}})
}

func (w *bookWriter) comment(cell string, c *Column) error {
	title, body, _ := strings.Cut(c.Help, "\n")
	lines := 2 + strings.Count(body, "\n") + utf8.RuneCountInString(body)/45
	if w.o.Lists != nil && c.List == ListStages && len(w.o.Lists.Stages) > 0 {
		var b strings.Builder
		b.WriteString("\nStages by sales process:")
		for _, ps := range w.o.Lists.Stages {
			fmt.Fprintf(&b, "\n• %s: %s", ps.Process, strings.Join(ps.Stages, ", "))
			lines += 1 + utf8.RuneCountInString(ps.Process+strings.Join(ps.Stages, ", "))/45
		}
		body += b.String()
		lines++
	}
	return w.f.AddComment(w.pl.Sheet, excelize.Comment{
		Cell:   cell,
		Author: "oplabatch",
		Paragraph: []excelize.RichTextRun{
			{Text: title + "\n", Font: &excelize.Font{Bold: true}},
			{Text: body},
		},
		Width:  300,
		Height: uint(min(max(lines, 4), 30) * 15),
	})
}

// validation adds the column's dropdown: fixed choices inline, live lists from the Lists
// sheet. Fixed choices stop a wrong value; live lists only warn, because a value created
// earlier in the same import (a new employee, say) is fine although not in the list.
func (w *bookWriter) validation(col string, c *Column) error {
	dv := excelize.NewDataValidation(true)
	dv.Sqref = fmt.Sprintf("%s2:%s%d", col, col, lastRow)
	switch {
	case len(c.Choices) > 0:
		if err := dv.SetDropList(c.Choices); err != nil {
			return fmt.Errorf("column %s: %w", c.Header, err)
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, c.Label, "Pick one of: "+strings.Join(c.Choices, ", "))
	case c.List != "" && w.listRefs[c.List] != "":
		dv.SetSqrefDropList(w.listRefs[c.List])
		dv.SetError(excelize.DataValidationErrorStyleWarning, c.Label,
			"This value is not in the list read from OplaCRM. Keep it only if it exists in OplaCRM or is created earlier in the same import.")
	default:
		return nil
	}
	return w.f.AddDataValidation(w.pl.Sheet, dv)
}

// instructions writes the Instructions sheet: the steps in plain words, then one line
// per column.
func (w *bookWriter) instructions() error {
	f, sh, pl := w.f, InstructionsSheet, w.pl
	if _, err := f.NewSheet(sh); err != nil {
		return err
	}
	mappingName := nameOr(w.o.MappingName, "MAPPING.yaml")
	fileName := nameOr(w.o.FileName, "FILE.xlsx")
	var required []string
	for _, c := range pl.Columns {
		if c.Required {
			required = append(required, c.Label)
		}
	}
	lines := []string{
		fmt.Sprintf("How to fill in this template of OplaCRM %s", pl.Entity),
		"",
		fmt.Sprintf("1. Fill the sheet %q: one %s per row, from row 2 down. Keep the header row as it is: the mapping %s finds the columns by these names.", pl.Sheet, mapping.Singular(pl.Entity), mappingName),
		fmt.Sprintf("2. Columns marked * (in red) must be filled: %s. Every other column may stay empty; leave a column empty rather than deleting it.", strings.Join(required, ", ")),
		"3. Hover over a header to read what its cells take. Columns with a dropdown list the allowed values.",
		"4. Dates: dd/mm/yyyy (31/12/2024) or real Excel dates. Phones: +84… or with the leading 0; text columns are formatted as text, so Excel keeps leading zeros.",
		fmt.Sprintf("5. The column %q identifies each row: importing a code that exists updates that %s, a new code creates one. Each code may appear only once.", pl.Column(pl.Key).Label, mapping.Singular(pl.Entity)),
		fmt.Sprintf("6. Check the file offline:  oplabatch validate -m %s %s", mappingName, fileName),
		fmt.Sprintf("7. Try it without writing anything:  oplabatch import --dry-run -m %s %s", mappingName, fileName),
		fmt.Sprintf("8. Import it:  oplabatch import -m %s %s   (rows that fail are listed, with the reason, in the Failed sheet of the results workbook; fix them there and run  oplabatch retry  on it)", mappingName, fileName),
		"9. Import order when several kinds of records are loaded: employees, accounts, contacts, then leads and products, then opportunities (each names records of the earlier ones).",
	}
	if w.o.Lists != nil && len(w.listRefs) > 0 {
		now := w.o.Now
		if now.IsZero() {
			now = time.Now()
		}
		lines = append(lines, fmt.Sprintf("The dropdown lists of industries, sources, statuses, sales processes and employees were read from %s on %s (hidden sheet %q). A value created after that, or earlier in the same import, is also accepted.",
			w.o.Lists.From, now.Format("02/01/2006 15:04"), ListsSheet))
	} else if len(pl.Lists()) > 0 {
		lines = append(lines, "This template was made without access to OplaCRM, so the columns that name OplaCRM's lists (industries, sources, statuses, employees…) have no dropdown; write the names as OplaCRM shows them. Run oplabatch template with a token or --sandbox to get the lists.")
	}
	if pl.Lang == LangVI {
		lines = append(lines, "The headers are in Vietnamese (--lang vi); the table below gives each one's API field. Dropdown values in Vietnamese (Nam, Nữ, Khác…) are translated by the mapping.")
	}
	row := 1
	for i, l := range lines {
		if err := f.SetCellStr(sh, fmt.Sprintf("A%d", row), l); err != nil {
			return err
		}
		if i == 0 {
			if err := f.SetCellStyle(sh, "A1", "A1", w.title); err != nil {
				return err
			}
		}
		row++
	}
	row++
	head := []any{"Column", "API field", "Must fill", "What to write", "Example"}
	if err := f.SetSheetRow(sh, fmt.Sprintf("A%d", row), &head); err != nil {
		return err
	}
	if err := f.SetCellStyle(sh, fmt.Sprintf("A%d", row), fmt.Sprintf("E%d", row), w.bold); err != nil {
		return err
	}
	row++
	for _, c := range pl.Columns {
		must := ""
		if c.Required {
			must = "yes"
		}
		_, what, _ := strings.Cut(c.Help, "\n")
		ex := c.Example
		if vals := w.o.Lists.Get(c.List); len(vals) > 0 {
			ex = vals[0]
		}
		vals := []any{c.Header, c.Field.Name, must, what, ex}
		if err := f.SetSheetRow(sh, fmt.Sprintf("A%d", row), &vals); err != nil {
			return err
		}
		if err := f.SetCellStyle(sh, fmt.Sprintf("A%d", row), fmt.Sprintf("E%d", row), w.wrap); err != nil {
			return err
		}
		h := 15 * float64(1+utf8.RuneCountInString(what)/80+strings.Count(what, "\n"))
		if err := f.SetRowHeight(sh, row, h); err != nil {
			return err
		}
		row++
	}
	if len(pl.Skipped) > 0 {
		row++
		if err := f.SetCellStr(sh, fmt.Sprintf("A%d", row), "Not in this template:"); err != nil {
			return err
		}
		if err := f.SetCellStyle(sh, fmt.Sprintf("A%d", row), fmt.Sprintf("A%d", row), w.bold); err != nil {
			return err
		}
		row++
		for _, s := range pl.Skipped {
			vals := []any{"", s.Field, "", s.Reason}
			if err := f.SetSheetRow(sh, fmt.Sprintf("A%d", row), &vals); err != nil {
				return err
			}
			row++
		}
	}
	for col, width := range map[string]float64{"A": 26, "B": 26, "C": 10, "D": 80, "E": 28} {
		if err := f.SetColWidth(sh, col, col, width); err != nil {
			return err
		}
	}
	return nil
}
