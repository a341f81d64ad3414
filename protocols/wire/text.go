package wire

// Allocation-free parsers for the ASCII fields of text protocols (H02,
// NMEA and others).

// SplitFields appends the comma-separated fields of b to dst[:0], at most
// cap(dst) of them; the last field keeps any further commas. The fields
// alias b.
func SplitFields(dst [][]byte, b []byte) [][]byte {
	dst = dst[:0]
	start := 0
	for i := 0; i < len(b) && len(dst) < cap(dst)-1; i++ {
		if b[i] == ',' {
			dst = append(dst, b[start:i])
			start = i + 1
		}
	}
	return append(dst, b[start:])
}

// ParseDecimal parses an optionally signed decimal number with at most one
// point ("12", "-3.25", ".5") and at most 18 characters, without
// allocating. Exponents, spaces and empty input are refused.
func ParseDecimal(b []byte) (float64, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var mant int64
	scale, dot, digits := 1.0, false, 0
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			mant = mant*10 + int64(c-'0')
			digits++
			if dot {
				scale *= 10
			}
		case c == '.' && !dot:
			dot = true
		default:
			return 0, false
		}
	}
	if digits == 0 {
		return 0, false
	}
	v := float64(mant) / scale
	if neg {
		v = -v
	}
	return v, true
}
