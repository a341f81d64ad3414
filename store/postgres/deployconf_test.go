package postgres_test

import (
	"bufio"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestDeployConf checks deploy/postgres/dozor.conf against the server's
// own list of settings: every name exists, enumerations take the value
// given, and sizes and times parse. A typo there would stop a production
// server from starting.
func TestDeployConf(t *testing.T) {
	url := testURL(t)
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)

	settings := readConf(t, "../../deploy/postgres/dozor.conf")
	if len(settings) == 0 {
		t.Fatal("no settings read")
	}
	for name, value := range settings {
		var vartype, unit string
		var enums []string
		err := c.QueryRow(ctx, `SELECT vartype, coalesce(unit, ''), coalesce(enumvals, '{}')
			FROM pg_settings WHERE name = $1`, name).Scan(&vartype, &unit, &enums)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if err := checkValue(ctx, c, vartype, unit, enums, value); err != nil {
			t.Errorf("%s = %s: %v", name, value, err)
		}
	}
}

// readConf returns the name = value lines of a postgresql.conf file.
func readConf(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		out[strings.TrimSpace(name)] = strings.Trim(strings.TrimSpace(value), "'")
	}
	return out
}

func checkValue(ctx context.Context, c *pgx.Conn, vartype, unit string, enums []string,
	value string) error {
	var sql string
	switch {
	case vartype == "enum":
		for _, e := range enums {
			if e == value {
				return nil
			}
		}
		return errNotIn(enums)
	case unit == "8kB" || unit == "kB" || unit == "MB":
		sql = "SELECT pg_size_bytes($1)::text"
	case unit == "s" || unit == "ms" || unit == "min":
		sql = "SELECT $1::interval::text"
	case vartype == "real":
		sql = "SELECT $1::float8::text"
	case vartype == "integer":
		sql = "SELECT $1::int::text"
	default:
		sql = "SELECT $1::text"
	}
	var got string
	return c.QueryRow(ctx, sql, value).Scan(&got)
}

type errNotIn []string

func (e errNotIn) Error() string { return "not one of " + strings.Join(e, ", ") }
