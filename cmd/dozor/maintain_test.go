package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"dozor/store/postgres"
)

func TestCheckpointWatch(t *testing.T) {
	var buf bytes.Buffer
	w := checkpointWatch{log: slog.New(slog.NewTextHandler(&buf, nil))}
	steps := []struct {
		timed, requested int64
		warn             string // "" for no warning
	}{
		{10, 5, ""},            // first reading: nothing to compare with
		{11, 5, ""},            // only timed checkpoints
		{12, 8, "requested=3"}, // forced ones
		{1, 0, ""},             // statistics reset
		{2, 1, "requested=1"},  // counted again from the reset
	}
	for i, s := range steps {
		buf.Reset()
		w.observe(postgres.Checkpoints{Timed: s.timed, Requested: s.requested})
		got := buf.String()
		switch {
		case s.warn == "" && got != "":
			t.Errorf("step %d: unexpected log %q", i, got)
		case s.warn != "" && !strings.Contains(got, s.warn):
			t.Errorf("step %d: log %q, want %s", i, got, s.warn)
		case s.warn != "" && !strings.Contains(got, "max_wal_size"):
			t.Errorf("step %d: log %q names no remedy", i, got)
		}
	}
}
