//go:build soak

package importer_test

// The soak test: go test -tags soak -run Soak -v ./importer/ (about a minute).

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/oplabatch/oplabatch/importer"
	"github.com/oplabatch/oplabatch/opla/oplatest"
	"github.com/stretchr/testify/require"
)

func TestSoakUpsertUnderFaults(t *testing.T) {
	const n = 10000
	f := newFixture(t, oplatest.Options{Seed: 99, FailRate: 0.10, LostResponseRate: 0.03, RateLimit: 200})
	rows := [][]string{{"Mã", "Tên", "Email", "Ngành"}}
	inds := []string{"Retail", "Technology", "Manufacturing"}
	for i := range n {
		rows = append(rows, []string{fmt.Sprintf("S-%05d", i), "Công ty " + strconv.Itoa(i), fmt.Sprintf("s%d@example.vn", i), inds[i%3]})
	}
	input := f.writeCSV("soak.csv", rows)
	m := f.mapping("entity: accounts\ncolumns: {\"Mã\": external_id, \"Tên\": name, \"Email\": email, \"Ngành\": {field: industry_id, ref: industries.name}}\n")
	c := f.srv.Client() // real backoff sleeps: Retry-After is honoured for real here
	start := time.Now()
	rep, err := importer.Run(context.Background(), importer.Options{Mapping: m, Client: c, Input: input, Concurrency: 32,
		Output: filepath.Join(f.dir, "soak.results.xlsx")})
	require.NoError(t, err)
	t.Logf("%d rows in %s; client requests/retries: %v", n, time.Since(start), fmt.Sprint(c.Stats()))
	require.NoError(t, rep.Stopped)
	require.Equal(t, n, rep.Summary.Succeeded, rep.Errors)
	require.Zero(t, rep.Summary.Failed)

	stored := map[string]map[string]any{}
	for _, r := range f.srv.Emulator().Records("accounts") {
		k, _ := r["external_id"].(string)
		require.NotContains(t, stored, k, "%s stored twice", k)
		stored[k] = r
	}
	// The results workbook matches the emulator's state.
	for _, s := range sheetRows(t, rep.Output, "Succeeded") {
		r, ok := stored[s["external_id"]]
		require.True(t, ok, s["external_id"])
		require.Equal(t, r["id"], s["id"], s["external_id"])
		require.Equal(t, r["name"], s["Tên"])
	}
}
