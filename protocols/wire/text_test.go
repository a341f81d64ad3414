package wire

import (
	"strconv"
	"testing"
)

func TestParseDecimal(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"12", 12, true}, {"-3.25", -3.25, true}, {"+0.286", 0.286, true}, {".5", 0.5, true},
		{"5545.1234", 5545.1234, true}, {"", 0, false}, {"-", 0, false}, {".", 0, false},
		{"1.2.3", 0, false}, {"1e5", 0, false}, {" 1", 0, false},
		{"1234567890123456789", 0, false},
	} {
		got, ok := ParseDecimal([]byte(c.in))
		if ok != c.ok || ok && got != c.want {
			t.Errorf("ParseDecimal(%q) = %v %v, want %v %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestSplitFields(t *testing.T) {
	got := SplitFields(make([][]byte, 0, 3), []byte("a,b,c,d"))
	if len(got) != 3 || string(got[2]) != "c,d" {
		t.Fatalf("fields %q", got)
	}
	got = SplitFields(make([][]byte, 0, 8), []byte(",x,"))
	if len(got) != 3 || string(got[1]) != "x" || len(got[2]) != 0 {
		t.Fatalf("fields %q", got)
	}
}

func FuzzParseDecimal(f *testing.F) {
	f.Add("12.5")
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := ParseDecimal([]byte(s))
		if !ok {
			return
		}
		if want, err := strconv.ParseFloat(s, 64); err != nil || diff(v, want) > 1e-9*max(1, abs(want)) {
			t.Fatalf("ParseDecimal(%q) = %v, strconv %v %v", s, v, want, err)
		}
	})
}

func diff(a, b float64) float64 { return abs(a - b) }

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
