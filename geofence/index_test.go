package geofence

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/paulmach/orb"
)

// TestIndexConcurrent adds and removes zones while lookups run; run it
// with -race.
func TestIndexConcurrent(t *testing.T) {
	x := NewIndex(IndexConfig{})
	stable := Zone{ID: 1 << 40, Shape: ShapeCircle, Center: orb.Point{37.6, 55.7}, Radius: 50}
	if err := x.Add(stable); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		rng := rand.New(rand.NewPCG(1, 1))
		for i := int64(0); ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			z := Zone{ID: i, Shape: ShapeCircle, Radius: 50,
				Center: orb.Point{37.6 + rng.Float64()*0.01, 55.7 + rng.Float64()*0.01}}
			if err := x.Add(z); err != nil {
				t.Error(err)
				return
			}
			if i > 50 {
				x.Remove(i - 50)
			}
		}
	}()
	for range 20000 {
		hits := x.Lookup(nil, 55.7, 37.6, 5, 0)
		if !hasZone(hits, stable.ID) {
			t.Fatal("stable zone lost during concurrent updates")
		}
	}
	close(stop)
	wg.Wait()
	if !x.Remove(stable.ID) || x.Remove(stable.ID) {
		t.Fatal("remove of the stable zone did not report correctly")
	}
	if hits := x.Lookup(nil, 55.7, 37.6, 5, 0); hasZone(hits, stable.ID) {
		t.Fatal("removed zone still found")
	}
}

func TestIndexDuplicate(t *testing.T) {
	x := NewIndex(IndexConfig{})
	z := Zone{ID: 7, Shape: ShapeCircle, Center: orb.Point{1, 1}}
	if err := x.Add(z); err != nil {
		t.Fatal(err)
	}
	if err := x.Add(z); err == nil {
		t.Fatal("duplicate id accepted")
	}
	if x.Len() != 1 {
		t.Fatalf("len %d", x.Len())
	}
}
