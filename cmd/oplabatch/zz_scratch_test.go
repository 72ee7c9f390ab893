package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func wide(n int) [][]string {
	h := append([]string{}, badHeader...)
	r := []string{"A-1", "Công ty Một", "mot@example.vn", "Retail"}
	for i := len(h); i < n; i++ {
		h = append(h, fmt.Sprintf("Cột %d", i+1))
		r = append(r, "x")
	}
	return [][]string{h, r}
}

func TestZZScratch(t *testing.T) {
	os.WriteFile("/tmp/bad/cols-16384.xlsx", xlsxBook(sheetXML(wide(16384))), 0o644)
	os.WriteFile("/tmp/bad/cols-16385.xlsx", xlsxBook(sheetXML(wide(16385))), 0o644)
	var b strings.Builder
	for _, r := range wide(16384) { b.WriteString(strings.Join(r, ",") + "\n") }
	os.WriteFile("/tmp/bad/cols-16384.csv", []byte(b.String()), 0o644)
	b.Reset()
	for _, r := range wide(100000) { b.WriteString(strings.Join(r, ",") + "\n") }
	os.WriteFile("/tmp/bad/cols-100000.csv", []byte(b.String()), 0o644)
}
