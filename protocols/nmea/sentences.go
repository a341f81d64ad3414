package nmea

import (
	"fmt"

	"dozor/protocols"
	"dozor/protocols/wire"
)

// rmc: $--RMC,hhmmss.ss,A|V,lat,N|S,lon,E|W,knots,course,DDMMYY,...
func (s *Session) rmc(f [][]byte, fx *protocols.Fix) error {
	if len(f) < 10 {
		return fmt.Errorf("%d fields: %w", len(f), protocols.ErrTruncated)
	}
	if err := fill(fx, f[3], f[4], f[5], f[6]); err != nil {
		return err
	}
	day, ok1 := date(f[9])
	tod, ok2 := clock(f[1])
	if !ok1 || !ok2 {
		return fmt.Errorf("time %q date %q: %w", f[1], f[9], protocols.ErrMalformed)
	}
	fx.Time = day.Add(tod)
	s.lastRMC = fx.Time
	fx.Valid = len(f[2]) == 1 && f[2][0] == 'A'
	fx.Speed = unsigned(f[7]) * knotsToKmh
	fx.Course = unsigned(f[8])
	return nil
}

// gga: $--GGA,hhmmss.ss,lat,N|S,lon,E|W,quality,sats,hdop,alt,M,...
func (s *Session) gga(f [][]byte, fx *protocols.Fix) error {
	if len(f) < 10 {
		return fmt.Errorf("%d fields: %w", len(f), protocols.ErrTruncated)
	}
	if err := fill(fx, f[2], f[3], f[4], f[5]); err != nil {
		return err
	}
	t, err := s.timeOfDay(f[1])
	if err != nil {
		return err
	}
	fx.Time = t
	fx.Valid = len(f[6]) == 1 && f[6][0] != '0'
	fx.Satellites = int(num(f[7]))
	fx.HDOP = num(f[8])
	fx.Altitude = num(f[9])
	return nil
}

// gll: $--GLL,lat,N|S,lon,E|W,hhmmss.ss,A|V[,mode]
func (s *Session) gll(f [][]byte, fx *protocols.Fix) error {
	if len(f) < 7 {
		return fmt.Errorf("%d fields: %w", len(f), protocols.ErrTruncated)
	}
	if err := fill(fx, f[1], f[2], f[3], f[4]); err != nil {
		return err
	}
	t, err := s.timeOfDay(f[5])
	if err != nil {
		return err
	}
	fx.Time = t
	fx.Valid = len(f[6]) == 1 && f[6][0] == 'A'
	return nil
}

// pubx: $PUBX,00,hhmmss.ss,lat,N,lon,E,alt,navstat,hacc,vacc,km/h,cog,vvel,
// ageC,hdop,vdop,tdop,numSvs,... (u-blox position sentence).
func (s *Session) pubx(f [][]byte, fx *protocols.Fix) error {
	if len(f) < 19 || !is(f[1], "00") {
		return errNoFix
	}
	if err := fill(fx, f[3], f[4], f[5], f[6]); err != nil {
		return err
	}
	t, err := s.timeOfDay(f[2])
	if err != nil {
		return err
	}
	fx.Time = t
	fx.Altitude = num(f[7])
	fx.Valid = !is(f[8], "NF")
	fx.Accuracy = num(f[9])
	fx.Speed = unsigned(f[11])
	fx.Course = unsigned(f[12])
	fx.HDOP = num(f[15])
	fx.Satellites = int(num(f[18]))
	return nil
}

// trccr: $TRCCR,yyyyMMddHHmmss.sss,A|V,lat,lon,km/h,course,alt,battery
// with decimal-degree coordinates.
func trccr(f [][]byte, fx *protocols.Fix) error {
	if len(f) < 8 || len(f[1]) < 14 {
		return fmt.Errorf("%d fields: %w", len(f), protocols.ErrTruncated)
	}
	c, ok1 := digits2(f[1], 0)
	day, ok2 := date([]byte{f[1][6], f[1][7], f[1][4], f[1][5], f[1][2], f[1][3]})
	tod, ok3 := clock(f[1][8:])
	lat, ok4 := wire.ParseDecimal(f[3])
	lon, ok5 := wire.ParseDecimal(f[4])
	if !ok1 || c != 20 || !ok2 || !ok3 || !ok4 || !ok5 || !inRange(lat, lon) {
		return fmt.Errorf("time %q or coordinates: %w", f[1], protocols.ErrMalformed)
	}
	fx.Time = day.Add(tod)
	fx.Lat, fx.Lon = lat, lon
	fx.Valid = is(f[2], "A")
	fx.Speed = unsigned(f[5])
	fx.Course = unsigned(f[6])
	fx.Altitude = num(f[7])
	fx.Protocol = Name
	return nil
}

// decodeQZE: QZE,<imei>,<n>,DDMMYYYY,hhmmss,lat,lon,speed,course,A|V,...
func (s *Session) decodeQZE(f [][]byte, m *protocols.Message) error {
	if len(f) < 10 || len(f[3]) != 8 {
		return fmt.Errorf("nmea: QZE of %d fields: %w", len(f), protocols.ErrTruncated)
	}
	if !isID(f[1]) {
		return fmt.Errorf("nmea: QZE id %q: %w", f[1], protocols.ErrMalformed)
	}
	s.setIdentity(m, f[1])
	d := f[3]
	day, ok1 := date([]byte{d[0], d[1], d[2], d[3], d[6], d[7]})
	tod, ok2 := clock(f[4])
	lat, ok3 := wire.ParseDecimal(f[5])
	lon, ok4 := wire.ParseDecimal(f[6])
	if !ok1 || !ok2 || !ok3 || !ok4 || !inRange(lat, lon) {
		return fmt.Errorf("nmea: QZE time or coordinates: %w", protocols.ErrMalformed)
	}
	fx := m.NextFix()
	fx.Time = day.Add(tod)
	fx.Lat, fx.Lon = lat, lon
	fx.Speed = unsigned(f[7])
	fx.Course = unsigned(f[8])
	fx.Valid = is(f[9], "A")
	fx.Protocol = Name
	m.Type = protocols.MsgData
	return nil
}

// decodeFRCMD handles GpsGate commands: _Ping (heartbeat) and
// _SendMessage,,lat,N,lon,E,alt,knots,course,DDMMYY,hhmmss.sss,0|1,...
func (s *Session) decodeFRCMD(f [][]byte, m *protocols.Message) error {
	if len(f) < 3 {
		return fmt.Errorf("%d fields: %w", len(f), protocols.ErrTruncated)
	}
	if !isID(f[1]) && len(f[1]) < 6 && len(f[1]) > 0 {
		// Short numeric ids ("0097") occur; anything else is malformed.
		if _, ok := wire.ParseDecimal(f[1]); !ok {
			return fmt.Errorf("device id %q: %w", f[1], protocols.ErrMalformed)
		}
	} else if !isID(f[1]) {
		return fmt.Errorf("device id %q: %w", f[1], protocols.ErrMalformed)
	}
	s.setIdentity(m, f[1])
	switch {
	case is(f[2], "_Ping"):
		m.Type = protocols.MsgHeartbeat
		return nil
	case !is(f[2], "_SendMessage"):
		return nil
	}
	if len(f) < 14 {
		return fmt.Errorf("_SendMessage of %d fields: %w", len(f), protocols.ErrTruncated)
	}
	return s.position(m, sendMessage(f, m.NextFix()))
}

func sendMessage(f [][]byte, fx *protocols.Fix) error {
	if err := fill(fx, f[4], f[5], f[6], f[7]); err != nil {
		return err
	}
	day, ok1 := date(f[11])
	tod, ok2 := clock(f[12])
	if !ok1 || !ok2 {
		return fmt.Errorf("time %q date %q: %w", f[12], f[11], protocols.ErrMalformed)
	}
	fx.Time = day.Add(tod)
	fx.Altitude = num(f[8])
	fx.Speed = unsigned(f[9]) * knotsToKmh
	fx.Course = unsigned(f[10])
	fx.Valid = is(f[13], "1")
	return nil
}

func inRange(lat, lon float64) bool {
	return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180
}
