package main

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/sync/errgroup"

	"dozor/api"
	"dozor/geofence"
	"dozor/ingest"
	"dozor/protocols"
	"dozor/store"
	"dozor/store/sqlite"
	"dozor/visits"
)

// runServe implements `dozor serve`.
func runServe(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	check := fs.Bool("check-config", false, "validate the configuration and exit")
	cfg, err := loadConfig(fs, args, os.Getenv)
	if err != nil {
		return err
	}
	if *check {
		fmt.Fprintln(stdout, "configuration OK")
		return nil
	}

	log := newLogger(stderr, cfg)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, cfg, log, stdout)
}

func newLogger(w io.Writer, cfg Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func openStore(ctx context.Context, cfg Config, log *slog.Logger) (store.Store, error) {
	keys, err := dataKeys(cfg, log)
	if err != nil {
		return nil, fmt.Errorf("data keys: %w", err)
	}
	pii := store.PII{Keys: keys}
	if cfg.Store == "" || strings.HasPrefix(cfg.Store, "sqlite:") {
		dir := strings.TrimPrefix(cfg.Store, "sqlite:")
		if dir == "" {
			dir = cfg.Data
		}
		return sqlite.Open(ctx, sqlite.Config{Dir: dir, Synchronous: cfg.SQLiteSync, PII: pii})
	}
	return openPostgres(ctx, cfg, pii, log)
}

// serve wires the server and runs it until ctx ends.
func serve(ctx context.Context, cfg Config, log *slog.Logger, stdout io.Writer) error {
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer st.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(
		collectors.ProcessCollectorOpts{}))
	metrics := ingest.NewMetrics(reg)

	policy, _ := ingest.ParsePolicy(cfg.UnknownDevices)
	registry := ingest.NewRegistry(st.Devices(), policy)
	n, err := registry.Preload(ctx)
	if err != nil {
		return err
	}
	log.Info("Devices loaded", "count", n)

	bus := ingest.NewBus(metrics)
	jcfg := ingest.JournalConfig{
		MaxBatch: cfg.MaxBatch, FlushInterval: cfg.FlushInterval, QueueSize: cfg.QueueSize,
		Writers: cfg.Writers, Probe: st.Ping,
	}
	if isPostgres(cfg.Store) {
		jcfg.MaxBatch = cmp.Or(cfg.MaxBatch, pgMaxBatch)
		jcfg.FlushInterval = cmp.Or(cfg.FlushInterval, pgFlushInterval)
		jcfg.Writers = cmp.Or(cfg.Writers, pgWriters)
	}
	journal := ingest.NewJournal(jcfg, st.Fixes(), bus, metrics, log.With("component", "journal"))
	pipe := &ingest.Pipeline{Journal: journal, Registry: registry, Metrics: metrics,
		Log: log.With("component", "ingest"), CellResolution: cfg.CellResolution}
	if acc, ok := st.(store.Accounts); ok {
		pipe.Credentials = acc.Trust()
	}

	tokenHash, fresh, err := api.AdminToken(ctx, st.Meta(), os.Getenv("DOZOR_ADMIN_TOKEN"))
	if err != nil {
		return err
	}
	if fresh != "" {
		fmt.Fprintf(stdout, "Admin API token (shown once, keep it safe): %s\n", fresh)
	}

	vs, err := visits.New(ctx, st, bus, geofence.Config{}, reg, log.With("component", "visits"))
	if err != nil {
		return err
	}

	lcfgs, _ := cfg.listeners()
	if cfg.apiTLS, err = withTLS(cfg, lcfgs, stdout); err != nil {
		return err
	}
	lm := newLiveMap(st, bus, vs, reg, log.With("component", "live"))
	return runAll(ctx, cfg, log, st, reg, journal, pipe, lcfgs, tokenHash, vs, lm)
}

// component is a long-lived part of the server: Run blocks until ctx ends.
type component struct {
	name  string
	run   func(ctx context.Context) error
	ready <-chan struct{}
}

func runAll(ctx context.Context, cfg Config, log *slog.Logger, st store.Store,
	reg *prometheus.Registry, journal *ingest.Journal, pipe *ingest.Pipeline,
	lcfgs []ingest.ListenerConfig, tokenHash [32]byte, vs *visits.Service, lm *liveMap) error {
	comps, httpMux := listenerComponents(lcfgs, pipe)
	listenersUp := allClosed(comps)

	acfg := api.Config{
		Store: st, Gatherer: reg, Log: log.With("component", "api"), TokenHash: tokenHash,
		AdminTokenAllRoles: cfg.AdminScope == "all",
		Geo:                vs, Devices: pipe.Registry,
		Ready: map[string]api.ReadyCheck{
			"store":     st.Ping,
			"journal":   func(context.Context) error { _, err := journal.Healthy(); return err },
			"listeners": func(context.Context) error { return listenersUp() },
		},
	}
	if err := withAccounts(ctx, cfg, st, &acfg); err != nil {
		return err
	}
	apiSrv := api.New(acfg)
	apiSrv.AttachLive(lm.hub)

	// The journal outlives the listeners: it stops last, so the messages
	// already submitted are committed and answered.
	jctx, jcancel := context.WithCancel(context.Background())
	jdone := make(chan error, 1)
	go func() { jdone <- journal.Run(jctx) }()
	defer func() { jcancel(); <-jdone }()

	g, gctx := errgroup.WithContext(ctx)
	keep, _ := cfg.retention()
	comps = append(comps, httpComponent("api", cfg.HTTP, lm.handler(apiSrv), cfg.apiTLS),
		maintenance(st, keep, log.With("component", "store")),
		component{name: "visits", run: vs.Run}, lm.component())
	for addr, h := range httpMux {
		comps = append(comps, httpComponent("http "+addr, addr, h, listenerTLS(lcfgs, addr)))
	}
	for _, c := range comps {
		g.Go(func() error { return c.run(gctx) })
	}
	log.Info("Dozor started", "http", cfg.HTTP, "listeners", len(lcfgs), "store", storeName(cfg))
	err := g.Wait()
	log.Info("Dozor stopping")
	return err
}

func storeName(cfg Config) string {
	if cfg.Store == "" {
		return "sqlite:" + cfg.Data
	}
	if i := strings.Index(cfg.Store, "@"); i > 0 {
		return "postgres://...@" + cfg.Store[i+1:] // no credentials in logs
	}
	return cfg.Store
}

// listenerComponents builds a TCP and/or UDP server per stream protocol
// and an HTTP handler per HTTP protocol (grouped by address).
func listenerComponents(lcfgs []ingest.ListenerConfig, pipe *ingest.Pipeline) (
	[]component, map[string]http.Handler) {
	var comps []component
	httpMux := map[string]http.Handler{}
	for _, l := range lcfgs {
		p := l.Protocol
		if p.Has(protocols.TCP) && l.TLS != nil {
			s := ingest.NewTLSServer(l, pipe)
			comps = append(comps, component{p.Name + "/tls", s.Run, s.Ready()})
		} else if p.Has(protocols.TCP) {
			s := ingest.NewTCPServer(l, pipe)
			comps = append(comps, component{p.Name + "/tcp", s.Run, s.Ready()})
		}
		if p.Has(protocols.UDP) && l.TLS == nil { // no DTLS: a TLS listener has no UDP side
			s := ingest.NewUDPServer(l, pipe)
			comps = append(comps, component{p.Name + "/udp", s.Run, s.Ready()})
		}
		if p.Has(protocols.HTTP) {
			httpMux[l.Addr] = ingest.NewHTTPHandler(p, pipe).WithPhones(l.Phones).
				WithAllowList(l.AllowList)
		}
	}
	return comps, httpMux
}

// allClosed returns a check that every component's ready channel closed.
func allClosed(comps []component) func() error {
	return func() error {
		for _, c := range comps {
			if c.ready == nil {
				continue
			}
			select {
			case <-c.ready:
			default:
				return fmt.Errorf("%s not listening", c.name)
			}
		}
		return nil
	}
}

func httpComponent(name, addr string, h http.Handler, tc *tls.Config) component {
	ready := make(chan struct{})
	run := func(ctx context.Context) error {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if tc != nil {
			ln = tls.NewListener(ln, tc)
		}
		close(ready)
		srv := &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      60 * time.Second,
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    64 << 10,
		}
		go func() {
			<-ctx.Done()
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = srv.Shutdown(sctx)
		}()
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	}
	return component{name: name, run: run, ready: ready}
}
