package navtelecom

import (
	"testing"

	"dozor/protocols"
)

// flexSession returns a session after the handshake and FLEX 3.0
// negotiation of corpus navtelecom-S-0016, and that entry's ~A archive.
func flexSession(t testing.TB) (*Session, []byte) {
	entries := load(t)
	for _, e := range entries {
		if e.ID == "navtelecom-S-0016" {
			s := newSession()
			prime(s, entries, e)
			return s, e.Payload()
		}
	}
	t.Fatal("navtelecom-S-0016 missing")
	return nil, nil
}

// BenchmarkDecodeFlex splits and decodes a FLEX 3.0 ~A archive of four
// records (688 bytes) and reports records per second.
//
//	go test -run=^$ -bench=DecodeFlex -benchmem -count=6 ./protocols/navtelecom/ | tee new.txt
func BenchmarkDecodeFlex(b *testing.B) {
	s, frame := flexSession(b)
	var m protocols.Message
	records := 0
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		m.Reset()
		adv, f, err := s.Split(frame)
		if err != nil || adv != len(frame) {
			b.Fatal(err)
		}
		if err := s.Decode(f, &m); err != nil {
			b.Fatal(err)
		}
		records += len(m.Fixes)
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}

func TestDecodeAllocs(t *testing.T) {
	s, frame := flexSession(t)
	var m protocols.Message
	_ = s.Decode(frame, &m)
	allocs := testing.AllocsPerRun(100, func() {
		m.Reset()
		if err := s.Decode(frame, &m); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per archive in steady state", allocs)
	}
}
