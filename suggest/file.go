package suggest

import (
	"errors"
	"io"

	"github.com/oplabatch/oplabatch/sheet"
)

// DefaultRows is how many data rows are looked at by default.
const DefaultRows = 200

// Sample reads a sheet's header and its first n data rows (all when n <= 0), and the name
// of the sheet read ("" for CSV).
func Sample(path string, opts sheet.Options, n int) (header []string, rows []sheet.Row, sheetName string, err error) {
	r, err := sheet.Open(path, opts)
	if err != nil {
		return nil, nil, "", err
	}
	defer r.Close()
	header = r.Header()
	for n <= 0 || len(rows) < n {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, "", err
		}
		rows = append(rows, row)
	}
	return header, rows, r.SheetName(), nil
}
