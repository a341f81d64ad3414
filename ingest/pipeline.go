package ingest

import (
	"log/slog"
	"time"

	"dozor/geofence/cell"
	"dozor/protocols"
	"dozor/store"
)

// DefaultCellResolution is the H3 resolution stored on every fix: cells of
// about 9 m edge, fine enough for any later stage to derive its own.
const DefaultCellResolution = 12

// Pipeline is what every listener shares: the way to the store and the
// instruments. Build it once in the binary's wiring.
type Pipeline struct {
	Journal  *Journal
	Registry *Registry
	Metrics  *Metrics
	Log      *slog.Logger

	// CellResolution is the H3 resolution of Fix.Cell; 0 means
	// DefaultCellResolution.
	CellResolution int

	// Credentials checks the device tokens of phones (trust.go); nil
	// accepts device ids alone.
	Credentials Credentials
}

func (p *Pipeline) cellRes() int {
	if p.CellResolution <= 0 {
		return DefaultCellResolution
	}
	return p.CellResolution
}

// appendRecords copies the decoded fixes of one message into dst as records
// of device dev, normalising them: receive time, millisecond fix time in
// UTC, the protocol name, validity of implausible positions, and the H3 cell
// computed once here. The copies own their attributes' storage (reused
// between calls through dst).
func (p *Pipeline) appendRecords(dst []store.FixRecord, fixes []protocols.Fix,
	dev store.Device, proto string, now time.Time) []store.FixRecord {
	res := p.cellRes()
	for i := range fixes {
		dst = growRecords(dst)
		r := &dst[len(dst)-1]
		fixes[i].CopyTo(&r.Fix)
		r.ID, r.DeviceID, r.Duplicate = 0, dev.ID, false

		f := &r.Fix
		f.Device = dev.UID
		f.Received = now
		f.Time = f.Time.UTC().Truncate(time.Millisecond)
		if f.Protocol == "" {
			f.Protocol = proto
		}
		if f.Plausible() {
			f.Cell = cell.FromLatLng(f.Lat, f.Lon, res)
		} else {
			f.Valid, f.Cell = false, 0
		}
	}
	return dst
}

// growRecords extends dst by one, reusing the element's attribute storage.
func growRecords(dst []store.FixRecord) []store.FixRecord {
	if len(dst) < cap(dst) {
		return dst[:len(dst)+1]
	}
	return append(dst, store.FixRecord{})
}
