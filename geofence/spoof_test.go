package geofence_test

import (
	"testing"

	"dozor/geofence"
	"dozor/geofence/scenario"
)

// TestSpoofingScore checks that visits faked with a mock-location app
// score high and honest ones low.
func TestSpoofingScore(t *testing.T) {
	var fake, honest, fakeHigh, honestLow int
	for seed := range 12 {
		sc := scenario.Generate(scenario.Config{Seed: int64(200 + seed), Collectors: 6})
		c, _ := replay(t, sc, sc.Points(), 100)
		spoofer := map[int64]bool{}
		for _, v := range sc.Truth {
			spoofer[v.Collector] = v.Spoofed
		}
		for _, v := range c.list() {
			if spoofer[v.Collector] {
				fake++
				if v.SpoofScore >= 0.5 && len(v.SpoofReasons) > 0 {
					fakeHigh++
				}
			} else {
				honest++
				if v.SpoofScore < 0.5 {
					honestLow++
				}
			}
		}
	}
	t.Logf("faked visits %d (%d scored >= 0.5), honest %d (%d scored < 0.5)",
		fake, fakeHigh, honest, honestLow)
	if fake == 0 || fakeHigh != fake {
		t.Errorf("%d of %d faked visits scored high", fakeHigh, fake)
	}
	if float64(honestLow) < 0.95*float64(honest) {
		t.Errorf("only %d of %d honest visits scored low", honestLow, honest)
	}
}

var _ = geofence.ReasonMock
