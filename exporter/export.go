package exporter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // --tz must load on machines without a zone database
	"unicode/utf8"

	"golang.org/x/sync/errgroup"

	"github.com/oplabatch/oplabatch/opla"
)

// DefaultTimezone is where dates and times are shown unless told otherwise.
const DefaultTimezone = "Asia/Ho_Chi_Minh"

// windowSize is how many records (or child rows) a sheet's layout is planned from.
// Tests lower it.
var windowSize = 1000

// Format is an output format.
type Format string

// Output formats.
const (
	XLSX Format = "xlsx"
	CSV  Format = "csv"
)

// FormatOf picks the format from a file name's extension.
func FormatOf(path string) (Format, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx":
		return XLSX, nil
	case ".csv":
		return CSV, nil
	}
	return "", fmt.Errorf("output %q: want a .xlsx or .csv file name", path)
}

// Options configure an export.
type Options struct {
	Client *opla.Client
	Entity string // one of Entities()
	Output string // OUT.xlsx or OUT.csv
	Format Format // default: from Output's extension
	Spec   *Spec  // export mapping; nil for the default layout

	Concurrency int        // pages in flight; default 4
	Query       url.Values // API filters (--filter k=v), checked against the route
	V1          bool       // opportunities through the V1 route

	// A client-side date range on DateField (default: the mapping's, else the entity's):
	// Since included, Until excluded; bare dates are midnight in Location.
	Since, Until string
	DateField    string
	Location     *time.Location // default Asia/Ho_Chi_Minh (or the mapping's timezone)

	BOM        bool // CSV: start with a UTF-8 byte order mark (for Excel)
	Delimiter  rune // CSV: default ','
	PhoneParts bool // add phone.phone, .call_code, .country_code, .country_name columns

	Log *slog.Logger
	// Progress, when set, is called after every page is written, from one goroutine.
	Progress func(Progress)

	// set by prepare
	info  *entityInfo
	op    *opla.Operation
	conds []Condition
}

// Progress is a running count.
type Progress struct {
	Records int // rows written to the main sheet
	Fetched int // unique records received
	Pages   int // list pages answered
	Elapsed time.Duration
}

// Report says what an export did.
type Report struct {
	Entity    string
	Operation string   // the list operation used
	Files     []string // written files, main first
	Fetched   int      // unique records received
	Records   int      // rows written to the main sheet (after filters)
	Filtered  int      // records left out by filters
	Children  map[string]int
	Extra     int // values written to the Extra sheet
	Mismatch  int // cells written as text because they did not fit their column's type
	Pages     int // list requests answered, overlaps and probes included
	PageSize  int // effective page size
	Repairs   int // speculation rounds cut short
	Rescans   int // walks restarted from the head
	Requests  int64
	Retries   int64
	Elapsed   time.Duration
	Warnings  []string
}

// OptionError is a problem with the options (entity, file name, filters, mapping, dates):
// nothing was fetched or written.
type OptionError struct{ Err error }

func (e *OptionError) Error() string { return e.Err.Error() }
func (e *OptionError) Unwrap() error { return e.Err }

// Run exports one entity to Output. Options problems come back as *OptionError before
// any request; anything later leaves no file under the output's name.
func Run(ctx context.Context, o Options) (*Report, error) {
	rep, err := prepare(&o)
	if err != nil {
		return nil, &OptionError{err}
	}
	return run(ctx, o, rep)
}

// prepare checks and completes the options.
func prepare(o *Options) (*Report, error) {
	if o.Client == nil {
		return nil, errors.New("export: no API client")
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	info, err := lookupEntity(o.Entity)
	if err != nil {
		return nil, err
	}
	if o.Format == "" {
		if o.Format, err = FormatOf(o.Output); err != nil {
			return nil, err
		}
	}
	if o.Format != XLSX && o.Format != CSV {
		return nil, fmt.Errorf("unknown format %q (want xlsx or csv)", o.Format)
	}
	if st, err := os.Stat(filepath.Dir(o.Output)); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("output %s: folder %s does not exist", o.Output, filepath.Dir(o.Output))
	}
	if d := o.Delimiter; d != 0 && (d == '"' || d == '\n' || d == '\r' || d == utf8.RuneError) {
		return nil, fmt.Errorf("delimiter %q cannot separate CSV fields", d)
	}
	spec := o.Spec
	if spec == nil {
		spec = &Spec{}
	}
	if spec.Entity != "" && spec.Entity != o.Entity {
		return nil, fmt.Errorf("%s is an export mapping for %s, not %s", spec.Source, spec.Entity, o.Entity)
	}
	if o.Location == nil {
		tz := spec.Timezone
		if tz == "" {
			tz = DefaultTimezone
		}
		if o.Location, err = time.LoadLocation(tz); err != nil {
			return nil, fmt.Errorf("time zone %q: %w", tz, err)
		}
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	prof := o.Client.Profile()
	op, err := info.listOp(prof, o.V1)
	if err != nil {
		return nil, err
	}
	if err := checkFilters(op, o.Query); err != nil {
		return nil, err
	}
	conds, err := dateConditions(*o, spec, info)
	if err != nil {
		return nil, err
	}
	o.Spec = spec
	o.conds = append(slices.Clone(spec.Where), conds...)
	o.info, o.op = info, op
	return &Report{Entity: o.Entity, Operation: op.Name, Children: map[string]int{}}, nil
}

func run(ctx context.Context, o Options, rep *Report) (*Report, error) {
	start := time.Now()
	info, op, spec, prof := o.info, o.op, o.Spec, o.Client.Profile()
	var out sink
	var err error
	switch o.Format {
	case XLSX:
		if out, err = newXLSXSink(o.Output); err != nil {
			return nil, err
		}
	case CSV:
		out = newCSVSink(o.Output, o.BOM, o.Delimiter)
	default:
		return nil, fmt.Errorf("unknown format %q", o.Format)
	}
	committed := false
	defer func() {
		if !committed {
			out.abort()
		}
	}()

	fopts := &flattenOptions{phoneParts: o.PhoneParts, children: info.children}
	b := newBook(o, info, spec, o.conds, out, rep, prof)
	req0, ret0 := o.Client.Stats()

	paged := o.Client.Paged(op.Name)
	fetch := func(ctx context.Context, skip, take int) ([]*flat, error) {
		// Client.Page would decode the page into json.RawMessages and the exporter decode
		// each again; a rawPage keeps the answer as checked bytes for one ordered decode.
		q := url.Values{}
		for k, v := range o.Query {
			q[k] = v
		}
		if paged {
			q.Set("skip", strconv.Itoa(skip))
			q.Set("take", strconv.Itoa(take))
		} else if skip > 0 {
			return nil, nil
		}
		var raw rawPage
		if err := o.Client.Do(ctx, opla.Call{Op: op.Name, Query: q}, &raw); err != nil {
			return nil, err
		}
		if len(raw) == 0 {
			return nil, nil
		}
		v, err := decodeJSON(raw)
		if err != nil {
			return nil, fmt.Errorf("%s %s skip=%d: %w", op.Method, op.Path, skip, err)
		}
		list, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("%s %s skip=%d: the answer is not a list", op.Method, op.Path, skip)
		}
		recs := make([]*flat, 0, len(list))
		for i, item := range list {
			obj, ok := item.(*object)
			if !ok {
				return nil, fmt.Errorf("%s %s skip=%d record %d: not a JSON object", op.Method, op.Path, skip, i)
			}
			recs = append(recs, flatten(obj, fopts))
		}
		return recs, nil
	}

	g, gctx := errgroup.WithContext(ctx)
	batches := make(chan []*flat, 2) // the pager's window already keeps 2·c pages ahead
	pg := newPager(fetch, o.Client.PageSize(op.Name), o.Concurrency, paged, func(recs []*flat) error {
		select {
		case batches <- recs:
			return nil
		case <-gctx.Done():
			return gctx.Err()
		}
	})
	g.Go(func() error {
		defer close(batches)
		return pg.run(gctx)
	})
	g.Go(func() error {
		for recs := range batches {
			for _, r := range recs {
				if err := b.add(r); err != nil {
					return err
				}
			}
			if o.Progress != nil {
				o.Progress(Progress{Records: rep.Records, Fetched: rep.Fetched, Pages: int(pg.pages.Load()), Elapsed: time.Since(start)})
			}
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return rep, err
	}
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	if err := b.finish(); err != nil {
		return rep, err
	}
	files, err := out.commit()
	if err != nil {
		return rep, err
	}
	committed = true
	req1, ret1 := o.Client.Stats()
	rep.Files = files
	rep.Pages = int(pg.pages.Load())
	rep.PageSize = pg.stats.pageSize
	rep.Repairs = pg.stats.repairs
	rep.Rescans = pg.stats.rescans
	rep.Requests, rep.Retries = req1-req0, ret1-ret0
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// rawPage keeps a list answer as the bytes encoding/json has checked.
type rawPage []byte

// UnmarshalJSON keeps a copy of the answer.
func (r *rawPage) UnmarshalJSON(data []byte) error {
	*r = append((*r)[:0], data...)
	return nil
}

// dateConditions turns --since/--until (or the mapping's) into conditions on the date field.
func dateConditions(o Options, spec *Spec, info *entityInfo) ([]Condition, error) {
	since, until, field := o.Since, o.Until, o.DateField
	if since == "" {
		since = spec.Since
	}
	if until == "" {
		until = spec.Until
	}
	if field == "" {
		field = spec.DateField
	}
	if field == "" {
		field = info.dateField
	}
	var out []Condition
	for _, c := range []struct{ op, v string }{{"since", since}, {"until", until}} {
		if c.v == "" {
			continue
		}
		cond := Condition{Path: field, Op: c.op, Values: []string{c.v}}
		if err := cond.check(); err != nil {
			return nil, fmt.Errorf("--%s: %w", c.op, err)
		}
		out = append(out, cond)
	}
	if len(out) == 2 && !instant(out[0].when, out[0].whenDate, o.Location).Before(instant(out[1].when, out[1].whenDate, o.Location)) {
		return nil, fmt.Errorf("--since %s is not before --until %s", since, until)
	}
	return out, nil
}

// ---------------------------------------------------------------- the book of sheets

// book routes records to their sheets. It runs on one goroutine.
type book struct {
	o        Options
	info     *entityInfo
	spec     *Spec
	conds    []Condition
	out      sink
	rep      *Report
	prof     *opla.Profile
	formats  map[string]string
	main     *sheetState
	children map[string]*sheetState
	order    []string // child keys in order of first sight
	extra    *sheetState
	late     map[string]bool // paths first seen after planning, already warned about
	lists    map[string]bool // child list keys seen in records
	start    time.Time
}

// sheetState is one sheet: buffering its planning window, then streaming.
type sheetState struct {
	name   string
	file   string
	child  string
	main   bool
	chosen []ColumnSpec // the mapping's columns, or nil for the default layout
	lead   []string
	keys   []string

	col    *collector
	window [][]field
	plan   *sheetPlan
	t      table
	buf    []cell
	parent []string // per window row: the parent id, for Extra rows
}

func newBook(o Options, info *entityInfo, spec *Spec, conds []Condition, out sink, rep *Report, prof *opla.Profile) *book {
	b := &book{o: o, info: info, spec: spec, conds: conds, out: out, rep: rep, prof: prof, formats: fieldFormats(prof, o.Entity),
		children: map[string]*sheetState{}, late: map[string]bool{}, lists: map[string]bool{}, start: time.Now()}
	name := spec.Sheet
	if name == "" {
		name = info.sheet
	}
	b.main = &sheetState{name: name, main: true, chosen: spec.Columns, lead: info.lead, col: newCollector()}
	if spec.Children != nil {
		for _, key := range spec.childOrder {
			b.child(key)
		}
	}
	return b
}

// wantChild reports whether a child list gets a sheet.
func (b *book) wantChild(key string) bool {
	if b.spec.Children == nil {
		return true
	}
	_, ok := b.spec.Children[key]
	return ok
}

// child returns the sheet of a child list, creating it on first sight.
func (b *book) child(key string) *sheetState {
	if s, ok := b.children[key]; ok {
		return s
	}
	s := &sheetState{name: key, file: key, child: key, keys: b.info.parentKey, col: newCollector(),
		lead: childFields(b.prof, b.info.name, key)}
	if cs := b.spec.Children[key]; cs != nil {
		if cs.Sheet != "" {
			s.name, s.file = cs.Sheet, cs.Sheet
		}
		s.chosen = cs.Columns
	}
	b.children[key] = s
	b.order = append(b.order, key)
	return s
}

func (b *book) warn(msg string) {
	b.rep.Warnings = append(b.rep.Warnings, msg)
	b.o.Log.Warn(msg)
}

// add takes one unique record.
func (b *book) add(r *flat) error {
	b.rep.Fetched++
	for _, key := range r.lists {
		b.lists[key] = true
	}
	for i := range b.conds {
		if !b.conds[i].match(r, b.o.Location) {
			b.rep.Filtered++
			if b.main.plan == nil { // the layout learns from every record, kept or not
				b.main.col.add(r.fields)
			}
			return nil
		}
	}
	b.rep.Records++
	if err := b.push(b.main, r.fields, r.id); err != nil {
		return err
	}
	for _, key := range r.lists {
		if b.wantChild(key) {
			b.child(key)
		}
	}
	if len(r.children) == 0 {
		return nil
	}
	var keys []field
	for _, k := range b.info.parentKey {
		v, _ := r.get(k)
		keys = append(keys, field{path: "parent." + k, v: v})
	}
	for _, c := range r.children {
		if !b.wantChild(c.key) {
			continue
		}
		s := b.child(c.key)
		fields := make([]field, 0, len(keys)+len(c.fields))
		fields = append(append(fields, keys...), c.fields...)
		b.rep.Children[s.name]++
		if err := b.push(s, fields, r.id); err != nil {
			return err
		}
	}
	return nil
}

// push buffers a row while its sheet is being planned, then writes.
func (b *book) push(s *sheetState, fields []field, parentID string) error {
	if s.plan == nil {
		s.col.add(fields)
		s.window = append(s.window, fields)
		s.parent = append(s.parent, parentID)
		if len(s.window) < windowSize {
			return nil
		}
		return b.plan(s)
	}
	return b.write(s, fields, parentID)
}

// plan fixes a sheet's columns from its window, opens it and writes the window.
func (b *book) plan(s *sheetState) error {
	po := planOptions{formats: b.formats, lead: s.lead, keys: s.keys}
	var err error
	if s.chosen != nil {
		s.plan, err = planChosen(s.name, s.child, s.chosen, s.col, po, b.warn)
		if err != nil {
			return err
		}
	} else {
		s.plan = planDefault(s.name, s.child, s.col, po)
	}
	s.plan.file, s.plan.main = s.file, s.main
	if s.t, err = b.out.open(s.plan); err != nil {
		return err
	}
	s.buf = make([]cell, len(s.plan.cols))
	window, parents := s.window, s.parent
	s.window, s.parent, s.col = nil, nil, nil
	for i, fields := range window {
		if err := b.write(s, fields, parents[i]); err != nil {
			return err
		}
	}
	return nil
}

// write converts a row to the sheet's columns and writes it; values with no column go
// to the Extra sheet (default layout only).
func (b *book) write(s *sheetState, fields []field, parentID string) error {
	clear(s.buf)
	var extra []field
	for _, f := range fields {
		i, ok := s.plan.index[f.path]
		if !ok {
			if s.plan.extras && (f.v.kind == vBool || f.v.s != "") {
				extra = append(extra, f)
			}
			continue
		}
		c, fit := s.plan.cols[i].convert(f.v, b.o.Location)
		if !fit {
			b.rep.Mismatch++
		}
		s.buf[i] = c
	}
	sheet, num, err := s.t.row(s.buf)
	if err != nil {
		return err
	}
	for _, f := range extra {
		if err := b.addExtra(s, sheet, num, parentID, f); err != nil {
			return err
		}
	}
	return nil
}

// extraColumns lay out the Extra sheet: one row per value that had no column.
var extraColumns = []string{"sheet", "row", "id", "column", "value"}

func (b *book) addExtra(s *sheetState, sheet string, num int, id string, f field) error {
	key := s.name + "\x00" + f.path
	if !b.late[key] {
		b.late[key] = true
		b.warn(fmt.Sprintf("%s: %q first appeared after the first %d rows, so it has no column; its values are on the Extra sheet (an export mapping, -m, can give it one)", sheet, f.path, windowSize))
	}
	if b.extra == nil {
		p := &sheetPlan{name: "Extra", file: "extra", child: "\x00extra"}
		for _, name := range extraColumns {
			c := &column{path: name, header: name}
			if name == "row" {
				c.typ = tNumber
			}
			c.finish(&pathStats{maxLen: 20})
			p.cols = append(p.cols, c)
		}
		p.build()
		t, err := b.out.open(p)
		if err != nil {
			return err
		}
		b.extra = &sheetState{name: "Extra", plan: p, t: t, buf: make([]cell, len(p.cols))}
	}
	b.rep.Extra++
	row := []cell{
		{kind: cText, s: sheet},
		{kind: cNumber, s: fmt.Sprint(num), f: float64(num)},
		{kind: cText, s: strings.TrimPrefix(id, "\x00")},
		{kind: cText, s: f.path},
		{kind: cText, s: f.v.text()},
	}
	_, _, err := b.extra.t.row(row)
	return err
}

// finish plans the sheets whose window never filled and writes their rows.
func (b *book) finish() error {
	if b.main.plan == nil {
		if err := b.plan(b.main); err != nil {
			return err
		}
	}
	if b.rep.Fetched > 0 && b.rep.Records == 0 && len(b.conds) > 0 {
		var paths []string
		for _, c := range b.conds {
			paths = append(paths, c.Path)
		}
		b.warn(fmt.Sprintf("the filters kept none of the %d records; check the paths %s against the columns of an unfiltered export", b.rep.Fetched, strings.Join(paths, ", ")))
	}
	for _, key := range b.order {
		s := b.children[key]
		if b.rep.Fetched > 0 && !b.lists[key] && b.spec.Children != nil {
			b.warn(fmt.Sprintf("child list %q: no %s record has it (lists seen: %s)", key, b.info.name, strings.Join(sortedKeys(b.lists), ", ")))
		}
		if s.plan == nil {
			if err := b.plan(s); err != nil {
				return err
			}
		}
		if _, ok := b.rep.Children[s.name]; !ok {
			b.rep.Children[s.name] = 0
		}
	}
	return nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
