package teltonika

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"dozor/protocols"
	"dozor/protocols/wire"
)

// Record is one AVL record as it is on the wire, for the encoders, the load
// generator and tests. Session.Decode does not use it: it fills
// protocols.Fix values directly.
type Record struct {
	Time       time.Time // millisecond precision on the wire
	Priority   uint8     // 0 low, 1 high, 2 panic
	Lat, Lon   float64   // degrees; sent as int32 x 1e7
	Altitude   int16     // metres
	Angle      uint16    // degrees from north
	Satellites uint8
	Speed      uint16 // km/h
	EventID    uint16 // IO id that triggered the record; one byte in Codec 8
	Generation uint8  // Codec 16 generation type; not sent by other codecs
	IO         []IO   // written grouped by size, in this order within a group
}

// IO is one IO element of a Record.
type IO struct {
	ID    uint16 // one byte in Codec 8
	Size  int    // value width: 1, 2, 4 or 8; 0 for a Codec 8E NX element
	Value uint64 // fixed-size value, truncated to Size bytes
	Data  []byte // NX element bytes
}

// AppendIMEI appends the TCP handshake: the 2-byte length and the IMEI.
func AppendIMEI(dst []byte, imei string) []byte {
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(imei)))
	return append(dst, imei...)
}

// AppendAVL appends a TCP AVL packet (preamble, length, data field, CRC)
// carrying recs in the given codec. It panics if codec is not Codec8,
// Codec8E or Codec16 or if there are not 1 to 255 records. Values wider than
// their field are truncated; NX elements are written only in Codec 8E, and
// elements of any other size are left out.
func AppendAVL(dst []byte, codec Codec, recs []Record) []byte {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0, 0, 0, 0, 0)
	body := len(dst)
	dst = appendData(dst, codec, recs)
	return finishTCP(dst, start, body)
}

// AppendUDP appends a UDP datagram carrying recs, with the same panics as
// AppendAVL.
func AppendUDP(
	dst []byte, packetID uint16, avlID byte, imei string, codec Codec, recs []Record,
) []byte {
	start := len(dst)
	dst = append(dst, 0, 0)
	dst = binary.BigEndian.AppendUint16(dst, packetID)
	dst = append(dst, 1, avlID)
	dst = AppendIMEI(dst, imei)
	dst = appendData(dst, codec, recs)
	binary.BigEndian.PutUint16(dst[start:], uint16(len(dst)-start-2))
	return dst
}

// AppendRecords decodes the data field of a packet (codec ID through number
// of data 2, as in frame[8:len(frame)-4] of a TCP packet) and appends its
// records to dst. It is for tools and tests and allocates freely.
func AppendRecords(dst []Record, data []byte) ([]Record, error) {
	var m protocols.Message
	if len(data) > 0 {
		if _, ok := avlLayout(Codec(data[0])); !ok {
			return dst, fmt.Errorf("teltonika: %v is not an AVL codec: %w",
				Codec(data[0]), protocols.ErrUnsupported)
		}
	}
	d := decoder{raw: &dst}
	if err := d.decodeData(data, 0, len(data), &m); err != nil {
		return dst, fmt.Errorf("teltonika: %w", err)
	}
	return dst, nil
}

// finishTCP fills the length of the packet that starts at start and whose
// data field starts at body, and appends the CRC field.
func finishTCP(dst []byte, start, body int) []byte {
	binary.BigEndian.PutUint32(dst[start+4:], uint32(len(dst)-body))
	return binary.BigEndian.AppendUint32(dst, uint32(wire.CRC16ARC(dst[body:])))
}

func appendData(dst []byte, codec Codec, recs []Record) []byte {
	lay, ok := avlLayout(codec)
	if !ok {
		panic(fmt.Sprintf("teltonika: cannot encode records in %v", codec))
	}
	if len(recs) == 0 || len(recs) > 255 {
		panic(fmt.Sprintf("teltonika: %d records in one packet, want 1 to 255", len(recs)))
	}
	dst = append(dst, byte(codec), byte(len(recs)))
	for i := range recs {
		dst = appendRecord(dst, lay, &recs[i])
	}
	return append(dst, byte(len(recs)))
}

func appendRecord(dst []byte, lay layout, rec *Record) []byte {
	dst = binary.BigEndian.AppendUint64(dst, uint64(rec.Time.UnixMilli()))
	dst = append(dst, rec.Priority)
	dst = binary.BigEndian.AppendUint32(dst, uint32(degrees(rec.Lon)))
	dst = binary.BigEndian.AppendUint32(dst, uint32(degrees(rec.Lat)))
	dst = binary.BigEndian.AppendUint16(dst, uint16(rec.Altitude))
	dst = binary.BigEndian.AppendUint16(dst, rec.Angle)
	dst = append(dst, rec.Satellites)
	dst = binary.BigEndian.AppendUint16(dst, rec.Speed)
	dst = appendWidth(dst, lay.event, int(rec.EventID))
	if lay.generation {
		dst = append(dst, rec.Generation)
	}

	total := 0
	for _, e := range rec.IO {
		switch e.Size {
		case 1, 2, 4, 8:
			total++
		case 0:
			if lay.nx {
				total++
			}
		}
	}
	dst = appendWidth(dst, lay.count, total)
	for _, size := range ioSizes {
		dst = appendGroup(dst, lay, rec.IO, size)
	}
	if lay.nx {
		dst = appendNX(dst, rec.IO)
	}
	return dst
}

func appendGroup(dst []byte, lay layout, io []IO, size int) []byte {
	n := 0
	for _, e := range io {
		if e.Size == size {
			n++
		}
	}
	dst = appendWidth(dst, lay.count, n)
	for _, e := range io {
		if e.Size != size {
			continue
		}
		dst = appendWidth(dst, lay.id, int(e.ID))
		for i := size - 1; i >= 0; i-- {
			dst = append(dst, byte(e.Value>>(8*i)))
		}
	}
	return dst
}

func appendNX(dst []byte, io []IO) []byte {
	n := 0
	for _, e := range io {
		if e.Size == 0 {
			n++
		}
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(n))
	for _, e := range io {
		if e.Size == 0 {
			dst = binary.BigEndian.AppendUint16(dst, e.ID)
			dst = binary.BigEndian.AppendUint16(dst, uint16(len(e.Data)))
			dst = append(dst, e.Data...)
		}
	}
	return dst
}

func appendWidth(dst []byte, width, v int) []byte {
	if width == 1 {
		return append(dst, byte(v))
	}
	return binary.BigEndian.AppendUint16(dst, uint16(v))
}

// degrees converts degrees to the wire's int32 of 1e-7 degrees.
func degrees(d float64) int32 { return int32(math.Round(d * 1e7)) }
