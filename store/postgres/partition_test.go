package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"dozor/protocols"
	"dozor/store"
	"dozor/store/postgres"
)

var ids = store.NewIDGen(7)

func fixAt(dev int64, at time.Time, i int) store.FixRecord {
	return store.FixRecord{
		ID:       ids.Next(),
		DeviceID: dev,
		Fix: protocols.Fix{
			Time: at, Received: time.Now().UTC(),
			Lat: 55.7 + float64(i)*1e-5, Lon: 37.6, Valid: true, Protocol: "osmand",
			Cell: 0x8c11aa7abd3ffff,
		},
	}
}

func device(t *testing.T, s store.Store, uid string) int64 {
	t.Helper()
	d, err := s.Devices().Create(context.Background(), store.Device{UID: uid, Protocol: "osmand"})
	if err != nil {
		t.Fatal(err)
	}
	return d.ID
}

func hasDay(t *testing.T, s *postgres.Store, day time.Time) bool {
	t.Helper()
	days, err := s.Partitions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range days {
		if d.Equal(day) {
			return true
		}
	}
	return false
}

func TestPartitionsAheadAtOpen(t *testing.T) {
	s := openTest(t, testURL(t))
	today := store.RetentionCutoff(time.Now())
	for d := -1; d <= postgres.DefaultPartitionsAhead; d++ {
		if day := today.AddDate(0, 0, d); !hasDay(t, s, day) {
			t.Errorf("no partition for %s", day.Format(time.DateOnly))
		}
	}
}

func TestPartitionOnDemand(t *testing.T) {
	s := openTest(t, testURL(t))
	dev := device(t, s, "a")
	far := store.RetentionCutoff(time.Now()).AddDate(0, 0, 40)
	old := time.Date(2019, 4, 6, 23, 59, 59, 0, time.UTC) // GPS week rollover victims
	recs := []store.FixRecord{fixAt(dev, far.Add(time.Hour), 0), fixAt(dev, old, 1)}
	if err := s.Fixes().Append(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	for _, day := range []time.Time{far, store.RetentionCutoff(old)} {
		if !hasDay(t, s, day) {
			t.Errorf("no partition made for %s", day.Format(time.DateOnly))
		}
	}
	if n, _ := s.Fixes().Count(context.Background(), dev); n != 2 {
		t.Fatalf("count %d, want 2", n)
	}
}

// A partition dropped behind the store's back (retention on another node)
// is made again when a fix for its day arrives.
func TestPartitionDroppedElsewhere(t *testing.T) {
	url := testURL(t)
	s := openTest(t, url)
	dev := device(t, s, "a")
	today := store.RetentionCutoff(time.Now())
	ctx := context.Background()

	name := "fixes_" + today.Format("20060102")
	if _, err := s.Pool().Exec(ctx, "DROP TABLE "+name); err != nil {
		t.Fatal(err)
	}
	rec := fixAt(dev, today.Add(time.Minute), 0)
	if err := s.Fixes().Append(ctx, []store.FixRecord{rec}); err != nil {
		t.Fatalf("append after the partition vanished: %v", err)
	}
	if !hasDay(t, s, today) {
		t.Fatal("partition not made again")
	}
}

// Nodes starting together and batches racing for a new day agree.
func TestConcurrentOpenAndCreate(t *testing.T) {
	url := testURL(t)
	schema := freshSchema(t, url)
	ctx := context.Background()
	stores := make([]*postgres.Store, 3)
	var wg sync.WaitGroup
	errs := make(chan error, 2*len(stores))
	for i := range stores {
		wg.Go(func() {
			s, err := postgres.Open(ctx, postgres.Config{URL: url, Schema: schema})
			stores[i] = s
			errs <- err
		})
	}
	wg.Wait()
	for range stores {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	defer func() {
		for _, s := range stores {
			s.Close()
		}
	}()

	dev := device(t, stores[0], "a")
	day := store.RetentionCutoff(time.Now()).AddDate(0, 0, 100)
	for i, s := range stores {
		wg.Go(func() {
			errs <- s.Fixes().Append(ctx, []store.FixRecord{fixAt(dev, day.Add(time.Hour), i)})
		})
	}
	wg.Wait()
	for range stores {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := stores[0].Fixes().Count(ctx, dev); n != int64(len(stores)) {
		t.Fatalf("count %d, want %d", n, len(stores))
	}
}

func TestRetentionDropsPartitions(t *testing.T) {
	s := openTest(t, testURL(t))
	dev := device(t, s, "a")
	ctx := context.Background()
	today := store.RetentionCutoff(time.Now())
	var recs []store.FixRecord
	for d := 1; d <= 5; d++ {
		recs = append(recs, fixAt(dev, today.AddDate(0, 0, -d).Add(time.Hour), d))
	}
	if err := s.Fixes().Append(ctx, recs); err != nil {
		t.Fatal(err)
	}
	n, err := store.ApplyRetention(ctx, s, 3*24*time.Hour, today.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("dropped %d partitions, want 2 (days -5 and -4)", n)
	}
	days, _ := s.Partitions(ctx)
	if len(days) == 0 || !days[0].Equal(today.AddDate(0, 0, -3)) {
		t.Fatalf("partitions %v, want the oldest on %s", days,
			today.AddDate(0, 0, -3).Format(time.DateOnly))
	}
	if c, _ := s.Fixes().Count(ctx, dev); c != 3 {
		t.Fatalf("count %d, want 3", c)
	}
}

// A batch retried after an unconfirmed commit (same ids) is not reported
// as duplicates of itself; the same fixes under new ids are.
func TestRetrySameIDsIsNotDuplicate(t *testing.T) {
	s := openTest(t, testURL(t))
	dev := device(t, s, "a")
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	var recs []store.FixRecord
	for i := range 10 {
		recs = append(recs, fixAt(dev, now.Add(time.Duration(i)*time.Second), i))
	}
	if err := s.Fixes().Append(ctx, recs[:6]); err != nil {
		t.Fatal(err)
	}
	if err := s.Fixes().Append(ctx, recs); err != nil {
		t.Fatal(err)
	}
	for i, r := range recs {
		if r.Duplicate {
			t.Fatalf("fix %d of the retried batch flagged duplicate", i)
		}
	}
	resent := make([]store.FixRecord, len(recs))
	for i, r := range recs {
		resent[i] = fixAt(dev, r.Fix.Time, i)
	}
	if err := s.Fixes().Append(ctx, resent); err != nil {
		t.Fatal(err)
	}
	for i, r := range resent {
		if !r.Duplicate {
			t.Fatalf("re-sent fix %d not flagged duplicate", i)
		}
	}
	if n, _ := s.Fixes().Count(ctx, dev); n != 10 {
		t.Fatalf("count %d, want 10", n)
	}
	last, err := s.Fixes().Last(ctx, dev)
	if err != nil || last.ID != recs[9].ID {
		t.Fatalf("last %d (%v), want %d", last.ID, err, recs[9].ID)
	}
}

// Writers racing with overlapping batches store each fix once and flag
// every other copy.
func TestConcurrentOverlappingAppends(t *testing.T) {
	s := openTest(t, testURL(t))
	ctx := context.Background()
	devs := []int64{device(t, s, "a"), device(t, s, "b"), device(t, s, "c")}
	now := time.Now().UTC().Truncate(time.Millisecond)
	const writers, fixesPer = 4, 300

	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		fresh int
	)
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			var recs []store.FixRecord
			for i := range fixesPer {
				j := (i*7 + w*13) % fixesPer // each writer in its own order
				dev := devs[j%len(devs)]
				recs = append(recs, fixAt(dev, now.Add(time.Duration(j)*time.Second), j))
			}
			err := s.Fixes().Append(ctx, recs)
			mu.Lock()
			for _, r := range recs {
				if !r.Duplicate {
					fresh++
				}
			}
			mu.Unlock()
			errs <- err
		})
	}
	wg.Wait()
	for range writers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var total int64
	for _, d := range devs {
		n, _ := s.Fixes().Count(ctx, d)
		total += n
	}
	if total != fixesPer || fresh != fixesPer {
		t.Fatalf("stored %d, reported new %d; want %d each", total, fresh, fixesPer)
	}
}

func TestTrackOpenEndsAcrossDays(t *testing.T) {
	s := openTest(t, testURL(t))
	dev := device(t, s, "a")
	ctx := context.Background()
	today := store.RetentionCutoff(time.Now())
	var recs []store.FixRecord
	for d := range 4 {
		recs = append(recs, fixAt(dev, today.AddDate(0, 0, d-2).Add(23*time.Hour), d))
	}
	if err := s.Fixes().Append(ctx, recs); err != nil {
		t.Fatal(err)
	}
	got, err := s.Fixes().Track(ctx, store.TrackQuery{DeviceID: dev, From: recs[1].Fix.Time})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].ID != recs[1].ID || got[2].ID != recs[3].ID {
		t.Fatalf("track from day -1: %s", trackIDs(got))
	}
}

func trackIDs(rs []store.FixRecord) string {
	s := ""
	for _, r := range rs {
		s += fmt.Sprintf(" %d@%s", r.ID, r.Fix.Time.Format(time.DateTime))
	}
	return s
}
