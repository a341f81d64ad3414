package postgres_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"dozor/store"
	"dozor/store/postgres"
	"dozor/store/storetest"
)

// testURLEnv names the database the tests use. Each test works in a schema
// of its own, dropped afterwards.
const (
	testURLEnv = "DOZOR_TEST_POSTGRES"
	defaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
)

func testURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv(testURLEnv)
	if url == "" {
		url = defaultURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL at %s (set %s): %v", url, testURLEnv, err)
		}
		t.Skipf("no PostgreSQL at %s: set %s to run these tests (%v)", url, testURLEnv, err)
	}
	c.Close(ctx)
	return url
}

var schemaSeq atomic.Int64

// freshSchema returns a new schema name and drops the schema at cleanup.
func freshSchema(t testing.TB, url string) string {
	t.Helper()
	name := fmt.Sprintf("dozor_test_%d_%d", os.Getpid(), schemaSeq.Add(1))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Errorf("drop schema %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	return name
}

func openTest(t testing.TB, url string) *postgres.Store {
	t.Helper()
	cfg := postgres.Config{URL: url, Schema: freshSchema(t, url)}
	s, err := postgres.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	url := testURL(t)
	storetest.Run(t, func(t *testing.T) store.Store { return openTest(t, url) })
}

func TestRetention(t *testing.T) {
	url := testURL(t)
	storetest.RunRetention(t, func(t *testing.T) store.Store { return openTest(t, url) })
}
