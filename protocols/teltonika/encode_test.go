package teltonika

import (
	"bytes"
	"encoding/hex"
	"testing"
	"time"

	"dozor/protocols"
)

// testRecord returns a realistic FMB record: a fix in Moscow with the usual
// permanent IO elements.
func testRecord(i int) Record {
	return Record{
		Time:       time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC).Add(time.Duration(i) * time.Second),
		Priority:   1,
		Lat:        55.7558260 + float64(i)*1e-5,
		Lon:        37.6172999,
		Altitude:   156,
		Angle:      271,
		Satellites: 11,
		Speed:      42,
		EventID:    239,
		IO: []IO{
			{ID: 239, Size: 1, Value: 1}, {ID: 240, Size: 1, Value: 1},
			{ID: 21, Size: 1, Value: 4}, {ID: 1, Size: 1, Value: 1},
			{ID: 66, Size: 2, Value: 12840}, {ID: 67, Size: 2, Value: 4012},
			{ID: 181, Size: 2, Value: 9}, {ID: 182, Size: 2, Value: 7},
			{ID: 16, Size: 4, Value: 1234567}, {ID: 241, Size: 4, Value: 25001},
			{ID: 11, Size: 8, Value: 893700218},
		},
	}
}

func TestRoundTrip(t *testing.T) {
	nx := testRecord(3)
	nx.IO = append(nx.IO, IO{ID: 385, Data: []byte{1, 2, 3}})
	gen := testRecord(4)
	gen.Generation = 7
	gen.EventID = 300
	cases := []struct {
		name  string
		codec Codec
		recs  []Record
	}{
		{"codec 8 one", Codec8, []Record{testRecord(0)}},
		{"codec 8 three", Codec8, []Record{testRecord(0), testRecord(1), testRecord(2)}},
		{"codec 8E nx", Codec8E, []Record{testRecord(0), nx}},
		{"codec 16", Codec16, []Record{gen}},
		{"south west", Codec8, []Record{
			{Time: time.UnixMilli(1e12).UTC(), Lat: -33.9, Lon: -70.6},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, udp := range []bool{false, true} {
				roundTrip(t, c.codec, c.recs, udp)
			}
		})
	}
}

func roundTrip(t *testing.T, codec Codec, recs []Record, udp bool) {
	t.Helper()
	var frame []byte
	s := NewSession(protocols.TCP, protocols.Options{})
	if udp {
		frame = AppendUDP(nil, 0xCAFE, 9, "352093086403655", codec, recs)
		s = NewSession(protocols.UDP, protocols.Options{})
	} else {
		frame = AppendAVL(nil, codec, recs)
	}
	var m protocols.Message
	if err := s.Decode(frame, &m); err != nil {
		t.Fatalf("udp %v: %v", udp, err)
	}
	if len(m.Fixes) != len(recs) {
		t.Fatalf("%d fixes, want %d", len(m.Fixes), len(recs))
	}
	for i := range recs {
		checkFix(t, &recs[i], &m.Fixes[i])
	}
	if udp && m.Identity != "352093086403655" {
		t.Errorf("identity %q", m.Identity)
	}
	body := frame[8 : len(frame)-4]
	if udp {
		body = frame[2+2+1+1+2+15:]
	}
	got, err := AppendRecords(nil, body)
	if err != nil {
		t.Fatal(err)
	}
	if again := reencode(udp, frame, codec, got); !bytes.Equal(again, frame) {
		t.Errorf("re-encoded\n%x\nwant\n%x", again, frame)
	}
}

func reencode(udp bool, frame []byte, codec Codec, recs []Record) []byte {
	if udp {
		return AppendUDP(nil, 0xCAFE, 9, "352093086403655", codec, recs)
	}
	return AppendAVL(nil, codec, recs)
}

func checkFix(t *testing.T, r *Record, f *protocols.Fix) {
	t.Helper()
	if !f.Time.Equal(r.Time) || f.Lat != r.Lat || f.Lon != r.Lon ||
		f.Altitude != float64(r.Altitude) || f.Course != float64(r.Angle) ||
		f.Satellites != int(r.Satellites) || f.Speed != float64(r.Speed) {
		t.Errorf("fix %+v from record %+v", f, r)
	}
	if f.Valid != (r.Satellites > 0) {
		t.Errorf("valid %v with %d satellites", f.Valid, r.Satellites)
	}
	for _, e := range r.IO {
		a, ok := f.Attrs.Get(protocols.IOKey(int(e.ID)))
		switch {
		case !ok:
			t.Errorf("io%d missing", e.ID)
		case e.Size == 0 && a.Str() != hex.EncodeToString(e.Data):
			t.Errorf("io%d = %s, want %x", e.ID, a.Str(), e.Data)
		case e.Size != 0 && a.Uint64() != e.Value:
			t.Errorf("io%d = %d, want %d", e.ID, a.Uint64(), e.Value)
		}
	}
}

// TestReencodeCorpus decodes every valid AVL packet of the corpus into
// Records and encodes them again: the bytes must be the same.
func TestReencodeCorpus(t *testing.T) {
	for _, e := range loadCorpus(t) {
		if e.Negative() || !e.WantsPosition() || isCommandEntry(&e) {
			continue
		}
		if _, refused := refusedBySpec[e.ID]; refused {
			continue
		}
		t.Run(e.ID, func(t *testing.T) {
			p := e.Payload()
			var again []byte
			if e.Transport == "udp" {
				n := 8 + (int(p[6])<<8 | int(p[7]))
				recs, err := AppendRecords(nil, p[n:])
				if err != nil {
					t.Fatal(err)
				}
				again = AppendUDP(nil, uint16(p[2])<<8|uint16(p[3]), p[5], string(p[8:n]),
					Codec(p[n]), recs)
			} else {
				recs, err := AppendRecords(nil, p[8:len(p)-4])
				if err != nil {
					t.Fatal(err)
				}
				again = AppendAVL(nil, Codec(p[8]), recs)
			}
			if !bytes.Equal(again, p) {
				t.Fatalf("re-encoded\n%x\nwant\n%x", again, p)
			}
		})
	}
}

func TestAppendReply(t *testing.T) {
	data := func(n int, id, aux uint64) *protocols.Message {
		reply := protocols.Reply{ID: id, Aux: aux, N: n}
		return &protocols.Message{Type: protocols.MsgData, Reply: reply}
	}
	login := &protocols.Message{Type: protocols.MsgLogin, Identity: "356307042441013"}
	heartbeat := protocols.Message{Type: protocols.MsgHeartbeat}
	other := protocols.Message{Type: protocols.MsgOther}
	cases := []struct {
		name string
		udp  bool
		m    *protocols.Message
		v    protocols.Verdict
		want string
	}{
		{"login accepted", false, login, protocols.Accepted, "01"},
		{"login refused", false, login, protocols.Refused, "00"},
		{"login invalid", false, login, protocols.Invalid, "00"},
		{"tcp data", false, data(14, 0, 0), protocols.Accepted, "0000000e"},
		{"tcp data invalid", false, data(14, 0, 0), protocols.Invalid, ""},
		{"tcp data refused", false, data(14, 0, 0), protocols.Refused, ""},
		{"udp data", true, data(1, 0xCAFE, 5), protocols.Accepted, "0005cafe010501"},
		{"udp data invalid", true, data(1, 0xCAFE, 5), protocols.Invalid, ""},
		{"heartbeat", false, &heartbeat, protocols.Accepted, ""},
		{"command answer", false, &other, protocols.Accepted, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := protocols.TCP
			if c.udp {
				tr = protocols.UDP
			}
			got := NewSession(tr, protocols.Options{}).AppendReply(nil, c.m, c.v, nil)
			if hex.EncodeToString(got) != c.want {
				t.Fatalf("got %x, want %s", got, c.want)
			}
		})
	}
}
