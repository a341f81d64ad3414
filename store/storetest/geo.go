package storetest

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"dozor/store"
)

func geoTests() []struct {
	name string
	fn   func(*testing.T, store.Store)
} {
	return []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"Collectors", testCollectors},
		{"DebtorsAndZones", testDebtorsAndZones},
		{"ZoneImportIsAtomic", testZoneImportAtomic},
		{"Visits", testVisits},
	}
}

func testCollectors(t *testing.T, s store.Store) {
	cs := s.Geo().Collectors()
	c, err := cs.Create(ctx(t), store.Collector{Name: "Ivanov", Team: "north"})
	if err != nil || c.ID == 0 {
		t.Fatalf("create: %+v %v", c, err)
	}
	mustDevice(t, s, "phone-1")
	mustDevice(t, s, "car-1")
	for _, uid := range []string{"phone-1", "car-1"} {
		if err := cs.Link(ctx(t), uid, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := cs.Link(ctx(t), "nope", c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("link unknown device: %v", err)
	}
	if err := cs.Link(ctx(t), "car-1", 9999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("link to unknown collector: %v", err)
	}
	devs, err := cs.Devices(ctx(t), c.ID)
	if err != nil || len(devs) != 2 {
		t.Fatalf("devices %v %v", devs, err)
	}
	owners, err := cs.Owners(ctx(t))
	if err != nil || len(owners) != 2 || owners[devs[0].ID] != c.ID {
		t.Fatalf("owners %v %v", owners, err)
	}
	c.Team = "south"
	if err := cs.Update(ctx(t), c); err != nil {
		t.Fatal(err)
	}
	got, err := cs.Get(ctx(t), c.ID)
	if err != nil || got.Team != "south" || got.Name != "Ivanov" {
		t.Fatalf("get %+v %v", got, err)
	}
	if err := cs.Delete(ctx(t), c.ID); err != nil {
		t.Fatal(err)
	}
	if owners, _ := cs.Owners(ctx(t)); len(owners) != 0 {
		t.Fatalf("devices still linked after delete: %v", owners)
	}
	if _, err := cs.Get(ctx(t), c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("get deleted: %v", err)
	}
	if err := cs.Update(ctx(t), c); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update deleted: %v", err)
	}
}

func testDebtorsAndZones(t *testing.T, s store.Store) {
	ds, zs := s.Geo().Debtors(), s.Geo().Zones()
	d, err := ds.Create(ctx(t), store.Debtor{ExternalID: "CRM-1", Name: "Petrov P.",
		Phones: []string{"+79990001122"}, Team: "north"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ds.Create(ctx(t), store.Debtor{ExternalID: "CRM-1", Name: "x"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate external id: %v", err)
	}
	if _, err := ds.Create(ctx(t), store.Debtor{Name: "no external id"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ds.Create(ctx(t), store.Debtor{Name: "another without"}); err != nil {
		t.Fatalf("two debtors without external id: %v", err)
	}
	poly := json.RawMessage(`{"type":"Polygon","coordinates":[[[37.6,55.7],[37.61,55.7],[37.61,55.71],[37.6,55.7]]]}`)
	made, err := zs.Create(ctx(t), []store.Zone{
		{DebtorID: d.ID, Address: "Tverskaya 1", Shape: "circle", Lat: 55.75, Lon: 37.61, Radius: 60},
		{DebtorID: d.ID, Address: "Dacha", Shape: "polygon", Polygon: poly, ExitMargin: 30},
	})
	if err != nil || len(made) != 2 || made[0].ID == 0 || made[1].ID == 0 {
		t.Fatalf("create zones %+v %v", made, err)
	}
	list, err := zs.List(ctx(t), d.ID)
	if err != nil || len(list) != 2 {
		t.Fatalf("list %v %v", list, err)
	}
	var back map[string]any
	if err := json.Unmarshal(list[1].Polygon, &back); err != nil || back["type"] != "Polygon" {
		t.Fatalf("polygon round trip %s %v", list[1].Polygon, err)
	}
	z := list[0]
	z.Radius = 80
	if err := zs.Update(ctx(t), z); err != nil {
		t.Fatal(err)
	}
	if got, _ := zs.Get(ctx(t), z.ID); got.Radius != 80 {
		t.Fatalf("radius %v after update", got.Radius)
	}
	got, err := ds.Get(ctx(t), d.ID)
	if err != nil || got.Name != "Petrov P." || len(got.Phones) != 1 {
		t.Fatalf("debtor %+v %v", got, err)
	}
	if err := ds.Delete(ctx(t), d.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := zs.List(ctx(t), d.ID); len(list) != 0 {
		t.Fatalf("zones left after the debtor was deleted: %v", list)
	}
}

func testZoneImportAtomic(t *testing.T, s store.Store) {
	d, err := s.Geo().Debtors().Create(ctx(t), store.Debtor{Name: "D"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Geo().Zones().Create(ctx(t), []store.Zone{
		{DebtorID: d.ID, Shape: "circle", Lat: 55, Lon: 37, Radius: 50},
		{DebtorID: d.ID + 1000, Shape: "circle", Lat: 55, Lon: 37, Radius: 50},
	})
	if err == nil {
		t.Fatal("zone of an unknown debtor accepted")
	}
	if list, _ := s.Geo().Zones().List(ctx(t), 0); len(list) != 0 {
		t.Fatalf("half an import stored: %v", list)
	}
}

func testVisits(t *testing.T, s store.Store) {
	vs := s.Geo().Visits()
	arr := epoch.Add(time.Hour)
	v := store.Visit{ID: 77, CollectorID: 1, DeviceIDs: []int64{3, 4}, ZoneID: 5, DebtorID: 6,
		ArrivedAt: arr, Dwell: 0, FixIDs: []int64{10, 11}, FixCount: 2, MedianAccuracy: 8,
		SpoofScore: 0.1, SpoofReasons: []string{"mock"}, Status: "open"}
	ev := store.VisitEvent{Type: "visit.arrived", At: arr, Payload: json.RawMessage(`{"a":1}`)}
	if err := vs.Put(ctx(t), v, ev); err != nil {
		t.Fatal(err)
	}
	dep := arr.Add(10 * time.Minute)
	v.DepartedAt, v.Status, v.Dwell = &dep, "confirmed", 600
	ev.Type, ev.At = "visit.departed", dep
	if err := vs.Put(ctx(t), v, ev); err != nil {
		t.Fatal(err)
	}
	list, err := vs.List(ctx(t), store.VisitQuery{CollectorID: 1})
	if err != nil || len(list) != 1 {
		t.Fatalf("list %v %v", list, err)
	}
	got := list[0]
	if got.Status != "confirmed" || got.DepartedAt == nil || !got.DepartedAt.Equal(dep) ||
		len(got.FixIDs) != 2 || got.SpoofReasons[0] != "mock" || got.DeviceIDs[1] != 4 {
		t.Fatalf("stored visit %+v", got)
	}
	for _, q := range []store.VisitQuery{{CollectorID: 2}, {DebtorID: 7}, {ZoneID: 1},
		{From: arr.Add(time.Second)}, {To: arr}} {
		if l, _ := vs.List(ctx(t), q); len(l) != 0 {
			t.Fatalf("query %+v matched %v", q, l)
		}
	}
	if l, _ := vs.List(ctx(t), store.VisitQuery{From: arr, To: dep, ZoneID: 5}); len(l) != 1 {
		t.Fatal("range query missed the visit")
	}
	evs, err := vs.Events(ctx(t), 77)
	if err != nil || len(evs) != 2 || evs[1].Type != "visit.departed" {
		t.Fatalf("events %v %v", evs, err)
	}
}
