package nmea

import (
	"testing"

	"dozor/protocols"
)

// BenchmarkDecode splits and decodes an RMC and a GGA line per iteration,
// after the device identified itself.
//
//	go test -run='^$' -bench=BenchmarkDecode -benchmem -count=6 ./protocols/nmea/ | tee new.txt
//	benchstat old.txt new.txt
func BenchmarkDecode(b *testing.B) {
	stream := []byte("$GPRMC,154403.000,A,6311.64120,N,01438.02740,E,0.000,0.0,270707,,*0A\r\n" +
		"$GNGGA,154404.000,6311.64120,N,01438.02740,E,1,10,0.7,-46.0,M,0.0,M,,*60\r\n")
	s := New(protocols.Options{})
	s.identity = "359853000144328"
	var m protocols.Message
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
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
	if records != 2*b.N {
		b.Fatalf("%d records for %d iterations", records, b.N)
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}
