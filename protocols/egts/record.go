package egts

import (
	"encoding/binary"
	"strconv"

	"dozor/protocols"
)

// Record flag bits (RFL).
const (
	rflOBFE = 0x01 // OID present
	rflEVFE = 0x02 // EVID present
	rflTMFE = 0x04 // TM present
)

// replyEntry is the size of one record's entry in Reply.Data: RN (2 bytes,
// little-endian), then the record's SST and RST.
const replyEntry = 4

// decoder walks the service data records of one packet into a Message.
type decoder struct {
	s    *Session
	m    *protocols.Message
	pid  uint16
	base int // offset of the bytes being decoded within the frame

	identity bool // a TERM_IDENTITY was decoded

	// state of the record being decoded
	rn     uint16
	fix    int  // index in m.Fixes of the record's current fix, or -1
	hasPos bool // that fix has its POS_DATA
}

// records decodes the records of data; ack says whether each one is listed
// in Reply.Data for a response.
func (d *decoder) records(data []byte, ack bool) error {
	n := 0
	for off := 0; off < len(data); n++ {
		if n == maxRecords {
			return failure(d.pid, ResultIncDataForm, d.base+off, protocols.ErrTooLarge,
				"more than %d records", maxRecords)
		}
		next, err := d.record(data, off, ack)
		if err != nil {
			return err
		}
		off = next
	}
	d.m.Reply.N = n
	return nil
}

// record decodes the record at off and returns the offset after it.
func (d *decoder) record(data []byte, off int, ack bool) (int, error) {
	at := d.base + off
	if len(data)-off < 7 {
		return 0, failure(d.pid, ResultIncDataForm, at, protocols.ErrTruncated,
			"record header needs 7 bytes, %d left", len(data)-off)
	}
	rl := int(binary.LittleEndian.Uint16(data[off:]))
	d.rn = binary.LittleEndian.Uint16(data[off+2:])
	rfl := data[off+4]
	p := off + 5
	opt := 0
	for _, bit := range [...]byte{rflOBFE, rflEVFE, rflTMFE} {
		if rfl&bit != 0 {
			opt += 4
		}
	}
	if len(data)-p < opt+2 {
		return 0, failure(d.pid, ResultIncDataForm, at, protocols.ErrTruncated,
			"record %d header flags %#02x need %d bytes, %d left", d.rn, rfl, opt+7, len(data)-off)
	}
	if rfl&rflOBFE != 0 {
		d.objectID(binary.LittleEndian.Uint32(data[p:]))
	}
	p += opt
	sst, rst := data[p], data[p+1]
	p += 2
	if rl > len(data)-p {
		return 0, failure(d.pid, ResultIncDataForm, d.base+off, protocols.ErrTruncated,
			"record %d data length %d, %d bytes left", d.rn, rl, len(data)-p)
	}
	if ack {
		d.m.Reply.Data = append(d.m.Reply.Data, byte(d.rn), byte(d.rn>>8), sst, rst)
	}
	if err := d.subrecords(Service(rst), data[p:p+rl], d.base+p); err != nil {
		return 0, err
	}
	return p + rl, nil
}

// objectID makes the record's OID the message identity while the terminal
// has not identified itself with TERM_IDENTITY on this connection. The
// string is cached so that steady traffic from one object allocates nothing.
func (d *decoder) objectID(oid uint32) {
	if d.s.identified || d.m.Identity != "" {
		return
	}
	if d.s.oidStr == "" || d.s.oid != oid {
		d.s.oid = oid
		d.s.oidStr = strconv.FormatUint(uint64(oid), 10)
	}
	d.m.Identity = d.s.oidStr
}

// subrecords decodes the record data rd of service svc; at is its offset
// in the frame.
func (d *decoder) subrecords(svc Service, rd []byte, at int) error {
	d.fix, d.hasPos = -1, false
	for q := 0; q < len(rd); {
		if len(rd)-q < 3 {
			return failure(d.pid, ResultIncDataForm, at+q, protocols.ErrTruncated,
				"record %d: subrecord header needs 3 bytes, %d left", d.rn, len(rd)-q)
		}
		srt := Subrecord(rd[q])
		srl := int(binary.LittleEndian.Uint16(rd[q+1:]))
		q += 3
		if srl > len(rd)-q {
			return failure(d.pid, ResultIncDataForm, at+q-2, protocols.ErrTruncated,
				"record %d: subrecord %d length %d, %d bytes left", d.rn, srt, srl, len(rd)-q)
		}
		if err := d.subrecord(svc, srt, rd[q:q+srl], at+q); err != nil {
			return err
		}
		q += srl
	}
	d.dropPositionless()
	return nil
}

// subrecord dispatches one subrecord by service and type. Types this
// server does not interpret are skipped: their record is still confirmed.
func (d *decoder) subrecord(svc Service, srt Subrecord, b []byte, at int) error {
	switch svc {
	case ServiceAuth:
		return d.auth(srt, b, at)
	case ServiceTeledata:
		return d.teledata(srt, b, at)
	}
	return nil
}

// dropPositionless removes a fix that collected sensor values but got no
// POS_DATA in its record: without a time and place it cannot be stored.
func (d *decoder) dropPositionless() {
	if d.fix >= 0 && !d.hasPos {
		d.m.Fixes = d.m.Fixes[:d.fix]
	}
	d.fix = -1
}

// short reports a subrecord shorter than its type requires.
func (d *decoder) short(srt Subrecord, got, want, at int) error {
	return failure(d.pid, ResultIncDataForm, at, protocols.ErrTruncated,
		"record %d: subrecord %d has %d bytes, need %d", d.rn, srt, got, want)
}
