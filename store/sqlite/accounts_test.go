package sqlite_test

import (
	"context"
	"testing"

	"dozor/store"
	"dozor/store/sqlite"
	"dozor/store/storetest"
)

func TestAccounts(t *testing.T) {
	storetest.RunAccounts(t, func(t *testing.T) store.Store {
		s, err := sqlite.Open(context.Background(), sqlite.Config{Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, func(s store.Store, sql string) error {
		_, err := s.(*sqlite.Store).Exec(context.Background(), sql)
		return err
	})
}
