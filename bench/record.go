//go:build bench

package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sync"
)

// Result is one measured line of the suite, as bench/report reads it.
type Result struct {
	Section string             `json:"section"` // efficiency, requests, serial, adaptive, read, dryrun, export, reader
	Name    string             `json:"name"`    // the row's label, e.g. "-c 32" or "validate CSV 1M"
	Values  map[string]float64 `json:"values"`  // figures by name (rows, wall_s, efficiency, rss_mb …)
	Note    string             `json:"note,omitempty"`
}

var outMu sync.Mutex

// Record appends r to the file BENCH_OUT names (nothing when it is unset).
func Record(r Result) error {
	path := os.Getenv("BENCH_OUT")
	if path == "" {
		return nil
	}
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	outMu.Lock()
	defer outMu.Unlock()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("BENCH_OUT: %w", err)
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// ReadResults reads a BENCH_OUT file.
func ReadResults(path string) ([]Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []Result
	dec := json.NewDecoder(bytes.NewReader(data))
	for dec.More() {
		var r Result
		if err := dec.Decode(&r); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, r)
	}
	return out, nil
}
