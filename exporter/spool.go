package exporter

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// spoolTable holds the rows of a child sheet in a temporary file (beside the output)
// until commit, when they are written to their worksheets one sheet at a time. Rows are
// kept compact: per cell a kind byte, then the text (length-prefixed), the number or
// serial (8 bytes) or the boolean.
type spoolTable struct {
	s     *xlsxSink
	plan  *sheetPlan
	name1 string // the first worksheet's name, reserved at open so names stay stable
	f     *os.File
	w     *bufio.Writer
	n     int
	buf   []byte
}

func newSpool(s *xlsxSink, plan *sheetPlan) (*spoolTable, error) {
	f, err := tempFile(s.path)
	if err != nil {
		return nil, err
	}
	return &spoolTable{s: s, plan: plan, name1: s.sheetName(plan.name), f: f, w: bufio.NewWriterSize(f, 64<<10)}, nil
}

func (t *spoolTable) rows() int { return t.n }

func (t *spoolTable) row(cells []cell) (string, int, error) {
	b := binary.AppendUvarint(t.buf[:0], uint64(len(cells)))
	for _, c := range cells {
		b = append(b, byte(c.kind))
		switch c.kind {
		case cText:
			b = binary.AppendUvarint(b, uint64(len(c.s)))
			b = append(b, c.s...)
		case cNumber, cTime:
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(c.f))
		case cBool:
			if c.b {
				b = append(b, 1)
			} else {
				b = append(b, 0)
			}
		}
	}
	t.buf = b
	if _, err := t.w.Write(b); err != nil {
		return "", 0, fmt.Errorf("spool %s: %w", t.plan.name, err)
	}
	part, num := t.n/maxSheetRows+1, t.n%maxSheetRows+2
	t.n++
	name := t.name1
	if part > 1 {
		name = partName(t.plan.name, part)
	}
	return name, num, nil
}

// replay writes the spooled rows to their worksheets and removes the spool.
func (t *spoolTable) replay() error {
	defer t.remove()
	if err := t.w.Flush(); err != nil {
		return fmt.Errorf("spool %s: %w", t.plan.name, err)
	}
	if _, err := t.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("spool %s: %w", t.plan.name, err)
	}
	x := &xlsxTable{s: t.s, plan: t.plan, base: t.plan.name, name1: t.name1}
	if err := x.start(); err != nil {
		return err
	}
	r := bufio.NewReaderSize(t.f, 64<<10)
	cells := make([]cell, len(t.plan.cols))
	var text []byte
	for i := 0; i < t.n; i++ {
		n, err := binary.ReadUvarint(r)
		if err != nil || int(n) != len(cells) {
			return spoolErr(t, err)
		}
		for j := range cells {
			k, err := r.ReadByte()
			if err != nil {
				return spoolErr(t, err)
			}
			c := cell{kind: ckind(k)}
			switch c.kind {
			case cText:
				l, err := binary.ReadUvarint(r)
				if err != nil {
					return spoolErr(t, err)
				}
				if cap(text) < int(l) {
					text = make([]byte, l)
				}
				text = text[:l]
				if _, err := io.ReadFull(r, text); err != nil {
					return spoolErr(t, err)
				}
				c.s = string(text)
			case cNumber, cTime:
				var v [8]byte
				if _, err := io.ReadFull(r, v[:]); err != nil {
					return spoolErr(t, err)
				}
				c.f = math.Float64frombits(binary.LittleEndian.Uint64(v[:]))
			case cBool:
				v, err := r.ReadByte()
				if err != nil {
					return spoolErr(t, err)
				}
				c.b = v == 1
			}
			cells[j] = c
		}
		if _, _, err := x.row(cells); err != nil {
			return err
		}
	}
	return x.end()
}

func spoolErr(t *spoolTable, err error) error {
	if err == nil {
		err = errors.New("corrupt row")
	}
	return fmt.Errorf("spool %s: %w", t.plan.name, err)
}

// remove closes and deletes the spool file.
func (t *spoolTable) remove() {
	if t.f != nil {
		t.f.Close()
		os.Remove(t.f.Name())
		t.f = nil
	}
}
