package ingest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"dozor/protocols"
	"dozor/store"
)

// Limits of the HTTP position endpoint.
const (
	maxHTTPBody    = 2 << 20
	httpSubmitWait = 15 * time.Second
)

// HTTPHandler receives positions over HTTP for one protocol (OsmAnd and the
// Traccar Client app). It answers 200 only after the fixes are durable; a
// duplicate or a permanently invalid fix also gets 200, counted in the
// X-Dozor-* headers, so the phone deletes it instead of retrying forever.
type HTTPHandler struct {
	proto  protocols.Protocol
	p      *Pipeline
	log    *slog.Logger
	phones Phones // see trust.go
	allow  bool   // allow-list policy (admission.go)
}

// NewHTTPHandler returns the handler for an HTTP protocol.
func NewHTTPHandler(proto protocols.Protocol, p *Pipeline) *HTTPHandler {
	return &HTTPHandler{
		proto: proto,
		p:     p,
		log:   orDiscard(p.Log).With("protocol", proto.Name, "transport", "http"),
	}
}

// httpBatch is one request's fixes in flight.
type httpBatch struct {
	sub  Submission
	done chan error
}

// ServeHTTP implements http.Handler.
func (h *HTTPHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := h.p.Metrics
	m.frames.WithLabelValues(h.proto.Name, "http").Inc()

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxHTTPBody))
	if err != nil {
		h.fail(w, http.StatusRequestEntityTooLarge, "body over limit", err)
		return
	}
	cred, target, status, err := h.credential(r)
	if err != nil {
		h.fail(w, status, "credential refused", err)
		return
	}
	var msg protocols.Message
	err = h.proto.DecodeHTTP(protocols.HTTPRequest{
		Method:      r.Method,
		Target:      target,
		ContentType: r.Header.Get("Content-Type"),
		Body:        body,
	}, &msg)
	if err != nil {
		m.errors.WithLabelValues(h.proto.Name, protocols.Reason(err)).Inc()
		h.fail(w, decodeStatus(err), "refused", err)
		return
	}
	rejected := msg.Reply.N
	if rejected > 0 {
		m.errors.WithLabelValues(h.proto.Name, "invalid_fix").Add(float64(rejected))
	}

	recs, status, err := h.records(r.Context(), msg.Fixes, cred)
	if err != nil {
		h.fail(w, status, "device refused", err)
		return
	}
	dups, err := h.store(r.Context(), recs)
	if err != nil {
		h.fail(w, http.StatusServiceUnavailable, "not stored", err)
		return
	}

	hdr := w.Header()
	hdr.Set("X-Dozor-Stored", strconv.Itoa(len(recs)-dups))
	hdr.Set("X-Dozor-Duplicates", strconv.Itoa(dups))
	hdr.Set("X-Dozor-Rejected", strconv.Itoa(rejected))
	m.httpReqs.WithLabelValues(h.proto.Name, "200").Inc()
	w.WriteHeader(http.StatusOK)
}

// records resolves each fix's device and builds the records to store.
func (h *HTTPHandler) records(ctx context.Context, fixes []protocols.Fix,
	cred *store.Credential) ([]store.FixRecord, int, error) {
	var (
		recs []store.FixRecord
		now  = time.Now()
		devs = map[string]store.Device{}
	)
	for i := range fixes {
		uid := fixes[i].Device
		dev, ok := devs[uid]
		if !ok {
			var err error
			dev, err = h.p.Registry.resolveFor(ctx, uid, h.proto.Name, h.allow)
			if errors.Is(err, ErrRefused) {
				return nil, http.StatusNotFound, err
			}
			if err != nil {
				return nil, http.StatusServiceUnavailable, err
			}
			if status, err := h.admit(ctx, cred, dev); err != nil {
				return nil, status, err
			}
			devs[uid] = dev
		}
		recs = h.p.appendRecords(recs, fixes[i:i+1], dev, h.proto.Name, now)
	}
	h.p.Metrics.fixes.WithLabelValues(h.proto.Name).Add(float64(len(recs)))
	return recs, 0, nil
}

// store submits recs and waits until they are durable. It returns the
// number of duplicates.
func (h *HTTPHandler) store(ctx context.Context, recs []store.FixRecord) (int, error) {
	if len(recs) == 0 {
		return 0, nil
	}
	ctx, cancel := context.WithTimeout(ctx, httpSubmitWait)
	defer cancel()

	b := &httpBatch{done: make(chan error, 1)}
	b.sub.Recs = recs
	b.sub.Done = func(_ *Submission, err error) { b.done <- err }
	start := time.Now()
	if err := h.p.Journal.SubmitWait(ctx, &b.sub); err != nil {
		return 0, err
	}
	var err error
	select {
	case err = <-b.done:
	case <-ctx.Done():
		return 0, ctx.Err() // the journal still owns recs; they are not reused
	}
	if err != nil {
		return 0, err
	}
	h.p.Metrics.ackSeconds.WithLabelValues(h.proto.Name).Observe(time.Since(start).Seconds())
	dups := 0
	for i := range recs {
		if recs[i].Duplicate {
			dups++
		}
	}
	return dups, nil
}

func (h *HTTPHandler) fail(w http.ResponseWriter, status int, what string, err error) {
	h.p.Metrics.httpReqs.WithLabelValues(h.proto.Name, strconv.Itoa(status)).Inc()
	h.log.Debug("Position request refused", "status", status, "what", what, "err", err)
	http.Error(w, err.Error(), status)
}

// decodeStatus maps a request-level decode error to an HTTP status.
func decodeStatus(err error) int {
	switch {
	case errors.Is(err, protocols.ErrNoIdentity):
		return http.StatusBadRequest
	case errors.Is(err, protocols.ErrTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, protocols.ErrUnsupported):
		return http.StatusUnsupportedMediaType
	}
	return http.StatusBadRequest
}
