// Package loadgen drives simulated Teltonika trackers over TCP against a
// Dozor server: each device logs in with its IMEI, sends AVL packets and
// waits for each acknowledgement before the next, as real trackers do. It
// is how anyone reproduces the throughput figures.
package loadgen

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"dozor/protocols/teltonika"
)

// Config describes a load run. Zero values mean the defaults.
type Config struct {
	Addr     string        // server address of the Teltonika listener
	Devices  int           // concurrent connections (default 100)
	Records  int           // records per packet, 1-255 (default 10)
	Duration time.Duration // length of the run (default 10s)
	Rate     float64       // target fixes/s over all devices; 0 = as fast as acknowledged
	IMEIBase uint64        // first IMEI (default 350000000000000)
	Timeout  time.Duration // wait for one ACK before re-sending it (default 30s)
	Seed     uint64

	// AckedLog, if set, receives one line per acknowledged record:
	// "<imei> <fix time RFC 3339 with ms>".
	AckedLog io.Writer
}

// Report is the result of a run, printed as one JSON line.
type Report struct {
	Devices     int     `json:"devices"`
	Connected   int     `json:"connected"`
	Seconds     float64 `json:"seconds"`
	PacketsSent int64   `json:"packets_sent"`
	Resent      int64   `json:"packets_resent"`
	FixesSent   int64   `json:"fixes_sent"`
	FixesAcked  int64   `json:"fixes_acked"`
	FixesPerSec float64 `json:"fixes_per_s"`
	AckP50Ms    float64 `json:"ack_p50_ms"`
	AckP90Ms    float64 `json:"ack_p90_ms"`
	AckP99Ms    float64 `json:"ack_p99_ms"`
	AckMaxMs    float64 `json:"ack_max_ms"`
	Errors      int64   `json:"errors"`
	FirstError  string  `json:"first_error,omitempty"`
}

func (c Config) withDefaults() Config {
	if c.Devices <= 0 {
		c.Devices = 100
	}
	if c.Records <= 0 {
		c.Records = 10
	}
	c.Records = min(c.Records, 255)
	if c.Duration <= 0 {
		c.Duration = 10 * time.Second
	}
	if c.IMEIBase == 0 {
		c.IMEIBase = 350000000000000
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	return c
}

// run is the shared state of one load run.
type run struct {
	cfg       Config
	sent      atomic.Int64
	packets   atomic.Int64
	acked     atomic.Int64
	errs      atomic.Int64
	resent    atomic.Int64
	connected atomic.Int64
	firstErr  atomic.Pointer[string]

	mu   sync.Mutex
	lats []time.Duration
	log  *bufio.Writer
}

// Run performs a load run and returns its report.
func Run(ctx context.Context, cfg Config) (Report, error) {
	cfg = cfg.withDefaults()
	if cfg.Addr == "" {
		return Report{}, errors.New("loadgen: no server address")
	}
	r := &run{cfg: cfg}
	if cfg.AckedLog != nil {
		r.log = bufio.NewWriterSize(cfg.AckedLog, 1<<16)
	}

	ctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range cfg.Devices {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.device(ctx, i); err != nil && ctx.Err() == nil {
				r.fail(err)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	if r.log != nil {
		if err := r.log.Flush(); err != nil {
			return Report{}, fmt.Errorf("loadgen: write acked log: %w", err)
		}
	}
	return r.report(elapsed), nil
}

func (r *run) fail(err error) {
	r.errs.Add(1)
	msg := err.Error()
	r.firstErr.CompareAndSwap(nil, &msg)
}

// device runs one simulated tracker until ctx ends.
func (r *run) device(ctx context.Context, i int) error {
	imei := fmt.Sprintf("%015d", r.cfg.IMEIBase+uint64(i))
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", r.cfg.Addr)
	if err != nil {
		return fmt.Errorf("dial: %w", err)
	}
	defer c.Close()
	context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Now()) })

	if err := r.login(c, imei); err != nil {
		return err
	}
	r.connected.Add(1)

	rng := rand.New(rand.NewPCG(r.cfg.Seed, uint64(i)))
	dev := newTrack(rng)
	pace := r.pace()
	var (
		pkt  []byte
		recs = make([]teltonika.Record, r.cfg.Records)
		ack  [4]byte
	)
	// Real trackers are not synchronised: each device starts at a random
	// point of its interval, so a paced run is a steady rate, not bursts
	// of every device at once.
	start := time.Now()
	if pace > 0 {
		start = start.Add(time.Duration(rng.Int64N(int64(pace))))
	}
	for next := start; ctx.Err() == nil; next = next.Add(pace) {
		if !waitUntil(ctx, next) {
			return nil
		}
		dev.fill(recs)
		pkt = teltonika.AppendAVL(pkt[:0], teltonika.Codec8, recs)
		r.packets.Add(1)
		r.sent.Add(int64(len(recs)))
		sent, err := r.exchange(ctx, c, pkt, ack[:])
		if err != nil {
			return err
		}
		if err := r.acknowledged(imei, recs, binary.BigEndian.Uint32(ack[:]), sent); err != nil {
			return err
		}
	}
	return nil
}

// waitUntil sleeps until t and reports whether the run is still on: a
// device whose interval is longer than the run (10,000 nearly idle
// trackers, say) must not hold the report back until its next packet.
func waitUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// exchange sends pkt and waits for its ACK; like a tracker, it sends the
// same packet again each time the wait times out, until ctx ends. It
// returns when the first (unanswered) copy was sent.
func (r *run) exchange(ctx context.Context, c net.Conn, pkt, ack []byte) (time.Time, error) {
	first := time.Now()
	for {
		_ = c.SetDeadline(time.Now().Add(r.cfg.Timeout))
		if _, err := c.Write(pkt); err != nil {
			return first, fmt.Errorf("send: %w", err)
		}
		_, err := io.ReadFull(c, ack)
		if err == nil {
			return first, nil
		}
		var ne net.Error
		if ctx.Err() != nil || !errors.As(err, &ne) || !ne.Timeout() {
			return first, fmt.Errorf("wait ack: %w", err)
		}
		r.resent.Add(1)
	}
}

func (r *run) login(c net.Conn, imei string) error {
	_ = c.SetDeadline(time.Now().Add(r.cfg.Timeout))
	if _, err := c.Write(teltonika.AppendIMEI(nil, imei)); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	var b [1]byte
	if _, err := io.ReadFull(c, b[:]); err != nil {
		return fmt.Errorf("login reply: %w", err)
	}
	if b[0] != 1 {
		return fmt.Errorf("login of %s refused", imei)
	}
	return nil
}

// pace is the interval between one device's packets for the target rate.
func (r *run) pace() time.Duration {
	if r.cfg.Rate <= 0 {
		return 0
	}
	perDevice := r.cfg.Rate / float64(r.cfg.Devices) / float64(r.cfg.Records)
	return time.Duration(float64(time.Second) / perDevice)
}

func (r *run) acknowledged(imei string, recs []teltonika.Record, n uint32, sent time.Time) error {
	lat := time.Since(sent)
	if int(n) != len(recs) {
		return fmt.Errorf("ack for %d records, sent %d", n, len(recs))
	}
	r.acked.Add(int64(n))
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lats = append(r.lats, lat)
	if r.log != nil {
		for _, rec := range recs {
			fmt.Fprintf(r.log, "%s %s\n", imei, rec.Time.UTC().Format("2006-01-02T15:04:05.000Z"))
		}
	}
	return nil
}

func (r *run) report(elapsed time.Duration) Report {
	rep := Report{
		Devices:     r.cfg.Devices,
		Connected:   int(r.connected.Load()),
		Seconds:     round(elapsed.Seconds()),
		PacketsSent: r.packets.Load(),
		Resent:      r.resent.Load(),
		FixesSent:   r.sent.Load(),
		FixesAcked:  r.acked.Load(),
		Errors:      r.errs.Load(),
	}
	rep.FixesPerSec = round(float64(rep.FixesAcked) / elapsed.Seconds())
	if p := r.firstErr.Load(); p != nil {
		rep.FirstError = *p
	}
	slices.Sort(r.lats)
	rep.AckP50Ms = pct(r.lats, 0.50)
	rep.AckP90Ms = pct(r.lats, 0.90)
	rep.AckP99Ms = pct(r.lats, 0.99)
	rep.AckMaxMs = pct(r.lats, 1)
	return rep
}

func pct(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := min(int(math.Ceil(q*float64(len(sorted))))-1, len(sorted)-1)
	return round(float64(sorted[max(i, 0)]) / float64(time.Millisecond))
}

func round(x float64) float64 { return math.Round(x*100) / 100 }

// track is a device moving around Moscow with strictly increasing fix times,
// so that no two records of a device are duplicates. Fix times follow the
// wall clock, as a real tracker's do: a packet's records end now and are
// spaced by a second when the device is paced slowly enough, by a
// millisecond at least. An earlier version advanced each device's clock
// a second per record from an hour ago, so at full rate it ran 100 times
// faster than real time and runs overlapped the time ranges of earlier
// ones: the store's indexes saw inserts no fleet makes.
//
// A device moves at the speed it reports (5-60 km/h) over the time between
// its fixes. An earlier version moved it 10-30 m per record whatever that
// time, so at 50 records a second it flew at over 3,000 km/h and entered a
// new H3 cell every few fixes, which no vehicle does, and which spread the
// area index's inserts over tens of thousands of areas a minute.
type track struct {
	rng      *rand.Rand
	lat, lon float64
	heading  float64
	kmh      float64
	t        time.Time
}

func newTrack(rng *rand.Rand) *track {
	return &track{
		rng:     rng,
		lat:     55.55 + rng.Float64()*0.4,
		lon:     37.35 + rng.Float64()*0.5,
		heading: rng.Float64() * 360,
		kmh:     20 + rng.Float64()*40,
	}
}

// metresPerDegree is the length of a degree of latitude.
const metresPerDegree = 111_320

func (d *track) fill(recs []teltonika.Record) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	for i := range recs {
		prev := d.t
		back := time.Duration(len(recs)-1-i) * time.Second
		d.t = d.t.Add(time.Millisecond)
		if at := now.Add(-back); at.After(d.t) {
			d.t = at
		}
		d.move(prev)
		recs[i] = teltonika.Record{
			Time: d.t, Lat: d.lat, Lon: d.lon, Altitude: 150,
			Angle: uint16(d.heading), Satellites: 9, Speed: uint16(d.kmh),
			IO: recs[i].IO[:0],
		}
		recs[i].IO = append(recs[i].IO,
			teltonika.IO{ID: 239, Size: 1, Value: 1},
			teltonika.IO{ID: 66, Size: 2, Value: 12600 + uint64(d.rng.IntN(400))})
	}
}

// move takes the device from its fix at prev to the one at d.t: now and
// then a new heading and speed, and the distance the speed covers.
func (d *track) move(prev time.Time) {
	if prev.IsZero() {
		return
	}
	if d.rng.IntN(20) == 0 {
		d.heading = math.Mod(d.heading+d.rng.NormFloat64()*30+360, 360)
		d.kmh = min(max(d.kmh+d.rng.NormFloat64()*5, 5), 60)
	}
	metres := d.kmh / 3.6 * d.t.Sub(prev).Seconds()
	rad := d.heading * math.Pi / 180
	d.lat += metres * math.Cos(rad) / metresPerDegree
	d.lon += metres * math.Sin(rad) / (metresPerDegree * math.Cos(d.lat*math.Pi/180))
}
