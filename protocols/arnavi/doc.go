// Package arnavi decodes the Arnavi protocols of Arnavi (ARNAVI 4/5)
// terminals over TCP: the binary form (a header with the IMEI, then
// packages of tagged records) and the text form ($AV lines).
//
// Binary: on connect the terminal sends a header, FF <version> <IMEI as
// uint64 LE>, 10 bytes for versions 0x22 (v1), 0x23 (v2) and 0x25 (v2 with
// Wi-Fi), 18 bytes for 0x24 (v3). The server confirms it with 7B 00 00 7D
// (v1) or 7B 04 00 <sum of the time bytes> <Unix time LE> 7D (v2/v3), which
// also sets the terminal's clock; the session's Now supplies the time. Then
// come packages: 5B <number> records... 5D, each record being type (1),
// length (2 LE), Unix time (4 LE), data and a checksum byte. Data records
// hold 5-byte tags (tag + 4-byte value); each data record becomes one fix.
// Every package is confirmed with 7B 00 <number> 7D after it is durable;
// command results (package number 0xFD) are not confirmed.
//
// Text: $AV,<kind>,<device id>,...*hh CR LF, the checksum being the XOR of
// the bytes between '$' and '*' (NMEA style). Split returns the line
// without CR LF; Decode accepts it with or without. V3 and V4 lines carry a
// position, other kinds (V3DI, V6SD, V3GSMINFO) are device reports. Text
// lines get no reply. Every line names the device, so it sets
// Message.Identity.
//
// # Sources
//
// No vendor document could be found (the searchable corpus has none; the
// Arnavi 5 field table that glonassd links to is a private spreadsheet).
// The layout follows two independent open implementations read side by
// side, Traccar's ArnaviBinaryProtocolDecoder/ArnaviFrameDecoder/
// ArnaviTextProtocolDecoder and fandrej/glonassd arnavi5.c, and was checked
// against the captured frames in testdata. Both read tag 5's speed byte as
// knots (glonassd: "speed in knots", multiplied by 1.852), so speed is
// converted to km/h; the text form's speed is treated as knots too, as in
// NMEA. The text checksum rule was established from the captures (five of
// seven match the XOR; the two that do not are anonymised copies).
//
// BUG(arnavi): the per-record checksum byte is not verified. Neither
// implementation checks it, no document defines it, and no sum, XOR or
// CRC-8 candidate matches the captured records consistently. A corrupted
// record is caught only by the structure checks (record lengths, whole
// 5-byte tags, the 5D end mark).
package arnavi
