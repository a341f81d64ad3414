package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"dozor/store"
	"dozor/store/sqlite"
	"dozor/store/storetest"
)

// TestPII reads the database files themselves (the file and its WAL) as
// someone with a copy of them but not the keys would.
func TestPII(t *testing.T) {
	dirs := map[store.Store]string{}
	open := func(t *testing.T, dir string, pii store.PII) store.Store {
		s, err := sqlite.Open(context.Background(), sqlite.Config{Dir: dir, PII: pii})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		dirs[s] = dir
		return s
	}
	storetest.RunPII(t, storetest.PIIOpener{
		Open: func(t *testing.T, pii store.PII) store.Store { return open(t, t.TempDir(), pii) },
		Reopen: func(t *testing.T, s store.Store, pii store.PII) store.Store {
			s.Close()
			return open(t, dirs[s], pii)
		},
		Dump: func(t *testing.T, s store.Store) string {
			var all []byte
			files, _ := filepath.Glob(filepath.Join(dirs[s], sqlite.FileName+"*"))
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, b...)
			}
			return string(all)
		},
	})
}
