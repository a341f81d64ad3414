package sqlite

import (
	"context"
	"fmt"
	"time"

	"dozor/store"
)

// retentionChunk is how many fixes one DELETE removes. Each chunk is its own
// short transaction on the writer, so ingest batches interleave with a long
// retention run instead of waiting for it.
const retentionChunk = 5000

var _ store.Retainer = (*Store)(nil)

// DropBefore implements store.Retainer. SQLite has no partitions: the fixes
// before the cutoff are deleted in chunks of retentionChunk rows, oldest ids
// first. There is no index on fix_time alone (it would tax every insert), so
// each chunk scans in id order; ids grow with arrival time, so old fixes are
// met first and a daily run reads little beyond what it deletes. The space
// freed is reused by later inserts; the file does not shrink.
func (s *Store) DropBefore(ctx context.Context, before time.Time) (int, error) {
	if s.isClosed() {
		return 0, fmt.Errorf("sqlite: drop before: %w", store.ErrClosed)
	}
	cutoff := store.RetentionCutoff(before).UnixMilli()
	days := make(map[int64]bool)
	for {
		n, err := s.deleteChunk(ctx, cutoff, days)
		if err != nil {
			return len(days), err
		}
		if n < retentionChunk {
			return len(days), nil
		}
	}
}

// deleteChunk deletes up to retentionChunk fixes before cutoff (unix ms),
// notes their days and returns how many it deleted.
func (s *Store) deleteChunk(ctx context.Context, cutoff int64, days map[int64]bool) (int, error) {
	rows, err := s.w.QueryContext(ctx, `DELETE FROM fixes WHERE id IN
		(SELECT id FROM fixes WHERE fix_time < ? ORDER BY id LIMIT ?) RETURNING fix_time`,
		cutoff, retentionChunk)
	if err != nil {
		return 0, wrap("drop old fixes", err)
	}
	defer rows.Close()

	n := 0
	for rows.Next() {
		var ms int64
		if err := rows.Scan(&ms); err != nil {
			return n, wrap("drop old fixes", err)
		}
		days[floorDiv(ms, 86400000)] = true
		n++
	}
	return n, wrap("drop old fixes", rows.Err())
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}
