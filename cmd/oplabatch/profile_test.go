package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestProfileFlags(t *testing.T) {
	dir := t.TempDir()
	mappingPath := filepath.Join(dir, "accounts.yaml")
	writeFile(t, mappingPath, accountsMapping)
	input := filepath.Join(dir, "accounts.csv")
	writeCSV(t, input, [][]string{
		{"Mã KH", "Tên", "Email", "Ngành"},
		{"A-1", "Một", "mot@example.vn", "Retail"},
		{"A-2", "Hai", "hai@example", "Retail"}, // invalid: the run exits 1 and is still profiled
	})
	cpu, mem := filepath.Join(dir, "cpu.out"), filepath.Join(dir, "mem.out")
	code, _, stderr := cli(t, "validate", "--cpuprofile", cpu, "--memprofile", mem, "-m", mappingPath, input)
	require.Equal(t, exitFailed, code, stderr)
	for _, p := range []string{cpu, mem} {
		st, err := os.Stat(p)
		require.NoError(t, err)
		require.NotZero(t, st.Size(), "%s is empty", p)
	}

	// Hidden: not in the help, which stays about the product.
	code, stdout, _ := cli(t, "--help")
	require.Equal(t, exitOK, code)
	require.NotContains(t, stdout, "cpuprofile")
	require.NotContains(t, stdout, "memprofile")

	// A file that cannot be created is a usage error before anything runs.
	code, _, stderr = cli(t, "validate", "--cpuprofile", filepath.Join(dir, "no", "such", "dir", "cpu.out"), "-m", mappingPath, input)
	require.Equal(t, exitUsage, code)
	require.Contains(t, stderr, "--cpuprofile")
}
