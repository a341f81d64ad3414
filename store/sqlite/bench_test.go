package sqlite_test

import (
	"context"
	"testing"
	"time"

	"dozor/protocols"
	"dozor/store"
	"dozor/store/sqlite"
)

// BenchmarkAppend measures the journal's write path on the embedded store:
// batches of 4096 fixes over 1000 devices, one transaction each.
//
//	go test -run '^$' -bench Append -benchmem ./store/sqlite/
func BenchmarkAppend(b *testing.B) {
	for _, sync := range []string{"FULL", "NORMAL"} {
		b.Run(sync, func(b *testing.B) { benchAppend(b, sync) })
	}
}

func benchAppend(b *testing.B, sync string) {
	s, err := sqlite.Open(context.Background(), sqlite.Config{Dir: b.TempDir(), Synchronous: sync})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const batch, devices = 4096, 1000
	ids := store.NewIDGen(0)
	recs := make([]store.FixRecord, batch)
	base := time.Now().UTC().Truncate(time.Millisecond)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for i := range recs {
			recs[i] = store.FixRecord{ID: ids.Next(), DeviceID: int64(n % devices), Fix: protocols.Fix{
				Time: base.Add(time.Duration(n) * time.Millisecond), Received: base,
				Lat: 55.7, Lon: 37.6, Speed: 40, Valid: true, Protocol: "teltonika",
				Cell: 0x8c11aa7abd3ffff, Attrs: protocols.Attrs{protocols.Bool("ignition", true)},
			}}
			n++
		}
		if err := s.Fixes().Append(context.Background(), recs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
}
