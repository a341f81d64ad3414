package protocols

import (
	"math"
	"time"
)

// Fix is one position report as a device sent it, normalised to WGS-84,
// UTC, km/h and metres.
//
// Decoders fill Fix values that the caller owns and reuses between messages;
// Attrs is reset, not reallocated. Strings in a Fix point either at static
// names or at memory the decoder copied, never at the read buffer, so a Fix
// may be kept after the next read.
type Fix struct {
	// Device is the device identity on the wire (IMEI, Wialon id, phone id).
	// Ingest maps it to a stored device; decoders of session-based protocols
	// leave it empty and ingest fills it from the session.
	Device string

	// Time is the fix time reported by the device, in UTC.
	Time time.Time

	// Received is when the server read the message; set by ingest.
	Received time.Time

	Lat      float64 // degrees, WGS-84, north positive
	Lon      float64 // degrees, WGS-84, east positive
	Altitude float64 // metres above sea level
	Speed    float64 // km/h
	Course   float64 // degrees clockwise from true north, 0..360

	// Satellites is the number of satellites used; 0 when unknown.
	Satellites int

	// HDOP is the horizontal dilution of precision; 0 when unknown.
	HDOP float64

	// Accuracy is the estimated horizontal error in metres; 0 when unknown.
	Accuracy float64

	// Valid reports whether the device marked the position as a real fix.
	Valid bool

	// Protocol is the registry name of the protocol that decoded the fix.
	Protocol string

	// Cell is the H3 cell of the position at the configured resolution,
	// computed once by ingest; 0 until then.
	Cell uint64

	// Attrs holds everything else the device reported, typed.
	Attrs Attrs
}

// Reset clears f for reuse while keeping the Attrs backing array.
func (f *Fix) Reset() {
	attrs := f.Attrs[:0]
	*f = Fix{Attrs: attrs}
}

// CopyTo makes dst an independent copy of f, reusing dst's Attrs storage.
func (f *Fix) CopyTo(dst *Fix) {
	attrs := append(dst.Attrs[:0], f.Attrs...)
	*dst = *f
	dst.Attrs = attrs
}

// Plausible reports whether the coordinates and time can describe a real
// position: finite, within range and not the 0,0 a device sends without a
// fix. Implausible fixes are kept as invalid, never silently dropped.
func (f *Fix) Plausible() bool {
	if math.IsNaN(f.Lat) || math.IsNaN(f.Lon) {
		return false
	}
	if f.Lat < -90 || f.Lat > 90 || f.Lon < -180 || f.Lon > 180 {
		return false
	}
	if f.Lat == 0 && f.Lon == 0 {
		return false
	}
	return !f.Time.IsZero()
}
