// Package gt06 implements the GT06 / Concox / Jimi binary tracker protocol
// (Traccar port 5023) for TCP.
//
// It frames the 0x7878 (one-byte length) and 0x7979 (two-byte length)
// packets, checks the CRC-ITU (CRC-16/X-25) of every frame, decodes the
// login (IMEI in BCD), the GPS, GPS+LBS, GPS+LBS+status, alarm and X1
// packets into protocols.Fix values, and builds the short echo reply
// (start, length 5, protocol number, serial, CRC, 0D 0A) the device expects
// for a login, a status or heartbeat packet and an alarm.
//
// Spec: Concox "GT06 GPS Tracker Communication Protocol" (v1.8) and its
// later model variants (GT800, JM-VL01, AZ735, X1), as mirrored on
// www.traccar.org/protocol/5023-gt06/; research notes in the project's
// notes/protocols.md section 4. FORMAT.md beside this file has the layouts.
//
// Time: positions carry six binary bytes YY MM DD hh mm ss, which the
// specification gives in UTC. Devices configured for local time are served
// with Config.TimeZone (a fixed zone for the listener) or
// Config.LoginTimeZone (use the zone the device announces in its login).
// The default is UTC.
//
// Packets that carry no position (status, heartbeat, LBS or Wi-Fi only,
// command answers, information packets) decode to a message without fixes:
// this package never invents a position from an earlier one.
package gt06
