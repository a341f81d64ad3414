package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"
)

// planView is the part of a plan the test reads.
type planView struct {
	ID         int64 `json:"id"`
	Version    int   `json:"version"`
	Feasible   bool  `json:"feasible"`
	Violations []struct {
		Kind     string `json:"kind"`
		DebtorID int64  `json:"debtor_id"`
	} `json:"violations"`
	KPI struct {
		Visits int `json:"visits"`
	} `json:"kpi"`
	Routes []struct {
		CollectorID int64 `json:"collector_id"`
		Stops       []struct {
			Kind     string `json:"kind"`
			DebtorID int64  `json:"debtor_id"`
		} `json:"stops"`
	} `json:"routes"`
	Unplanned []int64 `json:"unplanned"`
	Versions  []struct {
		Version int    `json:"version"`
		Author  string `json:"author"`
	} `json:"versions"`
}

type myDay struct {
	PlanID  int64 `json:"plan_id"`
	Version int   `json:"version"`
	Stops   []struct {
		Kind     string `json:"kind"`
		DebtorID int64  `json:"debtor_id"`
		Name     string `json:"name"`
		Address  string `json:"address"`
	} `json:"stops"`
}

// getTagged is a GET with a bearer token and an optional If-None-Match.
func (s *server) getTagged(path, token, etag string, out any) (int, string) {
	s.t.Helper()
	req, _ := http.NewRequest("GET", "http://"+s.http+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			s.t.Fatal(err)
		}
	}
	return resp.StatusCode, resp.Header.Get("ETag")
}

// editPlan posts edits with an optional If-Match.
func (s *server) editPlan(id int64, token, ifMatch string, edits any, out any) int {
	s.t.Helper()
	b, _ := json.Marshal(edits)
	req, _ := http.NewRequest("POST", fmt.Sprintf("http://%s/api/v1/plans/%d/edits", s.http, id),
		bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			s.t.Fatal(err)
		}
	}
	return resp.StatusCode
}

func (v *planView) route(collector int64) []int64 {
	var out []int64
	for _, rt := range v.Routes {
		if rt.CollectorID == collector {
			for _, st := range rt.Stops {
				if st.Kind == "visit" {
					out = append(out, st.DebtorID)
				}
			}
		}
	}
	return out
}

// TestPlansEndToEnd: collectors, debtors and addresses made through the
// API; a supervisor builds the plan (feasible by the checker), edits it
// with the version's ETag; the collector fetches their route with an
// account and with the phone's device credential, gets 304 until the
// route changes and then the new version; other teams and roles are kept
// out.
func TestPlansEndToEnd(t *testing.T) {
	s := startServer(t, "")
	s.addUser("olga", "supervisor", "olga-password-1", "north")
	s.addUser("petr", "supervisor", "petr-password-1", "south")
	s.addUser("audra", "auditor", "audra-password-1")
	ivanUser := s.addUser("ivan", "collector", "ivan-password-1", "north")
	olga := s.mustLogin("olga", "olga-password-1").Access
	petr := s.mustLogin("petr", "petr-password-1").Access
	audra := s.mustLogin("audra", "audra-password-1").Access

	var cols []int64
	for k, home := range [][2]float64{{55.75, 37.60}, {55.80, 37.70}} {
		var c struct{ ID int64 }
		if code := s.call("POST", "/api/v1/collectors", olga,
			map[string]string{"name": fmt.Sprint("collector ", k), "team": "north"}, &c); code != 201 {
			t.Fatalf("collector: %d", code)
		}
		cols = append(cols, c.ID)
		prof := map[string]any{"home_lat": home[0], "home_lon": home[1], "shift_start_min": 540,
			"shift_end_min": 1140, "time_zone": "Europe/Moscow",
			"breaks": []map[string]int{{"from_min": 720, "to_min": 840, "minutes": 45}}}
		if code := s.call("PUT", "/api/v1/collectors/"+idStr(c.ID)+"/profile", olga, prof, nil); code != 200 {
			t.Fatalf("collector profile: %d", code)
		}
	}
	if code := s.call("PUT", "/api/v1/collectors/"+idStr(cols[0])+"/profile", petr,
		map[string]any{"home_lat": 55.7, "home_lon": 37.6, "shift_start_min": 1, "shift_end_min": 2}, nil); code != 404 {
		t.Fatalf("another team's profile: %d, want 404", code)
	}
	if code := s.call("PATCH", "/api/v1/users/"+idStr(ivanUser), testToken,
		map[string]int64{"collector_id": cols[0]}, nil); code != 200 {
		t.Fatalf("link ivan: %d", code)
	}
	ivan := s.mustLogin("ivan", "ivan-password-1").Access

	var debtors []int64
	for i := range 12 {
		var d struct{ ID int64 }
		if code := s.call("POST", "/api/v1/debtors", olga, map[string]any{
			"name": fmt.Sprint("Debtor ", i), "phones": []string{"+7999000" + strconv.Itoa(1000+i)},
			"team": "north"}, &d); code != 201 {
			t.Fatalf("debtor: %d", code)
		}
		debtors = append(debtors, d.ID)
		lat, lon := 55.74+0.01*float64(i%4), 37.58+0.015*float64(i/4)
		zone := map[string]any{"debtor_id": d.ID, "shape": "circle", "lat": lat, "lon": lon,
			"radius_m": 50, "address": fmt.Sprint("Tverskaya ", i)}
		if i == 5 {
			zone = map[string]any{"debtor_id": d.ID, "shape": "polygon", "address": "block 5",
				"polygon": json.RawMessage(fmt.Sprintf(`{"type":"Polygon","coordinates":`+
					`[[[%[1]g,%[2]g],[%[3]g,%[2]g],[%[3]g,%[4]g],[%[1]g,%[4]g],[%[1]g,%[2]g]]]}`,
					lon, lat, lon+0.002, lat+0.002))}
		}
		if code := s.call("POST", "/api/v1/zones", olga, zone, nil); code != 201 {
			t.Fatalf("zone: %d", code)
		}
		if code := s.call("PUT", "/api/v1/debtors/"+idStr(d.ID)+"/profile", olga, map[string]any{
			"priority": 1 + i%3, "amount_overdue": 1000 * i, "service_min": 20,
			"time_zone": "Europe/Moscow"}, nil); code != 200 {
			t.Fatalf("debtor profile: %d", code)
		}
	}

	req := map[string]any{"date": "2026-03-04", "team": "north", "time_limit_s": 1}
	if code := s.call("POST", "/api/v1/plans", petr, req, nil); code != 403 {
		t.Fatalf("plan for another team: %d, want 403", code)
	}
	if code := s.call("POST", "/api/v1/plans", audra, req, nil); code != 403 {
		t.Fatalf("auditor builds a plan: %d, want 403", code)
	}
	var plan planView
	if code := s.call("POST", "/api/v1/plans", olga, req, &plan); code != 201 {
		t.Fatalf("build plan: %d", code)
	}
	if !plan.Feasible || plan.Version != 1 || plan.KPI.Visits == 0 {
		t.Fatalf("plan: %+v", plan)
	}
	mine := plan.route(cols[0])
	t.Logf("plan %d: %d visits, collector %d has %d, %d unplanned", plan.ID, plan.KPI.Visits,
		cols[0], len(mine), len(plan.Unplanned))

	// The collector's route, by account; unchanged: 304.
	var day myDay
	code, tag1 := s.getTagged("/api/v1/me/plan?date=2026-03-04", ivan, "", &day)
	if code != 200 || day.PlanID != plan.ID || day.Version != 1 || tag1 == "" {
		t.Fatalf("me/plan: %d %+v", code, day)
	}
	var got []int64
	for _, st := range day.Stops {
		if st.Kind == "visit" {
			got = append(got, st.DebtorID)
			if st.Name == "" || st.Address == "" {
				t.Fatalf("stop without the debtor's card: %+v", st)
			}
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(mine) {
		t.Fatalf("me/plan stops %v, plan route %v", got, mine)
	}
	if code, _ := s.getTagged("/api/v1/me/plan?date=2026-03-04", ivan, tag1, nil); code != 304 {
		t.Fatalf("unchanged plan: %d, want 304", code)
	}
	if code, _ := s.getTagged("/api/v1/me/plan?date=2026-03-04", olga, "", nil); code != 403 {
		t.Fatalf("supervisor on /me/plan: %d, want 403", code)
	}

	// The supervisor moves a debtor to the head of ivan's route.
	var target int64
	if len(plan.Unplanned) > 0 {
		target = plan.Unplanned[0]
	} else if other := plan.route(cols[1]); len(other) > 0 {
		target = other[0]
	} else {
		target = mine[len(mine)-1]
	}
	edit := []map[string]any{{"op": "move", "debtor_id": target, "collector_id": cols[0],
		"position": 0}}
	var v2 planView
	if code := s.editPlan(plan.ID, audra, "", edit, nil); code != 403 {
		t.Fatalf("auditor edits: %d, want 403", code)
	}
	if code := s.editPlan(plan.ID, petr, "", edit, nil); code != 404 {
		t.Fatalf("another team edits: %d, want 404", code)
	}
	tagV1 := fmt.Sprintf(`"plan-%d-v1"`, plan.ID)
	if code := s.editPlan(plan.ID, olga, tagV1, edit, &v2); code != 200 {
		t.Fatalf("edit: %d", code)
	}
	if v2.Version != 2 || v2.route(cols[0])[0] != target {
		t.Fatalf("after the edit: version %d route %v", v2.Version, v2.route(cols[0]))
	}
	t.Logf("edit: feasible %v, violations %+v", v2.Feasible, v2.Violations)
	if code := s.editPlan(plan.ID, olga, tagV1, edit, nil); code != 409 {
		t.Fatalf("edit of a stale version: %d, want 409", code)
	}
	if code := s.editPlan(plan.ID, olga, "", []map[string]any{{"op": "teleport"}}, nil); code != 422 {
		t.Fatalf("unknown op: %d, want 422", code)
	}

	// The phone sees the change: its old ETag no longer matches.
	code, tag2 := s.getTagged("/api/v1/me/plan?date=2026-03-04", ivan, tag1, &day)
	if code != 200 || tag2 == tag1 || day.Version != 2 || day.Stops[0].DebtorID != target {
		t.Fatalf("me/plan after the edit: %d %+v", code, day)
	}

	// The same through the phone's device credential.
	var enr struct{ Code string }
	if code := s.call("POST", "/api/v1/enrolments", olga, map[string]int64{"user_id": ivanUser}, &enr); code != 201 {
		t.Fatalf("enrolment: %d", code)
	}
	var dev struct {
		Token string `json:"device_token"`
	}
	if code := s.call("POST", "/api/v1/phone/enrol", "",
		map[string]string{"code": enr.Code, "uid": "phone-ivan"}, &dev); code != 201 {
		t.Fatalf("enrol: %d", code)
	}
	if code, tag := s.getTagged("/api/v1/me/plan?date=2026-03-04", dev.Token, "", nil); code != 200 || tag != tag2 {
		t.Fatalf("me/plan by phone: %d %s, want 200 %s", code, tag, tag2)
	}
	if code, _ := s.getTagged("/api/v1/me/plan?date=2026-03-04", dev.Token, tag2, nil); code != 304 {
		t.Fatalf("phone, unchanged: %d, want 304", code)
	}

	// Readers see the plan with its history; other teams do not.
	var full planView
	if code := s.call("GET", "/api/v1/plans/"+idStr(plan.ID), audra, nil, &full); code != 200 ||
		len(full.Versions) != 2 || full.Versions[1].Author != "olga" {
		t.Fatalf("plan with versions: %d %+v", code, full.Versions)
	}
	if code := s.call("GET", "/api/v1/plans/"+idStr(plan.ID), petr, nil, nil); code != 404 {
		t.Fatalf("another team's plan: %d, want 404", code)
	}
	var list []planView
	if code := s.call("GET", "/api/v1/plans?date=2026-03-04&team=north", olga, nil, &list); code != 200 ||
		len(list) != 1 {
		t.Fatalf("list: %d %d plans", code, len(list))
	}
	if code := s.call("GET", "/api/v1/plans?date=2026-03-04", petr, nil, &list); code != 200 || len(list) != 0 {
		t.Fatalf("list as another team: %d %d plans", code, len(list))
	}
	if code := s.call("GET", "/api/v1/plans/"+idStr(plan.ID)+"/versions/1", olga, nil, nil); code != 200 {
		t.Fatalf("version 1: %d", code)
	}
}
