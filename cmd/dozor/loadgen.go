package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"dozor/ingest/loadgen"
)

func runLoadgen(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg loadgen.Config
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:5027", "Teltonika listener of the server")
	fs.IntVar(&cfg.Devices, "devices", 100, "simulated trackers (one TCP connection each)")
	fs.IntVar(&cfg.Records, "records", 10, "records per packet, 1-255")
	fs.DurationVar(&cfg.Duration, "duration", 0, "length of the run (default 10s)")
	fs.Float64Var(&cfg.Rate, "rate", 0, "target fixes/s over all devices (0: as fast as acked)")
	fs.Uint64Var(&cfg.IMEIBase, "imei-base", 0, "first IMEI (default 350000000000000)")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "random seed of the tracks")
	ackedLog := fs.String("acked-log", "", "write one line per acknowledged record to FILE")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *ackedLog != "" {
		f, err := os.Create(*ackedLog)
		if err != nil {
			return fmt.Errorf("acked log: %w", err)
		}
		defer f.Close()
		cfg.AckedLog = f
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := loadgen.Run(ctx, cfg)
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(rep)
}
