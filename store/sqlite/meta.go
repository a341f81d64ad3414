package sqlite

import "context"

type meta struct{ s *Store }

func (m *meta) Get(ctx context.Context, key string) (string, error) {
	var v string
	err := m.s.r.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	return v, wrap("get meta", err)
}

func (m *meta) Put(ctx context.Context, key, value string) error {
	_, err := m.s.w.ExecContext(ctx,
		`INSERT INTO meta (key, value) VALUES (?, ?)
		 ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return wrap("put meta", err)
}

func (m *meta) PutIfAbsent(ctx context.Context, key, value string) (bool, error) {
	res, err := m.s.w.ExecContext(ctx,
		`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, value)
	if err != nil {
		return false, wrap("put meta", err)
	}
	n, err := res.RowsAffected()
	return n == 1, wrap("put meta", err)
}
