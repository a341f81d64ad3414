package main

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func (s *server) phonePost(target, bearer string) (*http.Response, string) {
	s.t.Helper()
	req, _ := http.NewRequest("POST", "http://"+s.osmand+target, nil)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// TestPhoneEnrolment: a supervisor issues a code to a collector of their
// team, the phone enrols and sends fixes with its token; the token is what
// attributes them; another team's supervisor cannot touch the device;
// wiping it stops it at once, and the wipe is delivered and acknowledged,
// all of it in the audit log.
func TestPhoneEnrolment(t *testing.T) {
	s := startServer(t, "")
	s.addUser("olga", "supervisor", "olga-password-1", "north")
	s.addUser("petr", "supervisor", "petr-password-1", "south")
	s.addUser("audra", "auditor", "audra-password-1")
	ivan := s.addUser("ivan", "collector", "ivan-password-1", "north")
	olga := s.mustLogin("olga", "olga-password-1").Access
	petr := s.mustLogin("petr", "petr-password-1").Access
	audra := s.mustLogin("audra", "audra-password-1").Access

	if code := s.call("POST", "/api/v1/enrolments", petr, map[string]int64{"user_id": ivan}, nil); code != 404 {
		t.Fatalf("code for another team's collector: %d, want 404", code)
	}
	var enr struct{ Code string }
	if code := s.call("POST", "/api/v1/enrolments", olga, map[string]int64{"user_id": ivan}, &enr); code != 201 {
		t.Fatalf("enrolment: %d", code)
	}
	var dev struct {
		Token string `json:"device_token"`
		UID   string `json:"uid"`
	}
	typed := strings.ToLower(enr.Code) // people type codes in any case
	if code := s.call("POST", "/api/v1/phone/enrol", "",
		map[string]string{"code": typed, "uid": "phone-ivan"}, &dev); code != 201 {
		t.Fatalf("enrol: %d", code)
	}
	if code := s.call("POST", "/api/v1/phone/enrol", "",
		map[string]string{"code": enr.Code, "uid": "phone-x"}, nil); code != 404 {
		t.Fatalf("code used twice: %d, want 404", code)
	}
	if code := s.call("POST", "/api/v1/phone/enrol", "",
		map[string]string{"code": enr.Code, "uid": "../../etc/passwd"}, nil); code != 400 {
		t.Fatalf("path in uid: %d, want 400", code)
	}

	fix := "/?id=phone-ivan&timestamp=1764756000&lat=55.751&lon=37.618"
	r, body := s.phonePost(fix+"&token="+url.QueryEscape(dev.Token), "")
	if r.StatusCode != 200 || r.Header.Get("X-Dozor-Stored") != "1" {
		t.Fatalf("fix with token in the URL: %d %s", r.StatusCode, body)
	}
	r, _ = s.phonePost("/?id=phone-ivan&timestamp=1764756060&lat=55.752&lon=37.618", dev.Token)
	if r.StatusCode != 200 {
		t.Fatalf("fix with bearer token: %d", r.StatusCode)
	}
	if r, _ = s.phonePost("/?id=phone-ivan&timestamp=1764756120&lat=55.753&lon=37.618", ""); r.StatusCode != 401 {
		t.Fatalf("enrolled device by id alone: %d, want 401", r.StatusCode)
	}
	if r, _ = s.phonePost("/?id=phone-other&timestamp=1764756120&lat=55.753&lon=37.618", dev.Token); r.StatusCode != 403 {
		t.Fatalf("token of another device: %d, want 403", r.StatusCode)
	}
	if r, _ = s.phonePost(fix+"&token=dzd_forged", ""); r.StatusCode != 401 {
		t.Fatalf("forged token: %d, want 401", r.StatusCode)
	}
	fixes := s.fixes("phone-ivan")
	if len(fixes) != 2 {
		t.Fatalf("%d fixes stored, want 2", len(fixes))
	}
	for _, f := range fixes {
		if strings.Contains(string(f.Attrs), "token") || strings.Contains(string(f.Attrs), "dzd_") {
			t.Fatalf("the token reached the stored attributes: %s", f.Attrs)
		}
	}

	if code := s.call("POST", "/api/v1/devices/phone-ivan/wipe", petr, nil, nil); code != 404 {
		t.Fatalf("wipe by another team: %d, want 404", code)
	}
	if code := s.call("POST", "/api/v1/devices/phone-ivan/wipe", olga, nil, nil); code != 202 {
		t.Fatalf("wipe: %d", code)
	}
	if r, _ = s.phonePost(fix, dev.Token); r.StatusCode != 401 {
		t.Fatalf("fix after wipe: %d, want 401", r.StatusCode)
	}
	var cmds []struct {
		ID   int64  `json:"id"`
		Kind string `json:"kind"`
	}
	if code := s.call("GET", "/api/v1/phone/commands", dev.Token, nil, &cmds); code != 200 ||
		len(cmds) != 1 || cmds[0].Kind != "wipe" {
		t.Fatalf("commands: %d %+v", code, cmds)
	}
	if code := s.call("POST", "/api/v1/phone/commands/"+idStr(cmds[0].ID)+"/ack", dev.Token, nil, nil); code != 200 {
		t.Fatalf("ack: %d", code)
	}
	var state []struct {
		Delivered string `json:"delivered_at"`
		Acked     string `json:"acked_at"`
	}
	if code := s.call("GET", "/api/v1/devices/phone-ivan/commands", audra, nil, &state); code != 200 ||
		len(state) != 1 || state[0].Delivered == "" || state[0].Acked == "" {
		t.Fatalf("command state: %d %+v", code, state)
	}
	if code := s.call("GET", "/api/v1/phone/commands", olga, nil, nil); code != 401 {
		t.Fatalf("user token on a device route: %d, want 401", code)
	}

	var events []struct{ Actor, Action, Object string }
	if code := s.call("GET", "/api/v1/audit?limit=1000", audra, nil, &events); code != 200 {
		t.Fatalf("audit: %d", code)
	}
	seen := map[string]bool{}
	for _, e := range events {
		seen[e.Action] = true
	}
	for _, want := range []string{"user.create", "auth.login", "device.enrolment_issued",
		"device.enrol", "device.wipe", "device.command_delivered", "device.command_ack"} {
		if !seen[want] {
			t.Errorf("audit log lacks %s: %+v", want, events)
		}
	}
	if code := s.call("GET", "/api/v1/audit", olga, nil, nil); code != 403 {
		t.Fatalf("supervisor reads the audit log: %d, want 403", code)
	}
}
