// Package wialon implements the server side of Wialon IPS, Gurtam's text
// protocol, versions 1.1 and 2.0, over TCP and UDP (default port 5039).
//
// Packets: #L# login (1.1 "imei;password", 2.0 "2.0;imei;password;crc16"),
// #SD# short data, #D# extended data (hdop, inputs, outputs, adc, ibutton
// and NAME:TYPE:VALUE params), #B# black box (SD or D bodies separated by
// |), #P# ping and #M# message. The 2.0 CRC-16/ARC (4 hex digits over the
// text after #TYPE# up to the last separator) is checked on L, SD, D, B
// and M. Answers carry the result codes of the specification (see
// AppendReply). Photo, tachograph file and firmware packets are not
// implemented: they are refused as unsupported and get no answer.
//
// Sources: Gurtam "Wialon IPS Communication Protocol" v1.1 and v2.0 (the
// PDFs are in github.com/kuznetsovin/wialon-protocol, doc/), the v2.1
// revision for fractional seconds, and the project's notes/protocols.md
// section 2. FORMAT.md summarises the grammar.
//
// Framing: Split cuts a TCP stream into lines; the frame it returns, and
// that Decode expects, excludes the CR LF (a bare LF is accepted too).
// Decode also accepts a datagram that still ends in CR LF.
//
// Version: the session takes the version from the last login; 2.0 packets
// must carry the CRC and 1.1 packets must not. Before any login, and for
// UDP datagrams of the form "imei#TYPE#..." or "2.0;imei#TYPE#...", the
// version comes from the prefix or, for SD, D and B, from the field count.
// A login whose CRC is wrong still sets the version.
//
// Identity: a login's id is the message Identity; a UDP datagram's prefix
// id is the Identity of every datagram. Data decodes without a login (ingest
// decides what to do with data of an unidentified connection).
//
// Fields: a date and time both NA leave Fix.Time zero (the specification
// lets the server use its receive time, which ingest records); NA
// coordinates leave the fix without position. A fix is Valid when it has a
// time, a position and a satellite count that is not 0. Parameters keep the
// device's names and types; temp, bat, pwr_ext, pwr_int and SOS are also
// mapped to the common temperature, battery_level, power, battery and alarm.
// Text is copied as sent (UTF-8 expected; cp1251 devices are not
// converted).
package wialon
