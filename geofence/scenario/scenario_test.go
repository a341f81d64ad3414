package scenario

import (
	"reflect"
	"testing"
)

func TestDeterministic(t *testing.T) {
	a := Generate(Config{Seed: 9, Collectors: 3})
	b := Generate(Config{Seed: 9, Collectors: 3})
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed gave different scenarios")
	}
	if c := Generate(Config{Seed: 10, Collectors: 3}); reflect.DeepEqual(a.Truth, c.Truth) {
		t.Fatal("different seeds gave the same truth")
	}
}

// TestShape checks the day has what the engine must survive.
func TestShape(t *testing.T) {
	s := Generate(Config{Seed: 1, Collectors: 8})
	if len(s.Truth) < 8*5 || len(s.Zones) < len(s.Truth) {
		t.Fatalf("%d visits, %d zones", len(s.Truth), len(s.Zones))
	}
	var dups, late, vague int
	for _, f := range s.Fixes {
		if f.Dup {
			dups++
		}
		if f.Sent.Sub(f.Fix.Time) > 30*60e9 {
			late++
		}
		if f.Fix.Accuracy > 80 {
			vague++
		}
	}
	if dups == 0 || late == 0 || vague == 0 {
		t.Fatalf("dups %d, late %d, vague %d: want some of each", dups, late, vague)
	}
	for _, v := range s.Truth {
		if !v.Departed.After(v.Arrived) {
			t.Fatalf("visit %+v ends before it starts", v)
		}
	}
	for _, p := range s.Points() {
		if p.Fix.Cell == 0 || p.FixID == 0 {
			t.Fatalf("point %+v without cell or id", p)
		}
	}
}
