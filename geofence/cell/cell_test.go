package cell

import (
	"testing"

	"github.com/uber/h3-go/v4"
)

// The Red Square vector was printed by h3-go itself (see the ecosystem
// notes): LatLngToCell(55.7558, 37.6173, 9).
func TestFromLatLngGolden(t *testing.T) {
	got := String(FromLatLng(55.7558, 37.6173, 9))
	if got != "8911aa7abd3ffff" {
		t.Fatalf("cell %s, want 8911aa7abd3ffff", got)
	}
}

func TestParentMatchesH3(t *testing.T) {
	pts := [][2]float64{{55.7558, 37.6173}, {-33.86, 151.2}, {0.1, -179.99}, {89.9, 10}}
	for _, p := range pts {
		c := FromLatLng(p[0], p[1], 12)
		for res := 0; res <= 12; res++ {
			want := h3.Cell(c).Parent(res)
			if got := Parent(c, res); got != uint64(want) {
				t.Fatalf("parent(%x, %d) = %x, want %x", c, res, got, uint64(want))
			}
		}
	}
}

func TestBadCoordinates(t *testing.T) {
	if c := FromLatLng(nan(), 0, 9); c != 0 {
		t.Fatalf("NaN gave cell %x", c)
	}
}

func nan() float64 { var z float64; return z / z }

func BenchmarkFromLatLng(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		FromLatLng(55.7+float64(i%1000)*1e-4, 37.6, 12)
	}
}

func BenchmarkParent(b *testing.B) {
	c := FromLatLng(55.7558, 37.6173, 12)
	b.ReportAllocs()
	for b.Loop() {
		Parent(c, 9)
	}
}
