package osmand

import (
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"dozor/protocols"
)

// AppendQuery appends to dst the classic OsmAnd query string of f (without
// the leading '?'), as Traccar Client sends it: id, timestamp, lat, lon,
// speed in knots, bearing, altitude, then accuracy, hdop, batt, charge,
// mock, alarm and driverUniqueId when f has them, and valid=false for an
// invalid fix. The timestamp is in Unix seconds, or milliseconds when f has
// a sub-second part; finer precision is lost.
func AppendQuery(dst []byte, id string, f *protocols.Fix) []byte {
	dst = append(dst, "id="...)
	dst = appendQueryEscape(dst, id)
	dst = append(dst, "&timestamp="...)
	dst = appendUnix(dst, f)
	dst = appendQueryFloat(dst, "lat", f.Lat)
	dst = appendQueryFloat(dst, "lon", f.Lon)
	dst = appendQueryFloat(dst, "speed", f.Speed/knotsToKmh)
	dst = appendQueryFloat(dst, "bearing", f.Course)
	dst = appendQueryFloat(dst, "altitude", f.Altitude)
	if f.Accuracy > 0 {
		dst = appendQueryFloat(dst, "accuracy", f.Accuracy)
	}
	if f.HDOP > 0 {
		dst = appendQueryFloat(dst, "hdop", f.HDOP)
	}
	if !f.Valid {
		dst = append(dst, "&valid=false"...)
	}
	for _, a := range f.Attrs {
		name := queryName(a.Key)
		if name == "" {
			continue
		}
		dst = append(dst, '&')
		dst = append(dst, name...)
		dst = append(dst, '=')
		dst = appendQueryEscape(dst, a.Str())
	}
	return dst
}

// MarshalBatch returns the JSON array form of fixes, one flat object per
// fix with the query's keys (speed in knots) and every attribute of the fix
// under its own name. Each fix must have a Device and finite coordinates.
func MarshalBatch(fixes []protocols.Fix) ([]byte, error) {
	return AppendBatch(nil, fixes)
}

// AppendBatch is MarshalBatch appending to dst.
func AppendBatch(dst []byte, fixes []protocols.Fix) ([]byte, error) {
	dst = append(dst, '[')
	for i := range fixes {
		f := &fixes[i]
		if f.Device == "" {
			return nil, fmt.Errorf("osmand: encode: fix %d has no device", i)
		}
		if !finite(f.Lat, f.Lon, f.Speed, f.Course, f.Altitude, f.Accuracy, f.HDOP) {
			return nil, fmt.Errorf("osmand: encode: fix %d: value not finite", i)
		}
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendObject(dst, f)
	}
	return append(dst, ']'), nil
}

func appendObject(dst []byte, f *protocols.Fix) []byte {
	dst = append(dst, `{"id":`...)
	dst = appendJSONString(dst, f.Device)
	dst = append(dst, `,"timestamp":`...)
	dst = appendUnix(dst, f)
	dst = appendJSONFloat(dst, "lat", f.Lat)
	dst = appendJSONFloat(dst, "lon", f.Lon)
	dst = appendJSONFloat(dst, "speed", f.Speed/knotsToKmh)
	dst = appendJSONFloat(dst, "bearing", f.Course)
	dst = appendJSONFloat(dst, "altitude", f.Altitude)
	if f.Accuracy > 0 {
		dst = appendJSONFloat(dst, "accuracy", f.Accuracy)
	}
	if f.HDOP > 0 {
		dst = appendJSONFloat(dst, "hdop", f.HDOP)
	}
	if !f.Valid {
		dst = append(dst, `,"valid":false`...)
	}
	for _, a := range f.Attrs {
		name := wireName(a.Key)
		if name == "" {
			continue
		}
		dst = append(dst, ',')
		dst = appendJSONString(dst, name)
		dst = append(dst, ':')
		if a.Kind == protocols.KindString {
			dst = appendJSONString(dst, a.Str())
		} else {
			dst = a.AppendValue(dst)
		}
	}
	return append(dst, '}')
}

// queryName returns the query key of the attributes the classic client
// sends, or "" for the others.
func queryName(key string) string {
	switch key {
	case protocols.AttrBatteryLevel:
		return "batt"
	case protocols.AttrCharging:
		return "charge"
	case protocols.AttrDriver:
		return "driverUniqueId"
	case protocols.AttrMock, protocols.AttrAlarm:
		return key
	}
	return ""
}

// wireName returns the request key of an attribute: the form's name for
// the attributes the decoder maps, the attribute's own name otherwise, and
// "" for names that would collide with a core field.
func wireName(key string) string {
	switch key {
	case protocols.AttrBatteryLevel:
		return "batt"
	case protocols.AttrCharging:
		return "charge"
	case protocols.AttrDriver:
		return "driverUniqueId"
	case "id", "deviceid", "device_id", "valid", "timestamp", "lat", "lon",
		"location", "speed", "bearing", "heading", "altitude", "accuracy", "hdop",
		"batt", "charge", "driverUniqueId":
		return ""
	}
	return key
}

func finite(xs ...float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// appendUnix appends f.Time so that the decoder's seconds/milliseconds rule
// reads it back: Unix seconds when whole and below 2^31-1, else
// milliseconds, or decimal seconds for the first weeks of 1970 where
// milliseconds would read as seconds.
func appendUnix(dst []byte, f *protocols.Fix) []byte {
	if sec := f.Time.Unix(); f.Time.Nanosecond() == 0 && sec < maxUnixSeconds {
		return strconv.AppendInt(dst, sec, 10)
	}
	if ms := f.Time.UnixMilli(); ms >= maxUnixSeconds {
		return strconv.AppendInt(dst, ms, 10)
	}
	sec := float64(f.Time.UnixMilli()) / 1000
	return strconv.AppendFloat(dst, sec, 'f', -1, 64)
}

func appendQueryFloat(dst []byte, key string, x float64) []byte {
	dst = append(dst, '&')
	dst = append(dst, key...)
	dst = append(dst, '=')
	return strconv.AppendFloat(dst, x, 'f', -1, 64)
}

func appendJSONFloat(dst []byte, key string, x float64) []byte {
	dst = append(dst, ',', '"')
	dst = append(dst, key...)
	dst = append(dst, '"', ':')
	return strconv.AppendFloat(dst, x, 'f', -1, 64)
}

// appendQueryEscape percent-encodes s for a query component, leaving only
// the unreserved characters of RFC 3986 as they are.
func appendQueryEscape(dst []byte, s string) []byte {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '-', c == '_', c == '.', c == '~':
			dst = append(dst, c)
		default:
			dst = append(dst, '%', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return dst
}

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes
// U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			dst = utf8.AppendRune(dst, r)
			i += n
			continue
		}
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		default:
			dst = append(dst, c)
		}
		i++
	}
	return append(dst, '"')
}
