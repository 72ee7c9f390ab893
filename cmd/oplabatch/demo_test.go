package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func treeOf(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		out = append(out, p)
		return err
	}))
	return out
}

func TestDemo(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	before := treeOf(t, ".")
	code, _, stderr := cli(t, "demo")
	require.Equal(t, exitOK, code, stderr)
	require.Equal(t, before, treeOf(t, "."), "the demo writes nothing into the checkout")

	require.Contains(t, stderr, "76 rows in")
	require.Contains(t, stderr, "68 created, 8 failed")
	require.Contains(t, stderr, `"31/02/1990" is not a real date`)
	require.Contains(t, stderr, "Exported 11 opportunities")
	runs, err := filepath.Glob(filepath.Join(tmp, "oplabatch-demo-*"))
	require.NoError(t, err)
	require.Len(t, runs, 1)
	for _, f := range []string{"results/migration.contacts.results.xlsx", "results/opportunities.xlsx", "migration/job.yaml", "sandbox.json"} {
		require.FileExists(t, filepath.Join(runs[0], f))
	}
	// The failed contacts can be retried against the demo's sandbox state.
	code, _, stderr = cli(t, "retry", "--sandbox", "--sandbox-data", filepath.Join(runs[0], "sandbox.json"),
		filepath.Join(runs[0], "results", "migration.contacts.results.xlsx"))
	require.Equal(t, exitFailed, code, stderr)
	require.Contains(t, stderr, "contacts: 4 rows")
}
