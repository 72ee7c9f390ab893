// Package journal keeps an append-only record of an import run's progress, so a run
// that was killed can be resumed without writing any record twice or losing a row.
//
// The file is JSON lines. The first line binds the journal to one input file and one
// mapping (by SHA-256 of their bytes). Then, per row: a "begin" line written and made
// durable (fsync) before the row's first write request is sent, and an outcome line
// once the row is finished. Begin lines are committed in groups: many workers share
// one fsync. Outcome lines are flushed in groups without waiting: an outcome lost to a
// crash only makes its row look "in flight" on resume, and an in-flight row is checked
// by its key before anything is sent again.
//
// A crash can leave a half line at the end; Open ignores it.
package journal

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Version is the journal format version.
const Version = 1

// Header binds a journal to one run's input and mapping.
type Header struct {
	Version     int       `json:"v"`
	Input       string    `json:"input"`
	InputHash   string    `json:"input_sha256"`
	Mapping     string    `json:"mapping"`
	MappingHash string    `json:"mapping_sha256"`
	Sheet       string    `json:"sheet"`
	Entity      string    `json:"entity"`
	Mode        string    `json:"mode"`
	Started     time.Time `json:"started"`
}

// Entry is one line after the header: a begin marker or a row's outcome.
type Entry struct {
	Row    int    `json:"row"`
	Key    string `json:"key,omitempty"`
	Begin  bool   `json:"begin,omitempty"`
	Action string `json:"action,omitempty"` // created | updated | unchanged | failed
	ID     string `json:"id,omitempty"`
	Error  string `json:"error,omitempty"`
	Field  string `json:"field,omitempty"`
	Code   string `json:"code,omitempty"`
	Column int    `json:"col,omitempty"` // offending column index + 1 (0 = none)
}

// State is what a journal says about its rows.
type State struct {
	Header   Header
	Done     map[int]Entry // row -> outcome
	InFlight map[int]Entry // row -> begin marker without an outcome
}

// HashFile returns the SHA-256 of a file's bytes.
func HashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// PathFor is the journal beside a results workbook.
func PathFor(results string) string { return results + ".journal" }

// Read loads a journal. A missing file gives os.ErrNotExist.
func Read(path string) (*State, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	st := &State{Done: map[int]Entry{}, InFlight: map[int]Entry{}}
	first := true
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 {
			continue
		}
		if first {
			if err := json.Unmarshal(line, &st.Header); err != nil || st.Header.Version == 0 {
				return nil, fmt.Errorf("journal %s: not an oplabatch journal (bad first line)", path)
			}
			if st.Header.Version != Version {
				return nil, fmt.Errorf("journal %s: format version %d, this oplabatch reads %d", path, st.Header.Version, Version)
			}
			first = false
			continue
		}
		var e Entry
		if err := json.Unmarshal(line, &e); err != nil {
			continue // a torn last line after a crash
		}
		if e.Begin {
			if _, done := st.Done[e.Row]; !done {
				st.InFlight[e.Row] = e
			}
			continue
		}
		st.Done[e.Row] = e
		delete(st.InFlight, e.Row)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	if first {
		return nil, fmt.Errorf("journal %s is empty", path)
	}
	return st, nil
}

// Writer appends to a journal. It is safe for concurrent use.
type Writer struct {
	mu      sync.Mutex
	f       *os.File
	buf     *bufio.Writer
	err     error
	pending int
	// group commit of begin markers
	syncMu   sync.Mutex
	synced   uint64 // sequence number durable so far
	written  uint64 // sequence number appended so far
	interval int    // outcomes between flushes
	kick     chan struct{}
	flushed  chan struct{} // closed when the background flusher has stopped
}

// start runs the background flusher that makes announced begins durable while their
// rows wait for a writer.
func (w *Writer) start() *Writer {
	w.kick = make(chan struct{}, 1)
	w.flushed = make(chan struct{})
	go func() {
		defer close(w.flushed)
		for range w.kick {
			_ = w.Sync() // an error is kept in w.err and reported by the next call
		}
	}()
	return w
}

// Create starts a new journal (replacing any old one) with its header.
func Create(path string, h Header) (*Writer, error) {
	h.Version = Version
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create journal: %w", err)
	}
	w := (&Writer{f: f, buf: bufio.NewWriterSize(f, 64<<10), interval: 32}).start()
	if err := w.append(h); err != nil {
		w.stop()
		f.Close()
		return nil, err
	}
	if err := w.Sync(); err != nil {
		w.stop()
		f.Close()
		return nil, err
	}
	return w, nil
}

// Append reopens an existing journal to continue it.
func Append(path string) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	// A torn last line must not glue onto the next entry.
	if _, err := f.Write([]byte("\n")); err != nil {
		f.Close()
		return nil, fmt.Errorf("open journal: %w", err)
	}
	return (&Writer{f: f, buf: bufio.NewWriterSize(f, 64<<10), interval: 32}).start(), nil
}

func (w *Writer) stop() {
	if w.kick != nil {
		close(w.kick)
		<-w.flushed
		w.kick = nil
	}
}

func (w *Writer) append(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	b = append(b, '\n')
	if _, err := w.buf.Write(b); err != nil {
		w.err = fmt.Errorf("write journal: %w", err)
	}
	w.written++
	return w.err
}

// Announce records that a row's first write is coming and starts making that durable in
// the background; Await then waits for it. Announcing a row while it still waits for a
// free writer hides the fsync behind that wait.
func (w *Writer) Announce(row int, key string) (uint64, error) {
	if err := w.append(Entry{Row: row, Key: key, Begin: true}); err != nil {
		return 0, err
	}
	w.mu.Lock()
	ticket := w.written
	w.mu.Unlock()
	select {
	case w.kick <- struct{}{}:
	default: // a flush is already due
	}
	return ticket, nil
}

// Await returns once the announced line is on disk. Concurrent callers share fsyncs.
func (w *Writer) Await(ticket uint64) error {
	w.syncMu.Lock()
	defer w.syncMu.Unlock()
	if w.synced >= ticket {
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.err
	}
	return w.syncLocked()
}

// Begin records that a row's first write is about to be sent, and returns once that is
// on disk.
func (w *Writer) Begin(row int, key string) error {
	ticket, err := w.Announce(row, key)
	if err != nil {
		return err
	}
	return w.Await(ticket)
}

// Done records a row's outcome; it is flushed with others in small groups.
func (w *Writer) Done(e Entry) error {
	e.Begin = false
	if err := w.append(e); err != nil {
		return err
	}
	w.mu.Lock()
	w.pending++
	flush := w.pending >= w.interval
	if flush {
		w.pending = 0
	}
	w.mu.Unlock()
	if flush {
		w.syncMu.Lock()
		defer w.syncMu.Unlock()
		return w.syncLocked()
	}
	return nil
}

// Sync flushes and fsyncs everything appended so far.
func (w *Writer) Sync() error {
	w.syncMu.Lock()
	defer w.syncMu.Unlock()
	return w.syncLocked()
}

func (w *Writer) syncLocked() error {
	w.mu.Lock()
	target := w.written
	err := w.err
	if err == nil {
		if ferr := w.buf.Flush(); ferr != nil {
			w.err = fmt.Errorf("write journal: %w", ferr)
			err = w.err
		}
	}
	w.mu.Unlock()
	if err != nil {
		return err
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("sync journal: %w", err)
	}
	w.synced = max(w.synced, target)
	return nil
}

// Close syncs and closes the journal.
func (w *Writer) Close() error {
	w.stop()
	err := w.Sync()
	if cerr := w.f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return err
}

// ErrMismatch says a journal belongs to another input or mapping.
var ErrMismatch = errors.New("the journal belongs to a different input file or mapping")
