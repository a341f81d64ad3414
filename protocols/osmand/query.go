package osmand

// formIter walks the key=value pairs of a query string or a form-encoded
// body, percent-decoding them ('+' is a space). Pairs are split on '&'
// only; empty pairs are skipped; a pair without '=' has an empty value.
type formIter struct {
	b    []byte
	pos  int
	base int    // offset of b in what error offsets refer to
	kbuf []byte // decoded key, valid until the next pair
	vbuf []byte // decoded value, valid until the next pair
}

func (it *formIter) reset(b []byte, base int) {
	it.b, it.pos, it.base = b, 0, base
}

// next returns the next pair and true, or false at the end. The key and
// value alias b or the iterator's buffers and are valid until the next call.
func (it *formIter) next() (key, val []byte, ok bool, err error) {
	for it.pos < len(it.b) {
		start := it.pos
		end := indexByteFrom(it.b, start, '&')
		it.pos = end + 1
		if end == start {
			continue
		}
		pair := it.b[start:end]
		eq := indexByteFrom(pair, 0, '=')
		key, err = unescapeForm(&it.kbuf, pair[:eq], it.base+start)
		if err != nil {
			return nil, nil, false, err
		}
		if eq < len(pair) {
			val, err = unescapeForm(&it.vbuf, pair[eq+1:], it.base+start+eq+1)
			if err != nil {
				return nil, nil, false, err
			}
		} else {
			val = nil
		}
		return key, val, true, nil
	}
	return nil, nil, false, nil
}

// indexByteFrom returns the index of c in b at or after from, or len(b).
func indexByteFrom(b []byte, from int, c byte) int {
	for i := from; i < len(b); i++ {
		if b[i] == c {
			return i
		}
	}
	return len(b)
}

// unescapeForm percent-decodes s. Without escapes the result aliases s;
// otherwise it is decoded into *buf. off locates s for error messages.
func unescapeForm(buf *[]byte, s []byte, off int) ([]byte, error) {
	i := 0
	for i < len(s) && s[i] != '%' && s[i] != '+' {
		i++
	}
	if i == len(s) {
		return s, nil
	}
	out := append((*buf)[:0], s[:i]...)
	for ; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			out = append(out, ' ')
		case '%':
			if i+2 >= len(s) {
				return nil, malformedAt(off+i, "truncated percent escape %q", s[i:])
			}
			h, l := unhex(s[i+1]), unhex(s[i+2])
			if h < 0 || l < 0 {
				return nil, malformedAt(off+i, "bad percent escape %q", s[i:i+3])
			}
			out = append(out, byte(h<<4|l))
			i += 2
		default:
			out = append(out, c)
		}
	}
	*buf = out
	return out, nil
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// queryOf returns the query part of a request target ("/path?query#frag"),
// and its offset in the target.
func queryOf(target string) (string, int) {
	q := -1
	for i := 0; i < len(target); i++ {
		if target[i] == '?' {
			q = i
			break
		}
	}
	if q < 0 {
		return "", len(target)
	}
	end := len(target)
	for i := q + 1; i < len(target); i++ {
		if target[i] == '#' {
			end = i
			break
		}
	}
	return target[q+1 : end], q + 1
}
