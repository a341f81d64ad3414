package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"dozor/protocols"
	"dozor/protocols/all"
)

// maxDecodeLine bounds one input line of `dozor decode`.
const maxDecodeLine = 4 << 20

// decodeOutput is one line of `dozor decode` output.
type decodeOutput struct {
	Fixes  []fixOut        `json:"fixes"`
	Status json.RawMessage `json:"status,omitempty"` // reported without a position
	Ack    string          `json:"ack"`
	Error  string          `json:"error"`
}

type fixOut struct {
	Device     string          `json:"device,omitempty"`
	Time       string          `json:"time"`
	Lat        float64         `json:"lat"`
	Lon        float64         `json:"lon"`
	Altitude   float64         `json:"altitude"`
	Speed      float64         `json:"speed_kmh"`
	Course     float64         `json:"course"`
	Satellites int             `json:"satellites"`
	HDOP       float64         `json:"hdop,omitempty"`
	Accuracy   float64         `json:"accuracy,omitempty"`
	Valid      bool            `json:"valid"`
	Attrs      json.RawMessage `json:"attrs"`
}

func runDecode(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("decode", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("protocol", "", "protocol name (see --list)")
	transport := fs.String("transport", "", "tcp, udp or http (default: the protocol's first)")
	list := fs.Bool("list", false, "list the protocols with their default ports")
	lenient := fs.Bool("lenient", false, "accept bad checksums, as a lenient listener would")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *list {
		return listProtocols(stdout)
	}
	p, ok := all.Lookup(*name)
	if !ok {
		return fmt.Errorf("unknown protocol %q (dozor decode --list shows them)", *name)
	}
	t, err := pickTransport(p, *transport)
	if err != nil {
		return err
	}
	d := newDecoder(p, t, protocols.Options{LenientChecksum: *lenient})
	return d.run(os.Stdin, stdout)
}

func listProtocols(w io.Writer) error {
	for _, p := range all.Protocols() {
		var ts []string
		for _, t := range p.Transports {
			ts = append(ts, t.String())
		}
		fmt.Fprintf(w, "%-12s %5d  %-8s %s\n", p.Name, p.Port, strings.Join(ts, ","), p.Title)
	}
	return nil
}

func pickTransport(p protocols.Protocol, name string) (protocols.Transport, error) {
	if name == "" {
		return p.Transports[0], nil
	}
	for _, t := range p.Transports {
		if t.String() == name {
			return t, nil
		}
	}
	return 0, fmt.Errorf("protocol %s is not served over %s", p.Name, name)
}

// lineDecoder decodes input lines through one session, as one connection.
type lineDecoder struct {
	p    protocols.Protocol
	t    protocols.Transport
	sess protocols.Session
	buf  []byte // stream bytes not yet framed (tcp)
	msg  protocols.Message
}

func newDecoder(p protocols.Protocol, t protocols.Transport, o protocols.Options) *lineDecoder {
	d := &lineDecoder{p: p, t: t}
	if t != protocols.HTTP {
		d.sess = p.NewSession(t, o)
	}
	return d
}

func (d *lineDecoder) run(in io.Reader, out io.Writer) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), maxDecodeLine)
	enc := json.NewEncoder(out)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		if err := enc.Encode(d.line(line)); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read input: %w", err)
	}
	if len(d.buf) > 0 {
		return fmt.Errorf("input ended inside a frame: %d bytes left unframed: %s",
			len(d.buf), protocols.Snippet(d.buf, 0, 32))
	}
	return nil
}

// line decodes one input line.
func (d *lineDecoder) line(line string) decodeOutput {
	out := decodeOutput{Fixes: []fixOut{}}
	switch d.t {
	case protocols.HTTP:
		d.httpLine(line, &out)
	case protocols.UDP:
		b, err := payload(line)
		if err != nil {
			out.Error = err.Error()
			return out
		}
		d.frame(b, &out)
	default:
		d.streamLine(line, &out)
	}
	return out
}

// payload reads a line as hex when it is hex, else as text.
func payload(line string) ([]byte, error) {
	s := strings.Join(strings.Fields(line), "")
	if b, err := hex.DecodeString(s); err == nil {
		return b, nil
	}
	if isHexish(s) {
		return nil, fmt.Errorf("input is not valid hex: %s", clip(s))
	}
	return []byte(line), nil
}

func isHexish(s string) bool {
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}

// streamLine adds a line to the stream and decodes every complete frame.
// A text line that leaves bytes unframed is retried with CR LF appended,
// since shells strip the line terminator text protocols frame on.
func (d *lineDecoder) streamLine(line string, out *decodeOutput) {
	b, err := payload(line)
	if err != nil {
		out.Error = err.Error()
		return
	}
	text := string(b) == line
	d.buf = append(d.buf, b...)
	d.drain(out)
	if text && len(d.buf) > 0 && out.Error == "" {
		d.buf = append(d.buf, '\r', '\n')
		d.drain(out)
	}
	if len(d.buf) > 0 && out.Error == "" && len(out.Fixes) == 0 && out.Ack == "" {
		out.Error = fmt.Sprintf("incomplete frame: %d bytes buffered, waiting for more",
			len(d.buf))
	}
}

func (d *lineDecoder) drain(out *decodeOutput) {
	for len(d.buf) > 0 {
		adv, frame, err := d.sess.Split(d.buf)
		if err != nil {
			out.Error = joinErr(out.Error, fmt.Sprintf("framing: %v (%s)", err,
				protocols.Snippet(d.buf, protocols.Offset(err), 32)))
			if adv == 0 {
				d.buf = d.buf[:0] // the server would close the connection
				return
			}
			d.buf = d.buf[adv:]
			continue
		}
		if adv == 0 {
			return
		}
		d.frame(frame, out)
		d.buf = d.buf[adv:]
	}
}

// frame decodes one frame and appends its fixes and reply to out. The
// reply is the one the server sends once the fixes are durable, for a
// device the server accepts.
func (d *lineDecoder) frame(b []byte, out *decodeOutput) {
	d.msg.Reset()
	err := d.sess.Decode(b, &d.msg)
	v := protocols.Accepted
	if err != nil {
		out.Error = joinErr(out.Error, describe(err, b))
		v = protocols.Invalid
	}
	out.Ack += hex.EncodeToString(d.sess.AppendReply(nil, &d.msg, v, err))
	if err == nil {
		appendFixes(out, d.msg.Fixes)
		if len(d.msg.Status) > 0 {
			out.Status = d.msg.Status.AppendJSON(nil)
		}
	}
}

func (d *lineDecoder) httpLine(line string, out *decodeOutput) {
	req := protocols.HTTPRequest{Method: "POST", Target: line}
	if strings.HasPrefix(line, "{") || strings.HasPrefix(line, "[") {
		req = protocols.HTTPRequest{Method: "POST", Target: "/",
			ContentType: "application/json", Body: []byte(line)}
	} else if !strings.HasPrefix(line, "/") {
		req.Target = "/?" + strings.TrimPrefix(line, "?")
	}
	d.msg.Reset()
	if err := d.p.DecodeHTTP(req, &d.msg); err != nil {
		out.Error = err.Error()
		return
	}
	if d.msg.Reply.N > 0 {
		out.Error = fmt.Sprintf("%d fixes rejected as permanently invalid "+
			"(the server answers 200 and counts them)", d.msg.Reply.N)
	}
	appendFixes(out, d.msg.Fixes)
}

func appendFixes(out *decodeOutput, fixes []protocols.Fix) {
	for i := range fixes {
		f := &fixes[i]
		out.Fixes = append(out.Fixes, fixOut{
			Device: f.Device, Time: f.Time.UTC().Format(time.RFC3339Nano),
			Lat: f.Lat, Lon: f.Lon, Altitude: f.Altitude, Speed: f.Speed, Course: f.Course,
			Satellites: f.Satellites, HDOP: f.HDOP, Accuracy: f.Accuracy, Valid: f.Valid,
			Attrs: f.Attrs.AppendJSON(nil),
		})
	}
}

func describe(err error, frame []byte) string {
	off := protocols.Offset(err)
	if off < 0 {
		return err.Error()
	}
	return fmt.Sprintf("%v (frame of %d bytes, near: %s)", err, len(frame),
		protocols.Snippet(frame, off, 32))
}

func joinErr(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
