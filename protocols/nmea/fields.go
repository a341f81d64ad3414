package nmea

import (
	"time"

	"dozor/protocols/wire"
)

// num returns the decimal value of b, or 0 when empty or malformed.
func num(b []byte) float64 {
	v, _ := wire.ParseDecimal(b)
	return v
}

// unsigned is num for speeds and courses: a negative value reads as 0.
func unsigned(b []byte) float64 { return max(num(b), 0) }

func digits2(b []byte, i int) (int, bool) {
	if len(b) < i+2 || b[i] < '0' || b[i] > '9' || b[i+1] < '0' || b[i+1] > '9' {
		return 0, false
	}
	return int(b[i]-'0')*10 + int(b[i+1]-'0'), true
}

// coordinate parses DDMM.MMMM (or DDDMM.MMMM) and its hemisphere letter;
// a value over limit degrees is refused.
func coordinate(v, hemi []byte, neg byte, limit float64) (float64, bool) {
	dot := len(v)
	for i, c := range v {
		if c == '.' {
			dot = i
			break
		}
	}
	if dot < 2 {
		return 0, false
	}
	deg := 0.0
	if dot > 2 {
		d, ok := wire.ParseDecimal(v[:dot-2])
		if !ok {
			return 0, false
		}
		deg = d
	}
	mins, ok := wire.ParseDecimal(v[dot-2:])
	if !ok || mins >= 60 || (len(hemi) > 0 && len(hemi) != 1) {
		return 0, false
	}
	deg += mins / 60
	if deg > limit {
		return 0, false
	}
	if len(hemi) == 1 && hemi[0] == neg {
		deg = -deg
	}
	return deg, true
}

// clock parses hhmmss[.sss] as a duration since midnight.
func clock(b []byte) (time.Duration, bool) {
	h, ok1 := digits2(b, 0)
	m, ok2 := digits2(b, 2)
	s, ok3 := digits2(b, 4)
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || s > 60 {
		return 0, false
	}
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second
	if len(b) > 7 && b[6] == '.' {
		frac, ok := wire.ParseDecimal(b[6:])
		if !ok {
			return 0, false
		}
		d += time.Duration(frac * 1000 * float64(time.Millisecond))
	}
	return d, true
}

// date parses DDMMYY as a UTC midnight.
func date(b []byte) (time.Time, bool) {
	if len(b) != 6 {
		return time.Time{}, false
	}
	d, ok1 := digits2(b, 0)
	m, ok2 := digits2(b, 2)
	y, ok3 := digits2(b, 4)
	if !ok1 || !ok2 || !ok3 || d < 1 || d > 31 || m < 1 || m > 12 {
		return time.Time{}, false
	}
	return time.Date(2000+y, time.Month(m), d, 0, 0, 0, 0, time.UTC), true
}

// nearestDay returns the time of day tod on the day that puts it closest
// to ref: a GGA at 23:59:59 just after an RMC at 00:00:01 belongs to the
// day before.
func nearestDay(ref time.Time, tod time.Duration) time.Time {
	day := ref.UTC().Truncate(24 * time.Hour)
	t := day.Add(tod)
	switch d := t.Sub(ref); {
	case d > 12*time.Hour:
		t = t.Add(-24 * time.Hour)
	case d < -12*time.Hour:
		t = t.Add(24 * time.Hour)
	}
	return t
}
