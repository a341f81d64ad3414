package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"dozor/protocols"
	"dozor/store"
	"dozor/store/sqlite"
)

// TestWALRewinds writes without pause, as ingest under load does, and
// checks that the WAL starts over instead of holding every page written
// since the start: without rewinding it is at least as large as the growth
// of the database.
func TestWALRewinds(t *testing.T) {
	dir := t.TempDir()
	s, err := sqlite.Open(context.Background(), sqlite.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	const minDB = 64 << 20
	ids := store.NewIDGen(0)
	recs := make([]store.FixRecord, 500)
	base := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	n := 0
	for size(t, dir, sqlite.FileName) < minDB {
		for i := range recs {
			recs[i] = store.FixRecord{ID: ids.Next(), DeviceID: int64(n % 997), Fix: protocols.Fix{
				Time: base.Add(time.Duration(n) * time.Millisecond), Received: base,
				Lat: 55.7 + float64(n%1000)/1e4, Lon: 37.6, Valid: true, Protocol: "teltonika",
				Cell: 0x8c11aa7abd3ffff + uint64(n%4096)<<15,
			}}
			n++
		}
		if err := s.Fixes().Append(context.Background(), recs); err != nil {
			t.Fatal(err)
		}
	}

	db, wal := size(t, dir, sqlite.FileName), size(t, dir, sqlite.FileName+"-wal")
	t.Logf("%d fixes: database %d MiB, WAL %d MiB", n, db>>20, wal>>20)
	if wal > db/2 {
		t.Fatalf("WAL %d bytes for a %d-byte database: the log does not rewind", wal, db)
	}
}

func size(t *testing.T, dir, name string) int64 {
	t.Helper()
	fi, err := os.Stat(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
