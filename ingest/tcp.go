package ingest

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"

	"dozor/protocols"
	"dozor/store"
)

// Listener defaults.
const (
	DefaultIdleTimeout = 10 * time.Minute
	// maxBuffered bounds what a connection may leave unread while its
	// previous message waits for the journal; past it the peer is flooding.
	maxBuffered = 1 << 20
	// resolveTimeout bounds a device lookup or registration.
	resolveTimeout = 10 * time.Second
)

// ListenerConfig configures one protocol listener. Zero values mean the
// defaults.
type ListenerConfig struct {
	Protocol    protocols.Protocol
	Addr        string // host:port
	Options     protocols.Options
	IdleTimeout time.Duration
	Phones      Phones      // HTTP listeners: phone policy (trust.go)
	TLS         *tls.Config // non-nil: serve TLS (tls.go)
	AllowList   bool        // only devices registered ahead (admission.go)
}

// TCPServer serves one stream protocol on one address with gnet.
type TCPServer struct {
	gnet.BuiltinEventEngine

	cfg   ListenerConfig
	p     *Pipeline
	log   *slog.Logger
	eng   gnet.Engine
	ready chan struct{}
	addr  atomic.Pointer[string]

	mu    sync.Mutex
	conns map[*tcpConn]struct{}
}

// NewTCPServer returns a server for cfg; Run starts it.
func NewTCPServer(cfg ListenerConfig, p *Pipeline) *TCPServer {
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	cfg = p.Metrics.lenientOptions(cfg.Protocol.Name, cfg)
	return &TCPServer{
		cfg:   cfg,
		p:     p,
		log:   orDiscard(p.Log).With("protocol", cfg.Protocol.Name, "transport", "tcp"),
		ready: make(chan struct{}),
		conns: make(map[*tcpConn]struct{}),
	}
}

// Run listens until ctx ends. It returns early with an error if the address
// cannot be bound.
func (s *TCPServer) Run(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { _ = s.eng.Stop(context.Background()) })
	defer stop()

	err := gnet.Run(s, "tcp://"+s.cfg.Addr,
		gnet.WithMulticore(true),
		gnet.WithTicker(true),
		gnet.WithTCPKeepAlive(time.Minute),
		gnet.WithReuseAddr(true),
		gnet.WithLogger(gnetLogger{s.log}),
	)
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("%s listener on %s: %w", s.cfg.Protocol.Name, s.cfg.Addr, err)
	}
	return nil
}

// Ready is closed once the listener accepts connections.
func (s *TCPServer) Ready() <-chan struct{} { return s.ready }

// OnBoot implements gnet.EventHandler.
func (s *TCPServer) OnBoot(eng gnet.Engine) gnet.Action {
	s.eng = eng
	close(s.ready)
	s.log.Info("Listening", "addr", s.cfg.Addr)
	return gnet.None
}

// OnOpen implements gnet.EventHandler.
func (s *TCPServer) OnOpen(c gnet.Conn) ([]byte, gnet.Action) {
	cs := &tcpConn{
		s:      s,
		c:      c,
		sess:   s.cfg.Protocol.NewSession(protocols.TCP, s.cfg.Options),
		remote: c.RemoteAddr().String(),
	}
	cs.sub.Done = cs.done
	cs.touch()
	c.SetContext(cs)

	s.mu.Lock()
	s.conns[cs] = struct{}{}
	s.mu.Unlock()
	s.p.Metrics.connections.WithLabelValues(s.cfg.Protocol.Name).Inc()
	return nil, gnet.None
}

// OnClose implements gnet.EventHandler.
func (s *TCPServer) OnClose(c gnet.Conn, _ error) gnet.Action {
	cs, ok := c.Context().(*tcpConn)
	if !ok {
		return gnet.None
	}
	cs.closed.Store(true)
	s.mu.Lock()
	delete(s.conns, cs)
	s.mu.Unlock()
	s.p.Metrics.connections.WithLabelValues(s.cfg.Protocol.Name).Dec()
	return gnet.None
}

// OnTraffic implements gnet.EventHandler: frame, decode and dispatch every
// complete frame buffered, unless a previous message is still in flight.
func (s *TCPServer) OnTraffic(c gnet.Conn) gnet.Action {
	cs := c.Context().(*tcpConn)
	cs.touch()
	if cs.busy.Load() {
		if c.InboundBuffered() > maxBuffered {
			return cs.closeFor("flood", nil)
		}
		return gnet.None
	}
	return cs.process()
}

// OnTick implements gnet.EventHandler: close idle connections.
func (s *TCPServer) OnTick() (time.Duration, gnet.Action) {
	cutoff := time.Now().Add(-s.cfg.IdleTimeout).UnixNano()
	s.mu.Lock()
	var idle []*tcpConn
	for cs := range s.conns {
		if cs.lastSeen.Load() < cutoff {
			idle = append(idle, cs)
		}
	}
	s.mu.Unlock()
	for _, cs := range idle {
		s.p.Metrics.closed.WithLabelValues(s.cfg.Protocol.Name, "idle").Inc()
		_ = cs.c.Close()
	}
	return time.Second, gnet.None
}

// tcpConn is one device connection. Fields below busy are owned by the
// event loop while busy is false, and by the journal or a resolver while
// it is true; busy hands them over.
type tcpConn struct {
	s        *TCPServer
	c        gnet.Conn
	remote   string
	lastSeen atomic.Int64
	closed   atomic.Bool
	busy     atomic.Bool

	sess     protocols.Session
	msg      protocols.Message
	dev      store.Device    // zero until the device is identified
	pending  *resolution     // result of an asynchronous lookup
	retry    bool            // the records wait for room in the journal
	status   []protocols.Fix // one position-less record for a status
	sub      Submission
	reply    []byte
	decoded  time.Time
	loggedAt bool // a decode problem was logged for this connection
}

type resolution struct {
	uid string
	dev store.Device
	err error
}

func (cs *tcpConn) touch() { cs.lastSeen.Store(time.Now().UnixNano()) }

func (cs *tcpConn) proto() string { return cs.s.cfg.Protocol.Name }

// process first finishes a message left waiting (for a device lookup or
// for room in the journal), then handles buffered frames until the buffer
// is empty, a frame is incomplete, or a message goes in flight. A frame is
// decoded exactly once: sessions are stateful.
func (cs *tcpConn) process() gnet.Action {
	if act := cs.resume(); act != gnet.None {
		return act
	}
	for !cs.busy.Load() {
		buf, _ := cs.c.Peek(-1)
		if len(buf) == 0 {
			return gnet.None
		}
		adv, frame, err := cs.sess.Split(buf)
		if err != nil && adv == 0 {
			cs.countError(err, buf)
			return cs.closeFor(protocols.Reason(err), err)
		}
		if adv == 0 {
			return gnet.None
		}
		if err != nil {
			cs.countError(err, buf)
			_, _ = cs.c.Discard(adv)
			continue
		}
		act := gnet.None
		if frame != nil {
			act = cs.handle(frame)
		}
		_, _ = cs.c.Discard(adv)
		if act != gnet.None {
			return act
		}
	}
	return gnet.None
}

// resume finishes the message that waited for a device lookup or for the
// journal, if any.
func (cs *tcpConn) resume() gnet.Action {
	switch {
	case cs.pending != nil:
		r := cs.pending
		cs.pending = nil
		if act := cs.adopt(r.dev, r.err); act != gnet.None {
			return act
		}
		return cs.dispatch()
	case cs.retry:
		cs.retry = false
		return cs.enqueue()
	}
	return gnet.None
}

// handle decodes one frame and acts on it.
func (cs *tcpConn) handle(frame []byte) gnet.Action {
	m := cs.s.p.Metrics
	m.frames.WithLabelValues(cs.proto(), "tcp").Inc()

	cs.msg.Reset()
	if err := cs.sess.Decode(frame, &cs.msg); err != nil {
		cs.countError(err, frame)
		cs.writeNow(protocols.Invalid, err)
		return gnet.None
	}

	if id := cs.msg.Identity; id != "" && id != cs.dev.UID {
		d, ok := cs.s.p.Registry.Cached(id)
		if !ok {
			cs.resolveAsync(id)
			return gnet.None
		}
		d, err := admitDevice(d, cs.proto(), cs.s.cfg.AllowList)
		if act := cs.adopt(d, err); act != gnet.None {
			return act
		}
	} else if err := cs.s.p.Registry.recheck(cs.dev); err != nil {
		return cs.adopt(cs.dev, err)
	}
	return cs.dispatch()
}

// adopt ties the connection to a resolved device, or refuses it.
func (cs *tcpConn) adopt(dev store.Device, err error) gnet.Action {
	if err != nil {
		cs.s.log.Warn("Device refused", "device", cs.msg.Identity, "remote", cs.remote,
			"err", err)
		cs.writeNow(protocols.Refused, err)
		return cs.closeFor("refused", nil)
	}
	cs.dev = dev
	return gnet.None
}

// dispatch answers or submits a decoded message of an identified (or not
// yet identified) connection.
func (cs *tcpConn) dispatch() gnet.Action {
	switch {
	case (cs.msg.Type != protocols.MsgData || len(cs.msg.Fixes) == 0) &&
		len(cs.msg.Status) > 0 && cs.dev.ID != 0:
		// A status without a position (an SOS with no GPS fix): kept, and
		// answered once durable, like data.
		return cs.submitStatus()
	case cs.msg.Type != protocols.MsgData || len(cs.msg.Fixes) == 0:
		// Logins, heartbeats and command answers: nothing to keep as a
		// position, so the reply goes out now.
		cs.writeNow(protocols.Accepted, nil)
		return gnet.None
	case cs.dev.ID == 0:
		err := fmt.Errorf("%d fixes before login: %w", len(cs.msg.Fixes), protocols.ErrNoIdentity)
		cs.countError(err, nil)
		cs.writeNow(protocols.Invalid, err)
		return gnet.None
	}
	p := cs.s.p
	p.Metrics.fixes.WithLabelValues(cs.proto()).Add(float64(len(cs.msg.Fixes)))
	cs.decoded = time.Now()
	cs.sub.Recs = p.appendRecords(cs.sub.Recs[:0], cs.msg.Fixes, cs.dev, cs.proto(), cs.decoded)
	return cs.enqueue()
}

// submitStatus keeps the message's status as one record without a
// position: Valid false, no cell, at the status time or now.
func (cs *tcpConn) submitStatus() gnet.Action {
	p := cs.s.p
	cs.decoded = time.Now()
	// appendRecords copies the attributes, so the record may alias
	// msg.Status, which stays untouched while the message is in flight.
	cs.status = append(cs.status[:0], protocols.Fix{Time: cs.msg.StatusTime,
		Attrs: cs.msg.Status})
	if cs.status[0].Time.IsZero() {
		cs.status[0].Time = cs.decoded
	}
	cs.sub.Recs = p.appendRecords(cs.sub.Recs[:0], cs.status, cs.dev, cs.proto(), cs.decoded)
	return cs.enqueue()
}

func (cs *tcpConn) resolveAsync(uid string) {
	cs.busy.Store(true)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
		defer cancel()
		dev, err := cs.s.p.Registry.resolveFor(ctx, uid, cs.proto(), cs.s.cfg.AllowList)
		if err != nil && !errors.Is(err, ErrRefused) {
			cs.s.log.Error("Device lookup failed", "device", uid, "err", err)
		}
		cs.pending = &resolution{uid: uid, dev: dev, err: err}
		cs.release()
	}()
}

// enqueue hands the prepared records to the journal. A full journal leaves
// the connection unread until the journal has room; then resume retries.
func (cs *tcpConn) enqueue() gnet.Action {
	j := cs.s.p.Journal
	cs.busy.Store(true)
	err := j.Submit(&cs.sub)
	if err == nil {
		return gnet.None
	}
	if errors.Is(err, ErrBusy) {
		cs.retry = true
		j.WhenReady(cs.release)
		return gnet.None
	}
	cs.busy.Store(false)
	return cs.closeFor("stopping", nil)
}

// done is the journal's completion: acknowledge a durable message, or send
// nothing so the device re-sends. It runs on a journal goroutine.
func (cs *tcpConn) done(_ *Submission, err error) {
	if err != nil || cs.closed.Load() {
		cs.release()
		return
	}
	cs.reply = cs.sess.AppendReply(cs.reply[:0], &cs.msg, protocols.Accepted, nil)
	cs.s.p.Metrics.ackSeconds.WithLabelValues(cs.proto()).Observe(time.Since(cs.decoded).Seconds())
	if len(cs.reply) == 0 {
		cs.release()
		return
	}
	if err := cs.c.AsyncWrite(cs.reply, cs.afterWrite); err != nil {
		cs.release()
	}
}

// afterWrite runs on the event loop once the reply is written.
func (cs *tcpConn) afterWrite(c gnet.Conn, _ error) error {
	cs.busy.Store(false)
	if c.InboundBuffered() > 0 {
		return c.Wake(nil)
	}
	return nil
}

// release ends the in-flight state from another goroutine and wakes the
// connection to read what it buffered meanwhile.
func (cs *tcpConn) release() {
	cs.busy.Store(false)
	if !cs.closed.Load() {
		_ = cs.c.Wake(nil)
	}
}

// writeNow writes a reply from the event loop (logins, heartbeats,
// refusals: nothing waits for the store).
func (cs *tcpConn) writeNow(v protocols.Verdict, err error) {
	cs.reply = cs.sess.AppendReply(cs.reply[:0], &cs.msg, v, err)
	if len(cs.reply) > 0 {
		_, _ = cs.c.Write(cs.reply)
	}
}

// countError counts a refused frame and logs the first one of the
// connection with enough context to reproduce it.
func (cs *tcpConn) countError(err error, b []byte) {
	reason := protocols.Reason(err)
	cs.s.p.Metrics.errors.WithLabelValues(cs.proto(), reason).Inc()
	if cs.loggedAt {
		return
	}
	cs.loggedAt = true
	off := protocols.Offset(err)
	cs.s.log.Warn("Bad frame from device", "remote", cs.remote, "device", cs.dev.UID,
		"reason", reason, "offset", off, "hex", protocols.Snippet(b, off, 32), "err", err)
}

func (cs *tcpConn) closeFor(reason string, err error) gnet.Action {
	cs.s.p.Metrics.closed.WithLabelValues(cs.proto(), reason).Inc()
	if err != nil {
		cs.s.log.Warn("Closing connection", "remote", cs.remote, "reason", reason, "err", err)
	}
	return gnet.Close
}

// gnetLogger routes gnet's own messages to slog.
type gnetLogger struct{ l *slog.Logger }

func (g gnetLogger) Debugf(f string, a ...any) { g.l.Debug(fmt.Sprintf(f, a...)) }
func (g gnetLogger) Infof(f string, a ...any)  { g.l.Debug(fmt.Sprintf(f, a...)) }
func (g gnetLogger) Warnf(f string, a ...any)  { g.l.Warn(fmt.Sprintf(f, a...)) }
func (g gnetLogger) Errorf(f string, a ...any) { g.l.Error(fmt.Sprintf(f, a...)) }
func (g gnetLogger) Fatalf(f string, a ...any) { g.l.Error(fmt.Sprintf(f, a...)) }
