package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dozor/ingest/loadgen"
)

// TestLiveStreamBench measures the live stream under load: M SSE
// subscribers, K fixes/s from simulated Teltonika trackers, and one
// subscriber that never reads. It prints the delivery latency from the
// moment the hub took a fix off the bus (right after the journal made it
// durable; bus_us in each event) and from the server's receive time (rx,
// which adds the group commit), and the server's RSS over the run. It
// asserts nothing about timing; run it on purpose:
//
//	DOZOR_LIVE_BENCH=1 go test ./cmd/dozor -run TestLiveStreamBench -v -count=1
//
// Knobs: DOZOR_LIVE_SUBS (200), DOZOR_LIVE_RATE (10000 fixes/s),
// DOZOR_LIVE_SECONDS (20), DOZOR_LIVE_DEVICES (500).
func TestLiveStreamBench(t *testing.T) {
	if os.Getenv("DOZOR_LIVE_BENCH") == "" {
		t.Skip("set DOZOR_LIVE_BENCH=1 to run the live stream benchmark")
	}
	subs, rate := envInt("DOZOR_LIVE_SUBS", 200), envInt("DOZOR_LIVE_RATE", 10000)
	secs, devices := envInt("DOZOR_LIVE_SECONDS", 20), envInt("DOZOR_LIVE_DEVICES", 500)
	s := startServer(t, "")
	pid := s.cmd.Process.Pid

	stuck := stuckSubscriber(t, s)
	defer stuck.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := &latencies{}
	var wg sync.WaitGroup
	for range subs {
		wg.Add(1)
		go func() { defer wg.Done(); rec.subscribe(ctx, t, s) }()
	}
	for rec.open.Load() < int64(subs) {
		time.Sleep(20 * time.Millisecond)
	}
	rssStart := rssKB(pid)
	t.Logf("%d subscribers and one that never reads; server RSS %d MiB", subs, rssStart>>10)

	var rss, heap, open []int64
	stopRSS := make(chan struct{})
	go func() {
		for {
			select {
			case <-stopRSS:
				return
			case <-time.After(5 * time.Second):
				rss = append(rss, rssKB(pid)>>10)
				heap = append(heap, metric(s, "go_memstats_heap_inuse_bytes")>>20)
				open = append(open, metric(s, "dozor_live_subscribers"))
			}
		}
	}()
	rec.measure.Store(true)
	rep, err := loadgen.Run(context.Background(), loadgen.Config{Addr: s.telt, Devices: devices,
		Records: 10, Duration: time.Duration(secs) * time.Second, Rate: float64(rate)})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // the last events in flight
	rec.measure.Store(false)
	close(stopRSS)
	cancel()
	wg.Wait()

	bus, rx := rec.percentiles()
	fmt.Printf("live stream: %d subscribers, %.0f fixes/s acked (target %d), %d devices, %ds\n",
		subs, rep.FixesPerSec, rate, devices, secs)
	fmt.Printf("  events received: %d (%.0f/s per subscriber)\n", rec.n.Load(),
		float64(rec.n.Load())/float64(subs)/float64(secs))
	fmt.Printf("  latency from durable (bus) ms: p50 %.1f p90 %.1f p99 %.1f max %.1f\n",
		bus[0], bus[1], bus[2], bus[3])
	fmt.Printf("  latency from receive (rx) ms:  p50 %.1f p90 %.1f p99 %.1f max %.1f\n",
		rx[0], rx[1], rx[2], rx[3])
	fmt.Printf("  server RSS MiB: start %d, every 5s %v, end %d (one subscriber never reads)\n",
		rssStart>>10, rss, rssKB(pid)>>10)
	fmt.Printf("  server Go heap in use MiB every 5s %v; streams open %v\n", heap, open)
	fmt.Printf("  ingest ACK ms: p50 %.1f p99 %.1f\n", rep.AckP50Ms, rep.AckP99Ms)
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// rssKB reads the resident set of a process from /proc.
func rssKB(pid int) int64 {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// metric reads one unlabelled value from the server's /metrics.
func metric(s *server, name string) int64 {
	resp, err := http.Get("http://" + s.http + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return int64(f)
		}
	}
	return -1
}

// stuckSubscriber opens a stream and never reads it, with a small receive
// buffer so that the server's writes back up at once.
func stuckSubscriber(t *testing.T, s *server) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", s.http)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.(*net.TCPConn).SetReadBuffer(4096)
	fmt.Fprintf(c, "GET /api/v1/live HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n\r\n",
		s.http, testToken)
	return c
}

// latencies collects delivery latencies from every subscriber.
type latencies struct {
	open    atomic.Int64
	n       atomic.Int64
	measure atomic.Bool
	mu      sync.Mutex
	bus, rx []int32 // microseconds, milliseconds
}

func (l *latencies) subscribe(ctx context.Context, t *testing.T, s *server) {
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+s.http+"/api/v1/live", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return
	}
	defer resp.Body.Close()
	l.open.Add(1)
	var bus, rx []int32
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 8<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.HasPrefix(line, []byte(`data: {"`)) || !l.measure.Load() {
			continue
		}
		now := time.Now()
		if b, ok := jsonInt(line, `"bus_us":`); ok {
			bus = append(bus, int32(now.UnixMicro()-b))
			r, _ := jsonInt(line, `"rx":`)
			rx = append(rx, int32(now.UnixMilli()-r))
		}
	}
	l.n.Add(int64(len(bus)))
	l.mu.Lock()
	l.bus, l.rx = append(l.bus, bus...), append(l.rx, rx...)
	l.mu.Unlock()
}

// jsonInt finds key in a JSON line and reads the integer after it.
func jsonInt(line []byte, key string) (int64, bool) {
	i := bytes.Index(line, []byte(key))
	if i < 0 {
		return 0, false
	}
	rest := line[i+len(key):]
	j := bytes.IndexAny(rest, ",}")
	if j < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(string(rest[:j]), 10, 64)
	return n, err == nil
}

// percentiles returns p50, p90, p99 and max in milliseconds.
func (l *latencies) percentiles() (bus, rx [4]float64) {
	pick := func(v []int32, scale float64) (out [4]float64) {
		if len(v) == 0 {
			return out
		}
		slices.Sort(v)
		for i, q := range []float64{0.5, 0.9, 0.99, 1} {
			out[i] = float64(v[min(len(v)-1, int(q*float64(len(v))))]) / scale
		}
		return out
	}
	return pick(l.bus, 1000), pick(l.rx, 1)
}
