// Package teltonika implements the Teltonika data sending protocol used by
// the FMB, FMC, FMM and FMU tracker families: AVL data in Codec 8, Codec 8
// Extended and Codec 16, over TCP and UDP, plus the Codec 12 to 15 command
// frames a device sends back as command answers.
//
// The reference is the Teltonika wiki page "Teltonika Data Sending
// Protocols" / "Codec" (https://wiki.teltonika-gps.com/view/Codec, revisions
// 21124 to 38516); the project's notes are in notes/protocols.md, section 1.
// FORMAT.md beside this file has the frame and record layouts, the CRC
// parameters and the replies.
//
// A TCP connection starts with the IMEI handshake (decoded as
// protocols.MsgLogin), then carries AVL packets (protocols.MsgData, one Fix
// per record), lone 0xFF keep-alive bytes (protocols.MsgHeartbeat) and
// command answers (protocols.MsgOther). A UDP datagram carries the IMEI and
// one AVL packet; ingest passes it to Decode without Split.
//
// Decoding a data packet into a reused protocols.Message allocates nothing
// per record in steady state; IO elements become Uint attributes named by
// protocols.IOKey, and the well-known FMB elements are also given the common
// names of package protocols (see iomap.go). The Append functions encode
// packets for the load generator and tests.
//
// A command answer (Codec 12 to 15) is decoded as protocols.MsgOther with one
// Fix per command: no position (Valid false, Lat/Lon 0), the Codec 13/15
// timestamp if any, and the attributes AttrCommandType and AttrResult (or
// AttrCommand). It is never acknowledged with a record count.
//
// A fix is Valid when the device used satellites for it and its coordinates
// are not 0,0; Teltonika devices without a fix report 0 satellites and
// either zeros or their last known coordinates.
//
// The session does not require the handshake before data: whether a
// connection has an accepted identity is decided and enforced by ingest,
// which sees every MsgLogin.
//
// The package does no I/O and never logs: the session frames, decodes and
// appends replies; ingest decides when a reply is sent.
package teltonika
