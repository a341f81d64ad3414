package gt06

import (
	"encoding/hex"
	"testing"

	"dozor/protocols"
	"dozor/protocols/internal/corpus"
)

func loadCorpusF() ([]corpus.Entry, error) { return corpus.Load("testdata/corpus.jsonl") }

// BenchmarkDecode splits and decodes a stream of GPS+LBS (0x12) and
// alarm (0x16) packets, one record each, as a device sends them.
//
//	go test -run='^$' -bench=BenchmarkDecode -benchmem -count=6 ./protocols/gt06/ | tee new.txt
//	benchstat old.txt new.txt
func BenchmarkDecode(b *testing.B) {
	gps, _ := hex.DecodeString("78781f120f0a140e150bc505e51e780293a9e800540000f601006e0055da00035f240d0a")
	alarm, _ := hex.DecodeString("787825160b051b093523cf027ac8360c4657b30014000901cc00266a001e1740050400020008d7b10d0a")
	stream := append(append([]byte{}, gps...), alarm...)
	s := New(Config{})
	s.identity = "123456789012345"
	var m protocols.Message
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	b.ResetTimer()
	records := 0
	for range b.N {
		data := stream
		for len(data) > 0 {
			adv, frame, err := s.Split(data)
			if err != nil || adv == 0 {
				b.Fatal(err)
			}
			m.Reset()
			if err := s.Decode(frame, &m); err != nil {
				b.Fatal(err)
			}
			records += len(m.Fixes)
			data = data[adv:]
		}
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}

func TestDecodeAllocs(t *testing.T) {
	gps, _ := hex.DecodeString("78781f120f0a140e150bc505e51e780293a9e800540000f601006e0055da00035f240d0a")
	s := New(Config{})
	s.identity = "123456789012345"
	var m protocols.Message
	allocs := testing.AllocsPerRun(100, func() {
		m.Reset()
		if err := s.Decode(gps, &m); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per record, want 0", allocs)
	}
}
