package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Checkpoints counts the database server's checkpoints since its statistics
// were last reset.
//
// A checkpoint ends by flushing the data files to disk. On a busy disk that
// flush stalls the WAL flush of every commit meanwhile, and so every
// device's acknowledgement: measured on the development machine, 100-250 ms
// each time. Timed checkpoints come once per checkpoint_timeout. Requested
// ones were forced, under ingest almost always by the WAL reaching
// max_wal_size: at 50,000 fixes/s the default 1 GB forces one every 20
// seconds. deploy/postgres/dozor.conf sizes the WAL so that they are timed.
// A manual CHECKPOINT command counts as requested too.
//
// Checkpoints are one source of those stalls, not the only one: on another
// day of the same machine, half-load runs with no checkpoint in them had
// the same p99 as runs with four.
type Checkpoints struct {
	Timed     int64 `json:"timed"`
	Requested int64 `json:"requested"`
}

// Sub returns the checkpoints between old and c. It is zero when the
// counters went backwards (the statistics were reset in between).
func (c Checkpoints) Sub(old Checkpoints) Checkpoints {
	d := Checkpoints{Timed: c.Timed - old.Timed, Requested: c.Requested - old.Requested}
	if d.Timed < 0 || d.Requested < 0 {
		return Checkpoints{}
	}
	return d
}

// ServerState is what Dozor reports of the database server around a
// benchmark: its checkpoints, the settings that decide how often they come
// and how much of the indexes stays in its memory, and the size of the
// fixes already stored.
type ServerState struct {
	Checkpoints
	MaxWALSize    string `json:"max_wal_size"`
	SharedBuffers string `json:"shared_buffers"`

	// FixesBytes is the size of every fixes partition with its indexes,
	// so that a benchmark's figures say what the database already held.
	// Only ReadServerState reads it; it is zero where there is no table.
	// On the development machine the latency tail did not follow it: a new
	// database and one of 30 GB gave the same half-load p99 within the same
	// half hour.
	FixesBytes int64 `json:"fixes_bytes"`
}

// pg_stat_bgwriter held the checkpoint counters until PostgreSQL 17 moved
// them to pg_stat_checkpointer.
const (
	selectCheckpoints    = `SELECT checkpoints_timed, checkpoints_req FROM pg_stat_bgwriter`
	selectCheckpoints17  = `SELECT num_timed, num_requested FROM pg_stat_checkpointer`
	selectServerSettings = `SELECT current_setting('server_version_num')::int,
		current_setting('max_wal_size'), current_setting('shared_buffers')`
	selectFixesBytes = `SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0)::bigint
		FROM pg_inherits WHERE inhparent = to_regclass('fixes')`
)

// rowQuerier is a connection or a pool.
type rowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Checkpoints reads the server's checkpoint counters.
func (s *Store) Checkpoints(ctx context.Context) (Checkpoints, error) {
	st, err := readServerState(ctx, s.pool)
	return st.Checkpoints, s.wrap("checkpoints", err)
}

// ReadServerState connects to url and reads its ServerState.
func ReadServerState(ctx context.Context, url string) (ServerState, error) {
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return ServerState{}, wrap("server state", err)
	}
	defer c.Close(context.WithoutCancel(ctx))
	st, err := readServerState(ctx, c)
	if err != nil {
		return st, wrap("server state", err)
	}

	if err := c.QueryRow(ctx, selectFixesBytes).Scan(&st.FixesBytes); err != nil {
		return st, wrap("server state", fmt.Errorf("fixes size: %w", err))
	}
	return st, nil
}

func readServerState(ctx context.Context, q rowQuerier) (ServerState, error) {
	var (
		st      ServerState
		version int
	)
	err := q.QueryRow(ctx, selectServerSettings).Scan(&version, &st.MaxWALSize, &st.SharedBuffers)
	if err != nil {
		return st, fmt.Errorf("settings: %w", err)
	}

	sql := selectCheckpoints
	if version >= 170000 {
		sql = selectCheckpoints17
	}
	if err := q.QueryRow(ctx, sql).Scan(&st.Timed, &st.Requested); err != nil {
		return st, fmt.Errorf("checkpoint counters: %w", err)
	}
	return st, nil
}
