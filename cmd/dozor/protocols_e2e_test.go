package main

import (
	"bytes"
	"fmt"
	"math"
	"net"
	"testing"
	"time"

	"dozor/protocols"
	"dozor/protocols/all"
)

// expectation is what the server must do with one message of a session:
// the reply bytes, and the fixes it must store (for device uid).
type expectation struct {
	send  []byte
	reply []byte
	uid   string
	fixes []protocols.Fix
}

// emulate replays msgs through a fresh session with the server's rules
// (register policy; data before identity refused; only data is stored) and
// returns what the server must answer to each. Text messages whose frame is
// incomplete get the CR LF a shell or capture stripped.
func emulate(p protocols.Protocol, t protocols.Transport, msgs [][]byte) []expectation {
	sess := p.NewSession(t, protocols.Options{})
	var (
		out      []expectation
		buf      []byte
		identity string
		m        protocols.Message
	)
	for _, raw := range msgs {
		e := expectation{send: raw}
		if t == protocols.UDP {
			e.reply, e.fixes, identity = emulateFrame(sess, &m, raw, "")
			e.uid = identity
			out = append(out, e)
			continue
		}
		buf = append(buf, raw...)
		adv, _, _ := sess.Split(buf)
		if adv == 0 && !isBinary(raw) {
			e.send = append(bytes.Clone(raw), '\r', '\n')
			buf = append(buf, '\r', '\n')
		}
		for len(buf) > 0 {
			adv, frame, err := sess.Split(buf)
			if adv == 0 {
				if err != nil {
					buf = nil
				}
				break
			}
			if err == nil {
				var r []byte
				var fx []protocols.Fix
				r, fx, identity = emulateFrame(sess, &m, frame, identity)
				e.reply = append(e.reply, r...)
				e.fixes = append(e.fixes, fx...)
			}
			buf = buf[adv:]
		}
		e.uid = identity
		out = append(out, e)
	}
	return out
}

func emulateFrame(sess protocols.Session, m *protocols.Message, frame []byte, identity string) (
	[]byte, []protocols.Fix, string) {
	m.Reset()
	if err := sess.Decode(frame, m); err != nil {
		return sess.AppendReply(nil, m, protocols.Invalid, err), nil, identity
	}
	if m.Identity != "" {
		identity = m.Identity
	}
	switch {
	case m.Type != protocols.MsgData || len(m.Fixes) == 0:
		return sess.AppendReply(nil, m, protocols.Accepted, nil), nil, identity
	case identity == "":
		err := protocols.ErrNoIdentity
		return sess.AppendReply(nil, m, protocols.Invalid, err), nil, identity
	}
	fixes := make([]protocols.Fix, len(m.Fixes))
	for i := range m.Fixes {
		m.Fixes[i].CopyTo(&fixes[i])
	}
	return sess.AppendReply(nil, m, protocols.Accepted, nil), fixes, identity
}

func isBinary(b []byte) bool {
	for _, c := range b {
		if c < 0x09 || c > 0x7e {
			return true
		}
	}
	return false
}

// TestProtocolCorpora replays every protocol's corpus through a real
// connection to the server: each reply must be byte for byte what the
// protocol prescribes for a device the server accepts, and every fix of a
// data message must be stored.
func TestProtocolCorpora(t *testing.T) {
	names := []string{"egts", "wialon", "gt06", "h02", "nmea", "galileosky", "navtelecom",
		"arnavi", "queclink"}
	addrs := map[string]string{}
	var extra []string
	for _, n := range names {
		addrs[n] = freePort(t)
		extra = append(extra, "--listen", n+"="+addrs[n])
	}
	s := startServer(t, "", extra...)
	for _, n := range names {
		p, _ := all.Lookup(n)
		entries, err := loadCorpus(corpusPath(n))
		if err != nil {
			t.Fatal(err)
		}
		t.Run(n, func(t *testing.T) {
			t.Parallel()
			for _, e := range entries {
				if e.Kind == "frame" {
					continue
				}
				t.Run(e.ID, func(t *testing.T) { replayEntry(t, s, p, addrs[n], e) })
			}
		})
	}
}

func replayEntry(t *testing.T, s *server, p protocols.Protocol, addr string, e entry) {
	var msgs [][]byte
	for _, pre := range e.Prelude {
		msgs = append(msgs, pre.payload())
	}
	msgs = append(msgs, e.Payload())
	tr := protocols.TCP
	if e.Transport == "udp" {
		tr = protocols.UDP
	}
	want := emulate(p, tr, msgs)

	c, err := net.Dial(tr.String(), addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i, w := range want {
		if _, err := c.Write(w.send); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if len(w.reply) == 0 {
			if got, _ := readFor(c, 1, 100*time.Millisecond); len(got) > 0 {
				t.Fatalf("message %d: unexpected reply %x", i, got)
			}
			continue
		}
		got, err := readFor(c, len(w.reply), 5*time.Second)
		if clockReply(p.Name, w.reply) && len(got) == len(w.reply) {
			continue // carries the server's clock: the seconds may differ
		}
		if !bytes.Equal(got, w.reply) {
			t.Fatalf("message %d: reply %x (%v), want %x", i, got, err, w.reply)
		}
	}
	last := want[len(want)-1]
	if e.Negative() && len(last.fixes) > 0 {
		t.Fatalf("must-reject message decoded to %d fixes", len(last.fixes))
	}
	if len(last.fixes) > 0 {
		waitStored(t, s, last.uid, last.fixes)
	}
}

// clockReply reports whether a reply carries the server's clock, so two
// servers answer it with different bytes: the GT06 time answer (0x8A) and
// the Arnavi v2/v3 header reply.
func clockReply(proto string, r []byte) bool {
	switch proto {
	case "gt06":
		return len(r) > 4 && r[3] == 0x8a
	case "arnavi":
		return len(r) > 2 && r[0] == 0x7b && r[1] == 0x04
	}
	return false
}

// waitStored polls the API until every fix is stored (protocols without a
// reply give nothing to wait on).
func waitStored(t *testing.T, s *server, uid string, fixes []protocols.Fix) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		missing := missingFixes(s.fixes(uid), fixes)
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("device %s: %s", uid, missing)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func missingFixes(stored []apiFix, want []protocols.Fix) string {
	for _, w := range want {
		found := false
		// A message without a date gets the server's clock as fix time:
		// the emulator's clock and the server's differ, so match by place.
		anyTime := !w.Valid && time.Since(w.Time).Abs() < time.Minute
		for _, g := range stored {
			sameTime := g.Time.UnixMilli() == w.Time.UTC().Truncate(time.Millisecond).UnixMilli()
			if (sameTime || anyTime) &&
				math.Abs(g.Lat-w.Lat) < 1e-9 && math.Abs(g.Lon-w.Lon) < 1e-9 {
				found = true
				break
			}
		}
		if !found {
			return fmt.Sprintf("fix at %s %.6f,%.6f not stored (%d stored)",
				w.Time.UTC().Format(time.RFC3339Nano), w.Lat, w.Lon, len(stored))
		}
	}
	return ""
}
