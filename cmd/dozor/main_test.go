package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const testToken = "e2e-test-token"

// TestMain lets the tests run the real binary by re-executing the test
// binary with DOZOR_E2E_MAIN set.
func TestMain(m *testing.M) {
	if os.Getenv("DOZOR_E2E_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// server is a running `dozor serve` child process on free ports.
type server struct {
	t        *testing.T
	cmd      *exec.Cmd
	data     string
	http     string
	telt     string
	osmand   string
	stderr   *syncBuffer
	exited   chan struct{}
	extraArg []string
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// handedOut holds the ports freePort returned: the kernel may offer a
// port again as soon as its probe closed, and two listeners of one server
// given the same port made a start hang (seen once in CI).
var handedOut sync.Map

func freePort(t *testing.T) string {
	t.Helper()
	// A port free for both TCP and UDP, since a protocol binds both.
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		if _, taken := handedOut.LoadOrStore(addr, true); taken {
			continue
		}
		u, err := net.ListenPacket("udp", addr)
		if err != nil {
			continue
		}
		u.Close()
		return addr
	}
	t.Fatal("no free port")
	return ""
}

// startServer starts dozor serve on data (a fresh folder if empty) and
// waits until it is ready.
func startServer(t *testing.T, data string, extra ...string) *server {
	t.Helper()
	if data == "" {
		data = t.TempDir()
	}
	s := &server{t: t, data: data, http: freePort(t), telt: freePort(t), osmand: freePort(t),
		extraArg: extra}
	s.start()
	return s
}

// start runs the server and waits until it is ready. A port taken
// between freePort and the server's bind (other test processes run at the
// same time) is retried on new ports.
func (s *server) start() {
	for attempt := 0; ; attempt++ {
		err := s.tryStart()
		if err == nil {
			return
		}
		if attempt == 2 || !strings.Contains(err.Error(), "address already in use") {
			s.t.Fatal(err)
		}
		s.http, s.telt, s.osmand = freePort(s.t), freePort(s.t), freePort(s.t)
	}
}

func (s *server) tryStart() error {
	t := s.t
	args := append([]string{"serve", "--data", s.data, "--http", s.http,
		"--listen", "teltonika=" + s.telt, "--listen", "osmand=" + s.osmand,
		"--log-level", "debug"}, s.extraArg...)
	s.cmd = exec.Command(os.Args[0], args...)
	// The tests drive every role's routes with the admin token.
	s.cmd.Env = append(os.Environ(), "DOZOR_E2E_MAIN=1", "DOZOR_ADMIN_TOKEN="+testToken,
		"DOZOR_ADMIN_TOKEN_SCOPE=all")
	s.stderr = &syncBuffer{}
	s.cmd.Stderr = s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.exited = make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(s.exited) }()
	t.Cleanup(s.stop)

	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + s.http + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.exited:
			return fmt.Errorf("server exited: %s", s.stderr)
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("server not ready: %s", s.stderr)
}

func (s *server) stop() {
	if s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

func (s *server) kill() {
	_ = s.cmd.Process.Kill()
	<-s.exited
}

// get calls the API with the admin token and decodes JSON into v.
func (s *server) get(path string, v any) int {
	s.t.Helper()
	req, _ := http.NewRequest("GET", "http://"+s.http+path, nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil && resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			s.t.Fatalf("GET %s: %v", path, err)
		}
	}
	return resp.StatusCode
}

type apiFix struct {
	ID         int64           `json:"id"`
	Time       time.Time       `json:"time"`
	Lat        float64         `json:"lat"`
	Lon        float64         `json:"lon"`
	Altitude   float64         `json:"altitude"`
	Speed      float64         `json:"speed_kmh"`
	Course     float64         `json:"course"`
	Satellites int             `json:"satellites"`
	Valid      bool            `json:"valid"`
	Cell       string          `json:"cell"`
	Attrs      json.RawMessage `json:"attrs"`
}

func (s *server) fixes(uid string) []apiFix {
	var out []apiFix
	code := s.get("/api/v1/devices/"+url.PathEscape(uid)+"/fixes", &out)
	if code == http.StatusNotFound {
		return nil
	}
	if code != http.StatusOK {
		s.t.Fatalf("fixes of %s: status %d", uid, code)
	}
	return out
}

// runDozorEnv runs the binary with one extra environment variable.
func runDozorEnv(t *testing.T, env string, args ...string) (string, error) {
	t.Helper()
	return runDozorWith(t, []string{env}, "", args...)
}

// runDozor runs the binary with args and stdin, returning stdout.
func runDozor(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	return runDozorWith(t, nil, stdin, args...)
}

func runDozorWith(t *testing.T, env []string, stdin string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "DOZOR_E2E_MAIN=1"), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		err = fmt.Errorf("%w: %s", err, errb.String())
	}
	return out.String(), err
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

func corpusPath(proto string) string {
	return filepath.Join("..", "..", "protocols", proto, "testdata", "corpus.jsonl")
}

// readFor reads what the peer sends within d (nil if nothing).
func readFor(c net.Conn, n int, d time.Duration) ([]byte, error) {
	_ = c.SetReadDeadline(time.Now().Add(d))
	buf := make([]byte, n)
	got, err := io.ReadFull(c, buf)
	return buf[:got], err
}
