package gt06

import (
	"encoding/hex"
	"testing"
	"time"

	"dozor/protocols"
)

// TestStatusWithoutPosition: a heartbeat's battery, signal and alarm, and a
// short 0x95 alarm (an SOS with no GPS fix) come out as the message's
// status, so that ingest keeps them although there is no position.
func TestStatusWithoutPosition(t *testing.T) {
	s := New(Config{})
	var m protocols.Message
	login, _ := hex.DecodeString("78780d01012345678901234500018cdd0d0a")
	if err := s.Decode(login, &m); err != nil {
		t.Fatal(err)
	}

	m.Reset()
	hb := appendFrame(nil, false, byte(Status), []byte{0x06, 0x04, 0x03, 0x01, 0x02}, 7)
	if err := s.Decode(hb, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Fixes) != 0 || m.Type != protocols.MsgHeartbeat {
		t.Fatalf("heartbeat gave %d fixes, type %v", len(m.Fixes), m.Type)
	}
	if a, ok := m.Status.Get(protocols.AttrAlarm); !ok || a.Str() != "sos" {
		t.Fatalf("heartbeat status %v: no sos alarm", m.Status)
	}
	if a, ok := m.Status.Get(protocols.AttrBatteryLevel); !ok || a.Uint64() != 66 {
		t.Fatalf("heartbeat battery %v", a.Str())
	}

	m.Reset()
	alarm := appendFrame(nil, false, byte(Alarm), []byte{26, 12, 3, 19, 30, 5, 0x01}, 8)
	if err := s.Decode(alarm, &m); err != nil {
		t.Fatal(err)
	}
	if a, ok := m.Status.Get(protocols.AttrAlarm); !ok || a.Str() != "sos" {
		t.Fatalf("short alarm status %v", m.Status)
	}
	if want := time.Date(2026, 12, 3, 19, 30, 5, 0, time.UTC); !m.StatusTime.Equal(want) {
		t.Fatalf("alarm time %v, want %v", m.StatusTime, want)
	}
	m.Reset()
	if len(m.Status) != 0 || !m.StatusTime.IsZero() {
		t.Fatal("Reset kept the status")
	}
}
