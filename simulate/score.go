package simulate

import (
	"slices"
	"time"

	"dozor/store"
)

// Score compares the visits a server found with the ground truth.
type Score struct {
	True, Found    int
	Matched        int     // true visits found
	FalseVisits    int     // found visits matching no true visit
	Splits         int     // true visits found as more than one visit
	Precision      float64 `json:"precision"`
	Recall         float64 `json:"recall"`
	MedianArrival  float64 `json:"median_arrival_error_s"`
	MedianDeparted float64 `json:"median_departure_error_s"`
}

// Compare matches found visits to true ones: same collector and zone, and
// overlapping in time. Cancelled visits do not count.
func Compare(truth []TrueVisit, found []store.Visit) Score {
	var live []store.Visit
	for _, v := range found {
		if v.Status != "cancelled" {
			live = append(live, v)
		}
	}
	s := Score{True: len(truth), Found: len(live)}
	used := make([]bool, len(live))
	var arr, dep []float64
	for _, t := range truth {
		hits := 0
		for i, v := range live {
			if v.CollectorID != t.Collector || v.ZoneID != t.Zone || !overlaps(t, v) {
				continue
			}
			if hits == 0 {
				arr = append(arr, abs(v.ArrivedAt.Sub(t.Arrived)))
				if v.DepartedAt != nil {
					dep = append(dep, abs(v.DepartedAt.Sub(t.Departed)))
				}
			}
			used[i] = true
			hits++
		}
		if hits > 0 {
			s.Matched++
		}
		if hits > 1 {
			s.Splits++
		}
	}
	for _, u := range used {
		if !u {
			s.FalseVisits++
		}
	}
	s.Recall = ratio(s.Matched, s.True)
	s.Precision = ratio(s.Found-s.FalseVisits, s.Found)
	s.MedianArrival, s.MedianDeparted = median(arr), median(dep)
	return s
}

func overlaps(t TrueVisit, v store.Visit) bool {
	end := v.ArrivedAt.Add(time.Duration(v.Dwell * float64(time.Second)))
	if v.DepartedAt != nil {
		end = *v.DepartedAt
	}
	slack := 2 * time.Minute
	return v.ArrivedAt.Before(t.Departed.Add(slack)) && end.After(t.Arrived.Add(-slack))
}

func abs(d time.Duration) float64 { return max(d, -d).Seconds() }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	return xs[len(xs)/2]
}
