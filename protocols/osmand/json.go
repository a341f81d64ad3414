package osmand

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"

	"dozor/protocols"
)

// scanner is a small pull-style JSON reader over one request body. It
// follows RFC 8259 strictly (no comments, no trailing commas, no NaN),
// bounds nesting by MaxDepth and allocates nothing once its scratch buffers
// have grown. Errors wrap protocols.ErrMalformed with the byte offset.
type scanner struct {
	b     []byte
	pos   int
	depth int
	kbuf  []byte // unescaped key, valid until the next key
	vbuf  []byte // unescaped string value, valid until the next value
}

func (s *scanner) reset(b []byte) {
	s.b, s.pos, s.depth = b, 0, 0
}

func (s *scanner) errorf(format string, args ...any) error {
	return malformedAt(s.pos, format, args...)
}

func malformedAt(off int, format string, args ...any) error {
	err := fmt.Errorf("%w: "+format, append([]any{protocols.ErrMalformed}, args...)...)
	return protocols.At(off, err)
}

func (s *scanner) ws() {
	for s.pos < len(s.b) {
		switch s.b[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte without consuming it.
func (s *scanner) peek() (byte, error) {
	s.ws()
	if s.pos >= len(s.b) {
		return 0, s.errorf("unexpected end of json")
	}
	return s.b[s.pos], nil
}

// end checks that only white space follows the top-level value.
func (s *scanner) end() error {
	s.ws()
	if s.pos < len(s.b) {
		return s.errorf("data after the json value: %s", quoteByte(s.b[s.pos]))
	}
	return nil
}

// enter consumes the '{' or '[' at pos, bounding the nesting.
func (s *scanner) enter() error {
	if s.depth >= MaxDepth {
		return s.errorf("json nested deeper than %d", MaxDepth)
	}
	s.depth++
	s.pos++
	return nil
}

// member advances to member i of the object being read (i counts from 0).
// It returns the key and true, or false once the closing brace is consumed.
func (s *scanner) member(i int) ([]byte, bool, error) {
	c, err := s.peek()
	if err != nil {
		return nil, false, err
	}
	if c == '}' {
		s.pos++
		s.depth--
		return nil, false, nil
	}
	if i > 0 {
		if c != ',' {
			return nil, false, s.errorf("want ',' or '}' after object member, got %s",
				quoteByte(c))
		}
		s.pos++
		if c, err = s.peek(); err != nil {
			return nil, false, err
		}
	}
	if c != '"' {
		return nil, false, s.errorf("want object key, got %s", quoteByte(c))
	}
	key, err := s.str(&s.kbuf)
	if err != nil {
		return nil, false, err
	}
	if c, err = s.peek(); err != nil {
		return nil, false, err
	}
	if c != ':' {
		return nil, false, s.errorf("want ':' after object key, got %s", quoteByte(c))
	}
	s.pos++
	return key, true, nil
}

// elem advances to element i of the array being read. It returns false once
// the closing bracket is consumed.
func (s *scanner) elem(i int) (bool, error) {
	c, err := s.peek()
	if err != nil {
		return false, err
	}
	if c == ']' {
		s.pos++
		s.depth--
		return false, nil
	}
	if i > 0 {
		if c != ',' {
			return false, s.errorf("want ',' or ']' after array element, got %s",
				quoteByte(c))
		}
		s.pos++
		if _, err = s.peek(); err != nil {
			return false, err
		}
	}
	return true, nil
}

// value reads the next value. Scalars come back with their text (strings
// unescaped, into vbuf when they had escapes); objects and arrays are
// skipped and come back as valObject with no text.
func (s *scanner) value() (value, error) {
	c, err := s.peek()
	if err != nil {
		return value{}, err
	}
	switch {
	case c == '"':
		b, err := s.str(&s.vbuf)
		return value{kind: valString, text: b}, err
	case c == '{' || c == '[':
		return value{kind: valObject}, s.skip()
	case c == 't':
		return s.literal(valBool, "true")
	case c == 'f':
		return s.literal(valBool, "false")
	case c == 'n':
		return s.literal(valNull, "null")
	case c == '-' || c >= '0' && c <= '9':
		b, err := s.number()
		return value{kind: valNumber, text: b}, err
	}
	return value{}, s.errorf("want a json value, got %s", quoteByte(c))
}

// skip consumes the next value, whatever it is.
func (s *scanner) skip() error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	switch c {
	case '{':
		return s.skipObject()
	case '[':
		return s.skipArray()
	}
	_, err = s.value()
	return err
}

func (s *scanner) skipObject() error {
	if err := s.enter(); err != nil {
		return err
	}
	for i := 0; ; i++ {
		_, more, err := s.member(i)
		if err != nil || !more {
			return err
		}
		if err := s.skip(); err != nil {
			return err
		}
	}
}

func (s *scanner) skipArray() error {
	if err := s.enter(); err != nil {
		return err
	}
	for i := 0; ; i++ {
		more, err := s.elem(i)
		if err != nil || !more {
			return err
		}
		if err := s.skip(); err != nil {
			return err
		}
	}
}

func (s *scanner) literal(k valKind, lit string) (value, error) {
	end := s.pos + len(lit)
	if end > len(s.b) || string(s.b[s.pos:end]) != lit {
		return value{}, s.errorf("bad literal, want %s", lit)
	}
	v := value{kind: k, text: s.b[s.pos:end]}
	s.pos = end
	return v, nil
}

// number reads a number following the JSON grammar and returns its text.
func (s *scanner) number() ([]byte, error) {
	n := jsonNumberLen(s.b[s.pos:])
	if n == 0 {
		return nil, s.errorf("bad number")
	}
	b := s.b[s.pos : s.pos+n]
	s.pos += n
	return b, nil
}

// jsonNumberLen returns the length of the JSON number at the start of b,
// or 0 if b does not start with one.
func jsonNumberLen(b []byte) int {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		return 0
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return 0
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return 0
		}
		i = j
	}
	return i
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

// str reads a string. Without escapes the result aliases the body;
// otherwise it is unescaped into *buf, which the next call reuses.
func (s *scanner) str(buf *[]byte) ([]byte, error) {
	start := s.pos + 1
	for i := start; i < len(s.b); i++ {
		switch c := s.b[i]; {
		case c == '"':
			s.pos = i + 1
			return s.b[start:i], nil
		case c == '\\':
			return s.unescape(buf, start, i)
		case c < 0x20:
			s.pos = i
			return nil, s.errorf("control character %#02x in string", c)
		}
	}
	s.pos = len(s.b)
	return nil, s.errorf("unterminated string")
}

// unescape copies the string that starts at start into *buf, resolving
// escapes from i (the first backslash) on.
func (s *scanner) unescape(buf *[]byte, start, i int) ([]byte, error) {
	out := append((*buf)[:0], s.b[start:i]...)
	for i < len(s.b) {
		c := s.b[i]
		switch {
		case c == '"':
			s.pos = i + 1
			*buf = out
			return out, nil
		case c < 0x20:
			s.pos = i
			return nil, s.errorf("control character %#02x in string", c)
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(s.b) {
			break
		}
		var err error
		out, i, err = s.escape(out, i)
		if err != nil {
			return nil, err
		}
	}
	s.pos = len(s.b)
	return nil, s.errorf("unterminated string")
}

// escape appends the escape sequence at b[i] (a backslash) to out and
// returns the index after it.
func (s *scanner) escape(out []byte, i int) ([]byte, int, error) {
	switch c := s.b[i+1]; c {
	case '"', '\\', '/':
		return append(out, c), i + 2, nil
	case 'b':
		return append(out, '\b'), i + 2, nil
	case 'f':
		return append(out, '\f'), i + 2, nil
	case 'n':
		return append(out, '\n'), i + 2, nil
	case 'r':
		return append(out, '\r'), i + 2, nil
	case 't':
		return append(out, '\t'), i + 2, nil
	case 'u':
		r, ok := hex4(s.b, i+2)
		if !ok {
			s.pos = i
			return nil, 0, s.errorf("bad \\u escape")
		}
		i += 6
		if utf16.IsSurrogate(r) {
			r2, ok := rune(-1), false
			if i+1 < len(s.b) && s.b[i] == '\\' && s.b[i+1] == 'u' {
				r2, ok = hex4(s.b, i+2)
			}
			if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
				return utf8.AppendRune(out, dec), i + 6, nil
			}
			r = utf8.RuneError
		}
		return utf8.AppendRune(out, r), i, nil
	}
	s.pos = i
	return nil, 0, s.errorf("bad escape \\%c", s.b[i+1])
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// quoteByte renders a byte for an error message.
func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", rune(c))
	}
	return fmt.Sprintf("byte %#02x", c)
}
