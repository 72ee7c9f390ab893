package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestCSV(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		opts     Options
		header   []string
		rows     []string
		warnings []string
	}{
		{
			name:   "comma",
			in:     "Name,Phone\nAn,0909080808\n",
			header: []string{"Name", "Phone"},
			rows:   []string{"2: An|0909080808"},
		},
		{
			name:   "semicolon sniffed",
			in:     "Name;Phone;Note\r\nAn;0909;a,b\r\n",
			header: []string{"Name", "Phone", "Note"},
			rows:   []string{"2: An|0909|a,b"},
		},
		{
			name:   "tab sniffed",
			in:     "Name\tPhone\nAn\t0909\n",
			header: []string{"Name", "Phone"},
			rows:   []string{"2: An|0909"},
		},
		{
			name:   "delimiters inside quotes do not count",
			in:     "\"a,b,c,d\";Phone;Note\nAn;1;2\n",
			header: []string{"a,b,c,d", "Phone", "Note"},
			rows:   []string{"2: An|1|2"},
		},
		{
			name:   "single column",
			in:     "Name\nAn\n",
			header: []string{"Name"},
			rows:   []string{"2: An"},
		},
		{
			name:   "explicit delimiter wins",
			in:     "Name|Phone,Fax\nAn|1,2\n",
			opts:   Options{Delimiter: '|'},
			header: []string{"Name", "Phone,Fax"},
			rows:   []string{"2: An|1,2"},
		},
		{
			name:   "Excel sep line",
			in:     "sep=;\nName;Phone,Fax\nAn;1,2\n",
			header: []string{"Name", "Phone,Fax"},
			rows:   []string{"2: An|1,2"},
		},
		{
			name:   "UTF-8 BOM stripped",
			in:     "\xEF\xBB\xBFName,Phone\nAn,1\n",
			header: []string{"Name", "Phone"},
			rows:   []string{"2: An|1"},
		},
		{
			name:   "header trimmed, cells kept as they are",
			in:     " Name , Phone\t\n  An  , 0909 \n",
			opts:   Options{Delimiter: ','},
			header: []string{"Name", "Phone"},
			rows:   []string{"2:   An  | 0909 "},
		},
		{
			name:   "quoted newlines and delimiters: rows are records",
			in:     "Name,Note\n\"An\",\"line 1\r\nline 2\nline 3\"\nBình,\"x, y\"\n\"Chi\",\"\"\"quoted\"\"\"\n",
			header: []string{"Name", "Note"},
			rows:   []string{"2: An|line 1\nline 2\nline 3", "3: Bình|x, y", "4: Chi|\"quoted\""},
		},
		{
			name:   "blank lines and blank records are rows as in Excel, skipped",
			in:     "Name,Phone\nAn,1\n\n,,\n   ,\nBình,2\n",
			header: []string{"Name", "Phone"},
			rows:   []string{"2: An|1", "6: Bình|2"},
		},
		{
			name:     "short rows padded, long rows reported once",
			in:       "Name,Phone,Email\nAn\nBình,2,b@x,extra\nChi,3,c@x,more\nDung,4,d@x,,\n",
			header:   []string{"Name", "Phone", "Email"},
			rows:     []string{"2: An||", "3: Bình|2|b@x", "4: Chi|3|c@x", "5: Dung|4|d@x"},
			warnings: []string{"row 3 has values beyond the last header column (from column D); they are ignored"},
		},
		{
			name:   "trailing blank headers dropped",
			in:     "Name,Phone,,\nAn,1,,\n",
			header: []string{"Name", "Phone"},
			rows:   []string{"2: An|1"},
		},
		{
			name:   "no final newline",
			in:     "Name\nAn",
			header: []string{"Name"},
			rows:   []string{"2: An"},
		},
		{
			name:   "header only",
			in:     "Name,Phone\n",
			header: []string{"Name", "Phone"},
		},
		{
			name:   "windows-1258 composed to NFC",
			in:     "Ma\xDE KH;Ho\xF2 t\xEAn;L\xE3i\nKH1;Nguy\xEA\xDEn;0\n",
			opts:   Options{Encoding: "CP1258"},
			header: []string{"Mã KH", "Họ tên", "Lăi"},
			rows:   []string{"2: KH1|Nguyễn|0"},
		},
		{
			name:   "windows-1252",
			in:     "Name,City\nJos\xE9,M\xFCnchen\n",
			opts:   Options{Encoding: "Windows-1252"},
			header: []string{"Name", "City"},
			rows:   []string{"2: José|München"},
		},
		{
			name:     "BOM wins over a Windows encoding",
			in:       "\xEF\xBB\xBFName\nJosé\n",
			opts:     Options{Encoding: "windows-1252"},
			header:   []string{"Name"},
			rows:     []string{"2: José"},
			warnings: []string{"the file starts with a UTF-8 byte order mark, so it is read as UTF-8 and the encoding option is ignored"},
		},
		{
			name:   "utf-8 named explicitly",
			in:     "Tên\nAn\n",
			opts:   Options{Encoding: "utf8"},
			header: []string{"Tên"},
			rows:   []string{"2: An"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := OpenCSV(strings.NewReader(tt.in), "in.csv", tt.opts)
			require.NoError(t, err)
			require.Empty(t, r.SheetName())
			header, rows, warnings, err := drain(r)
			require.NoError(t, err)
			require.NoError(t, r.Close())
			require.Equal(t, tt.header, header)
			require.Equal(t, tt.rows, texts(rows))
			require.Equal(t, tt.warnings, warnings)
		})
	}
}

func TestCSVErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		opts    Options
		want    string // the whole message
		wantRow int
		wantCol string
	}{
		{name: "empty", in: "", want: "in.csv: " + msgEmpty},
		{name: "only a BOM", in: "\xEF\xBB\xBF", want: "in.csv: " + msgEmpty},
		{name: "only blank lines", in: "\n\r\n,,\n", want: "in.csv: " + msgEmpty},
		{name: "header not in row 1", in: "\n\nName,Phone\nAn,1\n", want: "in.csv: row 1: row 1 is blank, but the header must be in row 1 (the first values are in row 3); delete the rows above the header", wantRow: 1},
		{name: "blank header between names", in: "Name,,Email\n", want: "in.csv: row 1: column B has no header; give it a name or delete the column", wantRow: 1, wantCol: "B"},
		{name: "blank header of spaces", in: "Name,  ,Email\n", want: "in.csv: row 1: column B has no header; give it a name or delete the column", wantRow: 1, wantCol: "B"},
		{name: "duplicate header ignoring case", in: "Email,Name,Phone,Fax, email \n", want: `in.csv: row 1: header "Email" appears twice: columns A and E; rename or delete one of them`, wantRow: 1, wantCol: "email"},
		{name: "duplicate header in another Unicode form", in: "Mã KH,Ma\u0303 KH\n", want: `in.csv: row 1: header "Mã KH" appears twice: columns A and B; rename or delete one of them`, wantRow: 1, wantCol: "Ma\u0303 KH"},
		{name: "invalid UTF-8", in: "Name\nAn\nBình\nJos\xE9\n", want: "in.csv: row 4: " + msgNotUTF8, wantRow: 4},
		{name: "invalid UTF-8 in the header", in: "Caf\xE9\n", want: "in.csv: row 1: invalid UTF-8 (the file is not UTF-8; pass --encoding windows-1258 or windows-1252, or save it as CSV UTF-8)", wantRow: 1},
		{name: "NUL byte", in: "Name,Phone\nAn,1\x00\n", want: "in.csv: row 2: contains a NUL byte; the file may be binary or UTF-16 (save it as CSV UTF-8)", wantRow: 2},
		{name: "UTF-16 LE", in: "\xFF\xFEN\x00a\x00", want: "in.csv: the file is UTF-16 text; save it as CSV UTF-8"},
		{name: "UTF-16 BE", in: "\xFE\xFF\x00N\x00a", want: "in.csv: the file is UTF-16 text; save it as CSV UTF-8"},
		{name: "workbook given as CSV", in: "PK\x03\x04rest", want: "in.csv: " + msgZipAsCSV},
		{name: "xls given as CSV", in: magicOLE + "rest", want: "in.csv: " + msgXLS},
		{
			name:    "bare quote",
			in:      "Name,Note\nAn,\"x\"\nBình,say \"hi\"\n",
			want:    `in.csv: row 3: a double quote (") is inside a field that does not start with one; put the whole field in double quotes and write the inner quote twice ("")`,
			wantRow: 3,
		},
		{
			name:    "bare quote after a multi-line field: row and line differ",
			in:      "sep=,\nName,Note\nAn,\"1\n2\n3\"\nBình,say \"hi\"\n",
			want:    `in.csv: row 3 (line 6): a double quote (") is inside a field that does not start with one; put the whole field in double quotes and write the inner quote twice ("")`,
			wantRow: 3,
		},
		{
			name:    "quote never closed",
			in:      "Name,Note\nAn,\"open\nBình,2\n",
			want:    `in.csv: row 2 (line 3): a quoted field is never closed, or text follows its closing quote; check the double quotes (") from this row on`,
			wantRow: 2,
		},
		{
			name:    "cell too long",
			in:      "Name,Note\nAn,0123456789A\n",
			opts:    Options{MaxCellLen: 10},
			want:    `in.csv: row 2: column "Note" (B) has 11 characters, more than the limit of 10; shorten the text`,
			wantRow: 2,
			wantCol: "Note",
		},
		{
			name:    "header cell too long",
			in:      "Name,0123456789A\n",
			opts:    Options{MaxCellLen: 10},
			want:    `in.csv: row 1: column B has 11 characters, more than the limit of 10; shorten the text`,
			wantRow: 1,
			wantCol: "B",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := OpenCSV(strings.NewReader(tt.in), "in.csv", tt.opts)
			if err == nil {
				_, _, _, err = drain(r)
			}
			fe := fileError(t, err)
			require.Equal(t, tt.want, fe.Error())
			require.Equal(t, tt.wantRow, fe.Row)
			require.Equal(t, tt.wantCol, fe.Column)
			if r != nil {
				_, again := r.Next()
				require.Equal(t, err, again, "errors are sticky")
			}
		})
	}
}

func TestCSVParseErrorUnwraps(t *testing.T) {
	r, err := OpenCSV(strings.NewReader("a,b\nx,y\"z\n"), "in.csv", Options{})
	require.NoError(t, err)
	_, err = r.Next()
	var pe *csv.ParseError
	require.ErrorAs(t, err, &pe)
	require.ErrorIs(t, err, csv.ErrBareQuote)
}

func TestCSVOptionErrors(t *testing.T) {
	_, err := OpenCSV(strings.NewReader("a\n"), "in.csv", Options{Encoding: "latin9"})
	require.EqualError(t, err, `sheet: unknown encoding "latin9"; use utf-8, windows-1258 or windows-1252`)
	for _, d := range []rune{'"', '\n', '\r', utf8.RuneError, -1} {
		_, err = OpenCSV(strings.NewReader("a\n"), "in.csv", Options{Delimiter: d})
		require.Error(t, err, "delimiter %q", d)
	}
}

// TestCSVRecordTooLong checks that a quote never closed cannot pull a
// whole file into memory.
func TestCSVRecordTooLong(t *testing.T) {
	var in bytes.Buffer
	in.WriteString("Name,Note\nAn,1\nBình,\"never closed\n")
	line := strings.Repeat("x", 1023) + "\n"
	for in.Len() < maxRecordBytes+2*csvBufSize {
		in.WriteString(line)
	}
	r, err := OpenCSV(&in, "in.csv", Options{})
	require.NoError(t, err)
	row, err := r.Next()
	require.NoError(t, err)
	require.Equal(t, 2, row.Num)
	_, err = r.Next()
	fe := fileError(t, err)
	require.Equal(t, 3, fe.Row)
	require.Equal(t, `in.csv: row 3: the record starting here is longer than 16 MiB; a double quote (") is probably never closed, or the file is not CSV text`, fe.Error())
}

// TestCSVStreams checks that rows come out before the input ends.
func TestCSVStreams(t *testing.T) {
	pr, pw := io.Pipe()
	go func() {
		_, _ = io.WriteString(pw, "Name\nAn\n")
		// Fill the sniffing buffer so the header can be read.
		_, _ = io.WriteString(pw, strings.Repeat("x\n", csvBufSize))
	}()
	r, err := OpenCSV(pr, "pipe.csv", Options{})
	require.NoError(t, err)
	row, err := r.Next()
	require.NoError(t, err)
	require.Equal(t, "An", row.Cells[0].Text)
	require.NoError(t, pw.CloseWithError(errors.New("source went away")))
	for err == nil {
		_, err = r.Next()
	}
	fe := fileError(t, err)
	require.Contains(t, fe.Error(), "cannot read the file: source went away")
}

func TestSniffDelimiter(t *testing.T) {
	tests := []struct {
		in       string
		fallback rune
		want     rune
	}{
		{"a,b,c", ',', ','},
		{"a;b;c", ',', ';'},
		{"a\tb\tc", ',', '\t'},
		{"a;b,c", ',', ','},
		{"a;b\tc", '\t', '\t'},
		{"a;b\tc", ',', ';'},
		{"abc", ',', ','},
		{"abc", '\t', '\t'},
		{`"x;y;z",a,b`, ',', ','},
		{"a;b\nc,d,e,f", ',', ';'},
	}
	for _, tt := range tests {
		require.Equalf(t, tt.want, sniffDelimiter([]byte(tt.in), tt.fallback), "sniff(%q)", tt.in)
	}
}
