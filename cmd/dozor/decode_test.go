package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestDecodeCommand runs `dozor decode` on a login and a data packet of
// one session, and on broken input.
func TestDecodeCommand(t *testing.T) {
	in := strings.Join([]string{
		"000f333536333037303432343431303133",
		"000000000000003608010000016b40d8ea30010000000000000000000000000000000105021503010101425e0f01f10000601a014e0000000000000000010000c7cf",
		"000000000000003608010000016b40d8ea30010000000000000000000000000000000105021503010101425e0f01f10000601a014e0000000000000000010000c7ce",
		"zz",
	}, "\n")
	out, err := runDozor(t, in, "decode", "--protocol", "teltonika")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d output lines, want 4:\n%s", len(lines), out)
	}
	var res []decodeOutput
	for _, l := range lines {
		var o decodeOutput
		if err := json.Unmarshal([]byte(l), &o); err != nil {
			t.Fatal(err)
		}
		res = append(res, o)
	}
	if res[0].Ack != "01" || len(res[0].Fixes) != 0 {
		t.Fatalf("login: %+v", res[0])
	}
	if res[1].Ack != "00000001" || len(res[1].Fixes) != 1 || res[1].Fixes[0].Time != "2019-06-10T10:04:46Z" {
		t.Fatalf("data: %+v", res[1])
	}
	if res[2].Ack != "" || !strings.Contains(res[2].Error, "checksum") {
		t.Fatalf("bad CRC: %+v", res[2])
	}
	if res[3].Error == "" {
		t.Fatalf("garbage: %+v", res[3])
	}
}

func TestDecodeList(t *testing.T) {
	out, err := runDozor(t, "", "decode", "--list")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"teltonika", "5027", "osmand", "5055"} {
		if !strings.Contains(out, want) {
			t.Fatalf("list lacks %s:\n%s", want, out)
		}
	}
}

func TestCheckConfig(t *testing.T) {
	if _, err := runDozor(t, "", "serve", "--check-config", "--listen", "nope=:1"); err == nil {
		t.Fatal("unknown protocol accepted")
	}
	out, err := runDozor(t, "", "serve", "--check-config", "--unknown-devices", "reject")
	if err != nil || !strings.Contains(out, "OK") {
		t.Fatalf("valid config refused: %v %s", err, out)
	}
	if _, err := runDozor(t, "", "serve", "--check-config", "--unknown-devices", "maybe"); err == nil {
		t.Fatal("bad policy accepted")
	}
	for _, n := range []string{"-1", "17"} {
		if _, err := runDozor(t, "", "serve", "--check-config", "--writers", n); err == nil {
			t.Fatalf("--writers %s accepted", n)
		}
	}
	out, err = runDozor(t, "", "serve", "--check-config",
		"--listen", "gt06=:5023,tz=Europe/Moscow", "--listen", "h02=:5013,binary=45")
	if err != nil || !strings.Contains(out, "OK") {
		t.Fatalf("listener options refused: %v %s", err, out)
	}
	for _, bad := range []string{"gt06=:5023,tz=Mars/Base", "h02=:5013,binary=33",
		"teltonika=:5027,frobnicate"} {
		if _, err := runDozor(t, "", "serve", "--check-config", "--listen", bad); err == nil {
			t.Fatalf("listener %q accepted", bad)
		}
	}
}
