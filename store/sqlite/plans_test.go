package sqlite_test

import (
	"context"
	"testing"

	"dozor/store"
	"dozor/store/sqlite"
	"dozor/store/storetest"
)

func TestPlanning(t *testing.T) {
	storetest.RunPlanning(t, func(t *testing.T) store.Store {
		s, err := sqlite.Open(context.Background(), sqlite.Config{Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
