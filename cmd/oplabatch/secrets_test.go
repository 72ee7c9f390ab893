package main

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oplabatch/oplabatch/opla/oplatest"
	"github.com/stretchr/testify/require"
)

// Distinctive tokens: the one the emulator accepts and a wrong one a user might give.
// Neither may appear in anything oplabatch writes: stdout, stderr (with -v debug logs),
// results workbooks (every part of the zip), journals, exports.
const (
	secretToken = "opla-SECRET-7f3c9a1e5d2b-token"
	wrongToken  = "opla-WRONG-0b8e4d6a9c1f-token"
)

// secretParts are what counts as a leak: each token, and its distinctive middle alone
// (a token cut short for a log line is still a leak).
var secretParts = []string{secretToken, wrongToken, "7f3c9a1e5d2b", "0b8e4d6a9c1f"}

// leakCheck collects what the commands of a test printed and the folders they wrote to.
type leakCheck struct {
	t      *testing.T
	dirs   []string
	output strings.Builder
	files  int
}

// run executes the command line in-process with ctx, like cli, and keeps its output.
func (l *leakCheck) run(ctx context.Context, args ...string) (int, string) {
	l.t.Helper()
	var out, errb bytes.Buffer
	start := time.Now()
	code := run(ctx, args, &streams{in: bytes.NewReader(nil), out: &out, err: &errb})
	// The command line itself is not searched: --token puts the token there on purpose.
	line := strings.ReplaceAll(strings.Join(args, " "), secretToken, "[token]")
	l.t.Logf("oplabatch %.80s: exit %d in %v", line, code, time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(&l.output, "$ oplabatch %s\n", line)
	l.output.WriteString(out.String() + errb.String() + "\n")
	return code, out.String() + errb.String()
}

// check searches the output and every file under the folders, zip members included.
func (l *leakCheck) check() {
	t := l.t
	t.Helper()
	requireNoSecret(t, "the output", []byte(l.output.String()))
	for _, dir := range l.dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			l.files++
			requireNoSecret(t, path, data)
			if zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err == nil {
				for _, f := range zr.File {
					rc, err := f.Open()
					require.NoError(t, err)
					part, err := io.ReadAll(io.LimitReader(rc, 64<<20))
					require.NoError(t, err)
					_ = rc.Close()
					requireNoSecret(t, path+"!"+f.Name, part)
				}
			}
			return nil
		})
		require.NoError(t, err)
	}
}

func requireNoSecret(t *testing.T, where string, data []byte) {
	t.Helper()
	for _, s := range secretParts {
		if i := bytes.Index(data, []byte(s)); i >= 0 {
			from, to := max(0, i-200), min(len(data), i+len(s)+100)
			t.Fatalf("%s holds the token (%q):\n…%s…", where, s, data[from:to])
		}
	}
}

// secretsFixture is a folder with an accounts file of good and bad rows and its mapping.
type secretsFixture struct {
	dir, mapping, input string
}

func newSecretsFixture(t *testing.T, rows int) *secretsFixture {
	t.Helper()
	dir := t.TempDir()
	f := &secretsFixture{dir: dir, mapping: filepath.Join(dir, "accounts.yaml"), input: filepath.Join(dir, "accounts.csv")}
	writeFile(t, f.mapping, accountsMapping)
	data := accountRows(rows)
	data[2][2] = "not-an-email"       // a validation error
	data[3][3] = "Không có ngành này" // a reference that does not exist
	writeCSV(t, f.input, data)
	return f
}

// tokenFile writes the token to a file with the given permissions.
func tokenFile(t *testing.T, dir, token string, perm os.FileMode) string {
	t.Helper()
	path := filepath.Join(dir, "token")
	require.NoError(t, os.WriteFile(path, []byte(token+"\n"), 0o600))
	require.NoError(t, os.Chmod(path, perm))
	return path
}

// wrapped serves the emulator through fn, which may answer instead of it.
func wrapped(t *testing.T, opts oplatest.Options, fn func(w http.ResponseWriter, r *http.Request, emu http.Handler) bool) (*oplatest.Emulator, string) {
	t.Helper()
	emu, err := oplatest.NewHandler(opts)
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !fn(w, r, emu) {
			emu.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(func() {
		srv.Close()
		_ = emu.Close()
	})
	return emu, srv.URL + oplatest.BasePath
}

func hasExport() bool {
	cmd, _, err := newRootCmd(&streams{in: bytes.NewReader(nil), out: io.Discard, err: io.Discard}).Find([]string{"export"})
	return err == nil && cmd.Name() == "export"
}

func TestSecretsNeverLeak(t *testing.T) {
	ctx := context.Background()

	t.Run("failing rows, validate, dry run, retry", func(t *testing.T) {
		srv := oplatest.NewServer(oplatest.Options{Token: secretToken, Seed: 1})
		t.Cleanup(srv.Close)
		t.Setenv("OPLA_BASE_URL", srv.URL())
		t.Setenv("OPLA_TOKEN", secretToken)
		f := newSecretsFixture(t, 12)
		l := &leakCheck{t: t, dirs: []string{f.dir}}

		code, out := l.run(ctx, "-v", "validate", "-m", f.mapping, f.input)
		require.Equal(t, exitFailed, code, out)
		code, out = l.run(ctx, "-v", "import", "--dry-run", "-o", filepath.Join(f.dir, "dry.results.xlsx"), "-m", f.mapping, f.input)
		require.Equal(t, exitFailed, code, out)
		code, out = l.run(ctx, "-v", "import", "-m", f.mapping, f.input)
		require.Equal(t, exitFailed, code, out)
		require.Contains(t, out, "level=DEBUG", "-v logs every request")
		// A second run: every good row exists now (conflicts in create mode).
		code, out = l.run(ctx, "-v", "import", "--mode", "create", "-o", filepath.Join(f.dir, "again.results.xlsx"), "-m", f.mapping, f.input)
		require.Equal(t, exitFailed, code, out)
		code, out = l.run(ctx, "-v", "retry", filepath.Join(f.dir, "accounts.results.xlsx"))
		require.Equal(t, exitFailed, code, out)
		l.check()
		require.GreaterOrEqual(t, l.files, 5, "results workbooks were searched")
	})

	t.Run("401 with a wrong token from --token-file", func(t *testing.T) {
		srv := oplatest.NewServer(oplatest.Options{Token: secretToken, Seed: 1})
		t.Cleanup(srv.Close)
		t.Setenv("OPLA_BASE_URL", srv.URL())
		t.Setenv("OPLA_TOKEN", "")
		f := newSecretsFixture(t, 5)
		l := &leakCheck{t: t, dirs: []string{f.dir}}
		tok := tokenFile(t, t.TempDir(), wrongToken, 0o600)
		code, out := l.run(ctx, "-v", "--token-file", tok, "import", "-m", f.mapping, f.input)
		require.Equal(t, exitStopped, code, out)
		require.Contains(t, out, "401")
		require.NotContains(t, out, "can be read by other users", "a 0600 token file is fine")
		l.check()
	})

	t.Run("401 in the middle of a run leaves a journal", func(t *testing.T) {
		var posts atomic.Int32
		emu, url := wrapped(t, oplatest.Options{Token: secretToken, Seed: 1}, func(w http.ResponseWriter, r *http.Request, _ http.Handler) bool {
			// The token is revoked after the third create.
			if r.Method == http.MethodPost && posts.Add(1) > 3 || posts.Load() > 3 {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = io.WriteString(w, `{"statusCode":401,"message":"Unauthorized"}`)
				return true
			}
			return false
		})
		t.Setenv("OPLA_BASE_URL", url)
		t.Setenv("OPLA_TOKEN", secretToken)
		f := newSecretsFixture(t, 20)
		l := &leakCheck{t: t, dirs: []string{f.dir}}
		code, out := l.run(ctx, "-v", "import", "-c", "1", "-m", f.mapping, f.input)
		require.Equal(t, exitStopped, code, out)
		require.FileExists(t, filepath.Join(f.dir, "accounts.results.xlsx.journal"), "the journal is searched too")
		created := 0
		for _, r := range emu.Records("accounts") {
			if id, _ := r["external_id"].(string); strings.HasPrefix(id, "R-") {
				created++
			}
		}
		require.Equal(t, 3, created, "three rows were written before the token was revoked")
		l.check()
	})

	t.Run("every request fails with 503", func(t *testing.T) {
		srv := oplatest.NewServer(oplatest.Options{Token: secretToken, Seed: 1, FailRate: 1})
		t.Cleanup(srv.Close)
		t.Setenv("OPLA_BASE_URL", srv.URL())
		t.Setenv("OPLA_TOKEN", "")
		f := newSecretsFixture(t, 5)
		l := &leakCheck{t: t, dirs: []string{f.dir}}
		// The client backs off for minutes before it gives up: stop it after a few retries.
		short, cancel := context.WithTimeout(ctx, 700*time.Millisecond)
		defer cancel()
		code, out := l.run(short, "-v", "--token", secretToken, "import", "-m", f.mapping, f.input)
		require.Equal(t, exitStopped, code, out)
		require.Contains(t, out, "retrying")
		require.Contains(t, out, "503")
		require.Contains(t, out, "process list", "--token warns that other users can see it")
		l.check()
	})

	t.Run("a server that echoes the token back", func(t *testing.T) {
		// Proxies and some APIs repeat the request's headers in an error body.
		_, url := wrapped(t, oplatest.Options{Token: secretToken, Seed: 1}, func(w http.ResponseWriter, r *http.Request, _ http.Handler) bool {
			if r.Method != http.MethodPost {
				return false
			}
			auth := r.Header.Get("Authorization")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = fmt.Fprintf(w, `{"statusCode":400,"message":["header Authorization: %s is not allowed here", "token %s"],"error":"Bad Request for %s"}`,
				auth, strings.TrimPrefix(auth, "Bearer "), auth)
			return true
		})
		t.Setenv("OPLA_BASE_URL", url)
		t.Setenv("OPLA_TOKEN", secretToken)
		f := newSecretsFixture(t, 5)
		l := &leakCheck{t: t, dirs: []string{f.dir}}
		code, out := l.run(ctx, "-v", "import", "-m", f.mapping, f.input)
		require.Equal(t, exitFailed, code, out)
		require.Contains(t, out, "is not allowed here", "the server's message is shown")
		l.check()
	})

	t.Run("a redirect to another origin", func(t *testing.T) {
		// An API does not redirect; if something on the way does (a captive portal, a
		// misconfigured proxy, https to http), the token must not follow.
		var seen sync.Map
		spy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen.Store(r.Header.Get("Authorization"), true)
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, "[]")
		}))
		t.Cleanup(spy.Close)
		_, url := wrapped(t, oplatest.Options{Token: secretToken, Seed: 1}, func(w http.ResponseWriter, r *http.Request, _ http.Handler) bool {
			if r.Method != http.MethodGet {
				return false
			}
			http.Redirect(w, r, spy.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
			return true
		})
		t.Setenv("OPLA_BASE_URL", url)
		t.Setenv("OPLA_TOKEN", secretToken)
		f := newSecretsFixture(t, 3)
		l := &leakCheck{t: t, dirs: []string{f.dir}}
		short, cancel := context.WithTimeout(ctx, time.Second) // a refused redirect may be retried
		defer cancel()
		l.run(short, "-v", "import", "-m", f.mapping, f.input)
		seen.Range(func(k, _ any) bool {
			require.NotContains(t, k.(string), secretToken, "the token went to %s", spy.URL)
			return true
		})
		l.check()
	})

	t.Run("exports", func(t *testing.T) {
		if !hasExport() {
			t.Skip("no export command yet")
		}
		srv := oplatest.NewServer(oplatest.Options{Token: secretToken, Seed: 1})
		t.Cleanup(srv.Close)
		t.Setenv("OPLA_BASE_URL", srv.URL())
		t.Setenv("OPLA_TOKEN", secretToken)
		dir := t.TempDir()
		l := &leakCheck{t: t, dirs: []string{dir}}
		code, out := l.run(ctx, "-v", "export", "accounts", "-o", filepath.Join(dir, "accounts.xlsx"))
		require.Equal(t, exitOK, code, out)
		code, out = l.run(ctx, "-v", "export", "contacts", "-o", filepath.Join(dir, "contacts.csv"))
		require.Equal(t, exitOK, code, out)

		code, out = l.run(ctx, "-v", "--token-file", tokenFile(t, t.TempDir(), wrongToken, 0o600), "export", "accounts", "-o", filepath.Join(dir, "refused.xlsx"))
		require.Equal(t, exitStopped, code, out)

		srv.Emulator().SetKnobs(oplatest.Knobs{FailRate: 1})
		short, cancel := context.WithTimeout(ctx, 700*time.Millisecond)
		defer cancel()
		code, out = l.run(short, "-v", "export", "opportunities", "-o", filepath.Join(dir, "failed.xlsx"))
		require.Equal(t, exitStopped, code, out)
		l.check()
		require.GreaterOrEqual(t, l.files, 2)
	})
}

func TestTokenWarnings(t *testing.T) {
	srv := oplatest.NewServer(oplatest.Options{Token: secretToken, Seed: 1})
	t.Cleanup(srv.Close)
	t.Setenv("OPLA_BASE_URL", srv.URL())
	t.Setenv("OPLA_TOKEN", "")
	f := newSecretsFixture(t, 4)
	args := func(extra ...string) []string {
		return append(extra, "import", "--dry-run", "-o", filepath.Join(t.TempDir(), "r.xlsx"), "-m", f.mapping, f.input)
	}

	code, _, stderr := cli(t, args("--token-file", tokenFile(t, t.TempDir(), secretToken, 0o644))...)
	require.Equal(t, exitFailed, code, stderr)
	require.Contains(t, stderr, "the token file can be read by other users; run chmod 600 on it")
	requireNoSecret(t, "stderr", []byte(stderr))

	code, _, stderr = cli(t, args("--token-file", tokenFile(t, t.TempDir(), secretToken, 0o600))...)
	require.Equal(t, exitFailed, code, stderr)
	require.NotContains(t, stderr, "can be read by other users")

	code, _, stderr = cli(t, args("--token", secretToken)...)
	require.Equal(t, exitFailed, code, stderr)
	require.Contains(t, stderr, "--token is visible to other users in the process list")
	requireNoSecret(t, "stderr", []byte(stderr))

	t.Setenv("OPLA_TOKEN", secretToken)
	code, _, stderr = cli(t, args()...)
	require.Equal(t, exitFailed, code, stderr)
	require.NotContains(t, stderr, "process list", "OPLA_TOKEN is the quiet way")
}
