package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"dozor/ingest/loadgen"
)

const pgURLEnv = "DOZOR_TEST_POSTGRES"

// pgTarget returns the PostgreSQL the tests use, with a fresh schema that
// is dropped afterwards. Outside CI it skips when no PostgreSQL answers; in
// CI (CI set) that is a failure.
func pgTarget(t *testing.T) (base, schema string) {
	t.Helper()
	base = os.Getenv(pgURLEnv)
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, base)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL at %s (%s): %v", base, pgURLEnv, err)
		}
		t.Skipf("no PostgreSQL at %s (set %s): %v", base, pgURLEnv, err)
	}
	defer c.Close(ctx)
	schema = fmt.Sprintf("e2e_%d", time.Now().UnixNano())
	if _, err := c.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, base); err == nil {
			_, _ = c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
			c.Close(ctx)
		}
	})
	return base, schema
}

// withSchema points a URL at a schema (and optionally another host:port).
func withSchema(raw, schema, hostport string) string {
	u, _ := url.Parse(raw)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	if hostport != "" {
		u.Host = hostport
	}
	return u.String()
}

// proxy is a TCP relay to PostgreSQL that a test can cut (every connection
// dropped, new ones refused) and restore, as a database restart or a
// network failure looks to Dozor.
type proxy struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	p := &proxy{t: t, addr: freePort(t), target: target}
	p.restore()
	t.Cleanup(p.cut)
	return p
}

func (p *proxy) restore() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go p.accept(ln)
}

func (p *proxy) accept(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(up, c); up.Close() }()
		go func() { _, _ = io.Copy(c, up); c.Close() }()
	}
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestPostgresFaults runs load against the server on PostgreSQL, cuts the
// database away mid-run and brings it back: acknowledgements stop while it
// is away, /readyz turns red, everything resumes by itself, and every
// acknowledged record is stored exactly once.
func TestPostgresFaults(t *testing.T) {
	base, schema := pgTarget(t)
	u, _ := url.Parse(base)
	px := newProxy(t, u.Host)
	s := startServer(t, "", "--store", withSchema(base, schema, px.addr))

	logPath := filepath.Join(t.TempDir(), "acked.log")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan loadgen.Report, 1)
	go func() {
		rep, _ := loadgen.Run(context.Background(), loadgen.Config{
			Addr: s.telt, Devices: 20, Records: 5, Duration: 8 * time.Second,
			Timeout: time.Second, AckedLog: f,
		})
		done <- rep
	}()

	time.Sleep(1500 * time.Millisecond)
	px.cut()
	time.Sleep(1500 * time.Millisecond)
	if code := s.get("/readyz", nil); code != 503 {
		t.Errorf("readyz %d while the database is away, want 503", code)
	}
	px.restore()
	rep := <-done
	f.Close()
	if rep.FixesAcked == 0 || rep.Resent == 0 {
		t.Fatalf("want acknowledgements and re-sends across the outage: %+v", rep)
	}
	if code := s.get("/readyz", nil); code != 200 {
		t.Errorf("readyz %d after the database came back", code)
	}
	checkAckedOnce(t, s, logPath)
	t.Logf("load report: %+v", rep)
}

// TestPostgresSIGKILL: SIGKILL of the server on PostgreSQL loses nothing
// that was acknowledged.
func TestPostgresSIGKILL(t *testing.T) {
	base, schema := pgTarget(t)
	s := startServer(t, "", "--store", withSchema(base, schema, ""))
	logPath := filepath.Join(t.TempDir(), "acked.log")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan loadgen.Report, 1)
	go func() {
		rep, _ := loadgen.Run(context.Background(), loadgen.Config{
			Addr: s.telt, Devices: 20, Records: 5, Duration: 3 * time.Second,
			Timeout: 2 * time.Second, AckedLog: f,
		})
		done <- rep
	}()
	time.Sleep(1500 * time.Millisecond)
	s.kill()
	rep := <-done
	f.Close()
	if rep.FixesAcked == 0 {
		t.Fatalf("nothing acknowledged before the kill: %+v", rep)
	}
	s.start()
	checkAckedOnce(t, s, logPath)
}

// checkAckedOnce asserts that every acknowledged record of the log is
// stored, and that no fix is stored twice.
func checkAckedOnce(t *testing.T, s *server, logPath string) {
	t.Helper()
	acked := readLines(t, logPath)
	stored := map[string]map[string]int{}
	for _, line := range acked {
		imei, ts, _ := strings.Cut(line, " ")
		if stored[imei] == nil {
			stored[imei] = map[string]int{}
			for _, fx := range s.fixes(imei) {
				k := fx.Time.UTC().Format("2006-01-02T15:04:05.000Z")
				stored[imei][k]++
				if stored[imei][k] > 1 {
					t.Fatalf("fix %s of %s stored twice", k, imei)
				}
			}
		}
		if stored[imei][ts] == 0 {
			t.Fatalf("acknowledged record %s of %s is not stored", ts, imei)
		}
	}
	t.Logf("%d acknowledged records stored, none twice", len(acked))
}

// TestBenchIngest runs `dozor bench ingest` briefly against a server on
// PostgreSQL: the raw COPY limit around a load run, and the ratio.
func TestBenchIngest(t *testing.T) {
	base, schema := pgTarget(t)
	url := withSchema(base, schema, "")
	s := startServer(t, "", "--store", url)

	var out, errOut strings.Builder
	err := runBench([]string{"ingest", "--store", url, "--addr", s.telt,
		"--devices", "5", "--duration", "1s", "--rows", "8192"}, &out, &errOut)
	if err != nil {
		t.Fatalf("bench ingest: %v (%s)", err, errOut.String())
	}
	var rep ingestReport
	if err := json.Unmarshal([]byte(out.String()), &rep); err != nil {
		t.Fatalf("report %q: %v", out.String(), err)
	}
	if rep.FixesAcked == 0 || rep.Errors != 0 || rep.RawCopyBefore <= 0 ||
		rep.RawCopyAfter <= 0 || rep.RatioToRawCopy <= 0 {
		t.Fatalf("report %+v", rep)
	}
	want := rep.FixesPerSec / ((rep.RawCopyBefore + rep.RawCopyAfter) / 2)
	if math.Abs(rep.RatioToRawCopy-want) > 0.01 {
		t.Fatalf("ratio %v, want %.3f", rep.RatioToRawCopy, want)
	}
	if rep.MaxWALSize == "" || rep.SharedBuffers == "" || rep.Checkpoints.Requested < 0 ||
		rep.FixesMB <= 0 {
		t.Fatalf("database state not reported: %s", out.String())
	}
	if rep.PacedP50 != 0 {
		t.Fatalf("paced latency without --rate: %s", out.String())
	}

	// With --rate, raw COPYs paced at that rate give the latency floor.
	out.Reset()
	err = runBench([]string{"ingest", "--store", url, "--addr", s.telt, "--devices", "5",
		"--duration", "1s", "--rows", "8192", "--rate", "500", "--paced", "1s"}, &out, &errOut)
	if err != nil {
		t.Fatalf("bench ingest --rate: %v (%s)", err, errOut.String())
	}
	rep = ingestReport{}
	if err := json.Unmarshal([]byte(out.String()), &rep); err != nil {
		t.Fatalf("report %q: %v", out.String(), err)
	}
	if rep.PacedP50 <= 0 || rep.PacedP99 < rep.PacedP50 || rep.FixesAcked == 0 {
		t.Fatalf("paced report %s", out.String())
	}
	if err := runBench([]string{"ingest", "--store", "sqlite"}, &out, &errOut); err == nil {
		t.Fatal("bench ingest without PostgreSQL: no error")
	}
}
