package teltonika

import (
	"strconv"

	"dozor/protocols"
)

// IOID is an AVL IO element id. Meanings below are those of the FMB/FMC/FMM
// families ("FMB AVL ID" wiki page); other models may differ, which is why
// every element is also kept raw under protocols.IOKey(id).
type IOID uint16

// Well-known IO element ids that get a common attribute name.
const (
	IODigitalInput1  IOID = 1   // DIN1 state, bit 0 of protocols.AttrInput
	IODigitalInput2  IOID = 2   // DIN2 state, bit 1 of protocols.AttrInput
	IODigitalInput3  IOID = 3   // DIN3 state, bit 2 of protocols.AttrInput
	IOTotalOdometer  IOID = 16  // total odometer, m
	IOGSMSignal      IOID = 21  // GSM signal level, 0 to 5
	IOExternalVolt   IOID = 66  // external supply voltage, mV
	IOBatteryVoltage IOID = 67  // internal battery voltage, mV
	IOPDOP           IOID = 181 // GNSS PDOP x10
	IOHDOP           IOID = 182 // GNSS HDOP x10
	IOIgnition       IOID = 239 // ignition on
	IOMovement       IOID = 240 // movement sensor reports motion
)

// String names the element as the FMB AVL ID list does.
func (id IOID) String() string {
	switch id {
	case IODigitalInput1, IODigitalInput2, IODigitalInput3:
		return "digital input " + strconv.Itoa(int(id))
	case IOTotalOdometer:
		return "total odometer"
	case IOGSMSignal:
		return "GSM signal"
	case IOExternalVolt:
		return "external voltage"
	case IOBatteryVoltage:
		return "battery voltage"
	case IOPDOP:
		return "PDOP"
	case IOHDOP:
		return "HDOP"
	case IOIgnition:
		return "ignition"
	case IOMovement:
		return "movement"
	}
	return "io " + strconv.Itoa(int(id))
}

// named collects the common attributes derived from one record's IO
// elements. The zero value is ready; finish appends what spans elements.
type named struct {
	inputs    uint8 // digital input bits seen so far
	hasInputs bool
}

// add appends the common attribute for element id, if it has one, and fills
// the Fix fields some elements carry.
func (n *named) add(f *protocols.Fix, id int, v uint64) {
	switch IOID(id) {
	case IODigitalInput1, IODigitalInput2, IODigitalInput3:
		n.hasInputs = true
		if v != 0 {
			n.inputs |= 1 << (id - 1)
		}
	case IOTotalOdometer:
		f.Attrs = append(f.Attrs, protocols.Uint(protocols.AttrOdometer, v))
	case IOGSMSignal:
		f.Attrs = append(f.Attrs, protocols.Uint(protocols.AttrGSM, v))
	case IOExternalVolt:
		f.Attrs = append(f.Attrs, protocols.Float(protocols.AttrPower, float64(v)/1000))
	case IOBatteryVoltage:
		f.Attrs = append(f.Attrs, protocols.Float(protocols.AttrBattery, float64(v)/1000))
	case IOPDOP:
		f.Attrs = append(f.Attrs, protocols.Float(protocols.AttrPDOP, float64(v)/10))
	case IOHDOP:
		f.HDOP = float64(v) / 10
	case IOIgnition:
		f.Attrs = append(f.Attrs, protocols.Bool(protocols.AttrIgnition, v != 0))
	case IOMovement:
		f.Attrs = append(f.Attrs, protocols.Bool(protocols.AttrMotion, v != 0))
	}
}

// finish appends the digital input mask when the record listed any input.
func (n *named) finish(f *protocols.Fix) {
	if n.hasInputs {
		f.Attrs = append(f.Attrs, protocols.Uint(protocols.AttrInput, uint64(n.inputs)))
	}
}
