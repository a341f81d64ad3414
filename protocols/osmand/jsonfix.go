package osmand

import (
	"errors"
	"fmt"

	"dozor/protocols"
)

// msToKmh converts the Transistorsoft speed (m/s) to km/h.
const msToKmh = 3.6

// decodeJSON decodes a JSON body: one object (flat, Transistorsoft, or a
// Transistorsoft batch with a "location" array) or an array of objects.
func (d *decoder) decodeJSON(r protocols.HTTPRequest, m *protocols.Message) (Result, error) {
	if err := d.queryID(r.Target); err != nil {
		return Result{}, err
	}
	s := &d.sc
	s.reset(r.Body)
	single, err := d.jsonTop(m)
	if err == nil {
		err = s.end()
	}
	if err != nil {
		return d.fail(m, fmt.Errorf("osmand: json body: %w", err))
	}
	if single {
		return d.finishSingle(m)
	}
	return d.finish(m)
}

// jsonTop decodes the top-level value and reports whether it was a single
// fix.
func (d *decoder) jsonTop(m *protocols.Message) (bool, error) {
	s := &d.sc
	c, err := s.peek()
	if err != nil {
		return false, err
	}
	switch c {
	case '[':
		return false, d.array(m)
	case '{':
	default:
		return false, s.errorf("want an object or an array, got %s", quoteByte(c))
	}
	start := s.pos
	f := d.beginFix(m, 0)
	d.top = true
	err = d.object(f)
	d.top = false
	d.endFix(f)
	if !errors.Is(err, errContainer) {
		return true, err
	}

	// A Transistorsoft batch: read the object again as a container.
	m.Fixes, d.st = m.Fixes[:d.base], d.st[:0]
	s.pos, s.depth = start, 0
	arr, end, err := d.scanContainer()
	if err != nil {
		return false, err
	}
	s.pos, s.depth = arr, 1
	err = d.locations(m)
	s.pos, s.depth = end, 0
	return false, err
}

// errContainer stops the single-object decoding of the top-level object
// when its "location" turns out to be an array.
var errContainer = errors.New("location array")

// scanContainer reads the top object, a Transistorsoft batch, to find its
// "location" array and its device id, the fallback for the locations. It
// returns the array's offset and the offset after the object.
func (d *decoder) scanContainer() (arr, end int, err error) {
	s := &d.sc
	arr = -1
	id := ""
	if err := s.enter(); err != nil {
		return 0, 0, err
	}
	for i := 0; ; i++ {
		key, more, err := s.member(i)
		if err != nil {
			return 0, 0, err
		}
		if !more {
			break
		}
		if s.isArrayNext(key) {
			arr = s.pos
		}
		if isIDKey(key) {
			v, err := s.value()
			if err != nil {
				return 0, 0, err
			}
			if (v.kind == valString || v.kind == valNumber) && len(v.text) > 0 {
				if id, err = d.deviceID(v.text); err != nil {
					return 0, 0, protocols.At(s.pos, err)
				}
			}
			continue
		}
		if err := s.skip(); err != nil {
			return 0, 0, err
		}
	}
	if arr < 0 {
		return 0, 0, s.errorf("location array vanished") // cannot happen
	}
	if id != "" {
		d.fallback = id
	}
	return arr, s.pos, nil
}

// isArrayNext reports whether key is "location" and an array follows.
func (s *scanner) isArrayNext(key []byte) bool {
	if string(key) != "location" {
		return false
	}
	c, err := s.peek()
	return err == nil && c == '['
}

func isIDKey(key []byte) bool {
	switch string(key) {
	case "id", "deviceid", "device_id":
		return true
	}
	return false
}

// array decodes a JSON array of fix objects (flat or Transistorsoft).
func (d *decoder) array(m *protocols.Message) error {
	s := &d.sc
	if err := s.enter(); err != nil {
		return err
	}
	for i := 0; ; i++ {
		more, err := s.elem(i)
		if err != nil || !more {
			return err
		}
		if i >= MaxFixes {
			return d.overLimit(i)
		}
		if err := d.element(m, i, (*decoder).object); err != nil {
			return err
		}
	}
}

// locations decodes the "location" array of a Transistorsoft batch.
func (d *decoder) locations(m *protocols.Message) error {
	s := &d.sc
	if err := s.enter(); err != nil {
		return err
	}
	for i := 0; ; i++ {
		more, err := s.elem(i)
		if err != nil || !more {
			return err
		}
		if i >= MaxFixes {
			return d.overLimit(i)
		}
		if err := d.element(m, i, (*decoder).location); err != nil {
			return err
		}
	}
}

// element decodes array element i as one fix with decodeObject, or records
// a rejected fix when the element is not an object.
func (d *decoder) element(m *protocols.Message, i int,
	decodeObject func(*decoder, *protocols.Fix) error) error {
	s := &d.sc
	f := d.beginFix(m, i)
	defer d.endFix(f)
	if c, _ := s.peek(); c == '{' {
		return decodeObject(d, f)
	}
	v, err := s.value()
	d.cur.fail("element", v, "not an object")
	return err
}

// overLimit counts the rest of an array that has more than MaxFixes
// elements, so that the error says how many there were.
func (d *decoder) overLimit(i int) error {
	s := &d.sc
	off := s.pos
	for ; ; i++ {
		if err := s.skip(); err != nil {
			return err
		}
		more, err := s.elem(i + 1)
		if err != nil {
			return err
		}
		if !more {
			return protocols.At(off, protocols.Limit("batch length", i+1, MaxFixes))
		}
	}
}

// object decodes one fix object: flat keys (the form vocabulary), with
// "location" either "lat,lon" or a Transistorsoft location object.
func (d *decoder) object(f *protocols.Fix) error {
	s := &d.sc
	if err := s.enter(); err != nil {
		return err
	}
	for i := 0; ; i++ {
		key, more, err := s.member(i)
		if err != nil || !more {
			return err
		}
		if string(key) == "location" {
			if c, _ := s.peek(); c == '{' || c == '[' {
				if err := d.nestedLocation(f, c); err != nil {
					return err
				}
				continue
			}
		}
		v, err := s.value()
		if err != nil {
			return err
		}
		if err := d.param(f, key, v); err != nil {
			return protocols.At(s.pos, err)
		}
	}
}

// nestedLocation decodes a "location" object inside a fix object. An array
// there makes the top-level object a Transistorsoft batch; inside a batch
// element (a batch inside a batch) it fails the fix.
func (d *decoder) nestedLocation(f *protocols.Fix, c byte) error {
	switch {
	case c == '{':
		return d.location(f)
	case d.top:
		return errContainer
	}
	d.cur.fail("location", value{kind: valObject}, "array inside a batch element")
	return d.sc.skip()
}

// location decodes a Transistorsoft location object.
func (d *decoder) location(f *protocols.Fix) error {
	s := &d.sc
	if err := s.enter(); err != nil {
		return err
	}
	for i := 0; ; i++ {
		key, more, err := s.member(i)
		if err != nil || !more {
			return err
		}
		if err := d.count(); err != nil {
			return err
		}
		switch string(key) {
		case "coords":
			err = d.members(f, "coords", (*decoder).coord3)
		case "battery":
			err = d.members(f, "battery", (*decoder).battery)
		case "activity":
			err = d.members(f, "activity", (*decoder).activity)
		case "extras":
			err = d.members(f, "extras", (*decoder).attr)
		default:
			var v value
			if v, err = s.value(); err == nil && v.kind != valNull {
				d.locField(f, key, v)
			}
		}
		if err != nil {
			return err
		}
	}
}

// count bounds the number of keys of one fix.
func (d *decoder) count() error {
	d.cur.params++
	if d.cur.params > MaxParams {
		return protocols.At(d.sc.pos,
			protocols.Limit("parameters in one fix", d.cur.params, MaxParams))
	}
	return nil
}

// members applies fn to each scalar member of the object that follows. A
// value that is not an object fails the fix (null is ignored).
func (d *decoder) members(f *protocols.Fix, name string,
	fn func(*decoder, *protocols.Fix, []byte, value)) error {
	s := &d.sc
	if c, err := s.peek(); err != nil || c != '{' {
		v, err := s.value()
		if err == nil && v.kind != valNull {
			d.cur.fail(name, v, "not an object")
		}
		return err
	}
	if err := s.enter(); err != nil {
		return err
	}
	for i := 0; ; i++ {
		key, more, err := s.member(i)
		if err != nil || !more {
			return err
		}
		if err := d.count(); err != nil {
			return err
		}
		v, err := s.value()
		if err != nil {
			return err
		}
		if v.kind != valNull {
			fn(d, f, key, v)
		}
	}
}

// locField applies a scalar member of a Transistorsoft location. Members
// not listed (age, "_", ...) are ignored.
func (d *decoder) locField(f *protocols.Fix, key []byte, v value) {
	switch string(key) {
	case "timestamp":
		d.setTime(f, v)
	case "is_moving":
		if b, ok := parseBool(v); ok {
			f.Attrs = append(f.Attrs, protocols.Bool(protocols.AttrIsMoving, b))
		}
	case "odometer":
		if x, ok := d.num("odometer", v); ok {
			f.Attrs = append(f.Attrs, protocols.Float(protocols.AttrOdometer, x))
		}
	case "event":
		d.text(f, protocols.AttrEvent, v)
	case "uuid":
		d.text(f, AttrUUID, v)
	case "mock":
		if b, ok := d.boolField("mock", v); ok {
			f.Attrs = append(f.Attrs, protocols.Bool(protocols.AttrMock, b))
		}
	}
}

// coord3 applies a member of "coords": speed in m/s, -1 for unknown.
func (d *decoder) coord3(f *protocols.Fix, key []byte, v value) {
	switch string(key) {
	case "latitude":
		f.Lat, d.cur.hasLat = d.coord("latitude", v, 90)
	case "longitude":
		f.Lon, d.cur.hasLon = d.coord("longitude", v, 180)
	case "speed":
		if x, ok := d.num("speed", v); ok && x >= 0 {
			f.Speed = x * msToKmh
			d.finite("speed", v, f.Speed)
		}
	case "heading":
		if x, ok := d.num("heading", v); ok {
			f.Course = course(x)
		}
	case "accuracy":
		if x, ok := d.num("accuracy", v); ok && x >= 0 {
			f.Accuracy = x
		}
	case "altitude":
		f.Altitude, _ = d.num("altitude", v)
	}
}

// battery applies a member of "battery": level 0..1 (-1 unknown) becomes
// battery_level in percent; a level above 1 is not kept.
func (d *decoder) battery(f *protocols.Fix, key []byte, v value) {
	switch string(key) {
	case "level":
		if x, ok := d.num("battery.level", v); ok && x >= 0 && x <= 1 {
			f.Attrs = append(f.Attrs, protocols.Float(protocols.AttrBatteryLevel, x*100))
		}
	case "is_charging":
		if b, ok := parseBool(v); ok {
			f.Attrs = append(f.Attrs, protocols.Bool(protocols.AttrCharging, b))
		}
	}
}

// activity applies a member of "activity": only its type is kept.
func (d *decoder) activity(f *protocols.Fix, key []byte, v value) {
	if string(key) == "type" {
		d.text(f, protocols.AttrActivity, v)
	}
}
