package teltonika

import "strconv"

// Codec is the codec ID byte that opens the data field of every packet and
// selects its layout.
type Codec uint8

// Codec IDs. Only Codec8, Codec8E and Codec16 carry positions.
const (
	CodecGH3000 Codec = 0x07 // GH3000 bit-packed records; not decoded here
	Codec8      Codec = 0x08 // AVL data, 1-byte IO ids and counts
	Codec8E     Codec = 0x8E // AVL data, 2-byte IO ids and counts, NX elements
	Codec16     Codec = 0x10 // AVL data, 2-byte IO ids, generation type
	Codec12     Codec = 0x0C // GPRS command (type 5) or its response (type 6)
	Codec13     Codec = 0x0D // command response with a timestamp
	Codec14     Codec = 0x0E // command or response addressed by IMEI
	Codec15     Codec = 0x0F // serial data with a timestamp and IMEI
)

// String names the codec as the wiki does, for logs.
func (c Codec) String() string {
	switch c {
	case CodecGH3000:
		return "GH3000"
	case Codec8:
		return "Codec 8"
	case Codec8E:
		return "Codec 8 Extended"
	case Codec16:
		return "Codec 16"
	case Codec12:
		return "Codec 12"
	case Codec13:
		return "Codec 13"
	case Codec14:
		return "Codec 14"
	case Codec15:
		return "Codec 15"
	}
	return "codec 0x" + strconv.FormatUint(uint64(c), 16)
}

// layout holds the field widths that differ between the AVL codecs.
type layout struct {
	event      int  // event IO id width
	count      int  // width of the total IO count and of each group count
	id         int  // IO id width
	generation bool // a generation type byte follows the event id (Codec 16)
	nx         bool // a variable-length element group ends the IO section
}

var (
	layout8  = layout{event: 1, count: 1, id: 1}
	layout8E = layout{event: 2, count: 2, id: 2, nx: true}
	layout16 = layout{event: 2, count: 1, id: 2, generation: true}
)

// avlLayout returns the layout of an AVL codec, or false for other codecs.
func avlLayout(c Codec) (layout, bool) {
	switch c {
	case Codec8:
		return layout8, true
	case Codec8E:
		return layout8E, true
	case Codec16:
		return layout16, true
	}
	return layout{}, false
}

// minRecord is the size of a record with no IO elements: timestamp 8,
// priority 1, GPS element 15, event id, generation, total count, four group
// counts and the NX count.
func (l layout) minRecord() int {
	n := 8 + 1 + 15 + l.event + l.count*5
	if l.generation {
		n++
	}
	if l.nx {
		n += 2
	}
	return n
}
