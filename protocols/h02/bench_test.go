package h02

import (
	"encoding/hex"
	"testing"

	"dozor/protocols"
)

// BenchmarkDecode splits and decodes a stream of one V1 text record and one
// 32-byte binary record per iteration.
//
//	go test -run='^$' -bench=BenchmarkDecode -benchmem -count=6 ./protocols/h02/ | tee new.txt
//	benchstat old.txt new.txt
func BenchmarkDecode(b *testing.B) {
	bin, _ := hex.DecodeString("2427051711092133391406135002584900014337822e000000ffffffffff0000")
	text := "*HQ,2705171109,V1,164549,A,0956.3869,N,08406.7068,W,000.00,000,221215,FFFFFBFF,712,01,0,0,6#\r\n"
	stream := append([]byte(text), bin...)
	stream = append(stream, text...)
	benchStream(b, stream)
}

func benchStream(b *testing.B, stream []byte) {
	s := New(Config{})
	var m protocols.Message
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	records := 0
	for range b.N {
		data := stream
		for len(data) > 0 {
			adv, frame, err := s.Split(data)
			if err != nil || adv == 0 {
				b.Fatalf("split: %d %v", adv, err)
			}
			if frame != nil {
				m.Reset()
				if err := s.Decode(frame, &m); err != nil {
					b.Fatal(err)
				}
				records += len(m.Fixes)
			}
			data = data[adv:]
		}
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}

func TestDecodeAllocs(t *testing.T) {
	bin, _ := hex.DecodeString("2427051711092133391406135002584900014337822e000000ffffffffff0000")
	text := []byte("*HQ,4210051415,V1,164549,A,0956.3869,N,08406.7068,W,000.00,000,221215,FFFFFBFF#")
	s := New(Config{})
	var m protocols.Message
	for _, frame := range [][]byte{bin, text} {
		_ = s.Decode(frame, &m) // first sight of the id copies it once
		allocs := testing.AllocsPerRun(100, func() {
			m.Reset()
			if err := s.Decode(frame, &m); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Fatalf("%q: %v allocations per record, want 0", frame[:4], allocs)
		}
	}
}
