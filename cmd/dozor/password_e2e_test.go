package main

import (
	"net/http"
	"strings"
	"testing"
)

func (s *server) changePassword(token, old, pw string) int {
	s.t.Helper()
	return s.call("POST", "/api/v1/me/password", token,
		map[string]string{"old_password": old, "new_password": pw}, nil)
}

// TestPasswordChange: a user changes their own password with the current
// one; wrong current passwords count toward the login lockout, which an
// admin lifts; success ends the account's sessions and the old password
// stops working; all of it is in the audit log.
func TestPasswordChange(t *testing.T) {
	s := startServer(t, "")
	id := s.addUser("ivan", "collector", "ivan-password-1", "north")
	tk := s.mustLogin("ivan", "ivan-password-1")

	if code := s.changePassword(testToken, "x", "whatever-password"); code != 400 {
		t.Fatalf("admin token changes a password: %d, want 400", code)
	}
	for i := range 5 {
		if code := s.changePassword(tk.Access, "wrong-password", "ivan-password-2"); code != 400 {
			t.Fatalf("wrong current password %d: %d, want 400", i, code)
		}
	}
	if code := s.changePassword(tk.Access, "ivan-password-1", "ivan-password-2"); code != 429 {
		t.Fatalf("after 5 wrong current passwords: %d, want 429 (locked)", code)
	}
	if _, code := s.login("ivan", "ivan-password-1"); code != http.StatusTooManyRequests {
		t.Fatalf("login of the locked account: %d, want 429", code)
	}
	if code := s.call("POST", "/api/v1/users/"+idStr(id)+"/unlock", testToken, nil, nil); code != 204 {
		t.Fatalf("unlock: %d", code)
	}

	if code := s.changePassword(tk.Access, "ivan-password-1", "short"); code != 400 {
		t.Fatalf("short new password: %d, want 400", code)
	}
	var out struct {
		Ended int `json:"sessions_ended"`
	}
	if code := s.call("POST", "/api/v1/me/password", tk.Access, map[string]string{
		"old_password": "ivan-password-1", "new_password": "ivan-password-2"}, &out); code != 200 ||
		out.Ended != 1 {
		t.Fatalf("change: %d %+v", code, out)
	}
	if code := s.call("GET", "/api/v1/me", tk.Access, nil, nil); code != 401 {
		t.Fatalf("token of the ended session: %d, want 401", code)
	}
	if _, code := s.login("ivan", "ivan-password-1"); code != 401 {
		t.Fatalf("old password: %d, want 401", code)
	}
	s.mustLogin("ivan", "ivan-password-2")

	var events []struct{ Action, Object string }
	if code := s.call("GET", "/api/v1/audit", testToken, nil, &events); code != 200 {
		t.Fatalf("audit: %d", code)
	}
	counts := map[string]int{}
	for _, e := range events {
		if e.Object == "user/"+idStr(id) {
			counts[e.Action]++
		}
	}
	if counts["user.password_change_failed"] != 4 || counts["auth.locked"] != 1 ||
		counts["user.unlock"] != 1 || counts["user.password_change"] != 1 {
		t.Fatalf("audit of the password change: %v", counts)
	}
}

// TestScopedEnrolment: a code scoped to one device uid enrols that device
// only; used for another uid it answers like a wrong code, creates no
// device and stays usable.
func TestScopedEnrolment(t *testing.T) {
	s := startServer(t, "")
	s.addUser("olga", "supervisor", "olga-password-1", "north")
	ivan := s.addUser("ivan", "collector", "ivan-password-1", "north")
	olga := s.mustLogin("olga", "olga-password-1").Access

	if code := s.call("POST", "/api/v1/enrolments", olga,
		map[string]any{"user_id": ivan, "device_uid": "../x"}, nil); code != 400 {
		t.Fatalf("bad device_uid: %d, want 400", code)
	}
	var enr struct {
		Code      string `json:"code"`
		DeviceUID string `json:"device_uid"`
	}
	if code := s.call("POST", "/api/v1/enrolments", olga,
		map[string]any{"user_id": ivan, "device_uid": "phone-a"}, &enr); code != 201 ||
		enr.DeviceUID != "phone-a" {
		t.Fatalf("scoped enrolment: %d %+v", code, enr)
	}
	if code := s.call("POST", "/api/v1/phone/enrol", "",
		map[string]string{"code": enr.Code, "uid": "phone-b"}, nil); code != 404 {
		t.Fatalf("scoped code for another device: %d, want 404", code)
	}
	if code := s.get("/api/v1/devices/phone-b", nil); code != 404 {
		t.Fatalf("refused enrolment created the device: %d", code)
	}
	var dev struct {
		Token string `json:"device_token"`
	}
	if code := s.call("POST", "/api/v1/phone/enrol", "",
		map[string]string{"code": enr.Code, "uid": "phone-a"}, &dev); code != 201 ||
		!strings.HasPrefix(dev.Token, "dzd_") {
		t.Fatalf("scoped code for its device: %d %+v", code, dev)
	}

	var events []struct{ Action, Detail string }
	if code := s.call("GET", "/api/v1/audit?action=device.", testToken, nil, &events); code != 200 {
		t.Fatalf("audit: %d", code)
	}
	var got []string
	for _, e := range events {
		got = append(got, e.Action+" "+e.Detail)
	}
	want := []string{"device.enrolment_issued enrolment=1 device=phone-a",
		"device.enrol_refused code scoped to device phone-a", "device.enrol user=" + idStr(ivan)}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("audit %q, want %q", got, want)
	}
}
