//go:build bench

package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oplabatch/oplabatch/importer"
	"github.com/oplabatch/oplabatch/mapping"
	"github.com/oplabatch/oplabatch/opla"
	"github.com/oplabatch/oplabatch/opla/oplatest"
)

// size picks a count by the suite's size: BENCH_SIZE=quick, (default) or full.
func size(quick, normal, full int) int {
	switch os.Getenv("BENCH_SIZE") {
	case "quick":
		return quick
	case "full":
		return full
	}
	return normal
}

func quick() bool { return os.Getenv("BENCH_SIZE") == "quick" }

// moduleRoot is the repository root (the tests run in bench/).
func moduleRoot() string {
	abs, _ := filepath.Abs("..")
	return abs
}

// accountsMapping is the sample's own mapping, as a user would run it.
func accountsMappingPath() string {
	return filepath.Join(moduleRoot(), "samples", "migration", "mappings", "accounts.yaml")
}

func loadMapping(b *testing.B, mode string) *mapping.Mapping {
	b.Helper()
	data, err := os.ReadFile(accountsMappingPath())
	if err != nil {
		b.Fatal(err)
	}
	m, err := mapping.Parse(data, accountsMappingPath(), opla.DefaultProfile())
	if err != nil {
		b.Fatal(err)
	}
	if mode != "" {
		m.Mode = mapping.Mode(mode)
	}
	return m
}

var (
	binOnce  sync.Once
	binPath  string
	binErr   error
	builtDir string // removed by TestMain
)

// binary returns the oplabatch binary: OPLABATCH_BIN, else one built into a temp dir.
func binary(b *testing.B) string {
	b.Helper()
	binOnce.Do(func() {
		if p := os.Getenv("OPLABATCH_BIN"); p != "" {
			binPath = p
			return
		}
		dir, err := os.MkdirTemp("", "oplabatch-bench-bin")
		if err != nil {
			binErr = err
			return
		}
		builtDir = dir
		binPath = filepath.Join(dir, "oplabatch")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/oplabatch")
		cmd.Dir = moduleRoot()
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		b.Fatal(binErr)
	}
	return binPath
}

// procResult is one subprocess run.
type procResult struct {
	wall   time.Duration
	rssMB  float64       // peak resident set (VmHWM of the child, polled every 5 ms)
	cpu    time.Duration // the child's user + system CPU time
	code   int
	stderr string
	stdout string
}

// runBinary runs oplabatch with args (and extra environment) and measures it.
func runBinary(b *testing.B, env []string, args ...string) procResult {
	b.Helper()
	return runProc(b, exec.Command(binary(b), args...), env)
}

// runSelf runs this test binary as a child (see TestMain) and measures it.
func runSelf(b *testing.B, env []string) procResult {
	b.Helper()
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	return runProc(b, exec.Command(self, "-test.run=^$"), env)
}

func runProc(b *testing.B, cmd *exec.Cmd, env []string) procResult {
	b.Helper()
	args := cmd.Args
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	// Peak RSS: VmHWM of the child's own address space, polled until it exits. (rusage's
	// ru_maxrss is no good here: Go starts children with CLONE_VM, so the child's figure
	// includes this process's resident set from before the exec.)
	var peakKB atomic.Int64
	done := make(chan struct{})
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			if kb := vmHWM(status); kb > peakKB.Load() {
				peakKB.Store(kb)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	<-polled
	r := procResult{wall: time.Since(start), stderr: errb.String(), stdout: out.String()}
	if cmd.ProcessState == nil {
		b.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	r.code = cmd.ProcessState.ExitCode()
	r.rssMB = float64(peakKB.Load()) / 1024
	r.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return r
}

// vmHWM reads the peak resident set (kB) from a /proc/PID/status file; 0 once the
// process is gone (or a zombie, whose memory is released).
func vmHWM(path string) int64 {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb
		}
	}
	return 0
}

// dirs: generated inputs are shared by the benchmarks of one run.
var (
	dataOnce sync.Once
	dataDir  string
	genMu    sync.Mutex
	genned   = map[string]bool{}
)

func workDir(b *testing.B) string {
	b.Helper()
	dataOnce.Do(func() {
		d := os.Getenv("BENCH_TMP")
		if d == "" {
			d = os.TempDir()
		}
		var err error
		dataDir, err = os.MkdirTemp(d, "oplabatch-bench-")
		if err != nil {
			panic(err)
		}
	})
	return dataDir
}

// accountsFile returns a generated accounts file of rows rows (format csv; xlsx, with
// shared strings as Excel saves it; or xlsx-inline, with inline strings),
// generating it on first use. The time spent generating is not part of any figure.
func accountsFile(b *testing.B, format string, rows, variant int) string {
	b.Helper()
	ext := format
	if format == "xlsx-inline" {
		ext = "inline.xlsx"
	}
	path := filepath.Join(workDir(b), fmt.Sprintf("accounts-%d-v%d.%s", rows, variant, ext))
	genMu.Lock()
	defer genMu.Unlock()
	if genned[path] {
		return path
	}
	start := time.Now()
	var err error
	switch format {
	case "xlsx":
		err = WriteAccountsXLSX(path, rows, true)
	case "xlsx-inline":
		err = WriteAccountsXLSX(path, rows, false)
	default:
		err = WriteAccountsCSV(path, rows, variant)
	}
	if err != nil {
		b.Fatal(err)
	}
	genned[path] = true
	b.Logf("generated %s in %s", filepath.Base(path), time.Since(start).Round(time.Millisecond))
	return path
}

// newServer starts a fresh emulator (the sample dataset) on loopback.
func newServer(b *testing.B, o oplatest.Options) *oplatest.Server {
	b.Helper()
	if o.Seed == 0 {
		o.Seed = 7
	}
	srv := oplatest.NewServer(o)
	b.Cleanup(srv.Close)
	return srv
}

// cliClient builds the client the way `oplabatch import -c N` does (root.go): keep-alive
// connections sized to the concurrency, default retries and backoff.
func cliClient(srv *oplatest.Server, concurrency int) *opla.Client {
	return srv.Client(func(o *opla.Options) { o.MaxConns = max(concurrency*2, 8) })
}

// importRun runs one import in-process, as `oplabatch import` does, and times it.
func importRun(b *testing.B, srv *oplatest.Server, m *mapping.Mapping, input string, concurrency int, mod func(*importer.Options)) (*importer.Report, time.Duration, *opla.Client) {
	b.Helper()
	c := cliClient(srv, concurrency)
	out := filepath.Join(b.TempDir(), "results.xlsx")
	o := importer.Options{Mapping: m, Client: c, Input: input, Concurrency: concurrency, Output: out}
	if mod != nil {
		mod(&o)
	}
	start := time.Now()
	rep, err := importer.Run(context.Background(), o)
	wall := time.Since(start)
	if err != nil {
		b.Fatal(err)
	}
	if rep.Stopped != nil {
		b.Fatalf("stopped: %v", rep.Stopped)
	}
	return rep, wall, c
}

// totalRequests sums the emulator's request counters (every route, refused ones too).
func totalRequests(srv *oplatest.Server) (int, map[string]int) {
	by := srv.Emulator().Stats().Requests
	n := 0
	for _, v := range by {
		n += v
	}
	return n, by
}

func record(b *testing.B, r Result) {
	b.Helper()
	if err := Record(r); err != nil {
		b.Fatal(err)
	}
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}
