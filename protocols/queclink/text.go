package queclink

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"dozor/protocols"
)

// maxFields bounds the comma-separated fields of one message.
const maxFields = 256

// Attribute names specific to Queclink.
const (
	attrBuffered = "buffered" // a +BUFF report, sent later than it happened
	attrReport   = "report"   // report type, e.g. GTFRI
)

// Kind is the prefix of an ASCII message.
type Kind uint8

// Message kinds.
const (
	KindResp Kind = iota + 1 // +RESP: a report as it happens
	KindBuff                 // +BUFF: a report kept while offline
	KindAck                  // +ACK: an acknowledgement of a command, or GTHBD
)

func (k Kind) String() string {
	switch k {
	case KindResp:
		return "+RESP"
	case KindBuff:
		return "+BUFF"
	case KindAck:
		return "+ACK"
	}
	return "unknown"
}

// message is one ASCII message cut into fields:
//
//	+RESP:GTxxx,<version>,<IMEI>,<device name>,...,<send time>,<count>
type message struct {
	raw    []byte // the whole message; fields alias it
	kind   Kind
	report []byte // "GTFRI"
	f      [][]byte
}

func parse(b []byte, buf [][]byte) (message, error) {
	msg := message{raw: b}
	colon := bytes.IndexByte(b, ':')
	if colon < 0 {
		return msg, fmt.Errorf("queclink: %q has no ':': %w", head(b), protocols.ErrMalformed)
	}
	switch string(b[:colon]) {
	case "+RESP":
		msg.kind = KindResp
	case "+BUFF":
		msg.kind = KindBuff
	case "+ACK":
		msg.kind = KindAck
	default:
		return msg, fmt.Errorf("queclink: prefix %q: %w", b[:colon], protocols.ErrUnsupported)
	}
	msg.f = buf[:0]
	rest := b[colon+1:]
	for {
		if len(msg.f) == maxFields {
			return msg, fmt.Errorf("queclink: %w",
				protocols.Limit("field count", len(msg.f)+1, maxFields))
		}
		i := bytes.IndexByte(rest, ',')
		if i < 0 {
			msg.f = append(msg.f, rest)
			break
		}
		msg.f = append(msg.f, rest[:i])
		rest = rest[i+1:]
	}
	msg.report = msg.f[0]
	if len(msg.report) != 5 || msg.report[0] != 'G' || msg.report[1] != 'T' {
		return msg, msg.at(msg.report, fmt.Errorf("queclink: report type %q: %w",
			msg.report, protocols.ErrMalformed))
	}
	if len(msg.f) < 4 {
		return msg, fmt.Errorf("queclink: %s of %d fields: %w",
			msg.report, len(msg.f), protocols.ErrTruncated)
	}
	return msg, nil
}

// at locates err at field within the message.
func (msg *message) at(field []byte, err error) error {
	return protocols.At(cap(msg.raw)-cap(field), err)
}

// standard reports whether the message ends with <send time>,<count>, as
// every message of protocol versions that carry a version field does.
func (msg *message) standard() bool {
	n := len(msg.f)
	return n >= 5 && isTime(msg.f[n-2]) && len(msg.f[n-1]) == 4 && isHex(msg.f[n-1])
}

func (s *Session) decodeText(b []byte, m *protocols.Message) error {
	if s.fields == nil {
		s.fields = make([][]byte, 0, maxFields)
	}
	msg, err := parse(b, s.fields)
	if err != nil {
		return err
	}
	id := msg.f[2]
	if !msg.standard() {
		id = msg.f[1] // early firmware: no version field, no count
	}
	if len(id) < 10 || len(id) > 20 || !isAlnum(id) {
		return msg.at(id, fmt.Errorf("queclink: %s device id %q: %w",
			msg.report, id, protocols.ErrMalformed))
	}
	if s.imei != string(id) {
		s.imei = string(id)
	}
	m.Identity = s.imei
	if !msg.standard() {
		m.Type = protocols.MsgOther
		return nil
	}
	count := msg.f[len(msg.f)-1]
	if msg.kind == KindAck {
		m.Type = protocols.MsgOther
		if string(msg.report) == "GTHBD" {
			m.Type = protocols.MsgHeartbeat
			m.Reply.Aux = replyHeartbeat
			m.Reply.Data = append(append(append(m.Reply.Data[:0], msg.f[1]...), ','), count...)
		}
		return nil
	}
	if err := decodeReport(&msg, m); err != nil {
		return err
	}
	m.Type = protocols.MsgData
	m.Reply.Aux = replyReport
	m.Reply.Data = append(m.Reply.Data[:0], count...)
	return nil
}

// decodeReport finds every position block of a report; a report with none
// still yields one fix without a position at its send time, so that the
// status it carries is kept.
func decodeReport(msg *message, m *protocols.Message) error {
	n := len(msg.f)
	for i := 7; i < n-2; i++ {
		if !isTime(msg.f[i]) || !isCoord(msg.f[i-1], 90) || !isCoord(msg.f[i-2], 180) {
			continue
		}
		if err := decodeBlock(msg, i, m); err != nil {
			return err
		}
	}
	if len(m.Fixes) == 0 {
		f := m.NextFix()
		f.Protocol = Name
		f.Time, _ = parseTime(msg.f[n-2])
		addAttrs(msg, f)
	}
	return nil
}

// decodeBlock reads the block whose GPS time is field i:
//
//	accuracy, speed km/h, azimuth, altitude m, longitude, latitude, time
func decodeBlock(msg *message, i int, m *protocols.Message) error {
	f := m.NextFix()
	f.Protocol = Name
	var err error
	if f.Time, err = parseTime(msg.f[i]); err != nil {
		return msg.at(msg.f[i], err)
	}
	f.Lat = num(msg.f[i-1])
	f.Lon = num(msg.f[i-2])
	f.Altitude = num(msg.f[i-3])
	f.Course = num(msg.f[i-4])
	f.Speed = num(msg.f[i-5])
	f.HDOP = num(msg.f[i-6])
	f.Valid = f.HDOP > 0 && (f.Lat != 0 || f.Lon != 0)
	addAttrs(msg, f)
	return nil
}

func addAttrs(msg *message, f *protocols.Fix) {
	count, _ := strconv.ParseUint(string(msg.f[len(msg.f)-1]), 16, 16)
	f.Attrs = append(f.Attrs,
		protocols.String(attrReport, reportName(msg.report)),
		protocols.Uint(protocols.AttrIndex, count))
	if msg.kind == KindBuff {
		f.Attrs = append(f.Attrs, protocols.Bool(attrBuffered, true))
	}
	switch string(msg.report) {
	case "GTIGN", "GTVGN":
		f.Attrs = append(f.Attrs, protocols.Bool(protocols.AttrIgnition, true))
	case "GTIGF", "GTVGF":
		f.Attrs = append(f.Attrs, protocols.Bool(protocols.AttrIgnition, false))
	}
	if a := alarmName(msg.report); a != "" {
		f.Attrs = append(f.Attrs, protocols.String(protocols.AttrAlarm, a))
	}
}

func parseTime(b []byte) (time.Time, error) {
	if !isTime(b) {
		return time.Time{}, fmt.Errorf("queclink: time %q: %w", b, protocols.ErrMalformed)
	}
	d := func(i, n int) int {
		v := 0
		for _, c := range b[i : i+n] {
			v = v*10 + int(c-'0')
		}
		return v
	}
	t := time.Date(d(0, 4), time.Month(d(4, 2)), d(6, 2), d(8, 2), d(10, 2), d(12, 2), 0, time.UTC)
	if t.Month() != time.Month(d(4, 2)) || t.Day() != d(6, 2) || d(8, 2) > 23 || d(10, 2) > 59 ||
		d(12, 2) > 60 {
		return time.Time{}, fmt.Errorf("queclink: time %q out of range: %w",
			b, protocols.ErrMalformed)
	}
	return t, nil
}

func isTime(b []byte) bool {
	if len(b) != 14 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// isCoord reports whether b is a decimal degree value with a fraction,
// within ±limit.
func isCoord(b []byte, limit float64) bool {
	if len(b) < 3 || bytes.IndexByte(b, '.') < 0 {
		return false
	}
	v, err := strconv.ParseFloat(string(b), 64)
	return err == nil && v >= -limit && v <= limit
}

func num(b []byte) float64 {
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return 0
	}
	return v
}

func isHex(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'F' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func isAlnum(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}
