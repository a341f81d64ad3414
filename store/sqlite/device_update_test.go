package sqlite_test

import (
	"context"
	"testing"

	"dozor/store"
	"dozor/store/sqlite"
	"dozor/store/storetest"
)

func TestDeviceUpdate(t *testing.T) {
	storetest.RunDeviceUpdate(t, func(t *testing.T) store.Store {
		s, err := sqlite.Open(context.Background(), sqlite.Config{Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestEnrolmentScope(t *testing.T) {
	storetest.RunEnrolmentScope(t, func(t *testing.T) store.Store {
		s, err := sqlite.Open(context.Background(), sqlite.Config{Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
