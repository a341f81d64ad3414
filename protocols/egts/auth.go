package egts

import (
	"encoding/binary"
	"strconv"
)

// TERM_IDENTITY flag bits: which optional fields follow TID and flags.
const (
	tiHDIDE  = 0x01 // HDID, 2 bytes
	tiIMEIE  = 0x02 // IMEI, 15 bytes
	tiIMSIE  = 0x04 // IMSI, 16 bytes
	tiLNGCE  = 0x08 // LNGC, 3 bytes
	tiNIDE   = 0x20 // NID, 3 bytes
	tiBSE    = 0x40 // BS, 2 bytes
	tiMNE    = 0x80 // MSISDN, 15 bytes
	imeiSize = 15
)

// termIdentityFields lists the optional fields in wire order.
var termIdentityFields = [...]struct {
	flag byte
	size int
}{
	{tiHDIDE, 2}, {tiIMEIE, imeiSize}, {tiIMSIE, 16}, {tiLNGCE, 3},
	{tiNIDE, 3}, {tiBSE, 2}, {tiMNE, 15},
}

// auth decodes the subrecords of the auth service. Only TERM_IDENTITY
// changes the message: it identifies the terminal. The others (module and
// vehicle data, AUTH_INFO, the terminal's record responses, and the
// DISPATCHER_IDENTITY of a retranslating platform) are confirmed and not
// interpreted.
func (d *decoder) auth(srt Subrecord, b []byte, at int) error {
	if srt != SrTermIdentity {
		return nil
	}
	if len(b) < 5 {
		return d.short(srt, len(b), 5, at)
	}
	tid := binary.LittleEndian.Uint32(b)
	flags := b[4]
	need := 5
	imeiAt := -1
	for _, f := range termIdentityFields {
		if flags&f.flag == 0 {
			continue
		}
		if f.flag == tiIMEIE {
			imeiAt = need
		}
		need += f.size
	}
	if len(b) < need {
		return d.short(srt, len(b), need, at)
	}
	d.identity = true
	d.s.identified = true
	d.m.Identity = terminalIdentity(tid, b, imeiAt)
	return nil
}

// terminalIdentity is the identity of a TERM_IDENTITY subrecord: the
// terminal id TID in decimal, or the IMEI when TID is 0 and an IMEI with
// digits is present (TID is mandatory in the standard; a zero TID means the
// terminal relies on its IMEI).
func terminalIdentity(tid uint32, b []byte, imeiAt int) string {
	if tid == 0 && imeiAt >= 0 {
		if imei := digits(b[imeiAt : imeiAt+imeiSize]); imei != "" {
			return imei
		}
	}
	return strconv.FormatUint(uint64(tid), 10)
}

// digits returns the leading ASCII digits of b as a new string; terminals
// pad a short IMEI with zero bytes.
func digits(b []byte) string {
	n := 0
	for n < len(b) && b[n] >= '0' && b[n] <= '9' {
		n++
	}
	return string(b[:n])
}
