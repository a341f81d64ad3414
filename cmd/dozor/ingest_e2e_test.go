package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dozor/ingest/loadgen"
	"dozor/protocols"
	"dozor/protocols/teltonika"
)

// oracle decodes a message with the protocol package, as a reference for
// what the server must store and reply.
func oracle(t protocols.Transport, payload []byte) ([]protocols.Fix, []byte, error) {
	s := teltonika.NewSession(t, protocols.Options{})
	var m protocols.Message
	if t == protocols.TCP {
		adv, frame, err := s.Split(payload)
		if err != nil || adv == 0 {
			if err == nil {
				err = errors.New("incomplete frame")
			}
			return nil, nil, err
		}
		payload = frame
	}
	if err := s.Decode(payload, &m); err != nil {
		return nil, nil, err
	}
	reply := s.AppendReply(nil, &m, protocols.Accepted, nil)
	if m.Type != protocols.MsgData {
		return nil, reply, nil // command answers are not positions
	}
	return m.Fixes, reply, nil
}

func sameFixes(t *testing.T, id string, got []apiFix, want []protocols.Fix) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: API returned %d fixes, sent %d", id, len(got), len(want))
	}
	// The API orders by fix time; the packet may not.
	byTime := map[int64][]protocols.Fix{}
	for _, f := range want {
		ms := f.Time.UnixMilli()
		byTime[ms] = append(byTime[ms], f)
	}
	for _, g := range got {
		cands := byTime[g.Time.UnixMilli()]
		ok := false
		for _, w := range cands {
			if math.Abs(g.Lat-w.Lat) < 1e-9 && math.Abs(g.Lon-w.Lon) < 1e-9 &&
				g.Speed == w.Speed && g.Course == w.Course && g.Satellites == w.Satellites {
				ok = true
			}
		}
		if !ok {
			t.Fatalf("%s: stored fix %+v was not sent", id, g)
		}
	}
}

// TestTeltonikaCorpusTCP sends every TCP message of the corpus over a real
// connection, each with a fresh IMEI: decodable packets are acknowledged
// with the record count and stored exactly; refused ones get no reply and
// leave nothing stored.
func TestTeltonikaCorpusTCP(t *testing.T) {
	entries, err := loadCorpus(corpusPath("teltonika"))
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, "")
	for i, e := range entries {
		if e.Transport != "tcp" || e.Kind == "frame" || e.Expect.Result == "none" {
			continue
		}
		t.Run(e.ID, func(t *testing.T) {
			imei := fmt.Sprintf("35%013d", 7000+i)
			c := login(t, s, imei)
			defer c.Close()

			payload := e.Payload()
			fixes, ack, decErr := oracle(protocols.TCP, payload)
			if _, err := c.Write(payload); err != nil {
				t.Fatal(err)
			}
			if e.Negative() || decErr != nil {
				if e.WantsPosition() && decErr != nil {
					t.Logf("refused by the decoder (%v); see the decoder tests for why", decErr)
				}
				got, _ := readFor(c, 4, 300*time.Millisecond)
				if len(got) > 0 {
					t.Fatalf("refused packet got a reply %x", got)
				}
				if n := len(s.fixes(imei)); n != 0 {
					t.Fatalf("refused packet stored %d fixes", n)
				}
				return
			}
			got, err := readFor(c, len(ack), 10*time.Second)
			if err != nil || !bytes.Equal(got, ack) {
				t.Fatalf("reply %x (%v), want %x", got, err, ack)
			}
			if e.Expect.AckHex != nil && hex.EncodeToString(got) != *e.Expect.AckHex {
				t.Fatalf("reply %x, corpus says %s", got, *e.Expect.AckHex)
			}
			sameFixes(t, e.ID, s.fixes(imei), uniqueFixes(fixes))
		})
	}
}

// uniqueFixes drops fixes equal in time and place (the store keeps one).
func uniqueFixes(fs []protocols.Fix) []protocols.Fix {
	seen := map[string]bool{}
	var out []protocols.Fix
	for _, f := range fs {
		k := fmt.Sprint(f.Time.UnixMilli(), f.Lat, f.Lon)
		if !seen[k] {
			seen[k] = true
			out = append(out, f)
		}
	}
	return out
}

func login(t *testing.T, s *server, imei string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", s.telt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(teltonika.AppendIMEI(nil, imei)); err != nil {
		t.Fatal(err)
	}
	got, err := readFor(c, 1, 10*time.Second)
	if err != nil || len(got) != 1 || got[0] != 1 {
		t.Fatalf("login reply %x (%v), want 01", got, err)
	}
	return c
}

// TestTeltonikaCorpusUDP sends the corpus datagrams: good ones get the
// ACK that echoes the packet id, refused ones get nothing.
func TestTeltonikaCorpusUDP(t *testing.T) {
	entries, err := loadCorpus(corpusPath("teltonika"))
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, "")
	for _, e := range entries {
		if e.Transport != "udp" {
			continue
		}
		t.Run(e.ID, func(t *testing.T) {
			c, err := net.Dial("udp", s.telt)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			payload := e.Payload()
			_, ack, decErr := oracle(protocols.UDP, payload)
			if _, err := c.Write(payload); err != nil {
				t.Fatal(err)
			}
			got, _ := readFor(c, 64, 2*time.Second)
			if e.Negative() || decErr != nil {
				if len(got) > 0 {
					t.Fatalf("refused datagram got reply %x", got)
				}
				return
			}
			if !bytes.Equal(got, ack) {
				t.Fatalf("reply %x, want %x", got, ack)
			}
			if e.Expect.AckHex != nil && hex.EncodeToString(got) != *e.Expect.AckHex {
				t.Fatalf("reply %x, corpus says %s", got, *e.Expect.AckHex)
			}
		})
	}
}

// TestBadPacketKeepsConnection: a packet with a bad CRC gets no ACK and is
// counted; the next good packet on the same connection is acknowledged,
// and another device's connection is not disturbed.
func TestBadPacketKeepsConnection(t *testing.T) {
	s := startServer(t, "")
	a := login(t, s, "351111111111111")
	defer a.Close()
	b := login(t, s, "352222222222222")
	defer b.Close()

	good := teltonika.AppendAVL(nil, teltonika.Codec8, sampleRecords(3, time.Now()))
	bad := bytes.Clone(good)
	bad[len(bad)-1] ^= 0xFF // break the CRC

	if _, err := a.Write(bad); err != nil {
		t.Fatal(err)
	}
	if got, _ := readFor(a, 4, 300*time.Millisecond); len(got) > 0 {
		t.Fatalf("bad CRC acknowledged: %x", got)
	}
	if _, err := b.Write(good); err != nil {
		t.Fatal(err)
	}
	if got, err := readFor(b, 4, 5*time.Second); err != nil || !bytes.Equal(got, []byte{0, 0, 0, 3}) {
		t.Fatalf("other connection's ack %x (%v)", got, err)
	}
	if _, err := a.Write(good); err != nil {
		t.Fatal(err)
	}
	if got, err := readFor(a, 4, 5*time.Second); err != nil || !bytes.Equal(got, []byte{0, 0, 0, 3}) {
		t.Fatalf("good packet after a bad one: ack %x (%v)", got, err)
	}

	if n := len(s.fixes("351111111111111")); n != 3 {
		t.Fatalf("stored %d fixes, want 3", n)
	}
	if !strings.Contains(metrics(t, s), `dozor_ingest_decode_errors_total{protocol="teltonika",reason="checksum"} 1`) {
		t.Fatal("bad CRC not counted in metrics")
	}
	if !strings.Contains(s.stderr.String(), "Bad frame from device") {
		t.Fatal("bad frame not logged")
	}
}

// TestResendIsStoredOnce: the device re-sends a packet it did not see
// acknowledged; the store keeps one copy and the ACK still comes.
func TestResendIsStoredOnce(t *testing.T) {
	s := startServer(t, "")
	c := login(t, s, "353333333333333")
	defer c.Close()
	pkt := teltonika.AppendAVL(nil, teltonika.Codec8E, sampleRecords(5, time.Now()))
	for range 2 {
		if _, err := c.Write(pkt); err != nil {
			t.Fatal(err)
		}
		if got, err := readFor(c, 4, 5*time.Second); err != nil || got[3] != 5 {
			t.Fatalf("ack %x (%v)", got, err)
		}
	}
	if n := len(s.fixes("353333333333333")); n != 5 {
		t.Fatalf("stored %d fixes after a re-send, want 5", n)
	}
}

// TestOversizedFrameClosesConnection: a declared length over the limit
// closes the connection before anything is buffered.
func TestOversizedFrameClosesConnection(t *testing.T) {
	s := startServer(t, "")
	c := login(t, s, "354444444444444")
	defer c.Close()
	if _, err := c.Write([]byte{0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff, 8}); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("connection still open after a 2 GB frame header")
	}
}

// TestUnknownDeviceRejected: with --unknown-devices reject the handshake
// is refused with 00 and an OsmAnd phone gets 404.
func TestUnknownDeviceRejected(t *testing.T) {
	s := startServer(t, "", "--unknown-devices", "reject")
	c, err := net.Dial("tcp", s.telt)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(teltonika.AppendIMEI(nil, "355555555555555")); err != nil {
		t.Fatal(err)
	}
	if got, err := readFor(c, 1, 5*time.Second); err != nil || got[0] != 0 {
		t.Fatalf("reply %x (%v), want 00", got, err)
	}
	resp, err := http.Post("http://"+s.osmand+"/?id=ghost&lat=55.7&lon=37.6&timestamp=1764770000",
		"", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown phone: status %d, want 404", resp.StatusCode)
	}
}

func sampleRecords(n int, base time.Time) []teltonika.Record {
	recs := make([]teltonika.Record, n)
	base = base.UTC().Truncate(time.Second)
	for i := range recs {
		recs[i] = teltonika.Record{
			Time: base.Add(time.Duration(i) * time.Second), Lat: 55.75 + float64(i)*1e-4,
			Lon: 37.61, Altitude: 140, Angle: 90, Satellites: 10, Speed: 30,
			IO: []teltonika.IO{{ID: 239, Size: 1, Value: 1}},
		}
	}
	return recs
}

func metrics(t *testing.T, s *server) string {
	t.Helper()
	resp, err := http.Get("http://" + s.http + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return b.String()
}

// TestDurabilityAfterSIGKILL streams from simulated trackers, kills the
// server with SIGKILL mid-stream, restarts it on the same data, and checks
// that every record the trackers saw acknowledged is stored.
func TestDurabilityAfterSIGKILL(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, data)
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

// TestLoadgenEndsOnTime runs nearly idle trackers, each due to send once
// in many minutes: the run still ends at its duration, with every device
// connected, so idle-connection memory can be measured with it.
func TestLoadgenEndsOnTime(t *testing.T) {
	s := startServer(t, t.TempDir())
	type result struct {
		rep loadgen.Report
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := loadgen.Run(context.Background(), loadgen.Config{
			Addr: s.telt, Devices: 50, Records: 10, Rate: 1, Duration: time.Second,
			Timeout: 2 * time.Second,
		})
		done <- result{rep, err}
	}()

	// Each device is due every 500 s; the run must not wait for them.
	select {
	case r := <-done:
		if r.err != nil || r.rep.Connected != 50 || r.rep.Errors != 0 {
			t.Fatalf("report: %+v %v", r.rep, r.err)
		}
	case <-time.After(time.Minute):
		t.Fatal("loadgen still running a minute after a one-second run")
	}
}
