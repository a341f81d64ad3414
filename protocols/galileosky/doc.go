// Package galileosky decodes the Galileosky tagged binary protocol spoken by
// Galileosky GLONASS/GPS terminals (v2.x to 7.x firmware) over TCP, and the
// same tags relayed by the Iridium SBD DirectIP gateway.
//
// A packet is a header byte, a 2-byte little-endian length (15 bits, the top
// bit flags unsent archive records), a sequence of tags and a CRC-16/MODBUS.
// The server confirms every packet with 0x02 and the packet's CRC as
// received; the terminal resends anything unconfirmed. A packet holds one or
// more records with no separator: a record ends where one of its tags appears
// again. Records carrying a time (tag 0x20) become fixes; tag 0x10, the
// archive record number, is kept as the "index" attribute for
// de-duplication.
//
// Tags carry no length, so the decoder must know every tag's size: an
// unknown tag makes the rest of the packet unreadable and the packet is
// refused with an error naming the tag (protocols.ErrUnsupported), never
// half-decoded. The packet is then not confirmed.
//
// Identity: tag 0x03 (IMEI) arrives in the head packet and often in each
// archive record; the session keeps the last one, and records before any
// IMEI are refused with protocols.ErrNoIdentity.
//
// # Sources
//
// Framing, the CRC, the confirmation and the Iridium layout follow the
// vendor's "GalileoSky GLONASS/GPS v5.1 User's Manual" (firmware 0223),
// section "Server exchange protocol", and the v4.0 manual's tag table
// (Table 2, "GalileoSky protocol tags"), read as reproduced on
// manualshive.com and manualarchiveguide.com. The tag sizes in tags.go come
// from that table where the pages were readable (0x01-0x04, 0x10, 0x20,
// 0x30-0x35, 0x40-0x46, 0x50-0x57, 0x70-0x77, 0x90, 0xc0-0xd6, 0xe0-0xe1);
// the rest (0x47, 0x48, 0x58-0x5d, 0x60-0x6f, 0x78-0x7d, 0x88-0x8c,
// 0xa0-0xaf, 0xb0-0xb9, 0xd7-0xdf, 0xe2-0xea, 0xf0-0xf9) were cross-checked
// between flespi's Galileosky parameter list and Traccar's
// GalileoProtocolDecoder, and 0x89 against a real capture. 0xfe (extended
// tags) is skipped by its 2-byte length. 0x5b is deliberately absent: the
// sources disagree on its size, so a packet carrying it is refused.
//
// Not decoded: compressed packets (header 0x08) are refused with
// protocols.ErrUnsupported; photo chunks (0x07) are checked and confirmed
// but the picture is not kept; Garmin FMI tunnel packets (0x06) are checked
// and not answered, as the manual prescribes.
package galileosky
