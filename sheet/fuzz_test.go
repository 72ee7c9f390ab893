package sheet

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

// checkReader drains r and fails on anything a caller could not rely on:
// rows wider or narrower than the header, row numbers that do not grow,
// blank rows, errors that are not *FileError.
func checkReader(t *testing.T, r Reader) {
	t.Helper()
	header := r.Header()
	for i, h := range header {
		if h == "" || h != strings.TrimSpace(h) {
			t.Fatalf("header %d is %q", i, h)
		}
	}
	last := 1
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			if _, ok := errors.AsType[*FileError](err); !ok {
				t.Fatalf("Next: %T %v", err, err)
			}
			return
		}
		if len(row.Cells) != len(header) {
			t.Fatalf("row %d has %d cells for %d columns", row.Num, len(row.Cells), len(header))
		}
		if row.Num <= last {
			t.Fatalf("row %d after row %d", row.Num, last)
		}
		if isBlank(row.Cells) {
			t.Fatalf("blank row %d returned", row.Num)
		}
		last = row.Num
	}
}

func FuzzCSV(f *testing.F) {
	for _, seed := range []string{
		"Name,Phone\nAn,0909\n",
		"\uFEFFName;Phone\r\n\"An;\r\nB\";1\r\n\r\n;;\r\n",
		"sep=\t\nName\tPhone\nAn\t1\t2\n",
		"Name,,Email\n",
		"Email,email\n",
		"\n\nName\n",
		"Name\n\"open\n",
		"Name\nx\"y\n",
		"Name\nJos\xe9\n",
		"Name\n\x00\n",
		"\xff\xfeN\x00",
		"PK\x03\x04",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, opts := range []Options{{}, {Encoding: "windows-1258", MaxCellLen: 8}} {
			r, err := OpenCSV(bytes.NewReader(data), "fuzz.csv", opts)
			if err != nil {
				if _, ok := errors.AsType[*FileError](err); !ok {
					t.Fatalf("OpenCSV: %T %v", err, err)
				}
				continue
			}
			checkReader(t, r)
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func FuzzXLSXSheet(f *testing.F) {
	for _, seed := range []string{
		`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>Phone</t></is></c></row><row r="2"><c r="A2" s="1"><v>45356.5</v></c><c r="B2" t="s"><v>1</v></c></row>`,
		`<row><c t="s"><v>0</v></c></row><row><c><v>1.23E+09</v></c><c t="b"><v>1</v></c><c t="e"><v>#N/A</v></c></row>`,
		`<row r="1"><c r="C1" t="str"><f>x</f><v>a&amp;b</v></c></row><row r="9"><c r="XFD9"><v>1</v></c></row>`,
		`<row r="1"><c r="A1" t="inlineStr"><is><r><t>a_x000D_</t></r><rPh><t>b</t></rPh></is></c></row><row r="2"/><row r="3"><c r="A3" t="d"><v>2024-03-05</v></c></row>`,
		`<row r="1"><c r="A1" t="s"><v>9</v></c></row>`,
		`<row r="2"><c r="A2"`,
		`<row r="1"><c t="s"><v>0</v></c></row><row r="5"><c><v>1</v></c></row><row r="3"><c><v>2</v></c></row>`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, rows string) {
		b := oneSheet(rows)
		b.Shared = []string{"<t>Name</t>", "<t>0909</t>"}
		b.Xfs = []int{14, 22}
		r, err := Open(b.write(t, "fuzz.xlsx"), Options{MaxCellLen: 100})
		if err != nil {
			if _, ok := errors.AsType[*FileError](err); !ok {
				t.Fatalf("Open: %T %v", err, err)
			}
			return
		}
		checkReader(t, r)
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzXMLScanner checks xmlScanner against encoding/xml: wherever
// encoding/xml reads a document, the scanner must read the same tokens.
func FuzzXMLScanner(f *testing.F) {
	for _, seed := range []string{
		`<?xml version="1.0"?><worksheet xmlns:r="x"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>`,
		`<a b = 'x"y' c="&lt;&#65;&#x42;"><!-- c --><![CDATA[<&>]]>t&amp;u</a>`,
		"<a>\r\nx\ry<![CDATA[\r\n]]></a>",
		`<x:a x:b="1"/><b/>tail`,
		`<a b="1">`,
		`</a>`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, ok := stdTokens(data)
		sc := newXMLScanner(iotestOneByte(data))
		got, scanErr := scanTokens(sc)
		if !ok {
			return // encoding/xml refuses it; the scanner only must not panic
		}
		if scanErr != nil {
			t.Fatalf("encoding/xml reads %q, the scanner fails: %v", data, scanErr)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("tokens of %q\nscanner:      %q\nencoding/xml: %q", data, got, want)
		}
	})
}

// iotestOneByte feeds the scanner in tiny reads, so tokens straddle fills.
func iotestOneByte(data []byte) io.Reader {
	return &smallReader{data: data}
}

type smallReader struct{ data []byte }

func (r *smallReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 3)], r.data)
	r.data = r.data[n:]
	return n, nil
}

func stdTokens(data []byte) ([]string, bool) {
	d := xml.NewDecoder(bytes.NewReader(data))
	var out []string
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			out = append(out, "T:"+text.String())
			text.Reset()
		}
	}
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			flush()
			return out, true
		}
		if err != nil {
			return nil, false
		}
		switch e := tok.(type) {
		case xml.StartElement:
			flush()
			s := "S:" + e.Name.Local
			for _, a := range e.Attr {
				s += " " + a.Name.Local + "=" + a.Value
			}
			out = append(out, s)
		case xml.EndElement:
			flush()
			out = append(out, "E:"+e.Name.Local)
		case xml.CharData:
			text.Write(e)
		case xml.Directive:
			return nil, false // DOCTYPE: the scanner refuses it on purpose
		}
	}
}

func scanTokens(sc *xmlScanner) ([]string, error) {
	var out []string
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			out = append(out, "T:"+text.String())
			text.Reset()
		}
	}
	for sc.next() {
		switch sc.kind {
		case tokStart:
			flush()
			s := "S:" + string(sc.name)
			for _, a := range sc.attrs {
				v, err := appendUnescaped(nil, a.value)
				if err != nil {
					return nil, err
				}
				s += " " + string(a.name) + "=" + string(v)
			}
			out = append(out, s)
		case tokEnd:
			flush()
			out = append(out, "E:"+string(sc.name))
		case tokText:
			text.Write(sc.text)
		}
	}
	flush()
	return out, sc.err
}
