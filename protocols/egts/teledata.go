package egts

import (
	"encoding/binary"
	"strconv"
	"time"

	"dozor/protocols"
)

// epoch2010 is the EGTS time origin, 2010-01-01 00:00:00 UTC, in Unix seconds.
const epoch2010 = 1262304000

// POS_DATA flag bits (FLG).
const (
	posVLD  = 0x01 // valid fix
	posCS   = 0x04 // coordinates in PZ-90 rather than WGS-84
	posBB   = 0x08 // record from the black box
	posMV   = 0x10 // moving
	posLAHS = 0x20 // southern latitude
	posLOHS = 0x40 // western longitude
	posALTE = 0x80 // ALT present
)

// Attribute names specific to EGTS (the common ones come from protocols).
const (
	AttrArchive       = "archive"        // POS_DATA BB: sent from the black box
	AttrPZ90          = "pz90"           // POS_DATA CS: coordinates are PZ-90, not WGS-84
	AttrVDOP          = "vdop"           // EXT_POS_DATA VDOP
	AttrGNSS          = "gnss"           // EXT_POS_DATA NS: navigation systems bit mask
	AttrState         = "state"          // STATE_DATA ST: terminal mode
	AttrBackupBattery = "backup_battery" // STATE_DATA BBV, V
)

// Numbered attribute names, built once so that decoding allocates nothing.
var (
	adcKeys     = numbered("adc", 256)     // analog inputs: AD_SENSORS, ABS_AN_SENS
	counterKeys = numbered("counter", 256) // counters: COUNTERS, ABS_CNTR
	inputKeys   = numbered("input_ext", 9) // AD_SENSORS additional inputs ADIO1..8
	fuelKeys    = numbered("fuel", 8)      // LIQUID_LEVEL_SENSOR by LLSN
)

func numbered(prefix string, n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = prefix + strconv.Itoa(i)
	}
	return keys
}

// teledata decodes the subrecords of the teledata service.
func (d *decoder) teledata(srt Subrecord, b []byte, at int) error {
	switch srt {
	case SrPosData:
		return d.posData(b, at)
	case SrExtPosData:
		return d.extPosData(b, at)
	case SrADSensorsData:
		return d.adSensors(b, at)
	case SrCountersData:
		return d.counters(b, at)
	case SrStateData, SrStateData21:
		// Some libraries number ACCEL_DATA 20 and STATE_DATA 21; STATE_DATA
		// is always 5 bytes, so other lengths are acceleration data.
		if len(b) == 5 {
			d.stateData(b)
		}
	case SrAbsAnSensData:
		return d.absValue(srt, adcKeys, b, at)
	case SrAbsCntrData:
		return d.absValue(srt, counterKeys, b, at)
	case SrLiquidLevelSensor:
		return d.liquidLevel(b, at)
	}
	return nil
}

// current returns the fix that the record's sensor subrecords describe,
// starting one if the record has none yet.
func (d *decoder) current() *protocols.Fix {
	if d.fix < 0 {
		f := d.m.NextFix()
		f.Protocol = Name
		d.fix = len(d.m.Fixes) - 1
	}
	return &d.m.Fixes[d.fix]
}

// posData decodes EGTS_SR_POS_DATA into a fix. A second POS_DATA in the same
// record starts a new fix.
func (d *decoder) posData(b []byte, at int) error {
	if len(b) < 21 {
		return d.short(SrPosData, len(b), 21, at)
	}
	flg := b[12]
	if flg&posALTE != 0 && len(b) < 24 {
		return d.short(SrPosData, len(b), 24, at)
	}
	if d.hasPos {
		d.fix = -1
	}
	f := d.current()
	d.hasPos = true

	f.Time = time.Unix(epoch2010+int64(binary.LittleEndian.Uint32(b)), 0).UTC()
	f.Lat = float64(binary.LittleEndian.Uint32(b[4:])) * 90 / 0xFFFFFFFF
	f.Lon = float64(binary.LittleEndian.Uint32(b[8:])) * 180 / 0xFFFFFFFF
	if flg&posLAHS != 0 {
		f.Lat = -f.Lat
	}
	if flg&posLOHS != 0 {
		f.Lon = -f.Lon
	}
	f.Valid = flg&posVLD != 0
	spd := binary.LittleEndian.Uint16(b[13:])
	f.Speed = float64(spd&0x3FFF) / 10
	f.Course = float64(uint16(b[15]) | spd>>15<<8)
	if flg&posALTE != 0 {
		f.Altitude = float64(uint24(b[21:]))
		if spd&0x4000 != 0 {
			f.Altitude = -f.Altitude
		}
	}
	f.Attrs = append(f.Attrs,
		protocols.Int(protocols.AttrOdometer, int64(uint24(b[16:]))*100),
		protocols.Uint(protocols.AttrInput, uint64(b[19])),
		protocols.Uint(protocols.AttrEvent, uint64(b[20])),
		protocols.Bool(protocols.AttrMotion, flg&posMV != 0),
		protocols.Bool(AttrArchive, flg&posBB != 0),
		protocols.Uint(protocols.AttrIndex, uint64(d.rn)),
	)
	if flg&posCS != 0 {
		f.Attrs = append(f.Attrs, protocols.Bool(AttrPZ90, true))
	}
	return nil
}

// extPosData decodes EGTS_SR_EXT_POS_DATA: dilutions of precision (in
// hundredths), satellites and the navigation systems used.
func (d *decoder) extPosData(b []byte, at int) error {
	if len(b) < 1 {
		return d.short(SrExtPosData, 0, 1, at)
	}
	flags := b[0]
	need := 1
	for bit, size := range [...]int{2, 2, 2, 1, 2} {
		if flags&(1<<bit) != 0 {
			need += size
		}
	}
	if len(b) < need {
		return d.short(SrExtPosData, len(b), need, at)
	}
	f := d.current()
	p := 1
	if flags&0x01 != 0 {
		f.Attrs = append(f.Attrs, protocols.Float(AttrVDOP, dop(b[p:])))
		p += 2
	}
	if flags&0x02 != 0 {
		f.HDOP = dop(b[p:])
		p += 2
	}
	if flags&0x04 != 0 {
		f.Attrs = append(f.Attrs, protocols.Float(protocols.AttrPDOP, dop(b[p:])))
		p += 2
	}
	if flags&0x08 != 0 {
		f.Satellites = int(b[p])
		p++
	}
	if flags&0x10 != 0 {
		ns := binary.LittleEndian.Uint16(b[p:])
		f.Attrs = append(f.Attrs, protocols.Uint(AttrGNSS, uint64(ns)))
	}
	return nil
}

func dop(b []byte) float64 { return float64(binary.LittleEndian.Uint16(b)) / 100 }

// adSensors decodes EGTS_SR_AD_SENSORS_DATA: the outputs, the additional
// digital input bytes and the analog inputs its two masks announce.
func (d *decoder) adSensors(b []byte, at int) error {
	if len(b) < 3 {
		return d.short(SrADSensorsData, len(b), 3, at)
	}
	dioe, asfe := b[0], b[2]
	need := 3 + ones(dioe) + 3*ones(asfe)
	if len(b) < need {
		return d.short(SrADSensorsData, len(b), need, at)
	}
	f := d.current()
	f.Attrs = append(f.Attrs, protocols.Uint(protocols.AttrOutput, uint64(b[1])))
	p := 3
	for i := 0; i < 8; i++ {
		if dioe&(1<<i) != 0 {
			f.Attrs = append(f.Attrs, protocols.Uint(inputKeys[i+1], uint64(b[p])))
			p++
		}
	}
	for i := 0; i < 8; i++ {
		if asfe&(1<<i) != 0 {
			f.Attrs = append(f.Attrs, protocols.Uint(adcKeys[i+1], uint64(uint24(b[p:]))))
			p += 3
		}
	}
	return nil
}

// counters decodes EGTS_SR_COUNTERS_DATA: up to eight 3-byte counters.
func (d *decoder) counters(b []byte, at int) error {
	if len(b) < 1 {
		return d.short(SrCountersData, 0, 1, at)
	}
	cfe := b[0]
	if need := 1 + 3*ones(cfe); len(b) < need {
		return d.short(SrCountersData, len(b), need, at)
	}
	f := d.current()
	p := 1
	for i := 0; i < 8; i++ {
		if cfe&(1<<i) != 0 {
			f.Attrs = append(f.Attrs, protocols.Uint(counterKeys[i+1], uint64(uint24(b[p:]))))
			p += 3
		}
	}
	return nil
}

// stateData decodes the 5-byte EGTS_SR_STATE_DATA: mode and voltages in
// tenths of a volt (main supply, backup battery, internal battery).
func (d *decoder) stateData(b []byte) {
	f := d.current()
	f.Attrs = append(f.Attrs,
		protocols.Uint(AttrState, uint64(b[0])),
		protocols.Float(protocols.AttrPower, float64(b[1])/10),
		protocols.Float(AttrBackupBattery, float64(b[2])/10),
		protocols.Float(protocols.AttrBattery, float64(b[3])/10),
	)
}

// absValue decodes EGTS_SR_ABS_AN_SENS_DATA or EGTS_SR_ABS_CNTR_DATA: a
// 1-byte number and a 3-byte value.
func (d *decoder) absValue(srt Subrecord, keys []string, b []byte, at int) error {
	if len(b) < 4 {
		return d.short(srt, len(b), 4, at)
	}
	f := d.current()
	f.Attrs = append(f.Attrs, protocols.Uint(keys[b[0]], uint64(uint24(b[1:]))))
	return nil
}

// liquidLevel decodes EGTS_SR_LIQUID_LEVEL_SENSOR. Readings flagged as
// errors and raw (RDF) readings are skipped; the value keeps the sensor's
// unit (LLSVU: raw, 0.1 % or 0.1 l).
func (d *decoder) liquidLevel(b []byte, at int) error {
	if len(b) < 3 {
		return d.short(SrLiquidLevelSensor, len(b), 3, at)
	}
	flags := b[0]
	const errFlag, rawFlag = 0x40, 0x08
	if flags&(errFlag|rawFlag) != 0 {
		return nil
	}
	if len(b) < 7 {
		return d.short(SrLiquidLevelSensor, len(b), 7, at)
	}
	f := d.current()
	f.Attrs = append(f.Attrs,
		protocols.Uint(fuelKeys[flags&0x07], uint64(binary.LittleEndian.Uint32(b[3:]))))
	return nil
}

func uint24(b []byte) uint32 { return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 }

func ones(b byte) int {
	n := 0
	for ; b != 0; b &= b - 1 {
		n++
	}
	return n
}
