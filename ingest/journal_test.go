package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"dozor/ingest"
	"dozor/protocols"
	"dozor/store"
)

// failingFixes fails every Append with err until it is cleared.
type failingFixes struct {
	store.Fixes
	mu  sync.Mutex
	err error
}

func (f *failingFixes) Append(context.Context, []store.FixRecord) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// TestProbeHealsOnlyUnreachable: after a commit failed because the store
// could not be reached, a successful probe turns health green; after one
// the store refused (a full disk answers pings), only a commit does.
func TestProbeHealsOnlyUnreachable(t *testing.T) {
	for _, tc := range []struct {
		name  string
		err   error
		heals bool
	}{
		{"unreachable", fmt.Errorf("append: %w: dial: refused", store.ErrUnavailable), true},
		{"disk full", errors.New("append: could not extend file: no space left"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fixes := &failingFixes{err: tc.err}
			m := ingest.NewMetrics(prometheus.NewRegistry())
			j := ingest.NewJournal(ingest.JournalConfig{
				Probe: func(context.Context) error { return nil },
			}, fixes, ingest.NewBus(m), m, nil)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go j.Run(ctx) //nolint:errcheck

			submit(t, j, tc.err)
			if ok, _ := j.Healthy(); ok {
				t.Fatal("healthy after a failed commit")
			}

			// The probe runs once a second.
			time.Sleep(2500 * time.Millisecond)
			if ok, _ := j.Healthy(); ok != tc.heals {
				t.Fatalf("healthy after probes = %v, want %v", ok, tc.heals)
			}

			fixes.mu.Lock()
			fixes.err = nil
			fixes.mu.Unlock()
			submit(t, j, nil)
			if ok, err := j.Healthy(); !ok {
				t.Fatalf("not healthy after a commit: %v", err)
			}
		})
	}
}

// submit sends one fix and waits for its commit's outcome, want.
func submit(t *testing.T, j *ingest.Journal, want error) {
	t.Helper()
	done := make(chan error, 1)
	s := &ingest.Submission{
		Recs: []store.FixRecord{{DeviceID: 1, Fix: protocols.Fix{Time: time.Now()}}},
		Done: func(_ *ingest.Submission, err error) { done <- err },
	}
	if err := j.Submit(s); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, want) && err != want {
			t.Fatalf("commit: %v, want %v", err, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no commit outcome")
	}
}

// heldFixes holds every Append until release is closed.
type heldFixes struct {
	store.Fixes
	started chan struct{}
	release chan struct{}
}

func (f *heldFixes) Append(context.Context, []store.FixRecord) error {
	f.started <- struct{}{}
	<-f.release
	return nil
}

// TestJournalWaitAndPublishTimed: a submission queued behind a held commit
// shows its wait in dozor_journal_wait_seconds, and a blocking subscriber
// that does not read shows in dozor_bus_publish_seconds, the two places
// an ACK can be late while the commits themselves are quick.
func TestJournalWaitAndPublishTimed(t *testing.T) {
	const hold = 50 * time.Millisecond
	reg := prometheus.NewRegistry()
	m := ingest.NewMetrics(reg)
	bus := ingest.NewBus(m)
	sub := bus.Subscribe("slow", 1, ingest.Block)
	fixes := &heldFixes{started: make(chan struct{}, 2), release: make(chan struct{})}
	j := ingest.NewJournal(ingest.JournalConfig{}, fixes, bus, m, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go j.Run(ctx) //nolint:errcheck

	done := make(chan error, 2)
	go func() { submit(t, j, nil); done <- nil }()
	<-fixes.started
	go func() { submit(t, j, nil); done <- nil }()
	time.Sleep(hold)
	close(fixes.release)

	// The first batch fills the subscriber's queue of one; the second
	// waits in publish until the subscriber reads.
	<-done
	<-done
	time.Sleep(hold)
	<-sub.C()
	<-sub.C()

	waits := histogram(t, reg, "dozor_journal_wait_seconds")
	if waits.GetSampleCount() != 2 || waits.GetSampleSum() < hold.Seconds() {
		t.Errorf("wait: %d samples, %.3fs; want 2 and >= %v",
			waits.GetSampleCount(), waits.GetSampleSum(), hold)
	}
	pub := histogram(t, reg, "dozor_bus_publish_seconds")
	if pub.GetSampleCount() != 2 || pub.GetSampleSum() < hold.Seconds() {
		t.Errorf("publish: %d samples, %.3fs; want 2 and >= %v",
			pub.GetSampleCount(), pub.GetSampleSum(), hold)
	}
}

// histogram gathers the unlabelled histogram name from reg.
func histogram(t *testing.T, reg *prometheus.Registry, name string) *dto.Histogram {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetHistogram()
		}
	}
	t.Fatalf("no metric %s", name)
	return nil
}
