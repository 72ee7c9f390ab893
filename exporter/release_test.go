package exporter

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// TestReleaseStreamBuffer: a flushed stream writer whose rows spilled to its temporary
// file gives its buffer back, and the workbook is still complete. It fails if an excelize
// upgrade changes the internals releaseStreamBuffer relies on.
func TestReleaseStreamBuffer(t *testing.T) {
	f := excelize.NewFile(excelize.Options{TmpDir: t.TempDir()})
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	require.NoError(t, err)
	big := strings.Repeat("x", 2048)
	rows := excelize.StreamChunkSize/2048 + 100 // past one chunk: spilled to a file
	for i := range rows {
		ref, _ := excelize.CoordinatesToCellName(1, i+1)
		require.NoError(t, sw.SetRow(ref, []any{big}))
	}
	require.NoError(t, sw.Flush())
	require.True(t, releaseStreamBuffer(sw), "the buffer of a spilled, flushed sheet is released")
	out := filepath.Join(t.TempDir(), "big.xlsx")
	require.NoError(t, f.SaveAs(out))

	g, err := excelize.OpenFile(out)
	require.NoError(t, err)
	defer g.Close()
	got, err := g.GetRows("Sheet1")
	require.NoError(t, err)
	require.Len(t, got, rows)
	require.Equal(t, big, got[rows-1][0])

	// a small sheet keeps its rows in the buffer: nothing to release
	h := excelize.NewFile()
	defer h.Close()
	sw, err = h.NewStreamWriter("Sheet1")
	require.NoError(t, err)
	require.NoError(t, sw.SetRow("A1", []any{"x"}))
	require.NoError(t, sw.Flush())
	require.False(t, releaseStreamBuffer(sw))
}
