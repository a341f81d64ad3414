package gt06

import (
	"fmt"
	"time"

	"dozor/protocols"
	"dozor/protocols/wire"
)

// gpsLen is the size of the standard GPS block: time 6, GPS info 1,
// latitude 4, longitude 4, speed 1, course and status 2.
const gpsLen = 18

// decodeBody decodes the information content of a packet after login.
func (s *Session) decodeBody(p packet, m *protocols.Message) error {
	m.Type = protocols.MsgData
	b := p.body
	switch {
	case p.long && (p.typ == GPSLBSStatus4 || p.typ == AZ735Alarm):
		return s.decodeAZ735(b, m)
	case p.long && p.typ == GPSModular:
		return s.decodeModular(b, m)
	case p.long:
		m.Type = protocols.MsgOther // info, serial data, photos: no position
		return nil
	}
	switch p.typ {
	case Status, Heartbeat:
		m.Type = protocols.MsgHeartbeat
		r := wire.NewReader(b)
		m.Status = readStatusAttrs(&r, m.Status)
	case TimeRequest:
		m.Type = protocols.MsgOther
		m.Reply.N = replyTime
	case GPS, GPSLBS, GPSLBS6, GPSLBS2, GPSLBS3, GPSLBS4, GPSLBS5, GPSPhone,
		GPSLBSExtend, GPS2, GPSLBSStatus, GPSLBSStatus2, GPSLBSStatus3, GPSLBSStatus4:
		return s.decodePosition(p.typ, b, m)
	case WiFi, LBSMultiple3, WiFi3, FenceSingle, FenceMulti:
		// Newer models reuse these numbers for GPS packets; the others
		// carry cells or Wi-Fi only.
		if looksLikeGPS(b) {
			return s.decodePosition(p.typ, b, m)
		}
		m.Type = protocols.MsgOther
	case IMEIGPS:
		if len(b) >= 8 && looksLikeGPS(b[8:]) {
			return s.decodePosition(p.typ, b[8:], m)
		}
		m.Type = protocols.MsgOther
	case X1GPS:
		return s.decodeX1(b, m)
	case Alarm:
		return s.decodeAlarm(b, m)
	case LBSStatus, LBSAlarm:
		// Alarms without a position: acknowledged, nothing to store.
	default:
		m.Type = protocols.MsgOther
	}
	return nil
}

// looksLikeGPS reports whether b starts with a GPS block: a valid date and
// time and a GPS info byte whose length nibble is 12.
func looksLikeGPS(b []byte) bool {
	if len(b) < gpsLen || b[6]>>4 != 0xC {
		return false
	}
	return validTime(b[:6])
}

func validTime(t []byte) bool {
	return t[1] >= 1 && t[1] <= 12 && t[2] >= 1 && t[2] <= 31 &&
		t[3] < 24 && t[4] < 60 && t[5] < 60
}

// decodePosition decodes a packet that starts with the standard GPS block,
// then the type's LBS, status and extension fields.
func (s *Session) decodePosition(t PacketType, b []byte, m *protocols.Message) error {
	r := wire.NewReader(b)
	f := m.NextFix()
	if !s.readGPS(&r, f, true, true) {
		dropFix(m)
		return r.Err() // a GPS block without a valid time is no position
	}
	readExtras(t, &r, f)
	return nil
}

// readGPS reads a GPS block into f and reports whether it held a valid
// time. hasSats and hasSpeed select the GPS info and speed bytes, which
// the 0x95 alarm leaves out.
func (s *Session) readGPS(r *wire.Reader, f *protocols.Fix, hasSats, hasSpeed bool) bool {
	t := r.Bytes(6)
	var info uint8
	if hasSats {
		info = r.U8()
	}
	lat := float64(r.U32()) / 1800000
	lon := float64(r.U32()) / 1800000
	var speed uint8
	if hasSpeed {
		speed = r.U8()
	}
	flags := r.U16()
	if r.Err() != nil || !validTime(t) {
		return false
	}
	if lat > 90 || lon > 180 {
		r.Fail(fmt.Errorf("position %.5f,%.5f out of range: %w", lat, lon, protocols.ErrMalformed))
		return false
	}
	f.Time = time.Date(2000+int(t[0]), time.Month(t[1]), int(t[2]),
		int(t[3]), int(t[4]), int(t[5]), 0, s.loc).UTC()
	setPosition(f, lat, lon, flags)
	f.Satellites = int(info & 0x0F)
	f.Speed = float64(speed)
	if flags&(1<<14) != 0 {
		f.Attrs = append(f.Attrs, protocols.Bool(protocols.AttrIgnition, flags&(1<<15) != 0))
	}
	return true
}

// setPosition applies the course and status word: bits 0-9 course, bit 10
// north latitude, bit 11 west longitude, bit 12 GPS positioned.
func setPosition(f *protocols.Fix, lat, lon float64, flags uint16) {
	if flags&(1<<10) == 0 {
		lat = -lat
	}
	if flags&(1<<11) != 0 {
		lon = -lon
	}
	f.Lat, f.Lon = lat, lon
	f.Course = float64(flags & 0x3FF)
	f.Valid = flags&(1<<12) != 0
	f.Protocol = Name
}

// readExtras reads what follows the GPS block. The fields are optional on
// many models, so a short packet keeps its position and loses only the
// attributes that did not fit.
func readExtras(t PacketType, r *wire.Reader, f *protocols.Fix) {
	switch t {
	case GPSLBSStatus, GPSLBSStatus2, GPSLBSStatus3, GPSLBSStatus4:
		n := int(r.U8()) // LBS length, counting itself
		r.Skip(max(n-1, 0))
		readStatus(r, f)
	case GPSLBS2:
		readLBS(r)
		acc, mode, archive := r.U8(), r.U8(), r.U8()
		if r.Err() != nil {
			return
		}
		f.Attrs = append(f.Attrs,
			protocols.Bool(protocols.AttrIgnition, acc != 0),
			protocols.Uint(protocols.AttrEvent, uint64(mode)),
			protocols.Bool("archive", archive != 0))
		if odo := r.U32(); r.Err() == nil && r.Len() == 0 {
			f.Attrs = append(f.Attrs, protocols.Uint(protocols.AttrOdometer, uint64(odo)))
		}
	}
}

// readLBS skips MCC, MNC (two bytes when the MCC's top bit is set), LAC
// and the 3-byte cell id.
func readLBS(r *wire.Reader) {
	mcc := r.U16()
	if mcc&0x8000 != 0 {
		r.Skip(1)
	}
	r.Skip(1 + 2 + 3)
}

// readStatus reads terminal info, voltage level, GSM signal and alarm.
func readStatus(r *wire.Reader, f *protocols.Fix) {
	f.Attrs = readStatusAttrs(r, f.Attrs)
}

// readStatusAttrs reads the status block into dst; a short block adds
// nothing.
func readStatusAttrs(r *wire.Reader, dst protocols.Attrs) protocols.Attrs {
	info, volt, gsm, alarm := r.U8(), r.U8(), r.U8(), r.U8()
	if r.Err() != nil {
		return dst
	}
	dst = append(dst,
		protocols.Bool(protocols.AttrIgnition, info&0x02 != 0),
		protocols.Bool(protocols.AttrCharging, info&0x04 != 0),
		protocols.Uint(protocols.AttrBatteryLevel, uint64(min(volt, 6))*100/6),
		protocols.Uint(protocols.AttrGSM, uint64(gsm)))
	if name := alarmName(alarm); name != "" {
		dst = append(dst, protocols.String(protocols.AttrAlarm, name))
	}
	return dst
}

// alarmName maps the alarm byte of status packets to a common name.
func alarmName(v uint8) string {
	switch v {
	case 0x01:
		return "sos"
	case 0x02:
		return "power_cut"
	case 0x03, 0x09:
		return "vibration"
	case 0x04:
		return "geofence_enter"
	case 0x05:
		return "geofence_exit"
	case 0x06:
		return "overspeed"
	case 0x0E, 0x0F:
		return "low_battery"
	case 0x11:
		return "power_off"
	case 0x13:
		return "tampering"
	case 0x14:
		return "door"
	case 0x23:
		return "fall_down"
	case 0x29:
		return "acceleration"
	case 0x2A, 0x2B:
		return "cornering"
	case 0x2C:
		return "accident"
	case 0x30:
		return "braking"
	}
	return ""
}

// decodeX1 decodes the X1 position: 4 bytes of data and alarm flags, the
// GPS block, terminal info, odometer, cell, driver id, voltages and ports.
func (s *Session) decodeX1(b []byte, m *protocols.Message) error {
	r := wire.NewReader(b)
	r.Skip(4)
	f := m.NextFix()
	if !s.readGPS(&r, f, true, true) {
		dropFix(m)
		return r.Err()
	}
	r.Skip(2) // terminal info
	odo := r.U32()
	r.Skip(2 + 1 + 2 + 4 + 4) // MCC, MNC, LAC, cell id, driver id
	battery, power := r.U16(), r.U16()
	r.Skip(4) // port info
	in, out := r.U8(), r.U8()
	if r.Err() == nil {
		f.Attrs = append(f.Attrs,
			protocols.Uint(protocols.AttrOdometer, uint64(odo)),
			protocols.Float(protocols.AttrBattery, float64(battery)*0.01),
			protocols.Float(protocols.AttrPower, float64(power)*0.01),
			protocols.Uint(protocols.AttrInput, uint64(in)),
			protocols.Uint(protocols.AttrOutput, uint64(out)))
	}
	return nil
}

// decodeAlarm decodes the 0x95 alarm. The short form is a time and an
// alarm code (no position). The long form has a GPS block without the GPS
// info and speed bytes, or, on camera models (prefix FF FF 01), with the
// GPS info byte but no speed.
func (s *Session) decodeAlarm(b []byte, m *protocols.Message) error {
	if len(b) <= 7 {
		// Time and alarm code only: no position, but the alarm (an SOS)
		// is kept as the message's status.
		if len(b) == 7 && validTime(b[:6]) {
			t := b[:6]
			m.StatusTime = time.Date(2000+int(t[0]), time.Month(t[1]), int(t[2]),
				int(t[3]), int(t[4]), int(t[5]), 0, s.loc).UTC()
			m.Status = append(m.Status, protocols.String(protocols.AttrAlarm, alarm95Name(b[6])))
		}
		return nil
	}
	r := wire.NewReader(b)
	hasSats := false
	if b[0] == 0xFF && b[1] == 0xFF {
		r.Skip(3)
		hasSats = true
	}
	f := m.NextFix()
	if !s.readGPS(&r, f, hasSats, false) {
		dropFix(m)
		return r.Err()
	}
	if code := r.U8(); r.Err() == nil && !hasSats {
		f.Attrs = append(f.Attrs, protocols.String(protocols.AttrAlarm, alarm95Name(code)))
	}
	return nil
}

func alarm95Name(v uint8) string {
	switch v {
	case 0x01:
		return "sos"
	case 0x80:
		return "vibration"
	case 0x87:
		return "overspeed"
	case 0x90:
		return "acceleration"
	case 0x91:
		return "braking"
	case 0x92:
		return "cornering"
	case 0x93:
		return "accident"
	}
	return "general"
}

// decodeAZ735 decodes the extended-frame AZ735 position and alarm: time,
// then a GPS length byte (0 when there is no fix) and the GPS fields.
func (s *Session) decodeAZ735(b []byte, m *protocols.Message) error {
	if len(b) < 7 || b[6] == 0 {
		return nil // no GPS fix in this report
	}
	r := wire.NewReader(b)
	t := r.Bytes(6)
	r.Skip(1)
	sats := r.U8()
	lat := float64(r.U32()) / 1800000
	lon := float64(r.U32()) / 1800000
	speed := r.U8()
	flags := r.U16()
	if err := r.Err(); err != nil {
		return err
	}
	if !validTime(t) {
		return nil
	}
	if lat > 90 || lon > 180 {
		return fmt.Errorf("position %.5f,%.5f out of range: %w", lat, lon, protocols.ErrMalformed)
	}
	f := m.NextFix()
	f.Time = time.Date(2000+int(t[0]), time.Month(t[1]), int(t[2]),
		int(t[3]), int(t[4]), int(t[5]), 0, s.loc).UTC()
	setPosition(f, lat, lon, flags)
	f.Satellites = int(sats)
	f.Speed = float64(speed)
	return nil
}

// decodeModular walks the modules of a 0x70 packet; module 0x33 is the
// position (Unix time, satellites, altitude, coordinates, speed, flags).
func (s *Session) decodeModular(b []byte, m *protocols.Message) error {
	r := wire.NewReader(b)
	for r.Len() >= 4 {
		typ, n := r.U16(), int(r.U16())
		mod := r.Bytes(n)
		if r.Err() != nil {
			return fmt.Errorf("module %#x of %d bytes: %w", typ, n, r.Err())
		}
		if typ == 0x33 && len(mod) >= 18 {
			decodeModule33(mod, m)
		}
	}
	return nil
}

func decodeModule33(b []byte, m *protocols.Message) {
	r := wire.NewReader(b)
	unix := r.U32()
	sats := r.U8()
	alt := int16(r.U16())
	lat := float64(r.U32()) / 1800000
	lon := float64(r.U32()) / 1800000
	speed := r.U8()
	flags := r.U16()
	if r.Err() != nil || unix == 0 || lat > 90 || lon > 180 {
		return
	}
	f := m.NextFix()
	f.Time = time.Unix(int64(unix), 0).UTC()
	setPosition(f, lat, lon, flags)
	f.Satellites = int(sats)
	f.Altitude = float64(alt)
	f.Speed = float64(speed)
}

// dropFix removes the fix NextFix added when the packet held no position.
func dropFix(m *protocols.Message) { m.Fixes = m.Fixes[:len(m.Fixes)-1] }
