package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/oplabatch/oplabatch/opla/oplatest"
	"github.com/stretchr/testify/require"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// buildBinary compiles oplabatch once for the subprocess tests.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "oplabatch-bin")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "oplabatch")
		out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("%w: %s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return builtBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtBin != "" {
		_ = os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

// accountRows makes n account rows keyed R-0000….
func accountRows(n int) [][]string {
	rows := [][]string{{"Mã KH", "Tên", "Email", "Ngành"}}
	inds := []string{"Retail", "Technology", "Manufacturing", "Food & Beverage"}
	for i := range n {
		rows = append(rows, []string{fmt.Sprintf("R-%04d", i), "Công ty " + strconv.Itoa(i), fmt.Sprintf("c%d@example.vn", i), inds[i%len(inds)]})
	}
	return rows
}

// posts counts create requests the emulator has seen.
func posts(srv *oplatest.Server) int {
	return srv.Emulator().Stats().Requests["POST /public/accounts"]
}

// waitFor polls a condition while the subprocess runs; it reports false when the
// process ended first.
func waitFor(cmd *exec.Cmd, exited <-chan struct{}, cond func() bool) bool {
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-exited:
			return false
		case <-tick.C:
		}
	}
	return true
}

// lockedBuffer is a buffer a subprocess writes while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func startImport(t *testing.T, bin string, srv *oplatest.Server, args ...string) (*exec.Cmd, *lockedBuffer, chan struct{}) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "OPLA_BASE_URL="+srv.URL(), "OPLA_TOKEN="+srv.Token())
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	require.NoError(t, cmd.Start())
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	return cmd, stderr, exited
}

func countKeys(srv *oplatest.Server, prefix string) map[string]int {
	seen := map[string]int{}
	for _, r := range srv.Emulator().Records("accounts") {
		if k, _ := r["external_id"].(string); strings.HasPrefix(k, prefix) {
			seen[k]++
		}
	}
	return seen
}

func TestKilledImportResumesExactlyOnce(t *testing.T) {
	bin := buildBinary(t)
	srv := oplatest.NewServer(oplatest.Options{Seed: 11, Latency: 2 * time.Millisecond})
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	mappingPath := filepath.Join(dir, "accounts.yaml")
	writeFile(t, mappingPath, "mode: create\n"+accountsMapping)
	input := filepath.Join(dir, "accounts.csv")
	const n = 600
	writeCSV(t, input, accountRows(n))

	rng := rand.New(rand.NewPCG(5, 6)) // kill points: deterministic
	kills := 0
	for attempt := 0; attempt < 5; attempt++ {
		args := []string{"import", "-c", "8", "-m", mappingPath, input}
		if attempt > 0 {
			args = append([]string{"import", "--resume"}, args[1:]...)
		}
		before := posts(srv)
		target := before + 40 + rng.IntN(80)
		cmd, stderr, exited := startImport(t, bin, srv, args...)
		if !waitFor(cmd, exited, func() bool { return posts(srv) >= target }) {
			t.Fatalf("attempt %d ended before it could be killed: %s", attempt, stderr)
		}
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		<-exited
		kills++
	}
	cmd, stderr, exited := startImport(t, bin, srv, "import", "--resume", "-c", "8", "-m", mappingPath, input)
	<-exited
	require.Equal(t, 0, cmd.ProcessState.ExitCode(), stderr.String())
	require.Equal(t, 5, kills)

	seen := countKeys(srv, "R-")
	require.Len(t, seen, n, "every row stored")
	for k, c := range seen {
		require.Equal(t, 1, c, "%s stored %d times", k, c)
	}
	sum := summaryOf(t, filepath.Join(dir, "accounts.results.xlsx"))
	require.Equal(t, strconv.Itoa(n), sum["total"])
	require.Equal(t, strconv.Itoa(n), sum["succeeded"])
	require.Equal(t, strconv.Itoa(n), sum["created"], "rows created before a kill are reported as created")
	require.Equal(t, "0", sum["failed"])
	require.Len(t, readSheet(t, filepath.Join(dir, "accounts.results.xlsx"), "Succeeded"), n)
	require.NoFileExists(t, filepath.Join(dir, "accounts.results.xlsx.journal"))
}

func TestInterruptedImportStopsCleanly(t *testing.T) {
	bin := buildBinary(t)
	srv := oplatest.NewServer(oplatest.Options{Seed: 12, Latency: 2 * time.Millisecond})
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	mappingPath := filepath.Join(dir, "accounts.yaml")
	writeFile(t, mappingPath, accountsMapping)
	input := filepath.Join(dir, "accounts.csv")
	const n = 400
	writeCSV(t, input, accountRows(n))

	cmd, stderr, exited := startImport(t, bin, srv, "import", "-c", "4", "-m", mappingPath, input)
	require.True(t, waitFor(cmd, exited, func() bool { return posts(srv) >= 50 }), stderr.String())
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	<-exited
	require.Equal(t, exitStopped, cmd.ProcessState.ExitCode(), stderr.String())
	require.Contains(t, stderr.String(), "--resume")
	res := filepath.Join(dir, "accounts.results.xlsx")
	sum := summaryOf(t, res)
	done, _ := strconv.Atoi(sum["succeeded"])
	skipped, _ := strconv.Atoi(sum["skipped"])
	require.Positive(t, skipped)
	require.Equal(t, n, done+skipped)
	require.FileExists(t, res+".journal")

	cmd, stderr, exited = startImport(t, bin, srv, "import", "--resume", "-m", mappingPath, input)
	<-exited
	require.Equal(t, 0, cmd.ProcessState.ExitCode(), stderr.String())
	sum = summaryOf(t, res)
	require.Equal(t, strconv.Itoa(n), sum["succeeded"])
	require.Equal(t, "0", sum["skipped"])
	for k, c := range countKeys(srv, "R-") {
		require.Equal(t, 1, c, k)
	}
}
