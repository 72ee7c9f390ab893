//go:build bench

package bench

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/oplabatch/oplabatch/exporter"
	"github.com/oplabatch/oplabatch/opla"
)

// TestMain removes the generated inputs after the run. With BENCH_CHILD set, the test
// binary is instead a tiny wrapper run as a subprocess (so its peak RSS can be read):
// BENCH_CHILD=export runs exporter.Run for opportunities against BENCH_URL (used only
// while the export command is not in the oplabatch binary).
func TestMain(m *testing.M) {
	if os.Getenv("BENCH_CHILD") == "export" {
		os.Exit(childExport())
	}
	code := m.Run()
	if dataDir != "" {
		_ = os.RemoveAll(dataDir)
	}
	if builtDir != "" {
		_ = os.RemoveAll(builtDir)
	}
	os.Exit(code)
}

func childExport() int {
	c, err := opla.New(opla.Options{BaseURL: os.Getenv("BENCH_URL"), Token: os.Getenv("BENCH_TOKEN"), MaxConns: 16})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	rep, err := exporter.Run(context.Background(), exporter.Options{Client: c, Entity: "opportunities", Output: os.Getenv("BENCH_OUTPUT")})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	fmt.Printf("%d records, %d pages\n", rep.Records, rep.Pages)
	return 0
}
