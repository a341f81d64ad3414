package protocols

import (
	"encoding/json"
	"math"
	"strconv"
)

// Common attribute names. Protocols use these where the meaning is the same,
// so that a report reads "ignition" whatever the tracker brand.
const (
	AttrBattery       = "battery"        // battery voltage, V
	AttrBatteryLevel  = "battery_level"  // battery charge, percent
	AttrCharging      = "charging"       // external power or charger connected
	AttrPower         = "power"          // external supply voltage, V
	AttrIgnition      = "ignition"       // ignition on
	AttrMotion        = "motion"         // device reports movement
	AttrOdometer      = "odometer"       // total distance, m
	AttrInput         = "input"          // digital inputs bit mask
	AttrOutput        = "output"         // digital outputs bit mask
	AttrAlarm         = "alarm"          // alarm name
	AttrEvent         = "event"          // protocol event code
	AttrMock          = "mock"           // the phone reported a mock location
	AttrPriority      = "priority"       // record priority
	AttrGSM           = "gsm"            // GSM signal level
	AttrIndex         = "index"          // record sequence number on the device
	AttrDriver        = "driver"         // driver identifier
	AttrTemperature   = "temperature"    // device temperature, degrees C
	AttrGeneration    = "generation"     // Teltonika codec 16 generation type
	AttrEventID       = "event_io"       // IO element that triggered the record
	AttrActivity      = "activity"       // phone activity type
	AttrIsMoving      = "is_moving"      // phone motion state
	AttrFuel          = "fuel"           // fuel level
	AttrPDOP          = "pdop"           // position dilution of precision
	AttrBearingSource = "bearing_source" // reserved
)

// Kind is the type of an attribute value.
type Kind uint8

// Attribute value kinds.
const (
	KindInt    Kind = iota + 1 // signed integer
	KindUint                   // unsigned integer (raw IO values)
	KindFloat                  // floating point
	KindBool                   // boolean
	KindString                 // text
)

// Attr is one typed attribute. The zero Attr is invalid.
type Attr struct {
	Key  string
	Kind Kind
	num  uint64 // int64, uint64 or float64 bits, or 0/1 for bools
	str  string
}

// Int returns an integer attribute.
func Int(key string, v int64) Attr { return Attr{Key: key, Kind: KindInt, num: uint64(v)} }

// Uint returns an unsigned integer attribute.
func Uint(key string, v uint64) Attr { return Attr{Key: key, Kind: KindUint, num: v} }

// Float returns a floating-point attribute.
func Float(key string, v float64) Attr {
	return Attr{Key: key, Kind: KindFloat, num: math.Float64bits(v)}
}

// Bool returns a boolean attribute.
func Bool(key string, v bool) Attr {
	a := Attr{Key: key, Kind: KindBool}
	if v {
		a.num = 1
	}
	return a
}

// String returns a text attribute. The caller must pass a string it owns
// (copied out of any read buffer).
func String(key, v string) Attr { return Attr{Key: key, Kind: KindString, str: v} }

// Int64 returns the value as int64, converting other numeric kinds.
func (a Attr) Int64() int64 {
	switch a.Kind {
	case KindFloat:
		return int64(math.Float64frombits(a.num))
	case KindString:
		n, _ := strconv.ParseInt(a.str, 10, 64)
		return n
	}
	return int64(a.num)
}

// Uint64 returns the raw unsigned value.
func (a Attr) Uint64() uint64 { return a.num }

// Float64 returns the value as float64, converting integer kinds.
func (a Attr) Float64() float64 {
	switch a.Kind {
	case KindFloat:
		return math.Float64frombits(a.num)
	case KindInt:
		return float64(int64(a.num))
	case KindString:
		f, _ := strconv.ParseFloat(a.str, 64)
		return f
	}
	return float64(a.num)
}

// BoolValue returns the value as a boolean; numbers are true when non-zero.
func (a Attr) BoolValue() bool {
	if a.Kind == KindString {
		return a.str == "true" || a.str == "1"
	}
	return a.num != 0
}

// Str returns the text of a string attribute, or the value formatted.
func (a Attr) Str() string {
	if a.Kind == KindString {
		return a.str
	}
	return string(a.AppendValue(nil))
}

// AppendValue appends the value as a JSON literal.
func (a Attr) AppendValue(dst []byte) []byte {
	switch a.Kind {
	case KindInt:
		return strconv.AppendInt(dst, int64(a.num), 10)
	case KindUint:
		return strconv.AppendUint(dst, a.num, 10)
	case KindFloat:
		f := math.Float64frombits(a.num)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return append(dst, "null"...)
		}
		return strconv.AppendFloat(dst, f, 'g', -1, 64)
	case KindBool:
		return strconv.AppendBool(dst, a.num != 0)
	case KindString:
		return appendJSONString(dst, a.str)
	}
	return append(dst, "null"...)
}

// Attrs is an ordered list of attributes. Later entries with the same key
// win when encoded.
type Attrs []Attr

// Get returns the last attribute with key, and whether there was one.
func (as Attrs) Get(key string) (Attr, bool) {
	for i := len(as) - 1; i >= 0; i-- {
		if as[i].Key == key {
			return as[i], true
		}
	}
	return Attr{}, false
}

// AppendJSON appends the attributes as one JSON object.
func (as Attrs) AppendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	first := true
	for i, a := range as {
		if as.shadowed(i) {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendJSONString(dst, a.Key)
		dst = append(dst, ':')
		dst = a.AppendValue(dst)
	}
	return append(dst, '}')
}

// MarshalJSON encodes the attributes as a JSON object.
func (as Attrs) MarshalJSON() ([]byte, error) { return as.AppendJSON(nil), nil }

// UnmarshalJSON decodes a JSON object written by MarshalJSON. Numbers with
// no fraction become KindInt (or KindUint above the int64 range).
func (as *Attrs) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	keys := sortedKeys(m)
	out := (*as)[:0]
	for _, k := range keys {
		a, err := decodeAttr(k, m[k])
		if err != nil {
			return err
		}
		out = append(out, a)
	}
	*as = out
	return nil
}

func (as Attrs) shadowed(i int) bool {
	for j := i + 1; j < len(as); j++ {
		if as[j].Key == as[i].Key {
			return true
		}
	}
	return false
}
