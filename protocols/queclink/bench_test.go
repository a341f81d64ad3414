package queclink

import (
	"testing"

	"dozor/protocols"
)

// BenchmarkDecode splits and decodes a one-position +RESP:GTFRI report
// (corpus queclink-S-0104) and reports records per second.
//
//	go test -run=^$ -bench=Decode -benchmem -count=6 ./protocols/queclink/ | tee new.txt
func BenchmarkDecode(b *testing.B) {
	msg := []byte("+RESP:GTFRI,1A0401,860599000508846,,0,0,1,1,134.8,154,278.7,-76.671089," +
		"39.778885,20150623154301,0310,0260,043F,7761,,99,20150623154314,0F24$")
	s := newSession()
	var m protocols.Message
	records := 0
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		m.Reset()
		adv, frame, err := s.Split(msg)
		if err != nil || adv != len(msg) {
			b.Fatal(err)
		}
		if err := s.Decode(frame, &m); err != nil {
			b.Fatal(err)
		}
		records += len(m.Fixes)
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}
