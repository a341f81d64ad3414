package postgres_test

import (
	"context"
	"testing"

	"dozor/store"
	"dozor/store/postgres"
	"dozor/store/storetest"
)

// TestPII dumps the debtors and zones tables as text, as someone with a
// copy of the database but not the keys would read them.
func TestPII(t *testing.T) {
	url := testURL(t)
	schemas := map[store.Store]string{}
	open := func(t *testing.T, schema string, pii store.PII) store.Store {
		s, err := postgres.Open(context.Background(), postgres.Config{URL: url, Schema: schema, PII: pii})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		schemas[s] = schema
		return s
	}
	storetest.RunPII(t, storetest.PIIOpener{
		Open: func(t *testing.T, pii store.PII) store.Store {
			return open(t, freshSchema(t, url), pii)
		},
		Reopen: func(t *testing.T, s store.Store, pii store.PII) store.Store {
			s.Close()
			return open(t, schemas[s], pii)
		},
		Dump: func(t *testing.T, s store.Store) string {
			var out string
			err := s.(*postgres.Store).Pool().QueryRow(context.Background(),
				`SELECT (SELECT coalesce(string_agg(d::text, ' '), '') FROM debtors d) || ' ' ||
				        (SELECT coalesce(string_agg(z::text, ' '), '') FROM zones z)`).Scan(&out)
			if err != nil {
				t.Fatal(err)
			}
			return out
		},
	})
}
