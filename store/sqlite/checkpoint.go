package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Checkpointing: the WAL is copied back into the database by this
// background connection, not by the commit that happens to cross the
// auto-checkpoint size.
//
// A background checkpoint alone never lets the WAL start over: SQLite
// rewinds the log only when a write begins after a checkpoint that copied
// every frame, and under steady ingest a commit always lands while the
// checkpoint runs. The WAL then grew to walTruncatePages, and the
// TRUNCATE checkpoint that shrank it blocked every commit for 130-350 ms
// each time (about every 8 s at 25k fixes/s): that was most of the tail of
// the ACK latency. So each round copies the bulk in the background, then
// copies the few frames written meanwhile on the writer's own connection,
// between two commits; the next commit rewinds the log.
//
// Rounds are short because a checkpoint's write-back competes with the
// commits' WAL syncs on the same disk: at 25k fixes/s on 1,000
// connections (dozor loadgen --rate 25000), one round a second gave an
// ACK p99 of 45-80 ms, growing with the database; one every 50 ms gives
// 15-20 ms.
const (
	checkpointEvery = 50 * time.Millisecond

	// finishPages: below this WAL size (pages of 4 KiB) a round does not
	// take the writer's connection; the log may grow a little.
	finishPages = 128

	// walTruncatePages: past this WAL size (~256 MiB) a reader has kept
	// the log from rewinding for a long time; the checkpointer waits for
	// readers and truncates the file, blocking commits while it does.
	walTruncatePages = 65536

	// finishTimeout bounds the wait for the writer's connection.
	finishTimeout = 5 * time.Second
)

func (s *Store) startCheckpointer(dsn string) error {
	ck, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return fmt.Errorf("sqlite: open checkpointer: %w", err)
	}
	ck.SetMaxOpenConns(1)
	s.ck, s.stopCk, s.ckDone = ck, make(chan struct{}), make(chan struct{})
	go s.checkpointer()
	return nil
}

func (s *Store) checkpointer() {
	defer close(s.ckDone)
	defer s.ck.Close()
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stopCk:
			_, _ = s.ck.Exec("PRAGMA wal_checkpoint(PASSIVE)")
			return
		case <-t.C:
		}
		s.checkpointRound()
	}
}

// checkpointRound copies the WAL back in the background, then lets the
// writer's connection finish the copy so that the log can rewind. Errors
// are left for the next round: a checkpoint that did not happen costs WAL
// size, never data.
func (s *Store) checkpointRound() {
	pages, err := checkpoint(s.ck, "PASSIVE")
	switch {
	case err != nil:
		return
	case pages > walTruncatePages:
		_, _ = checkpoint(s.ck, "TRUNCATE")
	case pages > finishPages:
		ctx, cancel := context.WithTimeout(context.Background(), finishTimeout)
		defer cancel()
		// On the writer's single connection this runs between two
		// commits, so no frame is appended while it copies the rest.
		_, _ = s.w.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
	}
}

// checkpoint runs one checkpoint in mode and returns the WAL size in pages
// it found.
func checkpoint(db *sql.DB, mode string) (int, error) {
	var busy, logPages, copied int
	err := db.QueryRow("PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &logPages, &copied)
	return logPages, err
}
