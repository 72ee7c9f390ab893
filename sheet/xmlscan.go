package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// xmlScanner is a small XML tokenizer for the parts of a workbook. It
// exists because encoding/xml allocates for every element and attribute,
// which made a worksheet read at a few thousand rows a second; this one
// reuses its buffers and allocates nothing per token.
//
// It reads well-formed XML as Excel and other writers produce it: elements
// with namespace prefixes (reported by local name), attributes in either
// quote, character data with the predefined and numeric entities, CDATA,
// comments and processing instructions. It does not check that end tags
// match start tags, and it refuses DOCTYPE declarations, which OOXML
// forbids. Everything a token holds is valid only until the next call.
type xmlScanner struct {
	src  io.Reader
	buf  []byte
	r, w int  // unread input is buf[r:w]
	eof  bool // src is exhausted
	err  error

	kind    tokenKind
	name    []byte    // local name of a start or end tag
	attrs   []xmlAttr // of a start tag, raw values
	text    []byte    // character data, entities decoded
	pending bool      // the start tag was self-closing: an end tag follows
	tbuf    []byte    // decoded text, when it differs from the input
	abuf    []byte    // a decoded attribute value
}

type tokenKind uint8

const (
	tokStart tokenKind = iota + 1
	tokEnd
	tokText
)

type xmlAttr struct{ name, value []byte }

// maxXMLToken bounds one tag or one run of text. Excel's largest cell is
// 32767 characters, a few hundred KiB with entities.
const maxXMLToken = 16 << 20

var errUnexpectedEOF = errors.New("unexpected end of XML")

func newXMLScanner(r io.Reader) *xmlScanner {
	return &xmlScanner{src: r, buf: make([]byte, xmlBufSize)}
}

// fill reads more input, keeping the unread part; false means nothing more
// will come (see s.err).
func (s *xmlScanner) fill() bool {
	if s.eof || s.err != nil {
		return false
	}
	if s.r > 0 {
		s.w = copy(s.buf, s.buf[s.r:s.w])
		s.r = 0
	}
	if s.w == len(s.buf) {
		if len(s.buf) >= maxXMLToken {
			s.err = fmt.Errorf("an XML tag or text is longer than %s", humanBytes(maxXMLToken))
			return false
		}
		s.buf = append(s.buf, make([]byte, len(s.buf))...)
	}
	n, err := s.src.Read(s.buf[s.w:])
	s.w += n
	switch {
	case errors.Is(err, io.EOF):
		s.eof = true
	case err != nil:
		s.err = err
	}
	return n > 0 || (!s.eof && s.err == nil)
}

// failure is the error that ended scanning, or an unexpected end of input.
func (s *xmlScanner) failure() error {
	if s.err != nil {
		return s.err
	}
	return errUnexpectedEOF
}

// next moves to the next token; false at the end of input or on error
// (s.err is then set, or left nil at a clean end).
func (s *xmlScanner) next() bool {
	if s.pending {
		s.pending = false
		s.kind = tokEnd
		return true
	}
	for {
		if s.r >= s.w {
			if !s.fill() {
				return false // the end, or s.err
			}
			continue
		}
		if s.buf[s.r] != '<' {
			return s.readText()
		}
		if s.w-s.r < 2 {
			if !s.fill() {
				s.err = s.failure()
				return false
			}
			continue
		}
		switch {
		case s.buf[s.r+1] == '/':
			end, ok := s.find(2, ">")
			if !ok {
				return false
			}
			s.name = localName(bytes.TrimSpace(s.buf[s.r+2 : end]))
			s.kind, s.r = tokEnd, end+1
			return true
		case s.buf[s.r+1] == '?':
			end, ok := s.find(2, "?>")
			if !ok {
				return false
			}
			s.r = end + 2
		case s.buf[s.r+1] != '!':
			return s.readStartTag()
		case s.hasPrefix("<!--"):
			end, ok := s.find(4, "-->")
			if !ok {
				return false
			}
			s.r = end + 3
		case s.hasPrefix("<![CDATA["):
			end, ok := s.find(9, "]]>")
			if !ok {
				return false
			}
			s.text = s.normalise(s.buf[s.r+9 : end])
			s.kind, s.r = tokText, end+3
			return true
		case s.w-s.r < len("<![CDATA[") && s.fill():
			// not enough input yet to tell
		default:
			s.err = errors.New("XML DOCTYPE or unknown declaration is not allowed")
			return false
		}
	}
}

// hasPrefix reports whether the unread input starts with p.
func (s *xmlScanner) hasPrefix(p string) bool {
	return s.w-s.r >= len(p) && string(s.buf[s.r:s.r+len(p)]) == p
}

// find returns the absolute index of the first sep at or after
// buf[s.r+from], reading more input as needed.
func (s *xmlScanner) find(from int, sep string) (int, bool) {
	for s.w-s.r < from {
		if !s.fill() {
			s.err = s.failure()
			return 0, false
		}
	}
	for {
		if i := bytes.Index(s.buf[s.r+from:s.w], []byte(sep)); i >= 0 {
			return s.r + from + i, true
		}
		from = max(from, s.w-s.r-len(sep)+1)
		if !s.fill() {
			s.err = s.failure()
			return 0, false
		}
	}
}

func (s *xmlScanner) readText() bool {
	from := 0
	for {
		if i := bytes.IndexByte(s.buf[s.r+from:s.w], '<'); i >= 0 {
			return s.setText(s.r + from + i)
		}
		from = s.w - s.r
		if !s.fill() {
			if s.err != nil {
				return false
			}
			return s.setText(s.w) // text at the very end
		}
	}
}

// setText makes buf[s.r:end] the current text token.
func (s *xmlScanner) setText(end int) bool {
	raw := s.buf[s.r:end]
	s.r = end
	s.kind = tokText
	if bytes.IndexByte(raw, '&') < 0 {
		s.text = s.normalise(raw)
		return true
	}
	var err error
	if s.tbuf, err = appendUnescaped(s.tbuf[:0], raw); err != nil {
		s.err = err
		return false
	}
	s.text = s.tbuf
	return true
}

// normalise applies XML end-of-line handling: "\r\n" and "\r" become "\n".
func (s *xmlScanner) normalise(raw []byte) []byte {
	if bytes.IndexByte(raw, '\r') < 0 {
		return raw
	}
	s.tbuf = appendEOL(s.tbuf[:0], raw)
	return s.tbuf
}

func appendEOL(dst, raw []byte) []byte {
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c != '\r':
			dst = append(dst, c)
		case i+1 < len(raw) && raw[i+1] == '\n':
			// the '\n' that follows is appended next
		default:
			dst = append(dst, '\n')
		}
	}
	return dst
}

func (s *xmlScanner) readStartTag() bool {
	// Find the closing '>' outside quoted attribute values.
	i, quote := s.r+1, byte(0)
	for {
		for ; i < s.w; i++ {
			switch c := s.buf[i]; {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
			case c == '>':
				return s.parseStartTag(s.buf[s.r+1:i], i+1)
			}
		}
		off := i - s.r
		if !s.fill() {
			s.err = s.failure()
			return false
		}
		i = s.r + off
	}
}

func (s *xmlScanner) parseStartTag(tag []byte, next int) bool {
	s.r = next
	s.kind = tokStart
	if n := len(tag); n > 0 && tag[n-1] == '/' {
		s.pending = true
		tag = tag[:n-1]
	}
	n := 0
	for n < len(tag) && !isSpace(tag[n]) {
		n++
	}
	if n == 0 {
		s.err = errors.New("XML tag without a name")
		return false
	}
	s.name = localName(tag[:n])
	s.attrs = s.attrs[:0]
	for i := n; ; {
		for i < len(tag) && isSpace(tag[i]) {
			i++
		}
		if i == len(tag) {
			return true
		}
		start := i
		for i < len(tag) && tag[i] != '=' && !isSpace(tag[i]) {
			i++
		}
		name := tag[start:i]
		for i < len(tag) && isSpace(tag[i]) {
			i++
		}
		if i+1 >= len(tag) || tag[i] != '=' || len(name) == 0 {
			s.err = fmt.Errorf("malformed XML attribute in <%s>", s.name)
			return false
		}
		for i++; i < len(tag) && isSpace(tag[i]); i++ {
		}
		if i == len(tag) || (tag[i] != '"' && tag[i] != '\'') {
			s.err = fmt.Errorf("unquoted XML attribute in <%s>", s.name)
			return false
		}
		end := bytes.IndexByte(tag[i+1:], tag[i])
		if end < 0 {
			s.err = fmt.Errorf("malformed XML attribute in <%s>", s.name)
			return false
		}
		s.attrs = append(s.attrs, xmlAttr{name: localName(name), value: tag[i+1 : i+1+end]})
		i += end + 2
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// attr returns the decoded value of the attribute with this local name;
// the bytes are valid until the next call of attr or next.
func (s *xmlScanner) attr(local string) ([]byte, bool) {
	for _, a := range s.attrs {
		if string(a.name) != local {
			continue
		}
		if bytes.IndexByte(a.value, '&') < 0 && bytes.IndexByte(a.value, '\r') < 0 {
			return a.value, true
		}
		var err error
		if s.abuf, err = appendUnescaped(s.abuf[:0], a.value); err != nil {
			return nil, false
		}
		return s.abuf, true
	}
	return nil, false
}

// attrString is attr as a string, "" when absent.
func (s *xmlScanner) attrString(local string) string {
	v, _ := s.attr(local)
	return string(v)
}

// is reports whether the current token is a start (or end) tag named local.
func (s *xmlScanner) is(kind tokenKind, local string) bool {
	return s.kind == kind && string(s.name) == local
}

// localName drops a namespace prefix, as encoding/xml does: "x:c" is "c",
// but ":c", "x:" and "a:b:c" stay whole.
func localName(name []byte) []byte {
	colon := -1
	for i, c := range name { // names are short: a loop beats IndexByte
		if c == ':' {
			if colon >= 0 {
				return name
			}
			colon = i
		}
	}
	if colon <= 0 || colon == len(name)-1 {
		return name
	}
	return name[colon+1:]
}

// appendUnescaped decodes XML entities and line ends in raw onto dst.
func appendUnescaped(dst, raw []byte) ([]byte, error) {
	for len(raw) > 0 {
		i := bytes.IndexByte(raw, '&')
		if i < 0 {
			return appendEOL(dst, raw), nil
		}
		dst = appendEOL(dst, raw[:i])
		raw = raw[i:]
		semi := bytes.IndexByte(raw, ';')
		if semi < 0 {
			return dst, errors.New("XML entity without ';'")
		}
		ent := string(raw[1:semi])
		raw = raw[semi+1:]
		switch ent {
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "amp":
			dst = append(dst, '&')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			r, ok := charRef(ent)
			if !ok {
				return dst, fmt.Errorf("unknown XML entity &%s;", ent)
			}
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst, nil
}

// charRef decodes the inside of a character reference: "#65" or "#x41".
func charRef(ent string) (rune, bool) {
	if len(ent) < 2 || ent[0] != '#' {
		return 0, false
	}
	base, digits := 10, ent[1:]
	if digits[0] == 'x' {
		base, digits = 16, digits[1:]
	}
	if digits == "" || digits[0] == '+' || digits[0] == '-' {
		return 0, false
	}
	v, err := strconv.ParseUint(digits, base, 32)
	if err != nil || v == 0 || !utf8.ValidRune(rune(v)) {
		return 0, false
	}
	return rune(v), true
}
