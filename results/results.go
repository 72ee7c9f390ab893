// Package results writes and reads the results workbook of an import run.
//
// The workbook is a fixed contract (see DESIGN.md, "Results workbook"). Its
// sheets come in this order:
//
//   - Summary, the first and active sheet: a header row "key", "value" and
//     then one row per key: entity, mapping, input, sheet, mode, total,
//     succeeded, created, updated, unchanged, failed, skipped, started,
//     finished, and then any extra keys of the run. Counts are numbers, the
//     rest is text; times are RFC 3339 with the local offset.
//   - Succeeded: _row, _action, external_id, id, then the source columns.
//   - Failed: the source columns under their original headers, in source
//     order, then _row, _error, _field, _code. The offending cell of a row
//     is highlighted. A Failed sheet is a valid input for import and retry.
//
// Every source cell is written as a text (inline string) cell, never as a
// number or a formula: leading zeros survive, "=1+1" stays those four
// characters, and the Failed sheet reads back byte for byte. Source columns
// carry the Text number format, so what a person types into them while
// fixing a row stays text too.
//
// Excel's limits are kept. A cell longer than 32,767 characters (UTF-16
// units, as Excel counts) is cut and ends with "…". A sheet holds at most
// 1,048,576 rows (MaxSheetRows, the header included): rows beyond that go on
// to "Succeeded (2)", "Failed (2)" and so on, each with the same header,
// placed right after the sheet they continue.
//
// The Writer streams: rows go to disk as they arrive (excelize's
// StreamWriter, which spills to temporary files) and the workbook is zipped
// straight into a temporary file beside the destination, renamed into place
// by Close. Memory does not grow with the number of rows.
package results

import (
	"fmt"
	"strings"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// Sheet names.
const (
	SheetSummary   = "Summary"
	SheetSucceeded = "Succeeded"
	SheetFailed    = "Failed"
)

// Columns the results workbook adds to the source columns.
const (
	ColRow        = "_row"
	ColAction     = "_action"
	ColExternalID = "external_id"
	ColID         = "id"
	ColError      = "_error"
	ColField      = "_field"
	ColCode       = "_code"
)

// Values of the _action column.
const (
	ActionCreated   = "created"
	ActionUpdated   = "updated"
	ActionUnchanged = "unchanged"
)

// Values of the _code column.
const (
	CodeValidation = "validation"
	CodeReference  = "reference"
	CodeConflict   = "conflict"
	CodeAPI        = "api"
	CodeNetwork    = "network"
	CodeInternal   = "internal"
)

// Summary keys, in the order they are written.
const (
	KeyEntity    = "entity"
	KeyMapping   = "mapping"
	KeyInput     = "input"
	KeySheet     = "sheet"
	KeyMode      = "mode"
	KeyTotal     = "total"
	KeySucceeded = "succeeded"
	KeyCreated   = "created"
	KeyUpdated   = "updated"
	KeyUnchanged = "unchanged"
	KeyFailed    = "failed"
	KeySkipped   = "skipped"
	KeyStarted   = "started"
	KeyFinished  = "finished"
)

// SummaryKeys lists the fixed Summary keys in their order.
var SummaryKeys = []string{
	KeyEntity, KeyMapping, KeyInput, KeySheet, KeyMode,
	KeyTotal, KeySucceeded, KeyCreated, KeyUpdated, KeyUnchanged, KeyFailed, KeySkipped,
	KeyStarted, KeyFinished,
}

// failedTrailer is what the Failed sheet appends to the source columns.
var failedTrailer = []string{ColRow, ColError, ColField, ColCode}

// MaxSheetRows is the most rows a data sheet holds, its header included:
// Excel's limit of 1,048,576. When Succeeded or Failed is full, the rows go
// on to "Succeeded (2)", "Failed (2)", ... Tests lower it; it is read when a
// Writer is created.
var MaxSheetRows = excelize.TotalRows

// MaxCellChars is the most characters (UTF-16 code units) a cell holds in
// Excel. Longer texts are cut to MaxCellChars-1 units followed by "…".
const MaxCellChars = excelize.TotalCellChars

// ellipsis marks a text cut to fit a cell.
const ellipsis = "…"

// clip cuts s to fit an Excel cell, ending it with "…" when it was cut.
func clip(s string) string {
	if len(s) <= MaxCellChars { // a UTF-16 unit takes at least one UTF-8 byte
		return s
	}
	units := 0
	for _, r := range s {
		units += runeUnits(r)
	}
	if units <= MaxCellChars {
		return s
	}
	units = 0
	for i, r := range s {
		if units+runeUnits(r) > MaxCellChars-1 {
			return s[:i] + ellipsis
		}
		units += runeUnits(r)
	}
	return s // not reached
}

func runeUnits(r rune) int {
	if n := utf16.RuneLen(r); n > 0 {
		return n
	}
	return 1 // invalid UTF-8 reads as U+FFFD
}

// partName names the n-th sheet of a data sheet: "Failed", "Failed (2)", ...
func partName(base string, n int) string {
	if n <= 1 {
		return base
	}
	return fmt.Sprintf("%s (%d)", base, n)
}

// partNumber reports which part of base the sheet name is: 1 for base
// itself, n for "base (n)", 0 when it is not a part of base.
func partNumber(name, base string) int {
	if strings.EqualFold(name, base) {
		return 1
	}
	if len(name) <= len(base) || !strings.EqualFold(name[:len(base)], base) {
		return 0
	}
	var n int
	rest := name[len(base):]
	if _, err := fmt.Sscanf(rest, " (%d)", &n); err != nil || n < 2 || fmt.Sprintf(" (%d)", n) != rest {
		return 0
	}
	return n
}

// isReserved reports whether a source header names one of the columns the
// Failed sheet adds itself. Such columns come from an earlier results
// workbook fed back as input; the Failed sheet writes fresh ones instead of
// repeating them (a header twice would make the sheet unreadable as input).
func isReserved(header string) bool {
	h := strings.TrimSpace(header)
	for _, r := range failedTrailer {
		if strings.EqualFold(h, r) {
			return true
		}
	}
	return false
}
