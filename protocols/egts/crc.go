package egts

// crc16 is CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF, not
// reflected, no final XOR), the SFRCS of EGTS, computed eight bytes at a
// time ("slicing by 8"). It gives the same values as
// wire.CRC16CCITTFalse, which reads a byte at a time and dominated the
// decode profile of black-box packets (TestCRC16 compares them).
func crc16(b []byte) uint16 {
	crc := uint16(0xFFFF)
	t := &crcTables
	for len(b) >= 8 {
		crc = t[7][byte(crc>>8)^b[0]] ^ t[6][byte(crc)^b[1]] ^
			t[5][b[2]] ^ t[4][b[3]] ^ t[3][b[4]] ^ t[2][b[5]] ^ t[1][b[6]] ^ t[0][b[7]]
		b = b[8:]
	}
	for _, c := range b {
		crc = crc<<8 ^ t[0][byte(crc>>8)^c]
	}
	return crc
}

// crcTables[k][x] is the CRC register after byte x followed by k zero
// bytes, starting from zero.
var crcTables = func() (t [8][256]uint16) {
	for i := range 256 {
		crc := uint16(i) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
		t[0][i] = crc
	}
	for k := 1; k < 8; k++ {
		for i := range 256 {
			prev := t[k-1][i]
			t[k][i] = prev<<8 ^ t[0][byte(prev>>8)]
		}
	}
	return t
}()
