package ingest

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"dozor/store"
)

// Journal defaults. The batch size and interval bound both the latency a
// device sees (one flush interval plus one commit) and the rows per commit.
const (
	DefaultMaxBatch      = 4096                  // fixes per commit
	DefaultFlushInterval = 2 * time.Millisecond  // wait for more after the first
	DefaultQueueSize     = 8192                  // submissions waiting
	DefaultWriters       = 1                     // parallel commits
	maxRetryDelay        = 2 * time.Second       // between failed commits
	minRetryDelay        = 50 * time.Millisecond //
	// commitTimeout bounds one commit, so a database that vanished without
	// closing the connection is noticed.
	commitTimeout = 30 * time.Second
)

// ErrBusy is returned by Submit when the journal queue is full.
var ErrBusy = errors.New("ingest: journal busy")

// ErrStopped is returned by Submit after the journal stopped.
var ErrStopped = errors.New("ingest: journal stopped")

// Submission is one message's fixes on the way to the store. The submitter
// owns it until Done is called, and must not touch Recs in between.
type Submission struct {
	// Recs are the fixes to keep; the journal sets ID and Duplicate.
	Recs []store.FixRecord

	// Done is called once, on a journal goroutine, after the commit that
	// holds Recs (err == nil) or after it failed (nothing may be assumed
	// stored). It must not block.
	Done func(s *Submission, err error)

	queued time.Time
}

// JournalConfig configures a Journal. Zero values mean the defaults.
type JournalConfig struct {
	MaxBatch      int
	FlushInterval time.Duration
	QueueSize     int
	Writers       int
	Node          int // fix id generator node, 0..1023

	// Probe, if set, is tried every second while commits are failing and
	// nothing is submitted, so that health turns green again as soon as the
	// store is back, not only at the next device message.
	Probe func(ctx context.Context) error
}

func (c JournalConfig) withDefaults() JournalConfig {
	if c.MaxBatch <= 0 {
		c.MaxBatch = DefaultMaxBatch
	}
	if c.FlushInterval <= 0 {
		c.FlushInterval = DefaultFlushInterval
	}
	if c.QueueSize <= 0 {
		c.QueueSize = DefaultQueueSize
	}
	if c.Writers <= 0 {
		c.Writers = DefaultWriters
	}
	return c
}

// Journal commits submissions to the store in groups and publishes what it
// committed on the bus.
type Journal struct {
	cfg     JournalConfig
	fixes   store.Fixes
	bus     *Bus
	ids     *store.IDGen
	log     *slog.Logger
	metrics *journalMetrics

	in      chan *Submission
	waiters waitList
	healthy atomic.Bool
	lastErr atomic.Pointer[error]
	stopped atomic.Bool
	wg      sync.WaitGroup
}

// NewJournal returns a journal writing to fixes and publishing on bus.
func NewJournal(cfg JournalConfig, fixes store.Fixes, bus *Bus, m *Metrics,
	log *slog.Logger) *Journal {
	cfg = cfg.withDefaults()
	j := &Journal{
		cfg:     cfg,
		fixes:   fixes,
		bus:     bus,
		ids:     store.NewIDGen(cfg.Node),
		log:     orDiscard(log),
		metrics: m.journal(),
		in:      make(chan *Submission, cfg.QueueSize),
	}
	j.healthy.Store(true)
	return j
}

// Submit queues s without blocking. It returns ErrBusy when the queue is
// full: the caller keeps its data, stops reading the device, and asks to be
// woken with WhenReady.
func (j *Journal) Submit(s *Submission) error {
	if j.stopped.Load() {
		return ErrStopped
	}
	s.queued = time.Now()
	select {
	case j.in <- s:
		j.metrics.queueDepth.Set(float64(len(j.in)))
		return nil
	default:
		j.metrics.busy.Inc()
		return ErrBusy
	}
}

// SubmitWait queues s, waiting for room until ctx ends. For callers that
// may block, such as HTTP handlers.
func (j *Journal) SubmitWait(ctx context.Context, s *Submission) error {
	if j.stopped.Load() {
		return ErrStopped
	}
	s.queued = time.Now()
	select {
	case j.in <- s:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// WhenReady calls wake once, on a journal goroutine, after the journal next
// drains part of its queue. wake must not block.
func (j *Journal) WhenReady(wake func()) { j.waiters.add(wake) }

// Healthy reports whether the last commit succeeded, and its error if not.
func (j *Journal) Healthy() (bool, error) {
	if j.healthy.Load() {
		return true, nil
	}
	if p := j.lastErr.Load(); p != nil {
		return false, *p
	}
	return false, errors.New("journal unhealthy")
}

// Run commits until ctx is cancelled, then commits what is queued and
// returns. Run is the journal's run function in the server's run group.
func (j *Journal) Run(ctx context.Context) error {
	for range j.cfg.Writers {
		j.wg.Add(1)
		go func() {
			defer j.wg.Done()
			j.writer(ctx)
		}()
	}
	if j.cfg.Probe != nil {
		j.wg.Add(1)
		go func() {
			defer j.wg.Done()
			j.probe(ctx)
		}()
	}
	<-ctx.Done()
	j.stopped.Store(true)
	j.wg.Wait()
	j.drain()
	return nil
}

func (j *Journal) writer(ctx context.Context) {
	w := newBatchWriter(j)
	for {
		select {
		case <-ctx.Done():
			return
		case s := <-j.in:
			w.collect(ctx, s)
			w.commit()
		}
	}
}

// probe checks the store once a second while the journal is unhealthy.
func (j *Journal) probe(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if j.healthy.Load() {
			continue
		}
		if !j.probeCanHeal() {
			continue
		}
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		err := j.cfg.Probe(pctx)
		cancel()
		if err == nil && !j.healthy.Swap(true) {
			j.log.Info("Store reachable again")
		}
	}
}

// probeCanHeal reports whether a successful probe proves the last failed
// commit would now succeed: only when the store was unreachable. A store
// that answers but refuses the write (its disk full, say) answers a probe
// too, and health would flap green between failed commits; after such an
// error only a commit restores it, and devices keep re-sending.
func (j *Journal) probeCanHeal() bool {
	p := j.lastErr.Load()
	return p == nil || errors.Is(*p, store.ErrUnavailable)
}

// drain fails whatever is still queued after the writers stopped, so no
// submitter waits forever; devices re-send what was not acknowledged.
func (j *Journal) drain() {
	for {
		select {
		case s := <-j.in:
			s.Done(s, ErrStopped)
		default:
			j.waiters.wakeAll()
			return
		}
	}
}

// batchWriter is one writer goroutine's reusable state.
type batchWriter struct {
	j     *Journal
	subs  []*Submission
	recs  []store.FixRecord
	timer *time.Timer
	delay time.Duration
}

func newBatchWriter(j *Journal) *batchWriter {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &batchWriter{j: j, timer: t}
}

// collect gathers submissions after first until the batch is full or the
// flush interval since first has passed.
func (w *batchWriter) collect(ctx context.Context, first *Submission) {
	w.subs = append(w.subs[:0], first)
	n := len(first.Recs)
	w.timer.Reset(w.j.cfg.FlushInterval)
	defer w.timer.Stop()

	for n < w.j.cfg.MaxBatch {
		select {
		case s := <-w.j.in:
			w.subs = append(w.subs, s)
			n += len(s.Recs)
		case <-w.timer.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// commit writes the collected submissions in one transaction, completes
// them, and publishes the new fixes.
func (w *batchWriter) commit() {
	j := w.j
	w.recs = w.recs[:0]
	for _, s := range w.subs {
		for i := range s.Recs {
			s.Recs[i].ID = j.ids.Next()
		}
		w.recs = append(w.recs, s.Recs...)
	}
	j.metrics.queueDepth.Set(float64(len(j.in)))
	j.waiters.wakeAll()

	start := time.Now()
	j.metrics.waitSeconds.Observe(start.Sub(w.subs[0].queued).Seconds())
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	err := j.fixes.Append(ctx, w.recs)
	cancel()
	j.metrics.commitSeconds.Observe(time.Since(start).Seconds())
	j.metrics.batchFixes.Observe(float64(len(w.recs)))

	if err != nil {
		w.fail(err)
		return
	}
	w.succeed()
}

func (w *batchWriter) succeed() {
	j := w.j
	if !j.healthy.Swap(true) {
		j.log.Info("Journal commits again")
	}
	w.delay = 0

	batch := j.bus.prepare(w.recs)
	off := 0
	for _, s := range w.subs {
		for i := range s.Recs {
			s.Recs[i].Duplicate = w.recs[off+i].Duplicate
		}
		off += len(s.Recs)
		s.Done(s, nil)
	}
	j.metrics.committed.Add(float64(len(w.recs)))
	j.bus.publish(batch)
	clear(w.subs)
}

// fail completes every submission with err and backs off, so that a
// database that is down is not hammered while devices keep their data.
func (w *batchWriter) fail(err error) {
	j := w.j
	j.lastErr.Store(&err)
	if j.healthy.Swap(false) {
		j.log.Error("Journal commit failed; not acknowledging until it recovers",
			"err", err, "fixes", len(w.recs))
	}
	j.metrics.failedBatches.Inc()
	for _, s := range w.subs {
		s.Done(s, err)
	}
	clear(w.subs)

	w.delay = min(max(w.delay*2, minRetryDelay), maxRetryDelay)
	time.Sleep(w.delay)
}

// waitList holds wake functions of connections that found the queue full.
type waitList struct {
	mu    sync.Mutex
	wakes []func()
}

func (l *waitList) add(f func()) {
	l.mu.Lock()
	l.wakes = append(l.wakes, f)
	l.mu.Unlock()
}

func (l *waitList) wakeAll() {
	l.mu.Lock()
	wakes := l.wakes
	l.wakes = nil
	l.mu.Unlock()
	for _, f := range wakes {
		f()
	}
}

func orDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}
