package sqlite

import "context"

// Exec runs a raw statement on the writer, for tests of what the database
// itself refuses.
func (s *Store) Exec(ctx context.Context, sql string) (any, error) {
	return s.w.ExecContext(ctx, sql)
}
