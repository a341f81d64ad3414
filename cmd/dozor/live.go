package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"

	"github.com/prometheus/client_golang/prometheus"

	"dozor/geofence"
	"dozor/ingest"
	"dozor/live"
	"dozor/store"
	"dozor/visits"
	"dozor/web"
)

// Queues between the server's parts and the live hub. The hub drops the
// oldest batches rather than slow the journal; visit events it misses are
// counted by the visit service.
const (
	liveBusQueue   = 256
	liveVisitQueue = 1024
)

// liveMap is the supervisors' map: the hub fed from the bus and the visit
// service, and the embedded page.
type liveMap struct {
	hub    *live.Hub
	sub    *ingest.Subscription
	visits <-chan geofence.Event
	page   *web.Handler
}

func newLiveMap(st store.Store, bus *ingest.Bus, vs *visits.Service,
	reg prometheus.Registerer, log *slog.Logger) *liveMap {
	m := &liveMap{
		hub:    live.New(live.Config{}, live.StoreDirectory(st), reg, log),
		sub:    bus.Subscribe("live", liveBusQueue, ingest.DropOldest),
		visits: vs.Listen(liveVisitQueue),
		page:   web.New(web.FromEnv(os.Getenv)),
	}
	if !m.page.Bundled() {
		log.Warn("The live map page has no map library: run scripts/web, then build again")
	}
	return m
}

func (m *liveMap) component() component {
	return component{name: "live", run: func(ctx context.Context) error {
		defer m.sub.Unsubscribe()
		return m.hub.Run(ctx, m.sub.C(), m.visits)
	}}
}

// handler serves the page and its assets beside the API on one port.
func (m *liveMap) handler(apiSrv http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", apiSrv)
	mux.Handle("GET /{$}", m.page)
	mux.Handle("GET /static/", m.page)
	return mux
}
