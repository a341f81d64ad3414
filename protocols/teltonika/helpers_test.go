package teltonika

import (
	"testing"

	"dozor/protocols"
	"dozor/protocols/internal/corpus"
)

// replayed is what a session made of one corpus payload.
type replayed struct {
	msgs   []protocols.Message
	errs   []error
	acks   []byte // replies to decoded data messages, as if Accepted
	logins []byte // replies to login frames
	rest   int    // bytes left waiting for more data
}

// replay frames payload (TCP) or takes it as one datagram (UDP), decodes
// every frame into a fresh Message and builds the replies ingest would send.
func replay(s protocols.Session, udp bool, payload []byte) replayed {
	var out replayed
	if udp {
		out.decode(s, payload)
		return out
	}
	data := payload
	for len(data) > 0 {
		adv, frame, err := s.Split(data)
		if err != nil {
			out.errs = append(out.errs, err)
		}
		if adv == 0 {
			if err == nil {
				out.rest = len(data)
			}
			break
		}
		data = data[adv:]
		if err == nil {
			out.decode(s, frame)
		}
	}
	return out
}

func (out *replayed) decode(s protocols.Session, frame []byte) {
	var m protocols.Message
	err := s.Decode(frame, &m)
	v := protocols.Accepted
	if err != nil {
		v = protocols.Invalid
		out.errs = append(out.errs, err)
	}
	switch m.Type {
	case protocols.MsgLogin:
		out.logins = s.AppendReply(out.logins, &m, v, err)
	default:
		out.acks = s.AppendReply(out.acks, &m, v, err)
	}
	if err == nil {
		out.msgs = append(out.msgs, m)
	}
}

// fixes returns the fixes of every decoded message of type t.
func (out *replayed) fixes(t protocols.MessageType) []protocols.Fix {
	var fs []protocols.Fix
	for _, m := range out.msgs {
		if m.Type == t {
			fs = append(fs, m.Fixes...)
		}
	}
	return fs
}

func loadCorpus(t testing.TB) []corpus.Entry {
	t.Helper()
	es, err := corpus.Load("testdata/corpus.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func sessionFor(e *corpus.Entry, o protocols.Options) (protocols.Session, bool) {
	if e.Transport == "udp" {
		return NewSession(protocols.UDP, o), true
	}
	return NewSession(protocols.TCP, o), false
}

func attr(f *protocols.Fix, key string) (protocols.Attr, bool) { return f.Attrs.Get(key) }
