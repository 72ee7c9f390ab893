// Package importer runs an import: read → map → validate → resolve references → write →
// results. A first pass reads the whole file offline (counting rows, checking the header
// and finding file-level problems and in-file duplicate keys) so that a bad file stops
// before anything is written; the second pass streams rows to a bounded pool of writers
// and writes the results workbook in source order.
package importer

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/oplabatch/oplabatch/journal"
	"github.com/oplabatch/oplabatch/mapping"
	"github.com/oplabatch/oplabatch/opla"
	"github.com/oplabatch/oplabatch/results"
	"github.com/oplabatch/oplabatch/sheet"
	"golang.org/x/sync/errgroup"
)

// Options configure one import run.
type Options struct {
	Mapping     *mapping.Mapping
	Client      *opla.Client  // nil only with Offline
	Input       string        // the source file
	Sheet       string        // overrides the mapping's sheet
	Reader      sheet.Options // delimiter, encoding, limits
	Mode        mapping.Mode  // overrides the mapping's mode
	Concurrency int           // writers in flight; default 4
	DryRun      bool          // resolve read-only, write nothing
	Offline     bool          // validate: no API at all, no results workbook unless Output is set
	Output      string        // results workbook; default <input>.results.xlsx
	Log         *slog.Logger
	Progress    Progress
	Now         func() time.Time
	// Resolver is shared by the steps of a job, so a sheet sees the keys earlier sheets
	// created (and those that failed); nil makes a new one.
	Resolver *Resolver

	// Resume continues the run recorded in the journal beside Output; Restart discards
	// that journal. Without either, finding a journal of the same input and mapping is
	// an error that says so.
	Resume  bool
	Restart bool
	// Stop, when closed, stops taking new rows: rows in flight finish, the results and
	// the journal are written, and the report says the run was stopped (resumable).
	Stop <-chan struct{}
	// MaxErrors stops the run (resumable) after that many failed rows; 0 means no limit.
	MaxErrors int
	// MaxErrorRate stops the run when more than this fraction of the rows done so far
	// failed, once at least 100 rows are done; 0 means no limit. Whatever these say, a
	// run whose first 100 rows all fail stops: the mapping is most likely wrong.
	MaxErrorRate float64
	// KeepGoing turns off the stop when the first 100 rows all fail.
	KeepGoing bool
}

// ErrTooManyErrors is why a run stopped on its error guardrails.
var ErrTooManyErrors = errors.New("too many rows failed")

// guardrail reports why a run should stop given its counts so far, or nil.
func guardrail(o Options, done, failed int) error {
	if o.Offline {
		return nil // validation reads everything: it never stops early
	}
	switch {
	case o.MaxErrors > 0 && failed >= o.MaxErrors:
		return fmt.Errorf("%w: %d failed rows reached --max-errors %d; fix the mapping or the data, then run again with --resume or --restart", ErrTooManyErrors, failed, o.MaxErrors)
	case o.MaxErrorRate > 0 && done >= 100 && float64(failed) > o.MaxErrorRate*float64(done):
		return fmt.Errorf("%w: %d of the %d rows done so far failed, more than --max-error-rate %.0f%%; fix the mapping or the data, then run again with --resume or --restart", ErrTooManyErrors, failed, done, o.MaxErrorRate*100)
	case !o.KeepGoing && done == 100 && failed == 100:
		return fmt.Errorf("%w: the first 100 rows all failed, so the mapping is most likely wrong (see the Failed sheet); fix it and run again with --restart, or pass --keep-going to go on regardless", ErrTooManyErrors)
	}
	return nil
}

// Progress hears about rows as they finish.
type Progress interface {
	Start(total int)
	Done(action string, failed bool)
	Finish()
}

// Report is what a run did.
type Report struct {
	Summary  results.Summary
	Output   string   // the results workbook written ("" when none)
	Journal  string   // the journal kept for --resume ("" when the run finished)
	Ignored  []string // headers no rule names
	Warnings []string // remarks of the reader (values beyond the last header, formulas without a value…)
	Stopped  error    // why the run stopped early (exit 3), nil when it ran to the end
	Errors   []string // the first row errors, for the terminal
}

// FileError is a file-level problem found before any write (exit 2).
type FileError struct{ Err error }

func (e *FileError) Error() string { return e.Err.Error() }
func (e *FileError) Unwrap() error { return e.Err }

// DefaultOutput is where the results of an input go by default.
func DefaultOutput(input string) string {
	ext := filepath.Ext(input)
	return strings.TrimSuffix(input, ext) + ".results.xlsx"
}

// job is one row on its way through the pipeline.
type job struct {
	seq      int
	row      sheet.Row
	display  int  // the row number shown in results: the source's, or the _row of a Failed sheet
	inFlight bool // the journal saw this row begin but not end
	replayed bool // the outcome comes from the journal
	rec      *mapping.Record
	cells    []string
	out      outcome
}

// Run imports one file.
func Run(ctx context.Context, o Options) (*Report, error) {
	if o.Mapping == nil {
		return nil, errors.New("no mapping")
	}
	if o.Client == nil && !o.Offline {
		return nil, errors.New("no API client")
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	mode := o.Mode
	if mode == "" {
		mode = o.Mapping.Mode
	}
	sheetName := o.Sheet
	if sheetName == "" {
		sheetName = o.Mapping.Sheet
	}
	ropts := o.Reader
	ropts.Sheet = sheetName
	if !o.Offline && o.Output == "" {
		o.Output = DefaultOutput(o.Input)
	}
	if o.Output != "" && sameFile(o.Output, o.Input) {
		return nil, &FileError{fmt.Errorf("the results workbook %s would overwrite the input; choose another -o", o.Output)}
	}

	started := o.Now()
	// Pass 1: offline scan.
	sc, err := scan(o.Input, ropts, o.Mapping)
	if err != nil {
		return nil, &FileError{err}
	}
	if n := len(sc.header); n > 16384-4 {
		return nil, &FileError{fmt.Errorf("%s%s has %d columns; the results workbook adds 4 and a sheet holds 16384 columns, so delete columns the mapping does not use (%d of them)", o.Input, sheetSuffix(sc.sheet), n, len(sc.ignored))}
	}
	rep := &Report{Ignored: sc.ignored, Warnings: sc.warnings}
	sum := &rep.Summary
	*sum = results.Summary{Entity: o.Mapping.Entity, Mapping: o.Mapping.File, Input: o.Input, Sheet: sc.sheet, Mode: string(mode), Total: sc.total, Started: started}
	if o.DryRun {
		sum.Extra = append(sum.Extra, [2]string{"dry_run", "true"})
	}
	if o.Progress != nil {
		o.Progress.Start(sc.total)
		defer o.Progress.Finish()
	}

	var res *Resolver
	var w *writer
	if !o.Offline {
		res = o.Resolver
		if res == nil {
			res = NewResolver(o.Client)
		}
		if err := res.Prefetch(ctx, o.Mapping); err != nil {
			if opla.IsAuth(err) {
				return nil, tokenRefused(err)
			}
			return nil, fmt.Errorf("read reference lists: %w", err)
		}
		w = newWriter(o.Client, o.Mapping, mode, o.DryRun, res)
		if err := w.planLookups(ctx, sc.total, sc.inFile); err != nil {
			if opla.IsAuth(err) {
				return nil, tokenRefused(err)
			}
			return nil, err
		}
		if w.plan != "" {
			o.Log.Debug("lookups", "entity", o.Mapping.Entity, "how", w.plan)
		}
	}

	jr, jstate, err := openJournal(o, sc, mode)
	if err != nil {
		return nil, err
	}
	if jstate != nil {
		sum.Extra = append(sum.Extra, [2]string{"resumed", fmt.Sprintf("%d rows were done before", len(jstate.Done))})
	}
	closeJournal := func(keep bool) {
		if jr == nil {
			return
		}
		if err := jr.Close(); err != nil {
			o.Log.Error("closing the journal", "err", err)
		}
		if !keep {
			_ = os.Remove(journal.PathFor(o.Output))
		}
	}

	var out *results.Writer
	if o.Output != "" {
		out, err = results.Create(o.Output, sc.header)
		if err != nil {
			closeJournal(true)
			return nil, fmt.Errorf("create results workbook: %w", err)
		}
	}
	rd, err := sheet.Open(o.Input, ropts)
	if err != nil {
		if out != nil {
			_ = out.Abort()
		}
		closeJournal(true)
		return nil, &FileError{err}
	}
	defer rd.Close()
	binding, err := o.Mapping.Bind(rd.Header())
	if err != nil {
		if out != nil {
			_ = out.Abort()
		}
		closeJournal(true)
		return nil, &FileError{err}
	}

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu      sync.Mutex
		stopErr error
	)
	stop := func(err error) {
		mu.Lock()
		if stopErr == nil {
			stopErr = err
		}
		mu.Unlock()
		cancel()
	}
	halt := make(chan struct{})
	var haltOnce sync.Once
	// gracefulStop stops taking rows but lets the rows in flight finish.
	gracefulStop := func(err error) {
		mu.Lock()
		if stopErr == nil {
			stopErr = err
		}
		mu.Unlock()
		haltOnce.Do(func() { close(halt) })
	}

	window := make(chan struct{}, o.Concurrency*32) // bounds the reorder buffer
	done := make(chan *job, o.Concurrency*2)
	collectErr := make(chan error, 1)
	go func() {
		collectErr <- collect(done, window, out, jr, sum, rep, o.Progress, func(j *job) {
			if res != nil && j.rec != nil {
				res.Failed(o.Mapping.Entity, j.rec.Key, fmt.Sprintf("row %d of %s", j.display, filepath.Base(o.Input)+sheetSuffix(sc.sheet)))
			}
		}, func() {
			if err := guardrail(o, sum.Succeeded+sum.Failed, sum.Failed); err != nil {
				gracefulStop(err)
			}
		})
	}()

	// The reader runs ahead of the writers through a bounded channel: rows are read,
	// mapped and coerced while earlier rows wait on the network.
	type readResult struct {
		j   *job
		err error
	}
	rows := make(chan readResult, 256)
	readCtx, cancelRead := context.WithCancel(runCtx)
	defer cancelRead()
	go func() {
		defer close(rows)
		seq := 0
		for {
			row, err := rd.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				rows <- readResult{err: err} // pass 1 read the same file: only a changed file gets here
				return
			}
			j := &job{seq: seq, row: row, cells: texts(row), display: sc.displayRow(row)}
			seq++
			if jstate != nil {
				if e, ok := jstate.Done[row.Num]; ok {
					j.rec = &mapping.Record{Row: row.Num, Key: e.Key}
					j.out = replay(e)
					j.replayed = true
				} else {
					_, j.inFlight = jstate.InFlight[row.Num]
				}
			}
			if !j.replayed {
				j.rec = binding.Apply(row)
				if cerr := sc.duplicate(j.rec, j.display, binding); cerr != nil {
					j.rec.Errors = append(j.rec.Errors, cerr)
				}
			}
			select {
			case rows <- readResult{j: j}:
			case <-readCtx.Done():
				return
			}
		}
	}()

	// Writers: at most -c rows in flight, fewer while the server pushes back.
	limit := newAIMD(o.Concurrency)
	// A 503 says the server is overloaded: fewer rows in flight. A 429 says the request
	// rate is too high, which the client's pacer handles (and Retry-After): cutting the
	// rows in flight as well would leave the allowed rate unused.
	wctx := opla.WithRetryObserver(runCtx, func(_ string, _ int, err error, _ time.Duration) {
		if ae, ok := opla.AsAPIError(err); ok && ae.StatusCode == 503 {
			limit.pushback()
		}
	})
	g := &errgroup.Group{}
	seq := 0
	var readErr error
	stopped := false
loop:
	for {
		var r readResult
		var more bool
		select {
		case <-o.Stop:
			stopped = true
			break loop
		case <-halt:
			break loop
		case <-runCtx.Done():
			break loop
		default:
		}
		select {
		case <-o.Stop:
			stopped = true
			break loop
		case <-halt:
			break loop
		case <-runCtx.Done():
			break loop
		case r, more = <-rows:
		}
		if !more {
			break
		}
		if r.err != nil {
			readErr = r.err
			break
		}
		j := r.j
		seq++
		select {
		case window <- struct{}{}:
		case <-runCtx.Done():
			break loop
		}
		if j.replayed || len(j.rec.Errors) > 0 || o.Offline {
			done <- j
			continue
		}
		// Announce the row to the journal now: its fsync runs while the row waits for a
		// writer, not after.
		var ticket uint64
		if jr != nil && !o.DryRun {
			t, err := jr.Announce(j.row.Num, j.rec.Key)
			if err != nil {
				stop(err)
				<-window
				break
			}
			ticket = t
		}
		if err := limit.acquire(runCtx); err != nil {
			<-window
			break
		}
		g.Go(func() error {
			ok := true
			defer func() {
				if p := recover(); p != nil {
					o.Log.Error("panic while writing a row", "row", j.display, "panic", p, "stack", string(debug.Stack()))
					j.out = outcome{Err: &mapping.CellError{Code: "internal", ColIdx: -1, Msg: fmt.Sprintf("internal error in oplabatch (%v); please report it", p)}}
				}
				limit.release(ok)
				done <- j
			}()
			if jr != nil && !o.DryRun {
				if err := jr.Await(ticket); err != nil {
					j.out = outcome{Fatal: err}
					stop(err)
					return nil
				}
			}
			j.out = process(wctx, w, res, j.rec, j.inFlight)
			if j.out.Fatal != nil {
				stop(j.out.Fatal)
			}
			ok = j.out.Err == nil || j.out.Err.Code != "network"
			return nil
		})
	}
	// Stop reading; rows in flight finish (a graceful stop does not cancel them).
	cancelRead()
	for range rows {
	}
	if stopped {
		mu.Lock()
		if stopErr == nil {
			stopErr = ErrStopped
		}
		mu.Unlock()
	}
	_ = g.Wait()
	close(done)
	if err := <-collectErr; err != nil {
		if out != nil {
			_ = out.Abort()
		}
		return nil, err
	}
	if readErr != nil && stopErr == nil {
		stopErr = fmt.Errorf("reading %s failed after row %d: %w", o.Input, seq, readErr)
	}
	if stopErr == nil && ctx.Err() != nil {
		stopErr = ctx.Err()
	}
	rep.Stopped = stopErr
	sum.Skipped = sum.Total - sum.Succeeded - sum.Failed
	sum.Finished = o.Now()
	if stopErr != nil {
		sum.Extra = append(sum.Extra, [2]string{"stopped", stopErr.Error()})
		if jr != nil {
			rep.Journal = journal.PathFor(o.Output)
			sum.Extra = append(sum.Extra, [2]string{"journal", rep.Journal})
		}
	}
	if out != nil {
		if err := out.Close(*sum); err != nil {
			closeJournal(true) // the journal is then the only record of what was written
			return nil, fmt.Errorf("write results workbook: %w (the journal %s keeps what was written; run again with --resume)", err, journal.PathFor(o.Output))
		}
		rep.Output = o.Output
	}
	closeJournal(stopErr != nil)
	return rep, nil
}

// tokenRefused says what to check when OplaCRM answers 401/403.
func tokenRefused(err error) error {
	return fmt.Errorf("OplaCRM refused the token; check --token, --token-file or OPLA_TOKEN: %w", err)
}

// ErrStopped is the reason of a run stopped on request (Options.Stop).
var ErrStopped = errors.New("stopped on request (interrupt)")

// process resolves references and writes one valid record. An in-flight row (begun by a
// killed run) is looked up by its key before anything is created.
func process(ctx context.Context, w *writer, res *Resolver, rec *mapping.Record, inFlight bool) outcome {
	m := w.m
	for _, i := range rec.Refs {
		rule := m.Rules[i]
		v, cerr, err := res.Resolve(ctx, rule, rec.Fields[rule.Field], rec.Fields)
		if err != nil {
			return w.apiFailure(err, rule.Field)
		}
		if cerr != nil {
			return outcome{Err: cerr}
		}
		rec.Fields[rule.Field] = v
	}
	if inFlight && w.mode == mapping.Create && w.canLookup() {
		cur, err := w.current(ctx, rec.Key)
		if err != nil {
			return w.apiFailure(err, "")
		}
		if cur != nil {
			res.Created(m.Entity, rec.Key)
			return outcome{Action: ActionCreated, ID: str(cur["id"])}
		}
	}
	o := w.write(ctx, rec)
	if o.Err == nil && o.Fatal == nil && o.Action == ActionCreated && !w.dryRun {
		res.Created(m.Entity, rec.Key)
	}
	return o
}

// collect writes finished rows in source order.
func collect(done <-chan *job, window <-chan struct{}, out *results.Writer, jr *journal.Writer, sum *results.Summary, rep *Report, p Progress, onFail func(*job), check func()) error {
	pending := map[int]*job{}
	next := 0
	var werr error
	for j := range done {
		pending[j.seq] = j
		for {
			j, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			<-window
			if err := record(j, out, sum, rep, p); err != nil && werr == nil {
				werr = err
			}
			if rowError(j) != nil {
				onFail(j)
			}
			check()
			if jr != nil && !j.replayed && (j.out.Fatal == nil || rowError(j) != nil) {
				if err := jr.Done(entryOf(j)); err != nil && werr == nil {
					werr = err
				}
			}
		}
	}
	return werr
}

func record(j *job, out *results.Writer, sum *results.Summary, rep *Report, p Progress) error {
	cerr := rowError(j)
	if cerr == nil && j.out.Fatal != nil {
		return nil // stopped before it was written: counted as skipped
	}
	if cerr != nil {
		sum.Failed++
		if len(rep.Errors) < 20 {
			rep.Errors = append(rep.Errors, fmt.Sprintf("row %d: %s", j.display, cerr.Error()))
		}
		if p != nil {
			p.Done("", true)
		}
		if out == nil {
			return nil
		}
		return out.Failed(results.Failure{Row: j.display, Cells: j.cells, Error: cerr.Error(), Field: cerr.Field, Code: cerr.Code, Column: cerr.ColIdx})
	}
	sum.Succeeded++
	switch j.out.Action {
	case ActionCreated:
		sum.Created++
	case ActionUpdated:
		sum.Updated++
	case ActionUnchanged:
		sum.Unchanged++
	}
	if p != nil {
		p.Done(j.out.Action, false)
	}
	if out == nil || j.out.Action == "" { // validate: a valid row has no action
		return nil
	}
	return out.Succeeded(results.Success{Row: j.display, Action: j.out.Action, ExternalID: j.rec.Key, ID: j.out.ID, Cells: j.cells})
}

// rowError is the row's error for the Failed sheet: every coercion problem of the row in
// one sentence each, else the write's error.
func rowError(j *job) *mapping.CellError {
	errs := j.rec.Errors
	switch {
	case len(errs) == 1:
		return errs[0]
	case len(errs) > 1:
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.Error()
			if !strings.HasSuffix(msgs[i], ".") {
				msgs[i] += "."
			}
		}
		first := *errs[0]
		first.Msg = strings.Join(msgs, " ")
		first.Column = ""
		return &first
	}
	return j.out.Err
}

func texts(row sheet.Row) []string {
	out := make([]string, len(row.Cells))
	for i, c := range row.Cells {
		out[i] = c.Text
	}
	return out
}

// scanResult is what the offline first pass learnt.
type scanResult struct {
	header   []string
	sheet    string
	total    int
	ignored  []string
	keys     keyIndex // key hash -> first row number (as displayed)
	keyCol   int
	rowCol   int // the _row column of a results workbook's Failed sheet, -1 if none
	warnings []string
}

// inFile reports whether a key appears in the file.
func (sc *scanResult) inFile(key string) bool {
	_, ok := sc.keys.first(hashKey(strings.TrimSpace(key)))
	return ok
}

// displayRow is the row number results show: a Failed sheet's rows keep the number
// they had in the original source.
func (sc *scanResult) displayRow(row sheet.Row) int {
	if sc.rowCol >= 0 && sc.rowCol < len(row.Cells) {
		if n, err := strconv.Atoi(strings.TrimSpace(row.Cells[sc.rowCol].Text)); err == nil && n > 0 {
			return n
		}
	}
	return row.Num
}

// scan reads the whole file once without the API: the header fits the mapping, every
// row can be read, and which rows repeat a key.
func scan(path string, ropts sheet.Options, m *mapping.Mapping) (*scanResult, error) {
	rd, err := sheet.Open(path, ropts)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	header := rd.Header()
	b, err := m.Bind(header)
	if err != nil {
		return nil, fmt.Errorf("%s%s: the mapping %s does not fit: %w", path, sheetSuffix(rd.SheetName()), m.File, err)
	}
	sc := &scanResult{header: header, sheet: rd.SheetName(), ignored: b.Ignored, keyCol: -1, rowCol: -1}
	for i, h := range header {
		if h == results.ColRow {
			sc.rowCol = i
		}
	}
	for i, r := range m.Rules {
		if r.Field == m.Key {
			sc.keyCol = b.ColumnIndex(i)
		}
	}
	for {
		row, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		sc.total++
		if sc.total > maxRows {
			return nil, fmt.Errorf("%s: more than %d rows; split the file", path, maxRows)
		}
		if sc.keyCol >= 0 && sc.keyCol < len(row.Cells) {
			k := strings.TrimSpace(row.Cells[sc.keyCol].Text)
			if k != "" {
				h := hashKey(k)
				sc.keys.add(h, int32(sc.displayRow(row)))
			}
		}
	}
	sc.warnings = rd.Warnings()
	sc.keys.seal()
	return sc, nil
}

// keyIndex maps key hashes to the first row holding them, in 12 bytes a key (a sorted
// slice, not a map): a million keys take 12 MB.
type keyIndex struct {
	hashes []uint64
	rows   []int32
}

func (k *keyIndex) add(h uint64, row int32) {
	k.hashes = append(k.hashes, h)
	k.rows = append(k.rows, row)
}

// seal sorts by hash, keeping the first row of each hash.
func (k *keyIndex) seal() {
	idx := make([]int32, len(k.hashes))
	for i := range idx {
		idx[i] = int32(i)
	}
	sort.SliceStable(idx, func(a, b int) bool { return k.hashes[idx[a]] < k.hashes[idx[b]] })
	hashes := make([]uint64, 0, len(idx))
	rows := make([]int32, 0, len(idx))
	for _, i := range idx {
		if n := len(hashes); n > 0 && hashes[n-1] == k.hashes[i] {
			continue // stable sort: the first row of a hash comes first
		}
		hashes = append(hashes, k.hashes[i])
		rows = append(rows, k.rows[i])
	}
	k.hashes, k.rows = hashes, rows
}

// first returns the first row holding a key hash.
func (k *keyIndex) first(h uint64) (int32, bool) {
	i := sort.Search(len(k.hashes), func(i int) bool { return k.hashes[i] >= h })
	if i < len(k.hashes) && k.hashes[i] == h {
		return k.rows[i], true
	}
	return 0, false
}

// maxRows bounds one run; row numbers are kept as int32.
const maxRows = 1 << 30

// duplicate reports a row whose key an earlier row already used.
func (sc *scanResult) duplicate(rec *mapping.Record, display int, b *mapping.Binding) *mapping.CellError {
	if rec.Key == "" || sc.keyCol < 0 {
		return nil
	}
	first, ok := sc.keys.first(hashKey(strings.TrimSpace(rec.Key)))
	if !ok || int(first) == display {
		return nil
	}
	return &mapping.CellError{Column: b.Header[sc.keyCol], Field: b.M.Key, Value: rec.Key, Code: "validation", ColIdx: sc.keyCol,
		Msg: fmt.Sprintf("%q is a duplicate of row %d; each %s must appear once in the file", rec.Key, first, b.M.Key)}
}

func hashKey(k string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(k))
	return h.Sum64()
}

func sheetSuffix(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf(" (sheet %q)", s)
}

func sameFile(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	if err1 == nil && err2 == nil {
		return os.SameFile(fa, fb)
	}
	aa, _ := filepath.Abs(a)
	bb, _ := filepath.Abs(b)
	return aa == bb
}

// ErrJournalExists says an earlier run of the same input and mapping left a journal.
var ErrJournalExists = errors.New("an earlier run of this file and mapping was interrupted")

// openJournal finds or starts the journal beside the results workbook. It returns the
// earlier run's state when resuming.
func openJournal(o Options, sc *scanResult, mode mapping.Mode) (*journal.Writer, *journal.State, error) {
	if o.Offline || o.DryRun || o.Output == "" {
		if o.Resume {
			return nil, nil, &FileError{errors.New("--resume needs a real run (not --dry-run or validate)")}
		}
		return nil, nil, nil
	}
	path := journal.PathFor(o.Output)
	inHash, err := journal.HashFile(o.Input)
	if err != nil {
		return nil, nil, &FileError{fmt.Errorf("read %s: %w", o.Input, err)}
	}
	mapHash := ""
	if o.Mapping.File != "" {
		if h, err := journal.HashFile(o.Mapping.File); err == nil {
			mapHash = h
		}
	}
	st, err := journal.Read(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if o.Resume {
			return nil, nil, &FileError{fmt.Errorf("nothing to resume: there is no journal %s (run without --resume)", path)}
		}
	case err != nil:
		if !o.Restart {
			return nil, nil, &FileError{fmt.Errorf("%w; pass --restart to discard it", err)}
		}
	case st.Header.InputHash != inHash || st.Header.MappingHash != mapHash:
		if !o.Restart {
			what := "input file"
			if st.Header.InputHash == inHash {
				what = "mapping"
			}
			return nil, nil, &FileError{fmt.Errorf("the journal %s belongs to a run with a different %s (%s with %s); the file or mapping changed since. Pass --restart to start over, or choose another -o", path, what, st.Header.Input, st.Header.Mapping)}
		}
	case o.Resume:
		jw, err := journal.Append(path)
		if err != nil {
			return nil, nil, err
		}
		return jw, st, nil
	case !o.Restart:
		return nil, nil, &FileError{fmt.Errorf("%w: its journal %s holds %d finished rows. Pass --resume to continue it (nothing is written twice) or --restart to start over", ErrJournalExists, path, len(st.Done))}
	}
	jw, err := journal.Create(path, journal.Header{Input: o.Input, InputHash: inHash, Mapping: o.Mapping.File, MappingHash: mapHash,
		Sheet: sc.sheet, Entity: o.Mapping.Entity, Mode: string(mode), Started: o.Now()})
	if err != nil {
		return nil, nil, err
	}
	return jw, nil, nil
}

// entryOf is a finished row as the journal records it.
func entryOf(j *job) journal.Entry {
	e := journal.Entry{Row: j.row.Num, Key: j.rec.Key}
	if cerr := rowError(j); cerr != nil {
		e.Action, e.Error, e.Field, e.Code, e.Column = "failed", cerr.Error(), cerr.Field, cerr.Code, cerr.ColIdx+1
		return e
	}
	e.Action, e.ID = j.out.Action, j.out.ID
	return e
}

// replay turns a journal entry back into an outcome.
func replay(e journal.Entry) outcome {
	if e.Action == "failed" {
		return outcome{Err: &mapping.CellError{Field: e.Field, Code: e.Code, Msg: e.Error, ColIdx: e.Column - 1}}
	}
	return outcome{Action: e.Action, ID: e.ID}
}
