package api

import (
	"strconv"
	"strings"
	"testing"
)

// TestVisitOutcome: the collector records the outcome of their own visit,
// a supervisor of the team may correct it, another team's visit looks
// absent and results outside the list are refused.
func TestVisitOutcome(t *testing.T) {
	w := newWorld(t)
	own := "/api/v1/visits/" + strconv.FormatInt(w.north["visit"], 10) + "/outcome"
	other := "/api/v1/visits/" + strconv.FormatInt(w.south["visit"], 10) + "/outcome"
	code, body := w.call("POST", own, "collector", `{"result":"no_contact","note":"dark windows"}`)
	if code != 200 || !strings.Contains(body, `"recorded_by":"collector"`) {
		t.Fatalf("own visit: %d %s", code, body)
	}
	if code, body = w.call("POST", own, "supervisor", `{"result":"contact"}`); code != 200 {
		t.Fatalf("supervisor of the team: %d %s", code, body)
	}
	for _, who := range []string{"collector", "supervisor"} {
		if code, body = w.call("POST", other, who, `{"result":"contact"}`); code != 404 {
			t.Fatalf("%s on another team's visit: %d %s", who, code, body)
		}
	}
	if code, body = w.call("POST", own, "collector", `{"result":"maybe"}`); code != 400 {
		t.Fatalf("unknown result: %d %s", code, body)
	}
}

// TestPlanningProfilesValidated: profiles outside sane bounds are refused
// with the field named.
func TestPlanningProfilesValidated(t *testing.T) {
	w := newWorld(t)
	path := "/api/v1/collectors/" + strconv.FormatInt(w.north["collector"], 10) + "/profile"
	for body, want := range map[string]string{
		`{"home_lat":55.7,"home_lon":37.6,"shift_start_min":600,"shift_end_min":500}`:                          "shift",
		`{"home_lat":95,"home_lon":37.6,"shift_start_min":1,"shift_end_min":500}`:                              "home_lat",
		`{"home_lat":55.7,"home_lon":37.6,"shift_start_min":1,"shift_end_min":500,"time_zone":"Mars/Olympus"}`: "time_zone",
	} {
		if code, got := w.call("PUT", path, "supervisor", body); code != 400 || !strings.Contains(got, want) {
			t.Errorf("%s: %d %s, want 400 naming %s", body, code, got, want)
		}
	}
	ok := `{"home_lat":55.7,"home_lon":37.6,"shift_start_min":540,"shift_end_min":1140,"time_zone":"Europe/Moscow"}`
	if code, got := w.call("PUT", path, "supervisor", ok); code != 200 {
		t.Fatalf("good profile: %d %s", code, got)
	}
	if code, got := w.call("GET", path, "auditor", ""); code != 200 || !strings.Contains(got, "Europe/Moscow") {
		t.Fatalf("read profile: %d %s", code, got)
	}
	dpath := "/api/v1/debtors/" + strconv.FormatInt(w.north["debtor"], 10) + "/profile"
	if code, got := w.call("PUT", dpath, "supervisor", `{"priority":-1}`); code != 400 {
		t.Fatalf("negative priority: %d %s", code, got)
	}
	if code, got := w.call("PUT", dpath, "supervisor", `{"priority":2,"service_min":25}`); code != 200 {
		t.Fatalf("debtor profile: %d %s", code, got)
	}
}
