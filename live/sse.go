package live

import (
	"errors"
	"net/http"
	"time"
)

// ServeStream answers one SSE stream for a subscriber with filter f (the
// caller has authenticated the request and built f from its role). It
// sends a snapshot or resumes after the Last-Event-ID header, then the
// events as they come, a comment line when idle, and returns when the
// client goes away, a write blocks longer than WriteTimeout, or the hub
// drops the subscriber; the client then reconnects and resumes.
func (h *Hub) ServeStream(w http.ResponseWriter, r *http.Request, f Filter) {
	rc := http.NewResponseController(w)
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Accel-Buffering", "no")

	// The server's read timeout would otherwise end the stream: Go
	// cancels a request whose connection hits its read deadline.
	_ = rc.SetReadDeadline(time.Time{})
	s, snap := h.Subscribe(f, r.Header.Get("Last-Event-ID"))
	defer s.Close()
	w.WriteHeader(http.StatusOK)
	buf := append(snap, "retry: 2000\n\n"...)
	if err := h.write(w, rc, buf); err != nil {
		return
	}

	beat := time.NewTicker(h.cfg.Heartbeat)
	defer beat.Stop()
	var evs []*Event
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.Done():
			return
		case <-beat.C:
			buf = append(buf[:0], ": ping\n\n"...)
		case <-s.Wake():
			var ok bool
			evs, ok = s.Take(evs[:0])
			if !ok {
				return
			}
			buf = buf[:0]
			for _, e := range evs {
				buf = e.appendFrame(buf)
			}
			clear(evs)
		}
		if err := h.write(w, rc, buf); err != nil {
			return
		}
		if cap(buf) > 1<<20 {
			buf = nil // one burst must not pin a large buffer
		}
	}
}

// errNoFlush means the ResponseWriter cannot stream.
var errNoFlush = errors.New("live: response cannot be flushed")

func (h *Hub) write(w http.ResponseWriter, rc *http.ResponseController, b []byte) error {
	if len(b) == 0 {
		return nil
	}
	_ = rc.SetWriteDeadline(time.Now().Add(h.cfg.WriteTimeout))
	if _, err := w.Write(b); err != nil {
		return err
	}
	if err := rc.Flush(); err != nil {
		return errors.Join(errNoFlush, err)
	}
	return nil
}
