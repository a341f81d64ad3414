package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"dozor/geofence/cell"
	"dozor/store"
)

// testInArea: fixes by place and time, checked against H3's own parents.
func testInArea(t *testing.T, s store.Store) {
	a, b := mustDevice(t, s, "area-a"), mustDevice(t, s, "area-b")
	type spot struct{ lat, lon float64 }
	home, office, near := spot{55.7501, 37.6102}, spot{55.80, 37.50}, spot{55.7545, 37.6102}
	at := func(dev int64, sec int, p spot) store.FixRecord {
		r := record(dev, 0)
		r.Fix.Time = epoch.Add(time.Duration(sec) * time.Second)
		r.Fix.Lat, r.Fix.Lon = p.lat, p.lon
		r.Fix.Cell = cell.FromLatLng(p.lat, p.lon, 12)
		return r
	}
	noFix := record(b.ID, 10)
	noFix.Fix.Lat, noFix.Fix.Lon, noFix.Fix.Cell, noFix.Fix.Valid = 0, 0, 0, false
	recs := []store.FixRecord{
		at(a.ID, 0, home), at(a.ID, 60, home), at(a.ID, 120, home), at(a.ID, 180, office),
		at(a.ID, 240, near), at(b.ID, 30, home), noFix,
	}
	if err := s.Fixes().Append(ctx(t), recs); err != nil {
		t.Fatal(err)
	}

	home12 := cell.FromLatLng(home.lat, home.lon, 12)
	q := func(aq store.AreaQuery) []int64 {
		t.Helper()
		got, err := s.Fixes().InArea(ctx(t), aq)
		if err != nil {
			t.Fatalf("InArea %+v: %v", aq, err)
		}
		return fixIDs(got)
	}
	for res := 0; res <= 12; res++ {
		p := cell.Parent(home12, res)
		got, want := q(store.AreaQuery{Cells: []uint64{p}}), inCell(recs, p)
		if !slices.Equal(got, want) {
			t.Fatalf("res-%d cell %x: fixes %v, want %v", res, p, got, want)
		}
	}

	cases := []struct {
		name string
		q    store.AreaQuery
		want []int64
	}{
		{"time order across devices", store.AreaQuery{Cells: []uint64{home12}},
			pick(recs, 0, 5, 1, 2)},
		{"from inclusive, to exclusive", store.AreaQuery{Cells: []uint64{home12},
			From: epoch.Add(time.Minute), To: epoch.Add(2 * time.Minute)}, pick(recs, 1)},
		{"devices", store.AreaQuery{Cells: []uint64{home12}, Devices: []int64{b.ID}}, pick(recs, 5)},
		{"no devices", store.AreaQuery{Cells: []uint64{home12}, Devices: []int64{}}, nil},
		{"limit", store.AreaQuery{Cells: []uint64{home12}, Limit: 2}, pick(recs, 0, 5)},
		{"cell and its parent", store.AreaQuery{
			Cells: []uint64{home12, cell.Parent(home12, 9), home12}}, inCell(recs, cell.Parent(home12, 9))},
		{"two places", store.AreaQuery{Cells: []uint64{home12,
			cell.FromLatLng(office.lat, office.lon, 10)}}, pick(recs, 0, 5, 1, 2, 3)},
		{"no cells", store.AreaQuery{}, nil},
	}
	for _, tc := range cases {
		if got := q(tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("%s: fixes %v, want %v", tc.name, got, tc.want)
		}
	}

	_, err := s.Fixes().InArea(ctx(t), store.AreaQuery{Cells: []uint64{home12 | 1<<63}})
	if !errors.Is(err, store.ErrBadCell) {
		t.Fatalf("bad cell: err %v, want ErrBadCell", err)
	}
}

// inCell returns the ids of recs inside c, in fix-time order, with H3 as
// the judge.
func inCell(recs []store.FixRecord, c uint64) []int64 {
	var in []store.FixRecord
	for _, r := range recs {
		if r.Fix.Cell != 0 && cell.Resolution(r.Fix.Cell) >= cell.Resolution(c) &&
			cell.Parent(r.Fix.Cell, cell.Resolution(c)) == c {
			in = append(in, r)
		}
	}
	slices.SortFunc(in, func(x, y store.FixRecord) int { return x.Fix.Time.Compare(y.Fix.Time) })
	return fixIDs(in)
}

func pick(recs []store.FixRecord, idx ...int) []int64 {
	out := make([]int64, len(idx))
	for i, j := range idx {
		out[i] = recs[j].ID
	}
	return out
}

func fixIDs(recs []store.FixRecord) []int64 {
	var out []int64
	for _, r := range recs {
		out = append(out, r.ID)
	}
	return out
}
