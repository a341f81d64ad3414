package planner

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSelectSmallest(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for trial := range 200 {
		n := 1 + rng.IntN(300)
		keys := make([]uint64, n)
		for i := range keys {
			keys[i] = uint64(rng.IntN(50)) // many duplicates
		}
		want := slices.Clone(keys)
		slices.Sort(want)
		k := rng.IntN(n + 1)
		selectSmallest(keys, k)
		got := slices.Clone(keys[:k])
		slices.Sort(got)
		if !slices.Equal(got, want[:k]) {
			t.Fatalf("trial %d: n=%d k=%d: got %v want %v", trial, n, k, got, want[:k])
		}
	}
}
