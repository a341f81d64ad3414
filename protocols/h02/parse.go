package h02

import "dozor/protocols/wire"

// Small allocation-free parsers for the ASCII fields of text frames.

// parseUint parses decimal digits.
func parseUint(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// parseHex parses up to 16 hexadecimal digits.
func parseHex(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 16 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		n = n<<4 | uint64(d)
	}
	return n, true
}

// twoDigits reads b[i:i+2] as a decimal number.
func twoDigits(b []byte, i int) (int, bool) { return parseUint(b[i : i+2]) }

// parseCoordinate reads an H02 latitude or longitude in one of the forms
// devices send: DDMM.MMMM (or DDDMM.MMMM), -D-M.MMMM, and DDMMMMMM without
// a point (minutes with four implied decimals).
func parseCoordinate(b []byte) (float64, bool) {
	if len(b) > 1 && b[0] == '-' {
		for i := 1; i < len(b); i++ {
			if b[i] == '-' {
				deg, ok1 := parseUint(b[1:i])
				mins, ok2 := wire.ParseDecimal(b[i+1:])
				return float64(deg) + mins/60, ok1 && ok2 && mins < 60
			}
		}
		return 0, false
	}
	dot := len(b)
	for i, c := range b {
		if c == '.' {
			dot = i
			break
		}
	}
	if dot == len(b) { // no point: minutes are the last six digits
		if len(b) < 7 {
			return 0, false
		}
		deg, ok1 := parseUint(b[:len(b)-6])
		mins, ok2 := parseUint(b[len(b)-6:])
		return float64(deg) + float64(mins)/10000/60, ok1 && ok2 && mins < 600000
	}
	deg, ok1, m0 := 0, true, 0 // "38.6508", "0.0000": minutes only
	if dot > 2 {
		deg, ok1 = parseUint(b[:dot-2])
		m0 = dot - 2
	}
	mins, ok2 := wire.ParseDecimal(b[m0:])
	return float64(deg) + mins/60, ok1 && ok2 && mins < 60
}
