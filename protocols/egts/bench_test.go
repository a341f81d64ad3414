package egts

import (
	"testing"

	"dozor/protocols"
)

// blackBox builds a packet of n copies of the record of the kuznetsovin
// server exchange (POS_DATA, EXT_POS_DATA, AD_SENSORS, STATE_DATA, four
// LIQUID_LEVEL and seven ABS_CNTR subrecords each), as a terminal unloading
// its black box sends.
func blackBox(t testing.TB, n int) []byte {
	var pkt []byte
	for _, e := range load(t) {
		if e.ID == "egts-S-0016" {
			pkt = e.Payload()
		}
	}
	rec := pkt[11 : len(pkt)-2]
	p := append([]byte(nil), pkt[:11]...)
	for i := 0; i < n; i++ {
		p = append(p, rec...)
	}
	return rebody(append(p, 0, 0))
}

// BenchmarkDecode measures split, decode and reply of a 50-record black-box
// packet; records/s counts decoded fixes.
//
//	go test -run=^$ -bench=BenchmarkDecode -benchmem -count=6 ./protocols/egts/ | tee egts.txt
//	benchstat egts.txt
func BenchmarkDecode(b *testing.B) {
	pkt := blackBox(b, 50)
	s := newSession()
	var m protocols.Message
	var dst []byte
	b.ReportAllocs()
	b.SetBytes(int64(len(pkt)))
	records := 0
	for b.Loop() {
		m.Reset()
		_, frame, _ := s.Split(pkt)
		if err := s.Decode(frame, &m); err != nil {
			b.Fatal(err)
		}
		dst = s.AppendReply(dst[:0], &m, protocols.Accepted, nil)
		records += len(m.Fixes)
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}
