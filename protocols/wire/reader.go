package wire

import (
	"encoding/binary"
	"math"

	"dozor/protocols"
)

// Reader reads fixed-size fields from a frame. After the first short read
// every method returns zero and Err reports protocols.ErrTruncated with the
// offset, so a decoder can read many fields and check once.
//
// The zero Reader reads nothing; use NewReader.
type Reader struct {
	buf []byte
	off int
	err error
}

// NewReader returns a Reader over b. It keeps b; slices it returns alias b.
func NewReader(b []byte) Reader { return Reader{buf: b} }

// Err returns the first error, located at the offset where it occurred.
func (r *Reader) Err() error { return r.err }

// Offset is the number of bytes consumed.
func (r *Reader) Offset() int { return r.off }

// Len is the number of unread bytes.
func (r *Reader) Len() int { return len(r.buf) - r.off }

// Fail records err at the current offset unless an error is already set.
func (r *Reader) Fail(err error) {
	if r.err == nil {
		r.err = protocols.At(r.off, err)
	}
}

func (r *Reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.buf)-r.off {
		r.Fail(protocols.ErrTruncated)
		return nil
	}
	b := r.buf[r.off : r.off+n]
	r.off += n
	return b
}

// Bytes returns the next n bytes, aliasing the frame; nil after an error.
func (r *Reader) Bytes(n int) []byte { return r.take(n) }

// Skip advances n bytes.
func (r *Reader) Skip(n int) { r.take(n) }

// U8 reads one byte.
func (r *Reader) U8() uint8 {
	b := r.take(1)
	if b == nil {
		return 0
	}
	return b[0]
}

// U16 reads a big-endian uint16.
func (r *Reader) U16() uint16 {
	b := r.take(2)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint16(b)
}

// U32 reads a big-endian uint32.
func (r *Reader) U32() uint32 {
	b := r.take(4)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint32(b)
}

// U64 reads a big-endian uint64.
func (r *Reader) U64() uint64 {
	b := r.take(8)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// U16LE reads a little-endian uint16.
func (r *Reader) U16LE() uint16 {
	b := r.take(2)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint16(b)
}

// U24LE reads a little-endian 3-byte unsigned integer.
func (r *Reader) U24LE() uint32 {
	b := r.take(3)
	if b == nil {
		return 0
	}
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16
}

// U32LE reads a little-endian uint32.
func (r *Reader) U32LE() uint32 {
	b := r.take(4)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(b)
}

// U64LE reads a little-endian uint64.
func (r *Reader) U64LE() uint64 {
	b := r.take(8)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(b)
}

// F32LE reads a little-endian IEEE 754 float32.
func (r *Reader) F32LE() float32 { return math.Float32frombits(r.U32LE()) }

// Uint reads an n-byte big-endian unsigned integer, n from 0 to 8.
func (r *Reader) Uint(n int) uint64 {
	if n > 8 {
		r.Fail(protocols.ErrMalformed)
		return 0
	}
	b := r.take(n)
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}
