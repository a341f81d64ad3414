package geofence

import (
	"strings"
	"testing"
	"time"
)

func TestParseZonesGeoJSON(t *testing.T) {
	doc := `{"type":"FeatureCollection","features":[
 {"type":"Feature","id":1,"geometry":{"type":"Point","coordinates":[37.6,55.7]},
  "properties":{"debtor":10,"address":20,"radius":40,"exit_radius":90,"min_dwell_s":300}},
 {"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[37.6,55.7],[37.601,55.7],[37.601,55.701],[37.6,55.7]]]},
  "properties":{"id":2,"exit_margin":30}},
 {"type":"Feature","id":3,"geometry":{"type":"Polygon","coordinates":[[[0,0],[0.001,0.001],[0.001,0],[0,0.001],[0,0]]]}},
 {"type":"Feature","id":"x","geometry":{"type":"Point","coordinates":[1,1]}},
 {"type":"Feature","id":5,"geometry":{"type":"LineString","coordinates":[[1,1],[2,2]]}},
 {"type":"Feature","id":1,"geometry":{"type":"Point","coordinates":[1,1]}},
 {"type":"Feature","id":7,"geometry":{"type":"Point","coordinates":[1,95]}}
]}`
	rep, err := ParseZonesGeoJSON(strings.NewReader(doc), IndexConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Accepted != 2 || len(rep.Zones) != 2 {
		t.Fatalf("accepted %d, want 2; rejected %+v", rep.Accepted, rep.Rejected)
	}
	z := rep.Zones[0]
	if z.ID != 1 || z.Debtor != 10 || z.Radius != 40 || z.MinDwell != 5*time.Minute {
		t.Errorf("zone 1 = %+v", z)
	}
	wantRows := map[int]string{3: "intersects", 4: "not an integer", 5: "LineString",
		6: "repeats", 7: "out of range"}
	for _, r := range rep.Rejected {
		if !strings.Contains(r.Reason, wantRows[r.Row]) {
			t.Errorf("row %d: reason %q, want it to mention %q", r.Row, r.Reason, wantRows[r.Row])
		}
		delete(wantRows, r.Row)
	}
	if len(wantRows) != 0 {
		t.Errorf("rows not rejected: %v", wantRows)
	}
	if _, err := ParseZonesGeoJSON(strings.NewReader(`{"type":"Feature"}`), IndexConfig{}); err == nil {
		t.Error("a lone Feature was accepted as a collection")
	}
}

func TestParseZonesCSV(t *testing.T) {
	in := "ID,debtor,address,lat,lon,radius,geometry\n" +
		"1,10,20,55.7,37.6,60,\n" +
		`2,11,21,,,,"{""type"":""Polygon"",""coordinates"":[[[37.6,55.7],[37.601,55.7],[37.601,55.701]]]}"` + "\n" +
		"3,12,22,abc,37.6,,\n" +
		"4,13,23,55.7,37.6,-5,\n" +
		"5,14\n"
	rep, err := ParseZonesCSV(strings.NewReader(in), IndexConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Accepted != 2 {
		t.Fatalf("accepted %d, want 2; rejected %+v", rep.Accepted, rep.Rejected)
	}
	if len(rep.Rejected) != 3 || rep.Rejected[0].Row != 3 || rep.Rejected[0].ID != "3" {
		t.Fatalf("rejected %+v", rep.Rejected)
	}
	if _, err := ParseZonesCSV(strings.NewReader("lat,lon\n1,2\n"), IndexConfig{}); err == nil {
		t.Error("a file without an id column was accepted")
	}
}
