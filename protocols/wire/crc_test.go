package wire

import "testing"

// Check values are the CRC of "123456789" from the catalogue of parametrised
// CRC algorithms (reveng), one per variant.
func TestCRCCheckValues(t *testing.T) {
	in := []byte("123456789")
	cases := []struct {
		name string
		got  uint32
		want uint32
	}{
		{"arc", uint32(CRC16ARC(in)), 0xBB3D},
		{"modbus", uint32(CRC16Modbus(in)), 0x4B37},
		{"x25", uint32(CRC16X25(in)), 0x906E},
		{"ccitt-false", uint32(CRC16CCITTFalse(in)), 0x29B1},
		{"crc8-egts", uint32(CRC8EGTS(in)), 0xF7},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Fatalf("got %#x, want %#x", c.got, c.want)
			}
		})
	}
}

func TestReaderSticky(t *testing.T) {
	r := NewReader([]byte{1, 2, 3})
	if r.U16() != 0x0102 {
		t.Fatal("u16")
	}
	if r.U32() != 0 || r.Err() == nil {
		t.Fatal("short read must fail")
	}
	if r.U8() != 0 {
		t.Fatal("sticky error must return zero")
	}
}
