package results

import (
	"archive/zip"
	"encoding/binary"
	"math"
	"os"
	"unicode"

	"golang.org/x/text/width"
)

// displayWidth is roughly how many Excel character units the longest line
// of s takes: East Asian wide characters count two, combining marks none.
// It stops counting past what any column is allowed.
func displayWidth(s string) int {
	const enough = 2 * errorColWidth
	widest, line := 0, 0
	for _, r := range s {
		switch {
		case r == '\n':
			widest, line = max(widest, line), 0
			continue
		case unicode.Is(unicode.Mn, r):
			continue
		}
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			line += 2
		default:
			line++
		}
		if line > enough {
			return line
		}
	}
	return max(widest, line)
}

// zip64Limit is the entry size from which an entry needs Zip64 records.
// Tests lower it.
var zip64Limit uint64 = math.MaxUint32

// markZip64 sets "version needed to extract" to 4.5 in the local header of
// each entry that needed Zip64 records (an unzipped worksheet over 4 GiB).
// Go's archive/zip records this in the central directory only, as the size
// is not known when the local header is written, and Excel rejects the
// mismatch; excelize patches its own output the same way.
func markZip64(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	zr, err := zip.NewReader(f, fi.Size())
	if err != nil {
		return err
	}
	for _, zf := range zr.File {
		if zf.UncompressedSize64 < zip64Limit && zf.CompressedSize64 < zip64Limit {
			continue
		}
		data, err := zf.DataOffset()
		if err != nil {
			return err
		}
		// Entries made with zip.Writer.Create have no extra field in
		// their local header; anything else is left alone.
		start := data - 30 - int64(len(zf.Name))
		if start < 0 {
			continue
		}
		hdr := make([]byte, 30+len(zf.Name))
		if _, err := f.ReadAt(hdr, start); err != nil {
			return err
		}
		if binary.LittleEndian.Uint32(hdr[0:4]) != 0x04034b50 ||
			int(binary.LittleEndian.Uint16(hdr[26:28])) != len(zf.Name) ||
			binary.LittleEndian.Uint16(hdr[28:30]) != 0 ||
			string(hdr[30:]) != zf.Name {
			continue
		}
		if binary.LittleEndian.Uint16(hdr[4:6]) >= 45 {
			continue
		}
		var v [2]byte
		binary.LittleEndian.PutUint16(v[:], 45)
		if _, err := f.WriteAt(v[:], start+4); err != nil {
			return err
		}
	}
	return nil
}
