package galileosky

import (
	"fmt"

	"dozor/protocols"
	"dozor/protocols/wire"
)

// Iridium SBD DirectIP information elements (big-endian, no checksum).
const (
	ieMOHeader   = 0x01 // CDR (4), IMEI (15), status (1), MOMSN (2), MTMSN (2), time (4)
	ieMOPayload  = 0x02 // the Galileosky tags the terminal sent over the satellite
	ieMOLocation = 0x03 // the gateway's rough location estimate, not kept
)

// decodeIridium decodes a DirectIP mobile-originated message relayed by the
// Iridium gateway. The payload holds ordinary tags; the IMEI comes from the
// MO header, so every message identifies the device. No reply is sent.
func (s *Session) decodeIridium(frame []byte, m *protocols.Message) error {
	rd := wire.NewReader(frame)
	rd.Skip(1)
	if n := int(rd.U16()); n != len(frame)-3 {
		return protocols.At(1, fmt.Errorf("galileosky: iridium length %d for %d bytes: %w",
			n, len(frame)-3, protocols.ErrMalformed))
	}
	m.Reply.Aux = replyNone
	var payload []byte
	payloadAt := 0
	for rd.Len() > 0 {
		off := rd.Offset()
		iei := rd.U8()
		body := rd.Bytes(int(rd.U16()))
		if err := rd.Err(); err != nil {
			return fmt.Errorf("galileosky: iridium element %#02x: %w", iei, err)
		}
		switch iei {
		case ieMOHeader:
			if len(body) < 19 {
				return protocols.At(off, fmt.Errorf("galileosky: iridium MO header of %d bytes: %w",
					len(body), protocols.ErrTruncated))
			}
			m.Identity = s.identity(body[4:19])
		case ieMOPayload:
			payload, payloadAt = body, off+3
		}
	}
	if m.Identity == "" {
		return fmt.Errorf("galileosky: iridium message without MO header: %w",
			protocols.ErrNoIdentity)
	}
	return s.decodeMain(payload, payloadAt, m)
}
