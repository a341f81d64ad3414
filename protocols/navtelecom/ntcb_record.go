package navtelecom

import (
	"fmt"
	"math"
	"time"

	"dozor/protocols"
	"dozor/protocols/wire"
)

// Format is the layout number that starts an NTCB telemetry record.
type Format uint16

// NTCB telemetry formats.
const (
	F10 Format = 0x01
	F20 Format = 0x02
	F30 Format = 0x03
	F40 Format = 0x04
	F50 Format = 0x05
	F51 Format = 0x15
	F52 Format = 0x25
	F60 Format = 0x06
)

func (f Format) String() string { return fmt.Sprintf("F%02x", uint16(f)) }

func (f Format) in(list ...Format) bool {
	for _, x := range list {
		if f == x {
			return true
		}
	}
	return false
}

// decodeNtcbRecord reads one *>T / *>A telemetry record. Records whose
// format carries no navigation block yield no fix. It returns the record's
// event index, which the *<T answer echoes.
func decodeNtcbRecord(rd *wire.Reader, m *protocols.Message) (uint32, error) {
	start := rd.Offset()
	f := Format(rd.U8())
	if f == 0 { // two-byte form: a zero byte, then the format
		f = Format(rd.U8())
	}
	if !f.in(F10, F20, F30, F40, F50, F51, F52, F60) {
		return 0, protocols.At(start, fmt.Errorf("navtelecom: NTCB record format %v: %w",
			f, protocols.ErrUnsupported))
	}
	x := m.NextFix()
	x.Protocol = Name
	idx := rd.U32LE()
	x.Attrs = append(x.Attrs, protocols.Uint(protocols.AttrIndex, uint64(idx)),
		protocols.Uint(protocols.AttrEvent, uint64(rd.U16LE())))
	rd.Skip(6) // event time, h m s d m y; the fix time below is kept
	rd.Skip(1) // armed state
	x.Attrs = append(x.Attrs, protocols.Uint("status", uint64(rd.U8())),
		protocols.Uint(protocols.AttrGSM, uint64(rd.U8())))
	ntcbIO(rd, f, x)
	nav := ntcbNav(rd, f, x)
	ntcbTail(rd, f)
	if err := rd.Err(); err != nil {
		return 0, fmt.Errorf("navtelecom: %v record: %w", f, err)
	}
	if !nav {
		m.Fixes = m.Fixes[:len(m.Fixes)-1] // no navigation block: nothing to store
	}
	return idx, nil
}

func ntcbIO(rd *wire.Reader, f Format, x *protocols.Fix) {
	var out, in uint64
	switch {
	case f.in(F10, F20, F30):
		out = uint64(rd.U16LE())
	case f.in(F50, F51, F52):
		ext := rd.U8()
		out = uint64(ext & 0x03)
		x.Satellites = int(ext >> 2)
	default: // F40, F60
		out = uint64(rd.U8() & 0x0f)
	}
	if f.in(F10, F20, F30, F40) {
		in = uint64(rd.U16LE())
	} else {
		in = uint64(rd.U8())
	}
	x.Attrs = append(x.Attrs, protocols.Uint(protocols.AttrOutput, out),
		protocols.Uint(protocols.AttrInput, in),
		protocols.Float(protocols.AttrPower, float64(rd.U16LE())/1000),
		protocols.Float(protocols.AttrBattery, float64(rd.U16LE())/1000))
	if f.in(F10, F20, F30) {
		x.Attrs = append(x.Attrs, protocols.Int(protocols.AttrTemperature, int64(int16(rd.U16LE()))))
	}
	if f.in(F10, F20, F50, F51, F52, F60) {
		x.Attrs = append(x.Attrs, protocols.Uint("adc1", uint64(rd.U16LE())),
			protocols.Uint("adc2", uint64(rd.U16LE())))
	}
	if f == F60 {
		x.Attrs = append(x.Attrs, protocols.Uint("adc3", uint64(rd.U16LE())))
	}
	if f.in(F20, F50, F51, F52, F60) {
		rd.Skip(8) // two impulse counters
	}
	if f == F60 {
		rd.Skip(28) // fuel: two u16, then eight (u8, u16) sensors (corpus navtelecom-S-0006)
		rd.Skip(4)  // four temperatures
		rd.Skip(4)  // axle weight
		x.Attrs = append(x.Attrs, protocols.Uint("rpm", uint64(rd.U16LE())))
	}
}

// ntcbNav reads the navigation block of formats that have one.
func ntcbNav(rd *wire.Reader, f Format, x *protocols.Fix) bool {
	if !f.in(F20, F50, F51, F52, F60) {
		return false
	}
	state := rd.U8()
	x.Valid = state&0x02 != 0
	if f == F60 {
		x.Satellites = int(state >> 2)
	}
	t := rd.Bytes(6) // h m s d m(0-11) y
	if t != nil {
		x.Time = time.Date(2000+int(t[5]), time.Month(t[4]+1), int(t[3]),
			int(t[0]), int(t[1]), int(t[2]), 0, time.UTC)
	}
	if f == F60 {
		x.Lat = float64(int32(rd.U32LE())) / 600000
		x.Lon = float64(int32(rd.U32LE())) / 600000
		x.Altitude = float64(int32(rd.U32LE())) / 10
	} else {
		x.Lat = float64(rd.F32LE()) / math.Pi * 180
		x.Lon = float64(rd.F32LE()) / math.Pi * 180
	}
	x.Speed = float64(rd.F32LE())
	x.Course = float64(rd.U16LE())
	x.Attrs = append(x.Attrs, protocols.Float(protocols.AttrOdometer, float64(rd.F32LE())*1000))
	rd.Skip(4) // distance since the previous record
	rd.Skip(4) // two segment times
	return rd.Err() == nil
}

func ntcbTail(rd *wire.Reader, f Format) {
	if f.in(F51, F52) {
		rd.Skip(15) // other sensors
	}
	if f.in(F40, F52) {
		rd.Skip(4) // four temperature sensors
	}
}
