package main

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"dozor/protocols/teltonika"
)

// patchDevice disables or enables a device through the API.
func (s *server) patchDevice(uid, token string, body map[string]any) int {
	s.t.Helper()
	return s.call("PATCH", "/api/v1/devices/"+uid, token, body, nil)
}

// sendAVL writes a Codec 8 packet of n records and returns the ACK read
// within d (empty if none came) and whether the server closed the
// connection.
func sendAVL(t *testing.T, c net.Conn, n int, d time.Duration) ([]byte, bool) {
	t.Helper()
	pkt := teltonika.AppendAVL(nil, teltonika.Codec8, sampleRecords(n, time.Now()))
	if _, err := c.Write(pkt); err != nil {
		return nil, true
	}
	got, err := readFor(c, 4, d)
	return got, errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed)
}

// loginReply sends a Teltonika IMEI handshake on a new connection and
// returns the connection and the one-byte answer (01 accepted, 00 refused).
func loginReply(t *testing.T, addr, imei string) (net.Conn, byte) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.Write(teltonika.AppendIMEI(nil, imei)); err != nil {
		t.Fatal(err)
	}
	got, err := readFor(c, 1, 5*time.Second)
	if err != nil || len(got) != 1 {
		t.Fatalf("login %s: reply %x (%v)", imei, got, err)
	}
	return c, got[0]
}

// TestDeviceDisable: a connected Teltonika tracker is acknowledged; once
// an admin disables it, its next packet gets no ACK and its connection
// closes, a new login gets 00 and a phone with that id gets 404; enabling
// it lets it in again. Only admins may do it, and the audit log has both.
func TestDeviceDisable(t *testing.T) {
	s := startServer(t, "")
	const imei = "356100000000001"
	c := login(t, s, imei)
	defer c.Close()
	if ack, _ := sendAVL(t, c, 2, 5*time.Second); !bytes.Equal(ack, []byte{0, 0, 0, 2}) {
		t.Fatalf("ack before disable: %x", ack)
	}

	s.addUser("olga", "supervisor", "olga-password-1", "north")
	olga := s.mustLogin("olga", "olga-password-1").Access
	if code := s.patchDevice(imei, olga, map[string]any{"disabled": true}); code != 403 {
		t.Fatalf("supervisor disables a device: %d, want 403", code)
	}
	if code := s.patchDevice("356100000000999", testToken, map[string]any{"disabled": true}); code != 404 {
		t.Fatalf("unknown device: %d, want 404", code)
	}
	var dev struct {
		Name     string `json:"name"`
		Disabled bool   `json:"disabled"`
	}
	if code := s.call("PATCH", "/api/v1/devices/"+imei, testToken,
		map[string]any{"disabled": true, "name": "van 12"}, &dev); code != 200 ||
		!dev.Disabled || dev.Name != "van 12" {
		t.Fatalf("disable: %d %+v", code, dev)
	}

	ack, closed := sendAVL(t, c, 3, 3*time.Second)
	if len(ack) > 0 {
		t.Fatalf("disabled tracker acknowledged: %x", ack)
	}
	if !closed {
		t.Fatal("disabled tracker's connection still open")
	}
	if _, b := loginReply(t, s.telt, imei); b != 0 {
		t.Fatalf("disabled tracker's new login: %02x, want 00", b)
	}
	resp, err := http.Post("http://"+s.osmand+"/?id="+imei+"&lat=55.7&lon=37.6&timestamp=1764770000",
		"", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("disabled device over OsmAnd: %d, want 404", resp.StatusCode)
	}
	if n := len(s.fixes(imei)); n != 2 {
		t.Fatalf("%d fixes stored, want the 2 sent before disable", n)
	}

	if code := s.patchDevice(imei, testToken, map[string]any{"disabled": false}); code != 200 {
		t.Fatalf("enable: %d", code)
	}
	c2, b := loginReply(t, s.telt, imei)
	if b != 1 {
		t.Fatalf("re-enabled tracker's login: %02x, want 01", b)
	}
	if ack, _ := sendAVL(t, c2, 1, 5*time.Second); !bytes.Equal(ack, []byte{0, 0, 0, 1}) {
		t.Fatalf("ack after enable: %x", ack)
	}

	var events []struct{ Action, Object, Detail string }
	if code := s.call("GET", "/api/v1/audit?action=device.", testToken, nil, &events); code != 200 {
		t.Fatalf("audit: %d", code)
	}
	var got []string
	for _, e := range events {
		got = append(got, e.Action+" "+e.Object)
	}
	want := "device.disable device/" + imei + ",device.enable device/" + imei
	if strings.Join(got, ",") != want {
		t.Fatalf("audit %q, want %q", got, want)
	}
}

// TestAllowListListener: on a Teltonika listener marked allowlist, under
// the default register policy, an unknown tracker gets 00 and is not
// created, a device created by the open OsmAnd port is refused too, and a
// tracker registered ahead through the API logs in until it is disabled;
// the same holds for datagrams on the listener's UDP side.
func TestAllowListListener(t *testing.T) {
	telt := freePort(t)
	s := &server{t: t, data: t.TempDir(), http: freePort(t), telt: telt + ",allowlist",
		osmand: freePort(t)}
	s.start()
	s.telt = telt

	if _, b := loginReply(t, s.telt, "356200000000001"); b != 0 {
		t.Fatalf("unknown tracker: %02x, want 00", b)
	}
	if code := s.get("/api/v1/devices/356200000000001", nil); code != 404 {
		t.Fatalf("unknown tracker was registered: %d", code)
	}

	const phone = "356200000000002"
	resp, err := http.Post("http://"+s.osmand+"/?id="+phone+"&lat=55.7&lon=37.6&timestamp=1764770000",
		"", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("open OsmAnd port: %d", resp.StatusCode)
	}
	if _, b := loginReply(t, s.telt, phone); b != 0 {
		t.Fatalf("id registered by the open OsmAnd port: %02x, want 00", b)
	}

	const imei = "356200000000003"
	if code := s.call("POST", "/api/v1/devices", testToken,
		map[string]string{"uid": imei, "protocol": "teltonika"}, nil); code != 201 {
		t.Fatalf("register ahead: %d", code)
	}
	c, b := loginReply(t, s.telt, imei)
	if b != 1 {
		t.Fatalf("registered tracker: %02x, want 01", b)
	}
	if ack, _ := sendAVL(t, c, 2, 5*time.Second); !bytes.Equal(ack, []byte{0, 0, 0, 2}) {
		t.Fatalf("registered tracker's ack: %x", ack)
	}
	if ack := udpAVL(t, s.telt, "356200000000004"); len(ack) > 0 {
		t.Fatalf("unknown tracker over UDP acknowledged: %x", ack)
	}
	if ack := udpAVL(t, s.telt, imei); len(ack) != 7 {
		t.Fatalf("registered tracker over UDP: ack %x", ack)
	}
	if code := s.patchDevice(imei, testToken, map[string]any{"disabled": true}); code != 200 {
		t.Fatalf("disable: %d", code)
	}
	if _, b := loginReply(t, s.telt, imei); b != 0 {
		t.Fatalf("disabled tracker on the allow-list listener: %02x, want 00", b)
	}
	if ack := udpAVL(t, s.telt, imei); len(ack) > 0 {
		t.Fatalf("disabled tracker over UDP acknowledged: %x", ack)
	}
}

// udpAVL sends one Teltonika UDP datagram and returns the ACK read within
// two seconds (empty if none).
func udpAVL(t *testing.T, addr, imei string) []byte {
	t.Helper()
	c, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pkt := teltonika.AppendUDP(nil, 7, 1, imei, teltonika.Codec8, sampleRecords(1, time.Now()))
	if _, err := c.Write(pkt); err != nil {
		t.Fatal(err)
	}
	got, _ := readFor(c, 7, 2*time.Second)
	return got
}
