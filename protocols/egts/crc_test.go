package egts

import (
	"math/rand/v2"
	"testing"

	"dozor/protocols/wire"
)

// TestCRC16 compares the sliced CRC with the reference in package wire on
// the check string and on random inputs of every length up to 64 bytes.
func TestCRC16(t *testing.T) {
	if got := crc16([]byte("123456789")); got != 0x29B1 {
		t.Fatalf("check value %#x, want 0x29b1", got)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 64; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		if got, want := crc16(b), wire.CRC16CCITTFalse(b); got != want {
			t.Fatalf("len %d: %#x, want %#x", n, got, want)
		}
	}
}
