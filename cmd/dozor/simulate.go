package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"dozor/simulate"
)

// runSimulate implements `dozor simulate`: play a generated day of
// collectors against a running server and write the ground truth.
func runSimulate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg simulate.Config
	fs.StringVar(&cfg.API, "api", "http://127.0.0.1:8082", "API base URL")
	fs.StringVar(&cfg.Token, "token", os.Getenv("DOZOR_ADMIN_TOKEN"),
		"API bearer token [$DOZOR_ADMIN_TOKEN]")
	fs.StringVar(&cfg.OsmAnd, "osmand", "http://127.0.0.1:5055", "OsmAnd listener base URL")
	fs.StringVar(&cfg.Teltonika, "teltonika", "127.0.0.1:5027", "Teltonika listener address")
	fs.Int64Var(&cfg.Seed, "seed", 1, "scenario seed")
	fs.IntVar(&cfg.Collectors, "collectors", 5, "collectors in the day")
	truthPath := fs.String("truth", "", "write the ground truth (JSON) to FILE")
	if err := fs.Parse(args); err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	truth, err := simulate.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if *truthPath != "" {
		b, _ := json.MarshalIndent(truth, "", "  ")
		if err := os.WriteFile(*truthPath, b, 0o644); err != nil {
			return fmt.Errorf("write truth: %w", err)
		}
	}
	return json.NewEncoder(stdout).Encode(map[string]any{
		"seed": truth.Seed, "city": truth.City, "fixes": truth.Fixes,
		"true_visits": len(truth.Visits)})
}
