package postgres_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"dozor/store/postgres"
)

func TestCheckpointsCounted(t *testing.T) {
	url := testURL(t)
	ctx := context.Background()
	schema := freshSchema(t, url)
	s, err := postgres.Open(ctx, postgres.Config{URL: url, Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	before, err := s.Checkpoints(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// A CHECKPOINT command is a requested checkpoint, as one forced by
	// the WAL's size is. The counters reach the statistics view when the
	// checkpointer reports them, so poll.
	if _, err := s.Pool().Exec(ctx, "CHECKPOINT"); err != nil {
		// CHECKPOINT needs a superuser or pg_checkpoint; CI has one.
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "42501" && os.Getenv("CI") == "" {
			t.Skipf("the test database user may not run CHECKPOINT: %v", err)
		}
		t.Fatal(err)
	}
	var got postgres.Checkpoints
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		now, err := s.Checkpoints(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got = now.Sub(before); got.Requested > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got.Requested < 1 {
		t.Fatalf("checkpoints after CHECKPOINT: %+v, want a requested one", got)
	}

	// The server state includes the size of the fixes the URL's search
	// path finds: the schema's, with its partitions made at migration.
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	st, err := postgres.ReadServerState(ctx, url+sep+"search_path="+schema)
	if err != nil {
		t.Fatal(err)
	}
	if st.MaxWALSize == "" || st.SharedBuffers == "" || st.Requested < got.Requested ||
		st.FixesBytes <= 0 {
		t.Fatalf("server state %+v", st)
	}
}

func TestCheckpointsSub(t *testing.T) {
	type cp = postgres.Checkpoints
	old := cp{Timed: 10, Requested: 4}
	if d := (cp{Timed: 12, Requested: 7}).Sub(old); d != (cp{Timed: 2, Requested: 3}) {
		t.Errorf("sub = %+v", d)
	}
	// Statistics reset in between: nothing can be said of the interval.
	if d := (cp{Timed: 1, Requested: 9}).Sub(old); d != (cp{}) {
		t.Errorf("sub across a reset = %+v", d)
	}
}

func TestReadServerStateUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := postgres.ReadServerState(ctx, "postgres://nobody@127.0.0.1:1/none?connect_timeout=1")
	if err == nil {
		t.Fatal("no error from an unreachable server")
	}
}
