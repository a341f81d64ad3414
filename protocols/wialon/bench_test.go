package wialon

import (
	"strings"
	"testing"

	"dozor/protocols"
)

// BenchmarkDecode measures split, decode and answer of a 2.0 black-box line
// of 50 D messages with six parameters each; records/s counts fixes.
//
//	go test -run=^$ -bench=BenchmarkDecode -benchmem -count=6 ./protocols/wialon/ | tee wialon.txt
//	benchstat wialon.txt
func BenchmarkDecode(b *testing.B) {
	msg := "151216;135910;5321.1466;N;04441.7929;E;87;156;265.000000;12;1.000000;241;NA;NA;NA;" +
		"odo:2:0.000000,total_fuel:1:430087,can_fls:1:201,can_taho:1:11623,can_mileage:1:140367515,pwr_ext:2:12.7"
	body := strings.Repeat(msg+"|", 50)
	line := []byte("#B#" + withCRC(body) + "\r\n")
	s := newSession(protocols.TCP)
	var m protocols.Message
	if _, err := feed(s, []byte("#L#"+withCRC("2.0;356307042441013;NA;")), &m); err != nil {
		b.Fatal(err)
	}
	var dst []byte
	b.ReportAllocs()
	b.SetBytes(int64(len(line)))
	records := 0
	for b.Loop() {
		m.Reset()
		_, frame, _ := s.Split(line)
		if err := s.Decode(frame, &m); err != nil {
			b.Fatal(err)
		}
		dst = s.AppendReply(dst[:0], &m, protocols.Accepted, nil)
		records += len(m.Fixes)
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}
