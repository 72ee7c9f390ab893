package journal

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestJournalRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.xlsx.journal")
	w, err := Create(path, Header{Input: "in.csv", InputHash: "aa", Mapping: "m.yaml", MappingHash: "bb", Entity: "contacts", Mode: "upsert"})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for row := 2; row < 202; row++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			require.NoError(t, w.Begin(row, "K"))
			if row%10 != 0 { // every tenth row stays in flight
				require.NoError(t, w.Done(Entry{Row: row, Key: "K", Action: "created", ID: "id"}))
			}
		}()
	}
	wg.Wait()
	require.NoError(t, w.Done(Entry{Row: 500, Action: "failed", Error: `Column "A": bad.`, Code: "validation", Column: 3}))
	require.NoError(t, w.Close())

	st, err := Read(path)
	require.NoError(t, err)
	require.Equal(t, "aa", st.Header.InputHash)
	require.Len(t, st.Done, 181)
	require.Len(t, st.InFlight, 20)
	require.Equal(t, "failed", st.Done[500].Action)
	require.Equal(t, 3, st.Done[500].Column)
	_, inFlight := st.InFlight[10]
	require.True(t, inFlight)
}

func TestJournalTornLineAndAppend(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j")
	w, err := Create(path, Header{InputHash: "a"})
	require.NoError(t, err)
	require.NoError(t, w.Begin(2, "A"))
	require.NoError(t, w.Done(Entry{Row: 2, Action: "created"}))
	require.NoError(t, w.Begin(3, "B"))
	require.NoError(t, w.Close())
	// A crash in the middle of a line.
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(`{"row":3,"act`)
	require.NoError(t, err)
	require.NoError(t, f.Close())

	st, err := Read(path)
	require.NoError(t, err)
	require.Len(t, st.Done, 1)
	require.Contains(t, st.InFlight, 3)

	w, err = Append(path)
	require.NoError(t, err)
	require.NoError(t, w.Done(Entry{Row: 3, Action: "updated"}))
	require.NoError(t, w.Close())
	st, err = Read(path)
	require.NoError(t, err)
	require.Len(t, st.Done, 2, "the torn line does not swallow the next entry")
	require.Empty(t, st.InFlight)
}

func TestJournalReadErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := Read(filepath.Join(dir, "missing"))
	require.ErrorIs(t, err, os.ErrNotExist)
	bad := filepath.Join(dir, "bad")
	require.NoError(t, os.WriteFile(bad, []byte("hello\n"), 0o600))
	_, err = Read(bad)
	require.ErrorContains(t, err, "not an oplabatch journal")
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	_, err = Read(empty)
	require.ErrorContains(t, err, "empty")
	newer := filepath.Join(dir, "newer")
	require.NoError(t, os.WriteFile(newer, []byte(`{"v":99}`+"\n"), 0o600))
	_, err = Read(newer)
	require.ErrorContains(t, err, "version 99")
}

func TestHashFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(p, []byte("abc"), 0o600))
	h, err := HashFile(p)
	require.NoError(t, err)
	require.Equal(t, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", h)
}

func TestAnnounceAwait(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j")
	w, err := Create(path, Header{InputHash: "a"})
	require.NoError(t, err)
	var tickets []uint64
	for row := 2; row < 12; row++ {
		tk, err := w.Announce(row, "K")
		require.NoError(t, err)
		tickets = append(tickets, tk)
	}
	for _, tk := range tickets {
		require.NoError(t, w.Await(tk))
	}
	// Awaited lines are on disk before Close: read the file as a crash would leave it.
	st, err := Read(path)
	require.NoError(t, err)
	require.Len(t, st.InFlight, 10)
	require.NoError(t, w.Close())
}
