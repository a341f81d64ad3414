package osmand

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"dozor/protocols"
)

const (
	maxInterned = 512  // attribute names remembered by one decoder
	maxListLen  = 1024 // bytes of a ';'-joined cell or wifi list
)

// decoder holds the scratch state of one request; decoders are pooled.
type decoder struct {
	sc     scanner
	form   formIter
	target []byte // copy of the request target, for formIter

	base     int        // len(m.Fixes) when the request started
	st       []fixState // one per fix appended since base
	cur      fixState   // the fix being decoded
	cells    []byte     // cell list of the current fix
	wifis    []byte     // wifi list of the current fix
	fallback string     // device for fixes that name none
	lastID   string     // last id string made, reused for equal ids
	keys     map[string]string
	now      time.Time // server time for fixes without one
	top      bool      // decoding the top-level JSON object
}

var decoders = sync.Pool{New: func() any {
	return &decoder{keys: make(map[string]string)}
}}

func getDecoder() *decoder { return decoders.Get().(*decoder) }

// maxPooledBuf is the largest scratch buffer kept in the pool; a request
// with longer strings leaves its decoder to the garbage collector.
const maxPooledBuf = 16 << 10

// putDecoder returns d to the pool unless a huge request inflated it.
func putDecoder(d *decoder) {
	if cap(d.sc.vbuf) > maxPooledBuf || cap(d.sc.kbuf) > maxPooledBuf ||
		cap(d.form.vbuf) > maxPooledBuf || cap(d.target) > maxPooledBuf {
		return
	}
	d.sc.b, d.form.b, d.fallback, d.lastID = nil, nil, "", ""
	decoders.Put(d)
}

// body kinds.
const (
	bodyNone = iota
	bodyForm
	bodyJSON
)

func (d *decoder) decode(r protocols.HTTPRequest, m *protocols.Message) (Result, error) {
	if len(r.Body) > MaxBody {
		return Result{}, fmt.Errorf("osmand: %w",
			protocols.Limit("body length", len(r.Body), MaxBody))
	}
	if len(r.Target) > MaxTarget {
		return Result{}, fmt.Errorf("osmand: %w",
			protocols.Limit("target length", len(r.Target), MaxTarget))
	}
	d.base, d.st, d.now, d.fallback = len(m.Fixes), d.st[:0], time.Time{}, ""
	kind, err := bodyKind(r)
	if err != nil {
		return Result{}, err
	}
	if kind == bodyJSON {
		return d.decodeJSON(r, m)
	}
	return d.decodeForm(r, m, kind == bodyForm)
}

// bodyKind tells how to read the body from the content type, or from its
// first byte when the type says nothing useful.
func bodyKind(r protocols.HTTPRequest) (int, error) {
	ct := strings.ToLower(mediaType(r.ContentType))
	switch {
	case len(r.Body) == 0:
		return bodyNone, nil
	case strings.HasSuffix(ct, "/json") || strings.HasSuffix(ct, "+json"):
		return bodyJSON, nil
	case ct == "application/x-www-form-urlencoded":
		return bodyForm, nil
	case strings.HasPrefix(ct, "multipart/"):
		return 0, fmt.Errorf("osmand: content type %q: %w", ct, protocols.ErrUnsupported)
	}
	if c := firstNonSpace(r.Body); c == '{' || c == '[' {
		return bodyJSON, nil
	}
	return bodyForm, nil
}

func firstNonSpace(b []byte) byte {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
		default:
			return c
		}
	}
	return 0
}

// mediaType returns the media type of a Content-Type, without parameters.
func mediaType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.TrimSpace(ct)
}

// decodeForm decodes the single fix of a query string, merged with a form
// body when there is one. Body parameters are applied after the query's,
// so the body wins where both set a field.
func (d *decoder) decodeForm(r protocols.HTTPRequest, m *protocols.Message, body bool) (
	Result, error) {
	f := d.beginFix(m, 0)
	q, off := queryOf(r.Target)
	d.target = append(d.target[:0], q...)
	if err := d.applyForm(f, d.target, off); err != nil {
		return d.fail(m, fmt.Errorf("osmand: query: %w", err))
	}
	if body {
		if err := d.applyForm(f, r.Body, 0); err != nil {
			return d.fail(m, fmt.Errorf("osmand: form body: %w", err))
		}
	}
	d.endFix(f)
	return d.finishSingle(m)
}

func (d *decoder) applyForm(f *protocols.Fix, b []byte, base int) error {
	d.form.reset(b, base)
	for {
		key, val, ok, err := d.form.next()
		if err != nil || !ok {
			return err
		}
		if err := d.param(f, key, value{kind: valText, text: val}); err != nil {
			return err
		}
	}
}

// queryID reads the device id of the target's query, the fallback for JSON
// fixes that name none.
func (d *decoder) queryID(target string) error {
	q, off := queryOf(target)
	d.target = append(d.target[:0], q...)
	d.form.reset(d.target, off)
	for {
		key, val, ok, err := d.form.next()
		if err != nil {
			return fmt.Errorf("osmand: query: %w", err)
		}
		if !ok {
			return nil
		}
		switch string(key) {
		case "id", "deviceid", "device_id":
			if len(val) == 0 {
				continue
			}
			if d.fallback, err = d.deviceID(val); err != nil {
				return fmt.Errorf("osmand: query: %w", err)
			}
		}
	}
}

// beginFix starts fix number index of the request.
func (d *decoder) beginFix(m *protocols.Message, index int) *protocols.Fix {
	d.cur = fixState{index: index}
	d.cells, d.wifis = d.cells[:0], d.wifis[:0]
	f := m.NextFix()
	f.Protocol = Name
	f.Valid = true
	return f
}

// endFix closes the current fix: it flushes the cell and wifi lists (valid
// UTF-8: appendList keeps only valid entries).
func (d *decoder) endFix(f *protocols.Fix) {
	if len(d.cells) > 0 {
		f.Attrs = append(f.Attrs, protocols.String(AttrCell, string(d.cells)))
	}
	if len(d.wifis) > 0 {
		f.Attrs = append(f.Attrs, protocols.String(AttrWifi, string(d.wifis)))
	}
	d.st = append(d.st, d.cur)
}

// fail drops the fixes of a refused request.
func (d *decoder) fail(m *protocols.Message, err error) (Result, error) {
	m.Fixes = m.Fixes[:d.base]
	return Result{}, err
}

// finishSingle ends a request that carries one fix: no device is a request
// error, no coordinates at all is a heartbeat unless it raises an alarm.
func (d *decoder) finishSingle(m *protocols.Message) (Result, error) {
	st := &d.st[0]
	if st.id == "" {
		st.id = d.fallback
	}
	if st.id == "" {
		return d.fail(m, ErrNoDevice)
	}
	if !st.hasLat && !st.hasLon && !raisesAlarm(&m.Fixes[d.base]) {
		m.Fixes = m.Fixes[:d.base]
		m.Type = protocols.MsgHeartbeat
		m.Identity = st.id
		return Result{}, nil
	}
	return d.finish(m)
}

// finish validates every fix, moves the rejected ones out of m.Fixes into
// the result and sets the message type and identity.
func (d *decoder) finish(m *protocols.Message) (Result, error) {
	var res Result
	w := d.base
	named := false
	for i := range d.st {
		st := &d.st[i]
		if st.id == "" {
			st.id = d.fallback
		}
		named = named || st.id != ""
		f := &m.Fixes[d.base+i]
		if err := d.check(f, st); err != nil {
			res.Rejected = append(res.Rejected, Rejection{Index: st.index, Device: st.id, Err: err})
			continue
		}
		f.Device = st.id
		if r := d.base + i; r != w {
			// Swap, not copy, so that no two fixes share Attrs storage.
			m.Fixes[w], m.Fixes[r] = m.Fixes[r], m.Fixes[w]
		}
		w++
	}
	if len(d.st) > 0 && !named {
		return d.fail(m, ErrNoDevice)
	}
	m.Fixes = m.Fixes[:w]
	m.Type = protocols.MsgData
	m.Identity = d.identity()
	res.Fixes = w - d.base
	return res, nil
}

// raisesAlarm reports whether f names an alarm (alarm=sos, ...).
func raisesAlarm(f *protocols.Fix) bool {
	a, ok := f.Attrs.Get(protocols.AttrAlarm)
	return ok && a.Str() != ""
}

// check decides whether a decoded fix can be stored.
func (d *decoder) check(f *protocols.Fix, st *fixState) error {
	switch {
	case st.id == "":
		return fmt.Errorf("%w: %w", ErrInvalidFix, ErrNoDevice)
	case st.err != nil:
		return st.err
	case st.hasLat != st.hasLon && st.hasLat:
		return fmt.Errorf("%w: lat without lon", ErrInvalidFix)
	case st.hasLat != st.hasLon:
		return fmt.Errorf("%w: lon without lat", ErrInvalidFix)
	case !st.hasLat || f.Lat == 0 && f.Lon == 0:
		// An alarm with no GPS fix (an SOS pressed indoors) is kept as a
		// record without a position; a plain fix without one is useless.
		if raisesAlarm(f) {
			f.Lat, f.Lon, f.Valid = 0, 0, false
		} else if !st.hasLat {
			return fmt.Errorf("%w: no coordinates", ErrInvalidFix)
		} else {
			return fmt.Errorf("%w: position 0,0 (no fix)", ErrInvalidFix)
		}
	}
	if !st.hasTime {
		if d.now.IsZero() {
			d.now = time.Now().UTC()
		}
		f.Time = d.now
		f.Attrs = append(f.Attrs, protocols.Bool(AttrServerTime, true))
	}
	return nil
}

// identity returns the one device the request names, or "" if it names
// several.
func (d *decoder) identity() string {
	id := ""
	for i := range d.st {
		switch s := d.st[i].id; {
		case s == "" || s == id:
		case id == "":
			id = s
		default:
			return ""
		}
	}
	return id
}
