package postgres_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"dozor/store"
	"dozor/store/postgres"
)

// proxy forwards TCP connections to the database and can be cut: while
// down it refuses new connections and has closed every open one, which is
// what ingest sees when PostgreSQL restarts or the network drops.
type proxy struct {
	t      *testing.T
	addr   string // listening address, kept across down/up
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]bool
}

func newProxy(t *testing.T, target string) *proxy {
	p := &proxy{t: t, target: target, addr: "127.0.0.1:0", conns: make(map[net.Conn]bool)}
	p.up()
	p.addr = p.ln.Addr().String()
	t.Cleanup(p.down)
	return p
}

func (p *proxy) up() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go p.serve(ln)
}

func (p *proxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

func (p *proxy) serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go p.pipe(c)
	}
}

func (p *proxy) pipe(c net.Conn) {
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.ln == nil { // cut while dialling
		p.mu.Unlock()
		c.Close()
		s.Close()
		return
	}
	p.conns[c], p.conns[s] = true, true
	p.mu.Unlock()
	go func() { io.Copy(s, c); s.Close() }() //nolint:errcheck
	io.Copy(c, s)                            //nolint:errcheck
	c.Close()
}

// viaProxy rewrites the host of a database URL to the proxy's address.
func viaProxy(t *testing.T, dbURL string) (string, *proxy) {
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, u.Host)
	u.Host = p.addr
	return u.String(), p
}

// While the database is unreachable, Append and Ping fail quickly and store
// nothing; when it returns, the same batches go in without loss or
// duplicates and without reopening the store.
func TestOutageAndRecovery(t *testing.T) {
	dbURL := testURL(t)
	proxied, p := viaProxy(t, dbURL)
	s, err := postgres.Open(context.Background(), postgres.Config{
		URL: proxied, Schema: freshSchema(t, dbURL), ConnectTimeout: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dev := device(t, s, "a")
	now := time.Now().UTC().Truncate(time.Millisecond)
	batch := func(from int) []store.FixRecord {
		var recs []store.FixRecord
		for i := from; i < from+100; i++ {
			recs = append(recs, fixAt(dev, now.Add(time.Duration(i)*time.Second), i))
		}
		return recs
	}

	before := batch(0)
	if err := s.Fixes().Append(context.Background(), before); err != nil {
		t.Fatal(err)
	}

	p.down()
	during := batch(100)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := s.Ping(ctx); err == nil {
		t.Fatal("ping succeeded with the database cut off")
	}
	if err := s.Fixes().Append(ctx, during); err == nil {
		t.Fatal("append succeeded with the database cut off")
	} else if errors.Is(err, store.ErrClosed) {
		t.Fatalf("outage reported as a closed store: %v", err)
	} else if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("outage not reported as ErrUnavailable: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("failing took %v", d)
	}

	p.up()
	// The journal retries the batch it could not acknowledge.
	deadline := time.Now().Add(15 * time.Second)
	for {
		err := s.Fixes().Append(context.Background(), during)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no recovery after the database returned: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("ping after recovery: %v", err)
	}
	for i, r := range during {
		if r.Duplicate {
			t.Fatalf("retried fix %d flagged duplicate", i)
		}
	}
	if n, _ := s.Fixes().Count(context.Background(), dev); n != 200 {
		t.Fatalf("count %d after recovery, want 200", n)
	}
}

// Backends killed under the pool (a PostgreSQL restart): the next calls
// may fail, later ones work on fresh connections, and nothing is written
// twice.
func TestTerminatedBackends(t *testing.T) {
	dbURL := testURL(t)
	schema := freshSchema(t, dbURL)
	u, _ := url.Parse(dbURL)
	q := u.Query()
	q.Set("application_name", schema)
	u.RawQuery = q.Encode()
	ctx := context.Background()
	s, err := postgres.Open(ctx, postgres.Config{URL: u.String(), Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dev := device(t, s, "a")
	now := time.Now().UTC().Truncate(time.Millisecond)

	var recs []store.FixRecord
	for i := range 50 {
		recs = append(recs, fixAt(dev, now.Add(time.Duration(i)*time.Second), i))
	}
	if err := s.Fixes().Append(ctx, recs[:25]); err != nil {
		t.Fatal(err)
	}

	admin, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var killed int
	err = admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = $1`, schema).Scan(&killed)
	if err != nil || killed == 0 {
		t.Fatalf("terminated %d backends: %v", killed, err)
	}

	// The first call meets a dead connection and resets the pool; the
	// retry, as the journal makes it, goes through.
	if err := s.Fixes().Append(ctx, recs); err != nil {
		t.Logf("first append after the kill: %v", err)
		if !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("a terminated backend is not ErrUnavailable: %v", err)
		}
		if err := s.Fixes().Append(ctx, recs); err != nil {
			t.Fatalf("second append after the kill: %v", err)
		}
	}
	if n, _ := s.Fixes().Count(ctx, dev); n != 50 {
		t.Fatalf("count %d, want 50", n)
	}
}

// Cutting the connection in the middle of a large batch, at whatever point
// the COPY or its commit has reached, then retrying the batch as the
// journal does, leaves every fix stored exactly once and none flagged as a
// duplicate of itself.
func TestCutMidBatch(t *testing.T) {
	dbURL := testURL(t)
	proxied, p := viaProxy(t, dbURL)
	s, err := postgres.Open(context.Background(), postgres.Config{
		URL: proxied, Schema: freshSchema(t, dbURL),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()

	cuts := []time.Duration{0, 5 * time.Millisecond, 20 * time.Millisecond,
		60 * time.Millisecond, 150 * time.Millisecond, 400 * time.Millisecond}
	for round, cutAfter := range cuts {
		recs := postgres.BenchRecords(20000, time.Now().Add(time.Duration(round)*time.Minute))
		done := make(chan error, 1)
		go func() { done <- s.Fixes().Append(ctx, recs) }()
		time.Sleep(cutAfter)
		p.down()
		first := <-done
		p.up()
		t.Logf("round %d: cut after %v: first attempt: %v", round, cutAfter, first)

		if first != nil {
			deadline := time.Now().Add(15 * time.Second)
			for err := first; err != nil; err = s.Fixes().Append(ctx, recs) {
				if time.Now().After(deadline) {
					t.Fatalf("round %d: no recovery: %v", round, err)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
		for i, r := range recs {
			if r.Duplicate {
				t.Fatalf("round %d (first attempt: %v): fix %d flagged duplicate", round, first, i)
			}
		}
	}
	// If the last round's first attempt went through, the pool has not yet
	// met its connections the cut killed: one call may fail, not two.
	var n int64
	if err := s.Ping(ctx); err != nil {
		t.Logf("first call after the cut: %v", err)
	}
	if err := s.Pool().QueryRow(ctx, "SELECT count(*) FROM fixes").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if want := int64(len(cuts) * 20000); n != want {
		t.Fatalf("stored %d fixes, want %d", n, want)
	}
}
