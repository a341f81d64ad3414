package store

import "testing"

func TestIDGenMonotonicUnique(t *testing.T) {
	g := NewIDGen(3)
	prev := int64(0)
	for i := 0; i < 100000; i++ {
		id := g.Next()
		if id <= prev {
			t.Fatalf("id %d after %d", id, prev)
		}
		if id>>12&0x3FF != 3 {
			t.Fatalf("node bits of %d are not 3", id)
		}
		prev = id
	}
}
