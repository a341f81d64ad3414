package simulate

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"golang.org/x/sync/errgroup"

	"dozor/geofence/scenario"
	"dozor/protocols"
	"dozor/protocols/osmand"
	"dozor/protocols/teltonika"
)

// maxBatch bounds the fixes sent in one request or AVL packet.
const maxBatch = 100

// send plays every device's messages in arrival order, devices in
// parallel: consecutive fixes that reach the server at the same moment (an
// offline phone's upload, a tracker's black box) go as one batch.
func (c *client) send(ctx context.Context, sc *scenario.Scenario, m ids) error {
	per := map[int64][]scenario.Fix{}
	for _, f := range sc.Fixes {
		per[f.Device] = append(per[f.Device], f)
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(32)
	for dev, fixes := range per {
		d := m.devices[dev]
		g.Go(func() error {
			if d.Kind == scenario.Car {
				return c.sendCar(ctx, d, fixes)
			}
			return c.sendPhone(ctx, d, fixes)
		})
	}
	return g.Wait()
}

// batches splits fixes into runs that arrive together.
func batches(fixes []scenario.Fix) [][]scenario.Fix {
	var out [][]scenario.Fix
	for i := 0; i < len(fixes); {
		j := i + 1
		for j < len(fixes) && j-i < maxBatch && fixes[j].Sent.Equal(fixes[i].Sent) {
			j++
		}
		out = append(out, fixes[i:j])
		i = j
	}
	return out
}

func (c *client) sendPhone(ctx context.Context, d scenario.Device, fixes []scenario.Fix) error {
	var (
		buf []byte
		fs  []protocols.Fix
		err error
	)
	for _, b := range batches(fixes) {
		fs = fs[:0]
		for _, f := range b {
			x := f.Fix
			x.Device = d.Ident
			fs = append(fs, x)
		}
		if buf, err = osmand.AppendBatch(buf[:0], fs); err != nil {
			return err
		}
		if err := c.postPhone(ctx, buf); err != nil {
			return fmt.Errorf("phone %s: %w", d.Ident, err)
		}
	}
	return nil
}

// postPhone sends one batch, retrying as the app does until it gets 200.
func (c *client) postPhone(ctx context.Context, body []byte) error {
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, "POST", c.cfg.OsmAnd+"/", bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.http.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		if attempt >= 5 || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
	}
}

func (c *client) sendCar(ctx context.Context, d scenario.Device, fixes []scenario.Fix) error {
	conn, err := c.carLogin(ctx, d.Ident)
	if err != nil {
		return err
	}
	defer conn.Close()
	var (
		pkt  []byte
		recs []teltonika.Record
		ack  [4]byte
	)
	for _, b := range batches(fixes) {
		recs = recs[:0]
		for i := range b {
			recs = append(recs, record(&b[i].Fix))
		}
		pkt = teltonika.AppendAVL(pkt[:0], teltonika.Codec8E, recs)
		if err := exchange(conn, pkt, ack[:]); err != nil {
			return fmt.Errorf("car %s: %w", d.Ident, err)
		}
	}
	return nil
}

func (c *client) carLogin(ctx context.Context, imei string) (net.Conn, error) {
	var dl net.Dialer
	conn, err := dl.DialContext(ctx, "tcp", c.cfg.Teltonika)
	if err != nil {
		return nil, err
	}
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	var one [1]byte
	if _, err := conn.Write(teltonika.AppendIMEI(nil, imei)); err == nil {
		_, err = io.ReadFull(conn, one[:])
	}
	if err != nil || one[0] != 1 {
		conn.Close()
		return nil, fmt.Errorf("car %s login: %v %w", imei, err, errRefused)
	}
	return conn, nil
}

// exchange sends a packet and waits for its ACK, re-sending on timeout.
func exchange(conn net.Conn, pkt, ack []byte) error {
	for attempt := 0; ; attempt++ {
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := conn.Write(pkt); err != nil {
			return err
		}
		_, err := io.ReadFull(conn, ack)
		if err == nil {
			return nil
		}
		if ne, ok := err.(net.Error); !ok || !ne.Timeout() || attempt >= 3 {
			return err
		}
	}
}

// record converts a fix to a Teltonika AVL record: HDOP goes in IO 182 (in
// tenths), as FMB devices send it.
func record(f *protocols.Fix) teltonika.Record {
	sats := f.Satellites
	if sats == 0 && f.Valid {
		sats = 7
	}
	return teltonika.Record{
		Time: f.Time, Lat: f.Lat, Lon: f.Lon, Altitude: int16(f.Altitude),
		Angle: uint16(f.Course), Satellites: uint8(sats), Speed: uint16(f.Speed),
		IO: []teltonika.IO{
			{ID: 239, Size: 1, Value: 1},
			{ID: 182, Size: 2, Value: uint64(f.HDOP * 10)},
		},
	}
}
