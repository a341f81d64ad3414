package postgres

import "context"

type meta struct{ s *Store }

func (m *meta) Get(ctx context.Context, key string) (string, error) {
	var v string
	err := m.s.pool.QueryRow(ctx, `SELECT value FROM meta WHERE key = $1`, key).Scan(&v)
	return v, m.s.wrap("get meta", err)
}

func (m *meta) Put(ctx context.Context, key, value string) error {
	_, err := m.s.pool.Exec(ctx,
		`INSERT INTO meta (key, value) VALUES ($1, $2)
		 ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return m.s.wrap("put meta", err)
}

func (m *meta) PutIfAbsent(ctx context.Context, key, value string) (bool, error) {
	tag, err := m.s.pool.Exec(ctx,
		`INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, key, value)
	if err != nil {
		return false, m.s.wrap("put meta", err)
	}
	return tag.RowsAffected() == 1, nil
}
