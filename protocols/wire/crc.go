package wire

// CRC16ARC is CRC-16/ARC (also called CRC-16/IBM): polynomial 0x8005
// reflected (0xA001), initial value 0, no final XOR. Teltonika and Wialon IPS
// 2.0 use it.
func CRC16ARC(b []byte) uint16 { return crc16Reflected(b, 0x0000, &arcTable) }

// CRC16Modbus is CRC-16/MODBUS: as ARC but starting from 0xFFFF.
// Galileosky uses it.
func CRC16Modbus(b []byte) uint16 { return crc16Reflected(b, 0xFFFF, &arcTable) }

// CRC16X25 is CRC-16/X-25 (the "CRC-ITU" of GT06 documents): polynomial
// 0x1021 reflected (0x8408), initial 0xFFFF, final XOR 0xFFFF.
func CRC16X25(b []byte) uint16 { return crc16Reflected(b, 0xFFFF, &x25Table) ^ 0xFFFF }

// CRC16CCITTFalse is CRC-16/CCITT-FALSE: polynomial 0x1021, initial 0xFFFF,
// not reflected, no final XOR. EGTS uses it for the frame body.
func CRC16CCITTFalse(b []byte) uint16 {
	crc := uint16(0xFFFF)
	for _, c := range b {
		crc = crc<<8 ^ ccittTable[byte(crc>>8)^c]
	}
	return crc
}

// CRC8EGTS is the CRC-8 of EGTS headers (and NavTelecom FLEX): polynomial
// 0x31, initial 0xFF, not reflected, no final XOR.
func CRC8EGTS(b []byte) uint8 {
	crc := uint8(0xFF)
	for _, c := range b {
		crc = crc8Table[crc^c]
	}
	return crc
}

func crc16Reflected(b []byte, crc uint16, t *[256]uint16) uint16 {
	for _, c := range b {
		crc = crc>>8 ^ t[byte(crc)^c]
	}
	return crc
}

var (
	arcTable   = reflectedTable(0xA001)
	x25Table   = reflectedTable(0x8408)
	ccittTable = forwardTable16(0x1021)
	crc8Table  = forwardTable8(0x31)
)

func reflectedTable(poly uint16) [256]uint16 {
	var t [256]uint16
	for i := range t {
		crc := uint16(i)
		for range 8 {
			if crc&1 != 0 {
				crc = crc>>1 ^ poly
			} else {
				crc >>= 1
			}
		}
		t[i] = crc
	}
	return t
}

func forwardTable16(poly uint16) [256]uint16 {
	var t [256]uint16
	for i := range t {
		crc := uint16(i) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ poly
			} else {
				crc <<= 1
			}
		}
		t[i] = crc
	}
	return t
}

func forwardTable8(poly uint8) [256]uint8 {
	var t [256]uint8
	for i := range t {
		crc := uint8(i)
		for range 8 {
			if crc&0x80 != 0 {
				crc = crc<<1 ^ poly
			} else {
				crc <<= 1
			}
		}
		t[i] = crc
	}
	return t
}
