package exact

import "testing"

// lineInstance has the depot at 0 and customers at 1, 2 and 3 on a line.
func lineInstance() *Instance {
	in := &Instance{
		Service: []int64{0, 1, 1, 1},
		Open:    []int64{0, 0, 0, 0},
		Close:   []int64{100, 100, 100, 100},
		Demand:  []int64{0, 1, 1, 1},
		Profit:  []int64{0, 5, 1, 7},
	}
	for a := range 4 {
		in.Dur = append(in.Dur, make([]int64, 4))
		in.Dist = append(in.Dist, make([]int64, 4))
		for b := range 4 {
			d := int64(a - b)
			if d < 0 {
				d = -d
			}
			in.Dur[a][b], in.Dist[a][b] = d, d
		}
	}
	return in
}

func TestMinDistance(t *testing.T) {
	in := lineInstance()
	if d, ok, err := MinDistance(in, 1); err != nil || !ok || d != 6 {
		t.Fatalf("one vehicle: %d %v %v, want 6", d, ok, err)
	}
	in.Capacity = 2 // two vehicles: 0-1-0 and 0-2-3-0
	if d, ok, _ := MinDistance(in, 2); !ok || d != 8 {
		t.Fatalf("capacity 2: %d %v, want 8", d, ok)
	}
	if _, ok, _ := MinDistance(in, 1); ok {
		t.Fatalf("capacity 2 with one vehicle reported feasible")
	}
}

func TestMaxProfit(t *testing.T) {
	in := lineInstance()
	in.Close[0] = 5 // 0-1-0 (profit 5) fits, 0-1-2-0 ends at 6
	if p, err := MaxProfit(in, 1); err != nil || p != 5 {
		t.Fatalf("budget 5: %d %v, want 5", p, err)
	}
	in.Close[3] = 2 // customer 3 can never be reached in time
	in.Close[0] = 100
	if p, _ := MaxProfit(in, 2); p != 6 {
		t.Fatalf("customer 3 closed: %d, want 6", p)
	}
}
