// Package h02 implements the H02 tracker protocol (Sinotrack and many
// other low-cost trackers; Traccar port 5013) over TCP and UDP.
//
// Two encodings share a connection:
//
//   - text: *HQ,<id>,<type>,...# with types V1 (position), V4 (command
//     answer with position), V2, V6, V8, V19, VI1, VP1, NBR and V3 (cells),
//     LINK, HTBT and V0 (heartbeat), and others; and
//   - binary: '$' (or 'X') followed by BCD fields, 32 or 45 bytes.
//
// There is no checksum in either form, and no reply: the device neither
// waits for nor expects an acknowledgement, so AppendReply appends nothing.
// Every message carries the device id, which Decode sets as m.Identity.
//
// Spec: the H02 protocol document circulated by the trackers' vendors (no
// stable public URL); the research notes in the project's
// notes/protocols.md section 5 summarise it. FORMAT.md beside this file
// has the layouts.
//
// Time is UTC unless the devices are set to local time: Config.TimeZone
// serves those. Speeds are in knots on the wire and km/h in a Fix.
//
// Frames cut by Split include the '*' and '#' (text) and exclude the CR LF
// that may follow; Decode also accepts a text frame with trailing CR LF.
package h02
