package main

import "dozor/protocols/wire"

// gt06Frame builds a short GT06 frame: 7878, length, type, content,
// serial, CRC-ITU, 0D0A.
func gt06Frame(typ byte, content []byte, serial uint16) []byte {
	n := 5 + len(content)
	b := []byte{0x78, 0x78, byte(n), typ}
	b = append(b, content...)
	b = append(b, byte(serial>>8), byte(serial))
	crc := wire.CRC16X25(b[2:])
	return append(b, byte(crc>>8), byte(crc), 0x0d, 0x0a)
}
