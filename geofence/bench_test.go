package geofence_test

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"dozor/geofence"
	"dozor/geofence/cell"
	"dozor/geofence/scenario"
)

// A million circles of 50 m (exit 100 m) spread over 50-60N, 30-60E, about
// one every 2 km², as a national bank's debtor addresses would be.
const benchZones = 1_000_000

var bench struct {
	once     sync.Once
	ix       *geofence.Index
	zones    []geofence.Zone
	build    time.Duration
	buildCPU time.Duration
	perZone  float64
}

func benchIndex(b *testing.B) {
	bench.once.Do(func() {
		rng := rand.New(rand.NewPCG(42, 42))
		bench.zones = make([]geofence.Zone, benchZones)
		for i := range bench.zones {
			bench.zones[i] = geofence.Zone{
				ID: int64(i), Shape: geofence.ShapeCircle, Radius: 50, ExitRadius: 100,
				Center: orb.Point{30 + rng.Float64()*30, 50 + rng.Float64()*10},
			}
		}
		before := heapInUse()
		start := time.Now()
		cpu0 := cpuTime()
		bench.ix = geofence.NewIndex(geofence.IndexConfig{})
		if err := bench.ix.AddAll(bench.zones); err != nil {
			b.Fatal(err)
		}
		bench.build = time.Since(start)
		bench.buildCPU = cpuTime() - cpu0
		bench.perZone = float64(heapInUse()-before) / benchZones
	})
}

// cpuTime returns the CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

type benchFix struct {
	lat, lon, acc float64
	cell          uint64
}

// benchFixes are 90 % random points (almost all in no zone) and 10 % within
// 80 m of a zone centre (in one zone, sometimes two).
func benchFixes(n int) []benchFix {
	rng := rand.New(rand.NewPCG(7, 7))
	out := make([]benchFix, n)
	for i := range out {
		lat, lon := 50+rng.Float64()*10, 30+rng.Float64()*30
		if i%10 == 0 {
			z := bench.zones[rng.IntN(len(bench.zones))]
			lat = z.Center[1] + (rng.Float64()-0.5)*0.0014
			lon = z.Center[0] + (rng.Float64()-0.5)*0.0022
		}
		out[i] = benchFix{lat, lon, 10, cell.FromLatLng(lat, lon, geofence.FixResolution)}
	}
	return out
}

// BenchmarkIndexBuild1M reports the time to build and the heap per zone of
// a million-zone index (built once, shared with BenchmarkLookup1M).
//
//	go test -run '^$' -bench 'Index|Lookup' -benchtime 2000000x ./geofence/
func BenchmarkIndexBuild1M(b *testing.B) {
	benchIndex(b)
	b.ReportAllocs()
	for b.Loop() {
	}
	b.ReportMetric(bench.build.Seconds(), "build-s")
	b.ReportMetric(bench.buildCPU.Seconds(), "build-cpu-s")
	b.ReportMetric(bench.perZone, "B/zone")
	b.ReportMetric(bench.perZone*benchZones/(1<<20), "MiB/1M-zones")
}

// BenchmarkLookup1M measures fix evaluations (candidate lookup by the
// fix's cell plus the exact tests) against a million zones on one core.
//
//	go test -run '^$' -bench Lookup1M -benchtime 2000000x ./geofence/
func BenchmarkLookup1M(b *testing.B) {
	benchIndex(b)
	fixes := benchFixes(1 << 16)
	hits := make([]geofence.Hit, 0, 8)
	found := 0
	b.ReportAllocs()
	cpu0 := cpuTime()
	i := 0
	for b.Loop() {
		f := &fixes[i&(len(fixes)-1)]
		hits = bench.ix.Lookup(hits[:0], f.lat, f.lon, f.acc, f.cell)
		found += len(hits)
		i++
	}
	// The machine is shared: CPU time is the honest per-core figure.
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "evals/s")
	b.ReportMetric(float64(b.N)/(cpuTime()-cpu0).Seconds(), "evals/cpu-s")
	b.ReportMetric(float64(found)/float64(b.N), "hits/eval")
}

// BenchmarkEngine measures the engine per fix over a scenario day in
// arrival order, and the latency from Process to the visit event.
//
//	go test -run '^$' -bench Engine -benchtime 3x ./geofence/
func BenchmarkEngine(b *testing.B) {
	sc := scenario.Generate(scenario.Config{Seed: 1, Collectors: 20})
	pts := sc.Points()
	var lat []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		ix := geofence.NewIndex(geofence.IndexConfig{})
		if err := ix.AddAll(sc.Zones); err != nil {
			b.Fatal(err)
		}
		var start time.Time
		e := geofence.NewEngine(ix, geofence.Config{}, geofence.EmitterFunc(func(geofence.Event) {
			lat = append(lat, time.Since(start))
		}))
		for i := range pts {
			start = time.Now()
			e.Process(pts[i : i+1])
		}
	}
	b.ReportMetric(float64(b.N*len(pts))/b.Elapsed().Seconds(), "fixes/s")
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-event-µs")
		b.ReportMetric(float64(lat[len(lat)-1].Microseconds()), "max-event-µs")
	}
}

var _ = math.Pi

// BenchmarkRezone measures Engine.Rezone after a zone import, with 20
// collectors' simulated days held: the cost is per held fix.
//
//	go test -run '^$' -bench Rezone -benchmem ./geofence/
func BenchmarkRezone(b *testing.B) {
	sc := scenario.Generate(scenario.Config{Seed: 1, Collectors: 20})
	pts := sc.Points()
	ix := geofence.NewIndex(geofence.IndexConfig{})
	if err := ix.AddAll(sc.Zones[1:]); err != nil {
		b.Fatal(err)
	}
	e := geofence.NewEngine(ix, geofence.Config{Window: 24 * time.Hour}, nil)
	e.Process(pts)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			_ = ix.Add(sc.Zones[0])
		} else {
			ix.Remove(sc.Zones[0].ID)
		}
		e.Rezone()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(pts)), "ns/held-fix")
}
