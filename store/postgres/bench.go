package postgres

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"dozor/protocols"
	"dozor/store"
)

// BenchDevices is how many devices the benchmark rows are spread over.
const BenchDevices = 10000

// rawTable is the bare table of BenchCopy: the columns and indexes of
// fixes, without partitions, the last_fix upsert or de-duplication.
const rawTable = `CREATE TABLE %s (
	id bigint NOT NULL, device_id bigint NOT NULL,
	fix_time timestamptz NOT NULL, recv_time timestamptz NOT NULL,
	lat float8 NOT NULL, lon float8 NOT NULL, altitude float8 NOT NULL,
	speed float8 NOT NULL, course float8 NOT NULL, satellites smallint NOT NULL,
	hdop float8 NOT NULL, accuracy float8 NOT NULL, valid boolean NOT NULL,
	protocol text NOT NULL, cell bigint NOT NULL, attrs jsonb NOT NULL,
	UNIQUE (device_id, fix_time, lat, lon));
	CREATE INDEX ON %[1]s (((cell >> 18) & 17179869183), fix_time)`

// BenchResult is the outcome of one benchmark run.
type BenchResult struct {
	Rows       int
	Batch      int
	Writers    int
	Elapsed    time.Duration
	RowsPerSec float64
	// BatchP50 and BatchP99 are the latencies of one COPY or Append call,
	// the time from handing a batch over to its commit.
	BatchP50, BatchP99 time.Duration

	// ClientCPU and ServerCPU are the CPU time this process and the local
	// PostgreSQL processes spent during the run (ServerCPU is zero for a
	// remote database). RowsPerCPUSec is Rows over their sum: on cores
	// shared with other work it varies far less than RowsPerSec.
	ClientCPU, ServerCPU time.Duration
	RowsPerCPUSec        float64
}

func (r BenchResult) String() string {
	ms := time.Millisecond
	return fmt.Sprintf("%d rows in batches of %d, %d writers: %.0f rows/s, "+
		"%.0f rows/CPU-s (client %v, server %v), batch p50 %v p99 %v",
		r.Rows, r.Batch, r.Writers, r.RowsPerSec, r.RowsPerCPUSec,
		r.ClientCPU.Round(ms), r.ServerCPU.Round(ms), r.BatchP50.Round(ms/10),
		r.BatchP99.Round(ms/10))
}

// BenchConfig is one benchmark run. Zero Writers means 1.
type BenchConfig struct {
	URL     string
	Rows    int // rows written in all
	Batch   int // rows per COPY or Append
	Writers int // batches in flight at once, each on its own connection

	// NoCheckpoint leaves out the CHECKPOINT that otherwise starts a run,
	// for a measurement beside live traffic: a forced checkpoint makes
	// every page written next log a full image, a surge that a running
	// server meets once per checkpoint_timeout, not at a moment of ours.
	NoCheckpoint bool

	// Rate, when above zero, paces the run: batch i is due at i*Batch/Rate
	// seconds from the start, and its latency counts from when it was due,
	// so a stall delays the batches queued behind it as it delays devices'
	// acknowledgements. BatchP99 is then the commit latency this machine
	// gives at that load: the floor under an end-to-end ACK latency.
	Rate float64
}

func (c *BenchConfig) check() error {
	if c.Writers <= 0 {
		c.Writers = 1
	}
	if c.Rows <= 0 || c.Batch <= 0 {
		return fmt.Errorf("postgres: bench: rows %d, batch %d", c.Rows, c.Batch)
	}
	if c.Rate < 0 {
		return fmt.Errorf("postgres: bench: rate %v", c.Rate)
	}
	return nil
}

// BenchCopy measures the raw COPY rate on this database: rows generated
// fix rows, in batches of batch, each one autocommitted binary COPY into a
// scratch bare table with the same columns and indexes as fixes, one batch
// at a time. The rows are generated and encoded before the clock starts.
// The table is dropped afterwards.
func BenchCopy(ctx context.Context, url string, rows, batch int) (float64, error) {
	r, err := BenchCopyStats(ctx, BenchConfig{URL: url, Rows: rows, Batch: batch})
	return r.RowsPerSec, err
}

// BenchAppend measures the same rows as BenchCopy going through the real
// write path: Store.Append of each batch into a fresh scratch schema, one
// call at a time, each returning after its commit. The rows are generated
// before the clock starts; encoding them is part of Append and is timed.
func BenchAppend(ctx context.Context, url string, rows, batch int) (float64, error) {
	r, err := BenchAppendStats(ctx, BenchConfig{URL: url, Rows: rows, Batch: batch})
	return r.RowsPerSec, err
}

// BenchCopyStats is BenchCopy with latencies, CPU time and writers.
func BenchCopyStats(ctx context.Context, cfg BenchConfig) (BenchResult, error) {
	return benchRun(ctx, cfg, prepareCopy)
}

// BenchAppendStats is BenchAppend with latencies, CPU time and writers.
func BenchAppendStats(ctx context.Context, cfg BenchConfig) (BenchResult, error) {
	return benchRun(ctx, cfg, prepareAppend)
}

// A preparer sets a run up: the run is the only timed part, and the
// cleanup drops what the preparer made.
type preparer func(context.Context, BenchConfig, []store.FixRecord) (
	run func() (BenchResult, error), cleanup func(), err error)

func benchRun(ctx context.Context, cfg BenchConfig, prepare preparer) (BenchResult, error) {
	if err := cfg.check(); err != nil {
		return BenchResult{}, err
	}
	run, cleanup, err := prepare(ctx, cfg, BenchRecords(cfg.Rows, time.Now()))
	if err != nil {
		return BenchResult{}, err
	}
	defer cleanup()
	return run()
}

func prepareCopy(ctx context.Context, cfg BenchConfig, recs []store.FixRecord) (
	func() (BenchResult, error), func(), error,
) {
	rb, err := newRawBench(ctx, cfg.URL, recs, cfg.Batch, cfg.Writers)
	if err != nil {
		return nil, nil, err
	}
	if !cfg.NoCheckpoint {
		checkpoint(ctx, rb.conns[0])
	}
	run := func() (BenchResult, error) {
		return timeBatches(cfg, func(w, i int) error { return rb.copy(ctx, w, i) })
	}
	return run, func() { rb.close(ctx) }, nil
}

func prepareAppend(ctx context.Context, cfg BenchConfig, recs []store.FixRecord) (
	func() (BenchResult, error), func(), error,
) {
	return prepareStore(ctx, cfg, recs, func(*Store) {})
}

// prepareStore opens a store in a scratch schema and lets tune adjust it.
func prepareStore(ctx context.Context, cfg BenchConfig, recs []store.FixRecord,
	tune func(*Store),
) (func() (BenchResult, error), func(), error) {
	schema := fmt.Sprintf("dozor_bench_%d", os.Getpid())
	s, err := Open(ctx, Config{URL: cfg.URL, Schema: schema, MaxConns: int32(cfg.Writers) + 1})
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() {
		s.pool.Exec(context.WithoutCancel(ctx), "DROP SCHEMA "+schema+" CASCADE") //nolint:errcheck
		s.Close()
	}
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		cleanup()
		return nil, nil, s.wrap("bench", err)
	}
	if !cfg.NoCheckpoint {
		checkpoint(ctx, c.Conn())
	}
	c.Release()
	tune(s)

	n := cfg.Batch
	run := func() (BenchResult, error) {
		return timeBatches(cfg, func(_, i int) error {
			return s.fixes.Append(ctx, recs[i*n:min((i+1)*n, len(recs))])
		})
	}
	return run, cleanup, nil
}

// rawBench is a scratch bare table, the batches to COPY into it and a
// connection per writer.
type rawBench struct {
	conns []*pgx.Conn
	table string
	bufs  [][]byte
}

func newRawBench(
	ctx context.Context, url string, recs []store.FixRecord, batch, writers int,
) (*rawBench, error) {
	rb := &rawBench{table: fmt.Sprintf("dozor_bench_raw_%d", os.Getpid())}
	for range writers {
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			rb.close(ctx)
			return nil, fmt.Errorf("postgres: bench: %w", err)
		}
		rb.conns = append(rb.conns, conn)
	}
	if _, err := rb.conns[0].Exec(ctx, fmt.Sprintf(rawTable, rb.table)); err != nil {
		rb.close(ctx)
		return nil, fmt.Errorf("postgres: bench: create %s: %w", rb.table, err)
	}
	rb.bufs = encodeBatches(recs, batch)
	return rb, nil
}

func (rb *rawBench) copy(ctx context.Context, w, i int) error {
	sql := "COPY " + rb.table + " (" + fixColumns + ") FROM STDIN BINARY"
	return copyFrom(ctx, rb.conns[w].PgConn(), rb.bufs[i], sql)
}

func (rb *rawBench) close(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	if len(rb.conns) > 0 {
		rb.conns[0].Exec(ctx, "DROP TABLE IF EXISTS "+rb.table) //nolint:errcheck
	}
	for _, c := range rb.conns {
		c.Close(ctx)
	}
}

// BenchRecords returns n fixes shaped like ingest's: BenchDevices devices
// reporting in turn, one fix per device per second up to now, each with a
// few typed attributes (about 35 bytes of JSON) and an H3-like cell.
func BenchRecords(n int, now time.Time) []store.FixRecord {
	ids := store.NewIDGen(1023)
	rounds := (n + BenchDevices - 1) / BenchDevices
	start := now.UTC().Truncate(time.Millisecond).Add(-time.Duration(rounds) * time.Second)
	recs := make([]store.FixRecord, n)
	for i := range recs {
		dev, round := int64(i%BenchDevices)+1, i/BenchDevices
		h := mix(uint64(dev))
		lat := 55.5 + float64(h%40000)*1e-5 + float64(round)*1e-6
		lon := 37.3 + float64(h>>16%60000)*1e-5 + float64(round)*1e-6
		recs[i] = store.FixRecord{
			ID:       ids.Next(),
			DeviceID: dev,
			Fix: protocols.Fix{
				Time: start.Add(time.Duration(round)*time.Second +
					time.Duration(h%1000)*time.Millisecond),
				Received: now,
				Lat:      lat, Lon: lon, Altitude: 150, Speed: float64(round % 90),
				Course: float64(h % 360), Satellites: 9, HDOP: 0.9, Valid: true,
				Protocol: "teltonika",
				Cell:     0x8c11aa0000000000 | mix(uint64(dev)<<20|uint64(round/30))&0xffffffffff,
				Attrs: protocols.Attrs{
					protocols.Int("sat", 9),
					protocols.Bool(protocols.AttrIgnition, true),
					protocols.Float(protocols.AttrPower, 12.6),
				},
			},
		}
	}
	return recs
}

// mix is a 64-bit finaliser (splitmix64) for repeatable pseudo-random
// fields.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

func encodeBatches(recs []store.FixRecord, batch int) [][]byte {
	var out [][]byte
	for i := 0; i < len(recs); i += batch {
		buf := appendCopyHeader(nil)
		for j := i; j < min(i+batch, len(recs)); j++ {
			buf = appendFixRow(buf, &recs[j])
		}
		out = append(out, appendCopyTrailer(buf))
	}
	return out
}

// checkpoint flushes dirty pages so that runs start alike; it needs
// superuser (or pg_checkpoint) and is skipped without.
func checkpoint(ctx context.Context, c *pgx.Conn) {
	c.Exec(ctx, "CHECKPOINT") //nolint:errcheck
}

// begin waits until batch i of a paced run is due and returns the time its
// latency counts from: when it was due, even if that has passed, or now
// in an unpaced run.
func (c BenchConfig) begin(start time.Time, i int) time.Time {
	if c.Rate == 0 {
		return time.Now()
	}
	due := start.Add(time.Duration(float64(i*c.Batch) / c.Rate * float64(time.Second)))
	time.Sleep(time.Until(due))
	return due
}

// timeBatches runs fn(writer, batch) for every batch, cfg.Writers at a
// time, and measures.
func timeBatches(cfg BenchConfig, fn func(w, i int) error) (BenchResult, error) {
	n := (cfg.Rows + cfg.Batch - 1) / cfg.Batch
	lat := make([]time.Duration, n)
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	errs := make(chan error, cfg.Writers)

	self0, server0 := cpuTime()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range cfg.Writers {
		wg.Go(func() {
			for i := range next {
				t := cfg.begin(start, i)
				if err := fn(w, i); err != nil {
					errs <- fmt.Errorf("postgres: bench batch %d: %w", i, err)
					return
				}
				lat[i] = time.Since(t)
			}
		})
	}
	wg.Wait()
	el := time.Since(start)
	self1, server1 := cpuTime()
	close(errs)
	if err := <-errs; err != nil {
		return BenchResult{}, err
	}

	slices.Sort(lat)
	r := BenchResult{
		Rows: cfg.Rows, Batch: cfg.Batch, Writers: cfg.Writers, Elapsed: el,
		RowsPerSec: float64(cfg.Rows) / el.Seconds(),
		BatchP50:   lat[n/2], BatchP99: lat[min(n-1, n*99/100)],
		ClientCPU: self1 - self0, ServerCPU: server1 - server0,
	}
	if cpu := r.ClientCPU + r.ServerCPU; cpu > 0 {
		r.RowsPerCPUSec = float64(cfg.Rows) / cpu.Seconds()
	}
	return r, nil
}
