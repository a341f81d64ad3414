package storetest

import (
	"errors"
	"testing"
	"time"

	"dozor/store"
)

// RunRetention runs the retention tests; the stores open must implement
// store.Retainer.
func RunRetention(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store, store.Retainer)
	}{
		{"DropsWholeOldDays", testDropsWholeOldDays},
		{"LateOldFixDroppedNextTime", testLateOldFix},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			defer s.Close()
			r, ok := s.(store.Retainer)
			if !ok {
				t.Fatalf("%T does not implement store.Retainer", s)
			}
			tc.fn(t, s, r)
		})
	}
}

// today is the start of the current UTC day: retention works on days near
// now, where a PostgreSQL store has or makes partitions.
func today() time.Time { return store.RetentionCutoff(time.Now()) }

func recordAt(dev int64, at time.Time) store.FixRecord {
	r := record(dev, 0)
	r.Fix.Time = at
	return r
}

func testDropsWholeOldDays(t *testing.T, s store.Store, r store.Retainer) {
	a := mustDevice(t, s, "a")
	b := mustDevice(t, s, "b")
	base := today()
	keep := []store.FixRecord{
		recordAt(a.ID, base.Add(-3*24*time.Hour+time.Hour)), // the cutoff's own day
		recordAt(a.ID, base.Add(-24*time.Hour+time.Hour)),
	}
	drop := []store.FixRecord{
		recordAt(a.ID, base.Add(-10*24*time.Hour+time.Hour)),
		recordAt(a.ID, base.Add(-5*24*time.Hour+time.Hour)),
		recordAt(a.ID, base.Add(-3*24*time.Hour-time.Hour)), // the day before it
		recordAt(b.ID, base.Add(-10*24*time.Hour+2*time.Hour)),
	}
	all := append(append([]store.FixRecord{}, keep...), drop...)
	if err := s.Fixes().Append(ctx(t), all); err != nil {
		t.Fatal(err)
	}

	before := base.Add(-3*24*time.Hour + 12*time.Hour)
	n, err := r.DropBefore(ctx(t), before)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("dropped %d days, want 3", n)
	}

	got, err := s.Fixes().Track(ctx(t), store.TrackQuery{DeviceID: a.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != keep[0].ID || got[1].ID != keep[1].ID {
		t.Fatalf("device a keeps %d fixes starting %v, want the 2 on or after %v",
			len(got), first(got), store.RetentionCutoff(before))
	}
	if last, err := s.Fixes().Last(ctx(t), a.ID); err != nil || last.ID != keep[1].ID {
		t.Fatalf("last of a: %v, %v; want the fix of %v", last.Fix.Time, err, keep[1].Fix.Time)
	}
	if n, err := s.Fixes().Count(ctx(t), b.ID); err != nil || n != 0 {
		t.Fatalf("device b keeps %d fixes (%v), want 0", n, err)
	}
	if _, err := s.Fixes().Last(ctx(t), b.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("last of b after its only day was dropped: %v, want ErrNotFound", err)
	}

	n, err = r.DropBefore(ctx(t), before)
	if err != nil || n != 0 {
		t.Fatalf("second drop: %d days, %v; want 0", n, err)
	}
}

func testLateOldFix(t *testing.T, s store.Store, r store.Retainer) {
	a := mustDevice(t, s, "a")
	base := today()
	if _, err := r.DropBefore(ctx(t), base.Add(-2*24*time.Hour)); err != nil {
		t.Fatal(err)
	}

	// A black-box upload brings a fix older than the retention horizon.
	late := recordAt(a.ID, base.Add(-6*24*time.Hour))
	if err := s.Fixes().Append(ctx(t), []store.FixRecord{late}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Fixes().Count(ctx(t), a.ID); n != 1 {
		t.Fatalf("late fix not stored: count %d", n)
	}
	n, err := r.DropBefore(ctx(t), base.Add(-2*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("drop after late fix: %d days, %v; want 1", n, err)
	}
	if n, _ := s.Fixes().Count(ctx(t), a.ID); n != 0 {
		t.Fatalf("late fix survived retention: count %d", n)
	}
}
