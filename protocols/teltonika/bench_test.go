package teltonika

import (
	"testing"

	"dozor/protocols"
)

// benchPacket is a Codec 8 packet of n realistic FMB records (11 IO elements
// each, 80 bytes a record).
func benchPacket(codec Codec, n int) []byte {
	recs := make([]Record, n)
	for i := range recs {
		recs[i] = testRecord(i)
	}
	return AppendAVL(nil, codec, recs)
}

// TestDecodeAllocs asserts that decoding a multi-record packet into a reused
// Message allocates nothing once the Message has grown.
func TestDecodeAllocs(t *testing.T) {
	cases := []struct {
		name  string
		udp   bool
		frame []byte
	}{
		{"codec 8 tcp", false, benchPacket(Codec8, 20)},
		{"codec 8E tcp", false, benchPacket(Codec8E, 20)},
		{"codec 16 tcp", false, benchPacket(Codec16, 20)},
		{"codec 8E ids past the IOKey table", false, highIDPacket()},
		{"codec 8 udp", true, AppendUDP(nil, 1, 2, "352093086403655", Codec8,
			[]Record{testRecord(0), testRecord(1), testRecord(2)})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := protocols.TCP
			if c.udp {
				tr = protocols.UDP
			}
			s := NewSession(tr, protocols.Options{})
			var m protocols.Message
			decode := func() {
				m.Reset()
				if err := s.Decode(c.frame, &m); err != nil {
					t.Fatal(err)
				}
			}
			decode()
			if n := testing.AllocsPerRun(100, decode); n != 0 {
				t.Fatalf("%v allocations per packet of %d records", n, len(m.Fixes))
			}
		})
	}
}

// BenchmarkDecode measures decoding on one core. Compare runs with:
//
//	go test -run='^$' -bench=. -benchmem -count=10 ./protocols/teltonika/ | tee new.txt
//	benchstat old.txt new.txt
func BenchmarkDecode(b *testing.B) {
	cases := []struct {
		name  string
		recs  int
		frame []byte
	}{
		{"codec8-20rec", 20, benchPacket(Codec8, 20)},
		{"codec8E-20rec", 20, benchPacket(Codec8E, 20)},
		{"codec16-20rec", 20, benchPacket(Codec16, 20)},
		{"codec8-1rec", 1, benchPacket(Codec8, 1)},
		{"corpus-S0021-14rec", 14, corpusPayload(b, "teltonika-S-0021")},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			s := NewSession(protocols.TCP, protocols.Options{})
			var m protocols.Message
			b.ReportAllocs()
			b.SetBytes(int64(len(c.frame)))
			for b.Loop() {
				m.Reset()
				if err := s.Decode(c.frame, &m); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*c.recs)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// highIDPacket has FMC BLE sensor ids (10800 and up), past the names
// protocols.IOKey keeps in its table.
func highIDPacket() []byte {
	recs := []Record{testRecord(0), testRecord(1)}
	for i := range recs {
		recs[i].IO = append(recs[i].IO,
			IO{ID: 10800, Size: 2, Value: 2150}, IO{ID: 10804, Size: 1, Value: 88})
	}
	return AppendAVL(nil, Codec8E, recs)
}

func corpusPayload(tb testing.TB, id string) []byte {
	for _, e := range loadCorpus(tb) {
		if e.ID == id {
			return e.Payload()
		}
	}
	tb.Fatalf("no corpus entry %s", id)
	return nil
}
