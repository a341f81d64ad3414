package protocols

import (
	"encoding/json"
	"math"
	"testing"
)

// Attributes must encode to JSON that any parser reads back, whatever a
// device put in names and values.
func TestAttrsJSONRoundTrip(t *testing.T) {
	as := Attrs{
		Int("n", -7),
		Uint("u", math.MaxUint64),
		Float("f", 12.5),
		Bool("b", true),
		String("s", "q\" b\\ nl\n c\x01 ü \xff"),
		String("key\x02\"", "v"),
		Float("nan", math.NaN()),
	}
	b := as.AppendJSON(nil)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	if m["s"] != "q\" b\\ nl\n c\x01 ü \ufffd" {
		t.Fatalf("string value %q", m["s"])
	}
	var back Attrs
	if err := back.UnmarshalJSON(b); err != nil {
		t.Fatal(err)
	}
	if a, _ := back.Get("u"); a.Uint64() != math.MaxUint64 {
		t.Fatalf("uint %v", a.Uint64())
	}
	if a, _ := back.Get("n"); a.Int64() != -7 {
		t.Fatalf("int %v", a.Int64())
	}
}

func TestAttrsLastWins(t *testing.T) {
	as := Attrs{Int("x", 1), Int("x", 2)}
	if string(as.AppendJSON(nil)) != `{"x":2}` {
		t.Fatalf("got %s", as.AppendJSON(nil))
	}
}
