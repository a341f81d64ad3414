// Package navtelecom decodes the NavTelecom protocols of SMART/Signal
// terminals over TCP: NTCB (the framed transport used for the handshake,
// the FLEX negotiation and the older *>T / *>A telemetry formats) and FLEX
// 1.0, 2.0 and 3.0 telemetry (~A, ~T, ~C, ~E, ~X), whose record layout is
// negotiated per connection.
//
// NTCB frame: "@NTC" (4), receiver (4 LE), sender (4 LE), data length
// (2 LE), XOR of the data (1), XOR of the first 15 header bytes (1), data.
// Both XORs are checked. Answers travel in an NTCB frame addressed back to
// the device (receiver and sender swapped):
//
//	*>S:<IMEI>               -> *<S           (login; the session keeps the IMEI)
//	*>FLEX B0 p s n <bits>   -> *<FLEX B0 p s (the session keeps the layout)
//	*>T <record>             -> *<T <index, 4 LE>
//	*>A <n> <records>        -> *<A <n>
//	*@C <text>                  command answer, no reply
//	empty data                  keep-alive, no reply
//
// FLEX frames carry no header: a 2-byte type, the records, and a CRC-8
// (polynomial 0x31, initial 0xFF, wire.CRC8EGTS) over the rest. Their size
// is known only from the negotiated bit field, so Split refuses a FLEX frame
// before a negotiation (the stream cannot be framed) and the session keeps
// the layout for the whole connection. Answers: ~A/~E + count + CRC-8,
// ~T/~X + index + CRC-8, ~C + CRC-8. The byte 0x7F is a FLEX keep-alive.
//
// # Sources
//
// The vendor's FLEX specification was not at hand (it is distributed by
// NavTelecom on request). The field sizes come from two independent open
// implementations: Traccar's NavisProtocolDecoder (FLEX 1.0 and 2.0,
// fields 1-122) and navtrack's NavtelecomMessageHandler (fields 1-255,
// FLEX 3.0). They disagree on field 99 (1 byte in Traccar, 2 in navtrack);
// navtrack's value is used because with it the FLEX 3.0 captures in
// testdata frame exactly and pass their CRC-8, which checks every size up to
// the last enabled field. The meaning of the decoded fields (index, event,
// navigation state, Unix time, coordinates in 1/600000 degree, altitude in
// decimetres, float32 speed in km/h, course, float32 odometer in km,
// voltages in mV, inputs, outputs) follows Traccar and navtrack, which
// agree. NTCB telemetry formats F10-F60 follow Traccar's layout, except the
// F60 fuel block, which is 28 bytes (two u16 and eight u8+u16 sensors) as
// the F60 capture shows, not Traccar's 25. FLEX 2.0 extended records (~E,
// ~X) are framed by their 2-byte LE length and only the static navigation
// part is decoded; no capture of them was available.
//
// The IMEI from *>S is the device identity; data before it is refused with
// protocols.ErrNoIdentity.
package navtelecom
