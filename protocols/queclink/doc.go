// Package queclink decodes the ASCII form of Queclink's @Track protocol
// (GL200/GL300/GV300/GV500 family) over TCP and UDP.
//
// A message is +RESP:GTxxx (a report), +BUFF:GTxxx (a report kept while the
// device was offline, sent later: decoded the same way, every fix marked with
// the "buffered" attribute) or +ACK:GTxxx (an acknowledgement of a command;
// +ACK:GTHBD is the heartbeat), then comma-separated fields and a '$':
//
//	+RESP:GTFRI,<version>,<IMEI>,<device name>,...,<send time>,<count>$
//
// There is no checksum. Split cuts at '$' and returns the message without
// it; Decode accepts it with or without. Every message carries the IMEI
// (third field), so Decode sets Message.Identity each time.
//
// Position blocks are
//
//	<accuracy>,<speed km/h>,<azimuth>,<altitude m>,<longitude>,<latitude>,<GPS UTC YYYYMMDDHHMMSS>
//
// (longitude before latitude) and a report may hold several, GTFRI with a
// number field above 1 for instance. Rather than a layout per report type
// and firmware, the decoder finds every block by its shape: a 14-digit time
// preceded by a latitude and a longitude with decimals and in range. An
// accuracy (HDOP) of 0 means the device had no fix and repeats its last
// position; such fixes are kept with Valid false. A report with no block
// (GTINF, GTPNA, a GTFRI sent without a fix) yields one fix without a
// position at the send time, Valid false, so the status it carries is kept.
// Command acknowledgements other than the heartbeat are MsgOther.
//
// Replies: the heartbeat is answered +SACK:GTHBD,<version>,<count>$; every
// accepted report is answered +SACK:<count>$, the server acknowledgement a
// device configured for it waits for before it deletes a buffered report
// (devices not configured for it ignore it). Command acknowledgements get
// nothing.
//
// Binary @Track frames (+RSP, +BSP, +EVT, +BVT, +INF, +BNF, +HBD, +CRD, +BRD
// and binary +ACK) are framed by their length field so that the stream
// stays in step, but not decoded: Decode refuses them with
// protocols.ErrUnsupported and they are not acknowledged.
//
// # Sources
//
// The message grammar, the block layout, the +SACK replies and the binary
// headers' length offsets follow Queclink's "@Track Air Interface Protocol"
// documents as summarised in the project's protocol notes, cross-checked
// with Traccar's Gl200TextProtocolDecoder and Gl200FrameDecoder and with the
// captures in testdata (136 messages from 20 device models).
package queclink
