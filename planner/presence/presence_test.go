package presence

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// synthetic draws outcomes where area "evening" is home mostly after 18:00
// and area "day" mostly before noon; address "rarely" answers a quarter as
// often as its area.
func synthetic(n int) []Outcome {
	rng := rand.New(rand.NewPCG(1, 2))
	monday := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	var out []Outcome
	for range n {
		at := monday.Add(time.Duration(rng.IntN(7*24)) * time.Hour)
		area, addr := "evening", "a"+string(rune('0'+rng.IntN(10)))
		if rng.IntN(2) == 0 {
			area = "day"
		}
		p := trueRate(area, at.Hour())
		if rng.IntN(100) == 0 {
			addr = "rarely"
			area = "evening"
			p = trueRate(area, at.Hour()) / 4
		}
		out = append(out, Outcome{Address: addr, Area: area, At: at,
			Contact: rng.Float64() < p})
	}
	return out
}

func trueRate(area string, hour int) float64 {
	switch {
	case area == "evening" && hour >= 18:
		return 0.7
	case area == "day" && hour < 12:
		return 0.6
	}
	return 0.15
}

func TestFitRecoversAreaProfiles(t *testing.T) {
	m := Fit(synthetic(60000), Config{})
	for _, c := range []struct {
		area string
		hour int
	}{{"evening", 20}, {"evening", 10}, {"day", 9}, {"day", 15}} {
		h := 2*24 + c.hour // Wednesday
		got := m.Prob("new-address", c.area, h)
		if want := trueRate(c.area, c.hour); math.Abs(got-want) > 0.08 {
			t.Errorf("%s at %d:00: %.3f, want about %.2f", c.area, c.hour, got, want)
		}
	}
	if r, e := m.Prob("rarely", "evening", 2*24+20), m.Prob("x", "evening", 2*24+20); r > e/2 {
		t.Errorf("address with few contacts: %.3f, area %.3f", r, e)
	}
}

func TestPriorWithoutHistory(t *testing.T) {
	m := Fit(nil, Config{})
	if got := m.Prob("a", "b", 30); math.Abs(got-DefaultPriorRate) > 1e-12 {
		t.Fatalf("empty model: %.3f, want prior %.2f", got, DefaultPriorRate)
	}
	day := m.Day("a", "b", time.Saturday)
	if len(day) != 24 || day[0] != day[23] {
		t.Fatalf("day profile %v", day)
	}
}

func TestHourOfWeek(t *testing.T) {
	mon := time.Date(2026, 3, 2, 0, 30, 0, 0, time.UTC)
	if h := HourOfWeek(mon); h != 0 {
		t.Errorf("Monday 00:30: %d", h)
	}
	if h := HourOfWeek(mon.Add(6*24*time.Hour + 23*time.Hour)); h != 167 {
		t.Errorf("Sunday 23:30: %d", h)
	}
}
