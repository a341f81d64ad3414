// Package storetest is the conformance suite every store.Store
// implementation passes. An implementation's test calls Run with a function
// that opens a fresh, empty store for each sub-test.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"dozor/protocols"
	"dozor/store"
)

// Opener returns a fresh, empty store; the suite closes it.
type Opener func(t *testing.T) store.Store

// Run runs the whole suite.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"DeviceCreateAndGet", testDeviceCreateAndGet},
		{"DeviceConflict", testDeviceConflict},
		{"DeviceList", testDeviceList},
		{"AppendAndTrack", testAppendAndTrack},
		{"AppendDeduplicates", testAppendDeduplicates},
		{"DuplicateInsideBatch", testDuplicateInsideBatch},
		{"TrackRangeAndLimit", testTrackRangeAndLimit},
		{"Last", testLast},
		{"AttrsRoundTrip", testAttrsRoundTrip},
		{"Meta", testMeta},
		{"ClosedStore", testClosed},
		{"InArea", testInArea},
	}
	tests = append(tests, geoTests()...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			defer s.Close()
			tc.fn(t, s)
		})
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func mustDevice(t *testing.T, s store.Store, uid string) store.Device {
	t.Helper()
	d, err := s.Devices().Create(ctx(t), store.Device{UID: uid, Protocol: "teltonika"})
	if err != nil {
		t.Fatalf("create device %s: %v", uid, err)
	}
	return d
}

var (
	ids   = store.NewIDGen(1)
	epoch = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
)

func record(dev int64, i int) store.FixRecord {
	return store.FixRecord{
		ID:       ids.Next(),
		DeviceID: dev,
		Fix: protocols.Fix{
			Time:       epoch.Add(time.Duration(i) * time.Second),
			Received:   epoch.Add(time.Hour),
			Lat:        55.75 + float64(i)*1e-4,
			Lon:        37.61 - float64(i)*1e-4,
			Altitude:   150,
			Speed:      float64(i % 90),
			Course:     float64(i % 360),
			Satellites: 9,
			HDOP:       0.9,
			Accuracy:   5,
			Valid:      true,
			Protocol:   "teltonika",
			Cell:       0x8c11aa7abd3ffff,
		},
	}
}

func testDeviceCreateAndGet(t *testing.T, s store.Store) {
	d := mustDevice(t, s, "356307042441013")
	if d.ID == 0 || d.CreatedAt.IsZero() {
		t.Fatalf("created device %+v has no id or time", d)
	}
	got, err := s.Devices().ByUID(ctx(t), "356307042441013")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != d.ID || got.Protocol != "teltonika" || !got.CreatedAt.Equal(d.CreatedAt) {
		t.Fatalf("got %+v, want %+v", got, d)
	}
	if _, err := s.Devices().ByUID(ctx(t), "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing device: %v, want ErrNotFound", err)
	}
}

func testDeviceConflict(t *testing.T, s store.Store) {
	mustDevice(t, s, "a")
	_, err := s.Devices().Create(ctx(t), store.Device{UID: "a", Protocol: "osmand"})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second create: %v, want ErrConflict", err)
	}
}

func testDeviceList(t *testing.T, s store.Store) {
	for _, uid := range []string{"c", "a", "b", "d"} {
		mustDevice(t, s, uid)
	}
	page, err := s.Devices().List(ctx(t), "", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 2 || page[0].UID != "a" || page[1].UID != "b" {
		t.Fatalf("first page %v", uids(page))
	}
	page, err = s.Devices().List(ctx(t), "b", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 2 || page[0].UID != "c" || page[1].UID != "d" {
		t.Fatalf("second page %v", uids(page))
	}
}

func uids(ds []store.Device) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.UID)
	}
	return out
}

func testAppendAndTrack(t *testing.T, s store.Store) {
	d := mustDevice(t, s, "dev")
	other := mustDevice(t, s, "other")
	var recs []store.FixRecord
	for i := 9; i >= 0; i-- { // out of fix-time order on purpose
		recs = append(recs, record(d.ID, i))
	}
	recs = append(recs, record(other.ID, 3))
	if err := s.Fixes().Append(ctx(t), recs); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Duplicate {
			t.Fatalf("fresh fix %d marked duplicate", r.ID)
		}
	}

	got, err := s.Fixes().Track(ctx(t), store.TrackQuery{DeviceID: d.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 10 {
		t.Fatalf("track has %d fixes, want 10", len(got))
	}
	for i, r := range got {
		want := record(d.ID, i)
		if msg := sameFix(r.Fix, want.Fix); msg != "" {
			t.Fatalf("fix %d: %s", i, msg)
		}
		if r.DeviceID != d.ID {
			t.Fatalf("fix %d of device %d", i, r.DeviceID)
		}
	}
	n, err := s.Fixes().Count(ctx(t), d.ID)
	if err != nil || n != 10 {
		t.Fatalf("count %d, %v; want 10", n, err)
	}
}

func sameFix(got, want protocols.Fix) string {
	switch {
	case !got.Time.Equal(want.Time):
		return fmt.Sprintf("time %v, want %v", got.Time, want.Time)
	case !got.Received.Equal(want.Received):
		return fmt.Sprintf("received %v, want %v", got.Received, want.Received)
	case got.Lat != want.Lat || got.Lon != want.Lon:
		return fmt.Sprintf("at %v,%v want %v,%v", got.Lat, got.Lon, want.Lat, want.Lon)
	case got.Altitude != want.Altitude || got.Speed != want.Speed || got.Course != want.Course:
		return "motion fields differ"
	case got.Satellites != want.Satellites || got.HDOP != want.HDOP:
		return "quality fields differ"
	case got.Accuracy != want.Accuracy || got.Valid != want.Valid:
		return "accuracy or validity differ"
	case got.Protocol != want.Protocol || got.Cell != want.Cell:
		return fmt.Sprintf("protocol %q cell %x, want %q %x", got.Protocol, got.Cell,
			want.Protocol, want.Cell)
	case got.Time.Location() != time.UTC:
		return "time not in UTC"
	}
	return ""
}

func testAppendDeduplicates(t *testing.T, s store.Store) {
	d := mustDevice(t, s, "dev")
	first := []store.FixRecord{record(d.ID, 1), record(d.ID, 2)}
	if err := s.Fixes().Append(ctx(t), first); err != nil {
		t.Fatal(err)
	}

	// The device re-sends both plus one new fix: new ids, same content.
	again := []store.FixRecord{record(d.ID, 1), record(d.ID, 2), record(d.ID, 3)}
	if err := s.Fixes().Append(ctx(t), again); err != nil {
		t.Fatal(err)
	}
	if !again[0].Duplicate || !again[1].Duplicate || again[2].Duplicate {
		t.Fatalf("duplicate flags %v %v %v, want true true false",
			again[0].Duplicate, again[1].Duplicate, again[2].Duplicate)
	}
	n, err := s.Fixes().Count(ctx(t), d.ID)
	if err != nil || n != 3 {
		t.Fatalf("count %d, %v; want 3", n, err)
	}

	// Same time, other coordinates: a different fix.
	moved := record(d.ID, 1)
	moved.Fix.Lat += 0.001
	if err := s.Fixes().Append(ctx(t), []store.FixRecord{moved}); err != nil {
		t.Fatal(err)
	}
	if moved.Duplicate {
		t.Fatal("a fix at other coordinates was taken for a duplicate")
	}
}

func testDuplicateInsideBatch(t *testing.T, s store.Store) {
	d := mustDevice(t, s, "dev")
	recs := []store.FixRecord{record(d.ID, 5), record(d.ID, 5)}
	if err := s.Fixes().Append(ctx(t), recs); err != nil {
		t.Fatal(err)
	}
	if recs[0].Duplicate || !recs[1].Duplicate {
		t.Fatalf("flags %v %v, want false true", recs[0].Duplicate, recs[1].Duplicate)
	}
	n, _ := s.Fixes().Count(ctx(t), d.ID)
	if n != 1 {
		t.Fatalf("count %d, want 1", n)
	}
}

func testTrackRangeAndLimit(t *testing.T, s store.Store) {
	d := mustDevice(t, s, "dev")
	var recs []store.FixRecord
	for i := range 100 {
		recs = append(recs, record(d.ID, i))
	}
	if err := s.Fixes().Append(ctx(t), recs); err != nil {
		t.Fatal(err)
	}
	q := store.TrackQuery{
		DeviceID: d.ID,
		From:     epoch.Add(10 * time.Second),
		To:       epoch.Add(20 * time.Second),
	}
	got, err := s.Fixes().Track(ctx(t), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 10 || !got[0].Fix.Time.Equal(q.From) {
		t.Fatalf("range gave %d fixes starting %v", len(got), first(got))
	}
	q.Limit = 3
	got, _ = s.Fixes().Track(ctx(t), q)
	if len(got) != 3 {
		t.Fatalf("limit 3 gave %d", len(got))
	}
}

func first(rs []store.FixRecord) any {
	if len(rs) == 0 {
		return nil
	}
	return rs[0].Fix.Time
}

func testLast(t *testing.T, s store.Store) {
	d := mustDevice(t, s, "dev")
	if _, err := s.Fixes().Last(ctx(t), d.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("last of empty device: %v, want ErrNotFound", err)
	}
	recs := []store.FixRecord{record(d.ID, 7), record(d.ID, 30), record(d.ID, 2)}
	if err := s.Fixes().Append(ctx(t), recs); err != nil {
		t.Fatal(err)
	}
	// A later status record without a position does not hide the fix.
	status := record(d.ID, 40)
	status.Fix.Lat, status.Fix.Lon, status.Fix.Valid = 0, 0, false
	if err := s.Fixes().Append(ctx(t), []store.FixRecord{status}); err != nil {
		t.Fatal(err)
	}
	last, err := s.Fixes().Last(ctx(t), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if last.ID != recs[1].ID {
		t.Fatalf("last is %v, want the fix of second 30", last.Fix.Time)
	}
}

func testAttrsRoundTrip(t *testing.T, s store.Store) {
	d := mustDevice(t, s, "dev")
	r := record(d.ID, 1)
	r.Fix.Attrs = protocols.Attrs{
		protocols.Bool(protocols.AttrIgnition, true),
		protocols.Float(protocols.AttrPower, 12.6),
		protocols.Uint("io78", math.MaxUint64),
		protocols.Int(protocols.AttrGSM, -4),
		protocols.String(protocols.AttrDriver, `O'Brien "<script>" ; DROP TABLE fixes`),
	}
	if err := s.Fixes().Append(ctx(t), []store.FixRecord{r}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Fixes().Last(ctx(t), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range r.Fix.Attrs {
		a, ok := got.Fix.Attrs.Get(want.Key)
		if !ok || a.Str() != want.Str() {
			t.Errorf("attr %s = %q, want %q", want.Key, a.Str(), want.Str())
		}
	}
}

func testMeta(t *testing.T, s store.Store) {
	m := s.Meta()
	if _, err := m.Get(ctx(t), "k"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("get missing: %v", err)
	}
	ok, err := m.PutIfAbsent(ctx(t), "k", "v1")
	if err != nil || !ok {
		t.Fatalf("first PutIfAbsent: %v %v", ok, err)
	}
	ok, err = m.PutIfAbsent(ctx(t), "k", "v2")
	if err != nil || ok {
		t.Fatalf("second PutIfAbsent: %v %v", ok, err)
	}
	if err := m.Put(ctx(t), "k", "v3"); err != nil {
		t.Fatal(err)
	}
	if v, _ := m.Get(ctx(t), "k"); v != "v3" {
		t.Fatalf("get %q, want v3", v)
	}
}

func testClosed(t *testing.T, s store.Store) {
	if err := s.Ping(ctx(t)); err != nil {
		t.Fatalf("ping open store: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx(t)); err == nil {
		t.Fatal("ping after close succeeded")
	}
}
