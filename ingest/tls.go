package ingest

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"dozor/protocols"
	"dozor/store"
)

// TLSServer serves one stream protocol over TLS with the standard library,
// one goroutine per connection: gnet has no TLS. Each connection runs the
// same protocol session, registry and journal as the gnet listener, and
// answers a data message only after its fixes are durable. Trackers that
// speak TLS are few and slow, so a goroutine each costs little.
type TLSServer struct {
	cfg   ListenerConfig
	p     *Pipeline
	log   *slog.Logger
	ready chan struct{}
	wg    sync.WaitGroup
}

// NewTLSServer returns a server for cfg (cfg.TLS set); Run starts it.
func NewTLSServer(cfg ListenerConfig, p *Pipeline) *TLSServer {
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	cfg = p.Metrics.lenientOptions(cfg.Protocol.Name, cfg)
	return &TLSServer{cfg: cfg, p: p, ready: make(chan struct{}),
		log: orDiscard(p.Log).With("protocol", cfg.Protocol.Name, "transport", "tls")}
}

// Ready is closed once the listener accepts connections.
func (s *TLSServer) Ready() <-chan struct{} { return s.ready }

// Run listens until ctx ends, then closes every connection.
func (s *TLSServer) Run(ctx context.Context) error {
	ln, err := tls.Listen("tcp", s.cfg.Addr, s.cfg.TLS)
	if err != nil {
		return fmt.Errorf("%s TLS listener on %s: %w", s.cfg.Protocol.Name, s.cfg.Addr, err)
	}
	close(s.ready)
	s.log.Info("Listening", "addr", s.cfg.Addr)
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	var (
		mu    sync.Mutex
		conns = map[net.Conn]struct{}{}
	)
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("Accept failed", "err", err)
			}
			break
		}
		mu.Lock()
		conns[c] = struct{}{}
		mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serve(ctx, c)
			mu.Lock()
			delete(conns, c)
			mu.Unlock()
		}()
	}
	mu.Lock()
	for c := range conns {
		c.Close()
	}
	mu.Unlock()
	s.wg.Wait()
	return nil
}

// tlsConn is one connection's state.
type tlsConn struct {
	s    *TLSServer
	c    net.Conn
	sess protocols.Session
	msg  protocols.Message
	dev  store.Device
	recs []store.FixRecord
	out  []byte
}

func (s *TLSServer) serve(ctx context.Context, c net.Conn) {
	defer c.Close()
	m := s.p.Metrics
	m.connections.WithLabelValues(s.cfg.Protocol.Name).Inc()
	defer m.connections.WithLabelValues(s.cfg.Protocol.Name).Dec()
	tc := &tlsConn{s: s, c: c, sess: s.cfg.Protocol.NewSession(protocols.TCP, s.cfg.Options)}
	var buf []byte
	rd := make([]byte, 32<<10)
	for {
		_ = c.SetReadDeadline(time.Now().Add(s.cfg.IdleTimeout))
		n, err := c.Read(rd)
		buf = append(buf, rd[:n]...)
		if len(buf) > maxBuffered {
			return
		}
		for len(buf) > 0 {
			adv, frame, ferr := tc.sess.Split(buf)
			if ferr != nil && adv == 0 {
				m.errors.WithLabelValues(s.cfg.Protocol.Name, protocols.Reason(ferr)).Inc()
				return
			}
			if adv == 0 {
				break
			}
			if ferr == nil && frame != nil && !tc.handle(ctx, frame) {
				return
			}
			buf = buf[adv:]
		}
		buf = append(buf[:0:0], buf...) // drop the consumed prefix
		if err != nil {
			return
		}
	}
}

// handle decodes one frame, resolves the device, stores the fixes and
// answers; false closes the connection.
func (tc *tlsConn) handle(ctx context.Context, frame []byte) bool {
	s, proto := tc.s, tc.s.cfg.Protocol.Name
	s.p.Metrics.frames.WithLabelValues(proto, "tls").Inc()
	tc.msg.Reset()
	if err := tc.sess.Decode(frame, &tc.msg); err != nil {
		s.p.Metrics.errors.WithLabelValues(proto, protocols.Reason(err)).Inc()
		return tc.reply(protocols.Invalid, err)
	}
	if id := tc.msg.Identity; id != "" && id != tc.dev.UID {
		rctx, cancel := context.WithTimeout(ctx, resolveTimeout)
		d, err := s.p.Registry.resolveFor(rctx, id, proto, s.cfg.AllowList)
		cancel()
		if err != nil {
			s.log.Warn("Device refused", "device", id, "remote", tc.c.RemoteAddr(), "err", err)
			tc.reply(protocols.Refused, err)
			return false
		}
		tc.dev = d
	} else if err := s.p.Registry.recheck(tc.dev); err != nil {
		s.log.Warn("Device refused", "device", tc.dev.UID, "remote", tc.c.RemoteAddr(), "err", err)
		tc.reply(protocols.Refused, err)
		return false
	}
	switch {
	case tc.msg.Type != protocols.MsgData || len(tc.msg.Fixes) == 0:
		return tc.reply(protocols.Accepted, nil)
	case tc.dev.ID == 0:
		return tc.reply(protocols.Invalid, protocols.ErrNoIdentity)
	}
	s.p.Metrics.fixes.WithLabelValues(proto).Add(float64(len(tc.msg.Fixes)))
	tc.recs = s.p.appendRecords(tc.recs[:0], tc.msg.Fixes, tc.dev, proto, time.Now())
	if err := tc.store(ctx); err != nil {
		if errors.Is(err, ErrStopped) || ctx.Err() != nil {
			return false
		}
		return true // no ACK: the device sends again
	}
	return tc.reply(protocols.Accepted, nil)
}

// store submits the records and waits until they are durable.
func (tc *tlsConn) store(ctx context.Context) error {
	done := make(chan error, 1)
	sub := &Submission{Recs: tc.recs, Done: func(_ *Submission, err error) { done <- err }}
	if err := tc.s.p.Journal.SubmitWait(ctx, sub); err != nil {
		return err
	}
	err := <-done // the journal always completes what it took
	tc.recs = nil // the journal may still read the slice's records
	return err
}

func (tc *tlsConn) reply(v protocols.Verdict, err error) bool {
	tc.out = tc.sess.AppendReply(tc.out[:0], &tc.msg, v, err)
	if len(tc.out) == 0 {
		return true
	}
	_ = tc.c.SetWriteDeadline(time.Now().Add(30 * time.Second))
	_, werr := tc.c.Write(tc.out)
	return werr == nil
}
