package main

import (
	"encoding/hex"
	"net"
	"strings"
	"testing"
	"time"
)

// TestAlarmWithoutPosition: a GT06 tracker with no GPS fix sends an SOS
// (short 0x95 alarm) and a heartbeat; both are kept as records without a
// position, acknowledged once durable, and do not hide the last position.
func TestAlarmWithoutPosition(t *testing.T) {
	addr := freePort(t)
	s := startServer(t, "", "--listen", "gt06="+addr)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	send := func(hexFrame string, replyLen int) []byte {
		t.Helper()
		b, _ := hex.DecodeString(hexFrame)
		if _, err := c.Write(b); err != nil {
			t.Fatal(err)
		}
		if replyLen == 0 {
			return nil
		}
		got, err := readFor(c, replyLen, 5*time.Second)
		if err != nil {
			t.Fatalf("no reply to %s: %v", hexFrame, err)
		}
		return got
	}
	send("78780d01012345678901234500018cdd0d0a", 10) // login, IMEI 0123456789012345
	// A position (from the GT06 corpus), then the SOS without one.
	send("78781f120f0a140e150bc505e51e780293a9e800540000f601006e0055da00035f240d0a", 0)
	ack := send(sosFrame(), 10)
	if ack[3] != 0x95 {
		t.Fatalf("alarm reply %x", ack)
	}

	var fixes []apiFix
	deadline := time.Now().Add(5 * time.Second)
	for len(fixes) < 2 && time.Now().Before(deadline) {
		fixes = s.fixes("123456789012345")
		time.Sleep(50 * time.Millisecond)
	}
	if len(fixes) != 2 {
		t.Fatalf("%d records stored, want the position and the alarm", len(fixes))
	}
	var sos apiFix
	for _, f := range fixes {
		if strings.Contains(string(f.Attrs), `"alarm":"sos"`) {
			sos = f
		}
	}
	if sos.Valid || sos.Lat != 0 || sos.Cell != "" {
		t.Fatalf("the alarm record %+v: want no position", sos)
	}
	var last apiFix
	s.get("/api/v1/devices/123456789012345/last", &last)
	if last.Lat == 0 {
		t.Fatalf("last %+v: the alarm hid the last position", last)
	}
}

// sosFrame is a short 0x95 alarm: 2026-12-03 19:30:05 UTC, code 01 (SOS),
// serial 9, with its CRC.
func sosFrame() string {
	return hex.EncodeToString(gt06Frame(0x95, []byte{26, 12, 3, 19, 30, 5, 0x01}, 9))
}
