// Package nmea implements plain NMEA 0183 over TCP (Traccar's "t55"
// devices) and the GpsGate tracker protocol, one sentence per line, on
// Traccar port 5005.
//
// Positions come from RMC, GGA and GLL sentences of any talker (GP, GN,
// GL, GA, GB, ...), u-blox $PUBX,00, and GpsGate $FRCMD,<id>,_SendMessage.
// The NMEA checksum (*hh, XOR of the bytes between '$' and '*') is checked
// whenever a sentence carries one; sentences without one are accepted, as
// NMEA 0183 before 2.3 allows. Options.LenientChecksum accepts wrong ones.
//
// Identity: NMEA carries none, so devices announce themselves first, in one
// of many ways this package recognises: $PGID,<id>, $PSIWMDID,<id>,
// $DEVID,0x<hex>, $GPFID,ID<id>, $PCPTI,<id>, $CONNECT,<id>, $IMEI=<id>,
// "IMEI <id>", a bare line of 6 to 20 letters and digits, an id glued before
// the sentence (<id>$GPRMC, <id>,$GPRMC, 4711/<id>/$GPRMC), and the GpsGate
// login $FRLIN,<type>,<user>,<password>. A position that arrives before
// any identity is held by the session (the last one only) and emitted with
// the identity message, as some devices send $GPRMC before $GPFID.
//
// Dates: GGA, GLL and PUBX carry a time of day but no date. The session
// takes the date that puts that time closest to the last RMC of the
// connection, or to the server clock when there was none.
//
// Replies: plain NMEA has none. A GpsGate login gets $FRSES,<session>*hh
// when accepted and $FRERR,AuthError,<reason>*hh when refused or invalid,
// each ending in CR LF.
//
// Spec: NMEA 0183 v4.10 sentence structure (RMC, GGA, GLL); the GpsGate
// "Tracker protocol" page at gpsgate.com/developers; notes/protocols.md
// section 11. FORMAT.md beside this file has the layouts.
//
// Frames cut by Split are one line without its CR LF terminator; Decode
// also accepts a line that still has it.
package nmea
