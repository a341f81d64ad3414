package geofence

import "math"

// Spoofing reasons reported on visits.
const (
	ReasonMock    = "mock_location"   // the phone flagged a mock location
	ReasonJump    = "impossible_jump" // a device moved faster than MaxSpeed
	ReasonNoNoise = "no_noise"        // inside fixes with identical coordinates
	ReasonClock   = "clock_ahead"     // fix times ahead of the server clock
)

// Weights of each signal in the spoofing score, combined as independent
// probabilities: score = 1 - prod(1 - w).
var spoofWeights = map[string]float64{
	ReasonMock:    0.8,
	ReasonJump:    0.3,
	ReasonNoNoise: 0.6,
	ReasonClock:   0.4,
}

// noNoiseFixes is how many inside fixes a stay needs before identical
// coordinates count as a signal; real receivers wander by metres.
const noNoiseFixes = 5

// signals accumulates spoofing evidence over the fixes of a stay.
type signals struct {
	mock, jumps, clock int
	moved              bool // some inside fix differs from the first one
	lat0, lon0         float64
}

// note records any fix of the collector during the stay.
func (s *signals) note(o *obs, jump bool) {
	if o.flags&flagMock != 0 {
		s.mock++
	}
	if o.flags&flagClock != 0 {
		s.clock++
	}
	if jump {
		s.jumps++
	}
}

// noteInside records a fix inside the entry boundary.
func (s *signals) noteInside(o *obs) {
	if s.lat0 == 0 && s.lon0 == 0 {
		s.lat0, s.lon0 = o.lat, o.lon
		return
	}
	// 1e-6 degrees is about 0.1 m: real fixes differ by more.
	if math.Abs(o.lat-s.lat0) > 1e-6 || math.Abs(o.lon-s.lon0) > 1e-6 {
		s.moved = true
	}
}

// score returns the spoofing score and its reasons in a fixed order.
func (s *signals) score(inside int) (float64, []string) {
	var reasons []string
	if s.mock > 0 {
		reasons = append(reasons, ReasonMock)
	}
	if s.jumps > 0 {
		reasons = append(reasons, ReasonJump)
	}
	if !s.moved && inside >= noNoiseFixes {
		reasons = append(reasons, ReasonNoNoise)
	}
	if s.clock > 0 {
		reasons = append(reasons, ReasonClock)
	}
	clean := 1.0
	for _, r := range reasons {
		clean *= 1 - spoofWeights[r]
	}
	return math.Round((1-clean)*1000) / 1000, reasons
}
