// Package osmand decodes the HTTP position reports of the OsmAnd / Traccar
// Client protocol, which the collectors' phones use (Traccar's "osmand"
// protocol, default port 5055).
//
// One request is one message. DecodeRequest reads four shapes: the query
// string of the request target; a form-encoded body, merged with the query
// (the body wins); a single JSON object, with the flat keys of the form or
// in the Transistorsoft background-geolocation format ("location",
// "coords", "device_id", possibly a "location" array); and a JSON array of
// such objects (the batch upload of the Traccar Client SDK). FORMAT.md lists every key,
// its unit and the limits.
//
// Every fix names its own device, so one batch may carry several. A request
// that names no device is refused (the server answers 400); a fix that can
// never be stored (no or out-of-range coordinates, an unparsable time) is
// reported in Result.Rejected while the rest of the request is kept, so the
// server can answer 200 and the phone does not resend it forever. HTTPStatus
// maps DecodeRequest's error to the status code to answer. The answer must
// be sent only once the fixes are durable: the phone deletes what got a 2xx.
//
// AppendQuery and MarshalBatch encode fixes in the classic query form and in
// the JSON batch form, for the simulator and for tests.
//
// Sources: there is no formal specification. The behaviour follows
// Traccar's OsmAndProtocolDecoder and its test requests (the corpus was
// taken at traccar/traccar commit 9e5c458ad0bf), the Traccar Client for
// Android (ProtocolFormatter) and the Traccar Client SDK, as summarised in
// the project's research notes (protocols.md section 6, ecosystem.md
// sections 4.1 and 4.2); the seconds/milliseconds rule was checked in the
// decoder's source. Where this package differs from Traccar, FORMAT.md
// says so.
//
// The package does no I/O and never logs.
//
// BUG(osmand): an integer timestamp of 2147483647 or more is read as
// milliseconds, exactly as Traccar does, so a client sending Unix seconds
// after 2038-01-19 is read as January 1970. AppendQuery and MarshalBatch
// send milliseconds for such times.
package osmand
