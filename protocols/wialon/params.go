package wialon

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"dozor/protocols"
)

// maxADC bounds the analog inputs of one D body.
const maxADC = 64

// adcKeys names analog inputs adc1..adc64.
var adcKeys = func() []string {
	keys := make([]string, maxADC+1)
	for i := range keys {
		keys[i] = "adc" + strconv.Itoa(i)
	}
	return keys
}()

var errTooManyADC = fmt.Errorf("more than %d values: %w", maxADC, protocols.ErrTooLarge)

// adc decodes the comma-separated analog inputs as adc1, adc2, ...
func adc(b []byte, fix *protocols.Fix) error {
	if isNA(b) {
		return nil
	}
	for i := 1; len(b) > 0 || i == 1; i++ {
		if i > maxADC {
			return errTooManyADC
		}
		v, rest := cut(b, ',')
		b = rest
		if isNA(v) {
			continue
		}
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return fmt.Errorf("value %d %.12q: %w", i, v, protocols.ErrMalformed)
		}
		fix.Attrs = append(fix.Attrs, protocols.Float(adcKeys[i], f))
		if len(rest) == 0 {
			break
		}
	}
	return nil
}

// Parameter types.
const (
	paramInt    = '1' // int / long long
	paramDouble = '2' // double
	paramString = '3' // string
)

// params decodes NAME:TYPE:VALUE,... into typed attributes named as the
// device names them. A few names in wide use are also mapped to the common
// attribute names (see commonParam).
func (s *Session) params(b []byte, fix *protocols.Fix) error {
	if isNA(b) {
		return nil
	}
	for len(b) > 0 {
		p, rest := cut(b, ',')
		b = rest
		if len(p) == 0 {
			continue
		}
		a, err := s.param(p)
		if err != nil {
			return err
		}
		fix.Attrs = append(fix.Attrs, a)
		if c, ok := commonParam(a); ok {
			fix.Attrs = append(fix.Attrs, c)
		}
	}
	return nil
}

var errParam = errors.New("want name:type:value with type 1, 2 or 3")

// param decodes one NAME:TYPE:VALUE.
func (s *Session) param(p []byte) (protocols.Attr, error) {
	name, rest := cut(p, ':')
	if len(name) == 0 || len(rest) < 2 || rest[1] != ':' {
		return protocols.Attr{}, fmt.Errorf("%.24q: %w: %w", p, errParam, protocols.ErrMalformed)
	}
	typ, val := rest[0], rest[2:]
	key := s.name(name)
	switch typ {
	case paramInt:
		if v, err := strconv.ParseInt(string(val), 10, 64); err == nil {
			return protocols.Int(key, v), nil
		}
		if v, err := strconv.ParseUint(string(val), 10, 64); err == nil {
			return protocols.Uint(key, v), nil
		}
	case paramDouble:
		if v, err := strconv.ParseFloat(string(val), 64); err == nil {
			return protocols.Float(key, v), nil
		}
	case paramString:
		return protocols.String(key, string(val)), nil
	}
	return protocols.Attr{}, fmt.Errorf("%.24q: %w: %w", p, errParam, protocols.ErrMalformed)
}

// commonParam maps parameter names in wide use among Wialon IPS devices
// to the common attributes: temp (deg C), bat (charge %), pwr_ext and
// pwr_int (V), SOS (alarm when non-zero). The original stays as well.
func commonParam(a protocols.Attr) (protocols.Attr, bool) {
	switch a.Key {
	case "temp":
		if v, ok := number(a); ok {
			return protocols.Float(protocols.AttrTemperature, v), true
		}
	case "bat":
		if v, ok := number(a); ok {
			return protocols.Float(protocols.AttrBatteryLevel, v), true
		}
	case "pwr_ext":
		if v, ok := number(a); ok {
			return protocols.Float(protocols.AttrPower, v), true
		}
	case "pwr_int":
		if v, ok := number(a); ok {
			return protocols.Float(protocols.AttrBattery, v), true
		}
	case "SOS", "sos":
		if v, ok := number(a); ok && v != 0 {
			return protocols.String(protocols.AttrAlarm, "sos"), true
		}
	}
	return protocols.Attr{}, false
}

// number reads a numeric attribute, or a string attribute holding a number.
func number(a protocols.Attr) (float64, bool) {
	if a.Kind != protocols.KindString {
		return a.Float64(), true
	}
	v, err := strconv.ParseFloat(a.Str(), 64)
	return v, err == nil
}

// maxNames bounds the parameter names a session keeps copies of.
const maxNames = 512

// name returns the parameter name as a string, reusing the session's copy:
// a device sends the same few names in every message.
func (s *Session) name(b []byte) string {
	if n, ok := s.names[string(b)]; ok {
		return n
	}
	n := string(b)
	if len(s.names) < maxNames {
		if s.names == nil {
			s.names = make(map[string]string)
		}
		s.names[n] = n
	}
	return n
}

// cut splits b at the first sep.
func cut(b []byte, sep byte) ([]byte, []byte) {
	before, after, _ := bytes.Cut(b, []byte{sep})
	return before, after
}
