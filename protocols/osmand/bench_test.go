package osmand

import (
	"strconv"
	"testing"
	"time"

	"dozor/protocols"
)

// benchDecode decodes r b.N times and reports fixes per second.
func benchDecode(b *testing.B, r protocols.HTTPRequest, fixes int) {
	b.Helper()
	b.ReportAllocs()
	b.SetBytes(int64(len(r.Target) + len(r.Body)))
	var m protocols.Message
	cpu := cpuTime()
	for b.Loop() {
		m.Reset()
		if _, err := DecodeRequest(r, &m); err != nil {
			b.Fatal(err)
		}
		if len(m.Fixes) != fixes {
			b.Fatalf("%d fixes, want %d", len(m.Fixes), fixes)
		}
	}
	reportRate(b, b.N*fixes, cpuTime()-cpu)
}

// reportRate reports fixes per wall second and, where measured, per CPU
// second of the whole process (steadier when other work shares the CPU).
func reportRate(b *testing.B, fixes int, cpu time.Duration) {
	b.ReportMetric(float64(fixes)/b.Elapsed().Seconds(), "fixes/s")
	if cpu > 0 {
		b.ReportMetric(float64(fixes)/cpu.Seconds(), "fixes/cpu-s")
	}
}

// benchBatch returns a flat JSON batch of n fixes from one phone.
func benchBatch(b *testing.B, n int) []byte {
	fixes := make([]protocols.Fix, n)
	t0 := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	for i := range fixes {
		fixes[i] = protocols.Fix{
			Device: "358240051111110", Time: t0.Add(time.Duration(i) * time.Second),
			Lat: 55.75 + float64(i)*1e-5, Lon: 37.61 + float64(i)*1e-5, Altitude: 150,
			Speed: 30.5, Course: float64(i % 360), Accuracy: 5, Valid: true,
			Attrs: protocols.Attrs{
				protocols.Float(protocols.AttrBatteryLevel, 80),
				protocols.Bool(protocols.AttrCharging, false),
				protocols.Float("battery_voltage", 3.9),
			},
		}
	}
	body, err := MarshalBatch(fixes)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// Compare runs with benchstat:
//
//	go test -run=^$ -bench=Decode -benchmem -count=6 ./protocols/osmand/ | tee new.txt
//	benchstat old.txt new.txt
func BenchmarkDecodeQuery(b *testing.B) {
	f := sampleFixes()[0]
	target := string(AppendQuery([]byte("/?"), "358240051111110", &f))
	benchDecode(b, get(target), 1)
}

// go test -run=^$ -bench=DecodeJSONBatch -benchmem ./protocols/osmand/
func BenchmarkDecodeJSONBatch(b *testing.B) {
	for _, n := range []int{1, 100, 1000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			benchDecode(b, postJSON("/", string(benchBatch(b, n))), n)
		})
	}
}

// go test -run=^$ -bench=DecodeTransistorsoft -benchmem ./protocols/osmand/
func BenchmarkDecodeTransistorsoft(b *testing.B) {
	benchDecode(b, postJSON("/", transistor), 1)
}

// go test -run=^$ -bench=MarshalBatch -benchmem ./protocols/osmand/
func BenchmarkMarshalBatch(b *testing.B) {
	fixes := make([]protocols.Fix, 100)
	for i := range fixes {
		fixes[i] = sampleFixes()[0]
	}
	b.ReportAllocs()
	var dst []byte
	cpu := cpuTime()
	for b.Loop() {
		var err error
		if dst, err = AppendBatch(dst[:0], fixes); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(dst)))
	reportRate(b, b.N*len(fixes), cpuTime()-cpu)
}
