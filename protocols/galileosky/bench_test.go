package galileosky

import (
	"testing"

	"dozor/protocols"
)

// BenchmarkDecode decodes an 11-record archive packet (corpus
// galileosky-S-0005) and reports records per second.
//
//	go test -run=^$ -bench=Decode -benchmem -count=6 ./protocols/galileosky/ | tee new.txt
func BenchmarkDecode(b *testing.B) {
	var pkt []byte
	for _, e := range load(b) {
		if e.ID == "galileosky-S-0005" {
			pkt = e.Payload()
		}
	}
	s := newSession()
	var m protocols.Message
	records := 0
	b.ReportAllocs()
	b.SetBytes(int64(len(pkt)))
	for b.Loop() {
		m.Reset()
		adv, frame, err := s.Split(pkt)
		if err != nil || adv != len(pkt) {
			b.Fatal(err)
		}
		if err := s.Decode(frame, &m); err != nil {
			b.Fatal(err)
		}
		records += len(m.Fixes)
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}

func TestDecodeAllocs(t *testing.T) {
	var pkt []byte
	for _, e := range load(t) {
		if e.ID == "galileosky-S-0005" {
			pkt = e.Payload()
		}
	}
	s := newSession()
	var m protocols.Message
	_ = s.Decode(pkt, &m)
	allocs := testing.AllocsPerRun(100, func() {
		m.Reset()
		if err := s.Decode(pkt, &m); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per packet in steady state", allocs)
	}
}
