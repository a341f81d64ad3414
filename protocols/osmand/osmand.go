package osmand

import (
	"errors"
	"fmt"

	"dozor/protocols"
)

// Name is the registry name of the protocol, also set as Fix.Protocol.
const Name = "osmand"

// Limits on what one request may carry. A request over MaxBody, MaxTarget,
// MaxFixes, MaxParams or MaxIDLen is refused as a whole (ErrTooLarge), one
// nested deeper than MaxDepth as malformed; attributes over MaxAttrs,
// MaxKeyLen or MaxValueLen are dropped and the fix is kept.
const (
	MaxBody     = 2 << 20  // request body, bytes
	MaxTarget   = 64 << 10 // request target (path and query), bytes
	MaxFixes    = 1000     // fixes in one batch
	MaxParams   = 1024     // parameters (keys) in one fix
	MaxIDLen    = 128      // device id, bytes
	MaxAttrs    = 64       // free-form attributes kept per fix
	MaxKeyLen   = 64       // attribute name, bytes
	MaxValueLen = 256      // attribute value, bytes
	MaxDepth    = 16       // JSON nesting
)

// Attribute names this package sets besides the common ones of package
// protocols.
const (
	AttrCell       = "cell"        // cell towers "mcc,mnc,lac,cid[,rssi]", ';'-joined
	AttrWifi       = "wifi"        // Wi-Fi access points "mac,rssi", ';'-joined
	AttrUUID       = "uuid"        // client-generated id of the location
	AttrServerTime = "server_time" // the request had no time: Time is the server's clock
)

// Errors. Request-level errors are returned by DecodeRequest; fix-level ones
// appear in Result.Rejected.
var (
	// ErrNoDevice: the request names no device (no id, deviceid or
	// device_id). The server answers 400. It wraps protocols.ErrNoIdentity.
	ErrNoDevice = fmt.Errorf("osmand: %w (no id, deviceid or device_id)",
		protocols.ErrNoIdentity)

	// ErrInvalidFix: one fix can never be stored (no coordinates, out of
	// range, unparsable time or field). The server answers 200 anyway, so
	// the phone deletes it instead of retrying forever, and counts it.
	ErrInvalidFix = errors.New("osmand: invalid fix")
)

// Protocol is the registry descriptor of the OsmAnd / Traccar Client
// protocol. It is served over HTTP only.
var Protocol = protocols.Protocol{
	Name:       Name,
	Title:      "OsmAnd / Traccar Client (HTTP query, form and JSON)",
	Port:       5055,
	Transports: []protocols.Transport{protocols.HTTP},
	DecodeHTTP: Decode,
}

// Rejection is one fix of a request that was refused as permanently
// invalid. The rest of the request is still decoded.
type Rejection struct {
	// Index is the fix's position in the request: 0 for a single fix, the
	// element index for a JSON array or a Transistorsoft "location" array.
	Index int

	// Device is the id the fix named (or inherited), empty if none.
	Device string

	// Err says why; it wraps ErrInvalidFix (and ErrNoDevice when the
	// element named no device).
	Err error
}

// Result describes what became of a request's fixes, so that the HTTP
// handler can answer "N stored, M rejected" and count both.
type Result struct {
	// Fixes is the number of fixes decoded into the Message (len(m.Fixes)
	// minus any fixes the Message held before the call).
	Fixes int

	// Rejected lists the fixes refused, in request order. It is nil when
	// every fix was accepted and is owned by the caller.
	Rejected []Rejection
}

// Decode is the registry's DecodeHTTP: DecodeRequest without the per-fix
// reasons. It records the number of rejected fixes in m.Reply.N.
func Decode(r protocols.HTTPRequest, m *protocols.Message) error {
	res, err := DecodeRequest(r, m)
	m.Reply.N = len(res.Rejected)
	return err
}

// DecodeRequest decodes one OsmAnd request into m, which the caller has
// Reset: the query string of the target, a form-encoded body, a JSON object
// (flat or Transistorsoft) or a JSON array of either. FORMAT.md lists the
// keys and units.
//
// It returns an error only when the request as a whole is refused: it wraps
// ErrNoDevice when no device is named, protocols.ErrTooLarge when a limit is
// passed, protocols.ErrMalformed when the body or query cannot be parsed,
// and protocols.ErrUnsupported for a content type it does not read.
// Otherwise each fix is either appended to m.Fixes, with Device set from its
// own id (or the request's), or listed in Result.Rejected.
//
// A single request with a device id but no coordinates is a heartbeat:
// m.Type is MsgHeartbeat and no fix is appended. m.Identity is set when the
// request names exactly one device. Strings in the fixes are copied out of
// r; r may be reused after the call.
func DecodeRequest(r protocols.HTTPRequest, m *protocols.Message) (Result, error) {
	d := getDecoder()
	defer putDecoder(d)
	return d.decode(r, m)
}

// HTTPStatus returns the status code the HTTP handler should answer for the
// error DecodeRequest returned: 200 for nil (rejected fixes included: they
// must not be resent), 413 for a request over a limit, 415 for an
// unsupported content type and 400 otherwise (no device, malformed).
func HTTPStatus(err error) int {
	switch {
	case err == nil:
		return 200
	case errors.Is(err, protocols.ErrTooLarge):
		return 413
	case errors.Is(err, protocols.ErrUnsupported):
		return 415
	}
	return 400
}
