package sqlite

import (
	"database/sql"
	"fmt"
	"time"
)

// Checkpointing: the WAL is copied back into the database by this
// background connection, not by the commit that happens to cross the
// auto-checkpoint size.
const (
	checkpointEvery = time.Second
	// walTruncatePages: past this WAL size (pages of 4 KiB, ~256 MiB) the
	// checkpointer waits for readers and truncates the file, so that a
	// long-running reader cannot make the WAL grow without bound.
	walTruncatePages = 65536
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
		var busy, logPages, done int
		err := s.ck.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logPages, &done)
		if err == nil && logPages > walTruncatePages {
			_, _ = s.ck.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		}
	}
}
