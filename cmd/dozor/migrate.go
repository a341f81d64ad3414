package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"dozor/store/postgres"
)

// runMigrate implements `dozor migrate`: apply the embedded migrations of
// the configured store and exit. `dozor serve` applies them at start too.
func runMigrate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, err := loadConfig(fs, args, os.Getenv)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	if isPostgres(cfg.Store) {
		versions, err := postgres.Migrate(ctx, postgres.Config{URL: cfg.Store})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: schema up to date (%d migrations applied now: %v)\n",
			storeName(cfg), len(versions), versions)
		return nil
	}
	st, err := openStore(ctx, cfg, newLogger(stderr, cfg))
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(stdout, "%s: schema up to date\n", storeName(cfg))
	return nil
}

func isPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}
