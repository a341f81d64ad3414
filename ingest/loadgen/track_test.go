package loadgen

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"dozor/protocols/teltonika"
)

// TestTrackMovesAtItsSpeed: between two fixes a device covers no more
// than its reported speed allows (the old tracks flew at 3,000 km/h when
// fixes were milliseconds apart), and it does move.
func TestTrackMovesAtItsSpeed(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	d := newTrack(rng)
	recs := make([]teltonika.Record, 50)
	var (
		prev teltonika.Record
		seen bool
	)
	moved := 0.0
	for range 20 {
		d.fill(recs)
		for i := range recs {
			r := &recs[i]
			if seen {
				dt := r.Time.Sub(prev.Time)
				if dt <= 0 {
					t.Fatalf("fix times %v then %v", prev.Time, r.Time)
				}
				m := metres(prev.Lat, prev.Lon, r.Lat, r.Lon)
				limit := 60/3.6*dt.Seconds() + 0.01
				if m > limit {
					t.Fatalf("moved %.2f m in %v (limit %.2f m at 60 km/h)", m, dt, limit)
				}
				moved += m
			}
			if r.Speed < 5 || r.Speed > 60 {
				t.Fatalf("speed %d km/h", r.Speed)
			}
			prev, seen = *r, true
		}
		time.Sleep(5 * time.Millisecond)
	}
	if moved == 0 {
		t.Fatal("the device never moved")
	}
}

// metres is the equirectangular distance, exact enough over metres.
func metres(lat1, lon1, lat2, lon2 float64) float64 {
	dy := (lat2 - lat1) * metresPerDegree
	dx := (lon2 - lon1) * metresPerDegree * math.Cos(lat1*math.Pi/180)
	return math.Hypot(dx, dy)
}
