package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/panjf2000/gnet/v2"
	"golang.org/x/sys/unix"

	"dozor/protocols"
	"dozor/store"
)

// UDPServer serves one datagram protocol on one address with gnet. Every
// datagram identifies its device and is answered on its own: the reply is
// sent with sendto(2) on the listening socket once the fixes are durable.
// A datagram that finds the journal full is dropped unanswered; the device
// sends it again.
type UDPServer struct {
	gnet.BuiltinEventEngine

	cfg   ListenerConfig
	p     *Pipeline
	log   *slog.Logger
	eng   gnet.Engine
	ready chan struct{}
	pool  sync.Pool
}

// NewUDPServer returns a server for cfg; Run starts it.
func NewUDPServer(cfg ListenerConfig, p *Pipeline) *UDPServer {
	cfg = p.Metrics.lenientOptions(cfg.Protocol.Name, cfg)
	s := &UDPServer{
		cfg:   cfg,
		p:     p,
		log:   orDiscard(p.Log).With("protocol", cfg.Protocol.Name, "transport", "udp"),
		ready: make(chan struct{}),
	}
	s.pool.New = func() any {
		d := &datagram{s: s, sess: cfg.Protocol.NewSession(protocols.UDP, cfg.Options)}
		d.sub.Done = d.done
		return d
	}
	return s
}

// Run listens until ctx ends.
func (s *UDPServer) Run(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { _ = s.eng.Stop(context.Background()) })
	defer stop()

	err := gnet.Run(s, "udp://"+s.cfg.Addr,
		gnet.WithMulticore(true),
		gnet.WithLogger(gnetLogger{s.log}),
	)
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("%s udp listener on %s: %w", s.cfg.Protocol.Name, s.cfg.Addr, err)
	}
	return nil
}

// Ready is closed once the listener receives datagrams.
func (s *UDPServer) Ready() <-chan struct{} { return s.ready }

// OnBoot implements gnet.EventHandler.
func (s *UDPServer) OnBoot(eng gnet.Engine) gnet.Action {
	s.eng = eng
	close(s.ready)
	s.log.Info("Listening", "addr", s.cfg.Addr)
	return gnet.None
}

// OnTraffic implements gnet.EventHandler for one datagram.
func (s *UDPServer) OnTraffic(c gnet.Conn) gnet.Action {
	buf, _ := c.Next(-1)
	if len(buf) == 0 {
		return gnet.None
	}
	s.p.Metrics.frames.WithLabelValues(s.cfg.Protocol.Name, "udp").Inc()

	d := s.pool.Get().(*datagram)
	d.fd = c.Fd()
	d.to = sockaddr(c.RemoteAddr())
	if d.to == nil {
		s.pool.Put(d)
		return gnet.None
	}
	d.handle(buf, c)
	return gnet.None
}

// datagram is the state of one datagram in flight; pooled.
type datagram struct {
	s       *UDPServer
	sess    protocols.Session
	msg     protocols.Message
	sub     Submission
	reply   []byte
	fd      int
	to      unix.Sockaddr
	decoded time.Time
}

func (d *datagram) proto() string { return d.s.cfg.Protocol.Name }

func (d *datagram) handle(buf []byte, c gnet.Conn) {
	s := d.s
	d.msg.Reset()
	if err := d.sess.Decode(buf, &d.msg); err != nil {
		s.p.Metrics.errors.WithLabelValues(d.proto(), protocols.Reason(err)).Inc()
		s.log.Debug("Bad datagram", "remote", c.RemoteAddr().String(),
			"hex", protocols.Snippet(buf, protocols.Offset(err), 32), "err", err)
		d.replyNow(protocols.Invalid, err)
		return
	}
	if d.msg.Type != protocols.MsgData || d.msg.Identity == "" || len(d.msg.Fixes) == 0 {
		d.replyNow(protocols.Accepted, nil)
		return
	}
	if dev, ok := s.p.Registry.Cached(d.msg.Identity); ok {
		d.accept(dev, nil)
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
		defer cancel()
		d.accept(s.p.Registry.resolveFor(ctx, d.msg.Identity, d.proto(), s.cfg.AllowList))
	}()
}

// accept submits the datagram's fixes for device dev (or refuses it).
func (d *datagram) accept(dev store.Device, err error) {
	if err == nil {
		_, err = admitDevice(dev, d.proto(), d.s.cfg.AllowList)
	}
	if err != nil {
		if !errors.Is(err, ErrRefused) {
			d.s.log.Error("Device lookup failed", "device", d.msg.Identity, "err", err)
		}
		d.replyNow(protocols.Refused, err)
		return
	}
	p := d.s.p
	p.Metrics.fixes.WithLabelValues(d.proto()).Add(float64(len(d.msg.Fixes)))
	d.decoded = time.Now()
	d.sub.Recs = p.appendRecords(d.sub.Recs[:0], d.msg.Fixes, dev, d.proto(), d.decoded)
	if err := p.Journal.Submit(&d.sub); err != nil {
		d.s.pool.Put(d) // dropped unanswered: the device re-sends
	}
}

// done runs on a journal goroutine after the commit.
func (d *datagram) done(_ *Submission, err error) {
	if err == nil {
		d.s.p.Metrics.ackSeconds.WithLabelValues(d.proto()).Observe(time.Since(d.decoded).Seconds())
		d.replyNow(protocols.Accepted, nil)
		return
	}
	d.s.pool.Put(d)
}

// replyNow sends the protocol's reply for the verdict, if any, and returns
// the datagram state to the pool. sendto(2) on a UDP socket is safe from any
// goroutine.
func (d *datagram) replyNow(v protocols.Verdict, err error) {
	d.reply = d.sess.AppendReply(d.reply[:0], &d.msg, v, err)
	if len(d.reply) > 0 {
		if err := unix.Sendto(d.fd, d.reply, unix.MSG_DONTWAIT, d.to); err != nil {
			d.s.log.Debug("Reply not sent", "err", err)
		}
	}
	d.s.pool.Put(d)
}

func sockaddr(a net.Addr) unix.Sockaddr {
	ua, ok := a.(*net.UDPAddr)
	if !ok {
		return nil
	}
	if ip4 := ua.IP.To4(); ip4 != nil {
		sa := &unix.SockaddrInet4{Port: ua.Port}
		copy(sa.Addr[:], ip4)
		return sa
	}
	sa := &unix.SockaddrInet6{Port: ua.Port}
	copy(sa.Addr[:], ua.IP.To16())
	return sa
}
