package main

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"dozor/protocols/teltonika"
)

// TestTLS runs the HTTP port and a Teltonika listener over TLS with the
// generated self-signed pair: the printed fingerprint is the one served,
// a tracker speaking TLS is stored and acknowledged, and a plain TCP
// tracker gets nothing.
func TestTLS(t *testing.T) {
	data := t.TempDir()
	httpAddr, telt, osm := freePort(t), freePort(t), freePort(t)
	cmd := exec.Command(os.Args[0], "serve", "--data", data, "--http", httpAddr,
		"--listen", "teltonika="+telt+",tls", "--listen", "osmand="+osm,
		"--tls-cert", "self-signed")
	cmd.Env = append(os.Environ(), "DOZOR_E2E_MAIN=1", "DOZOR_ADMIN_TOKEN="+testToken)
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})

	client := &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} // pinned below
	var served []byte
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := client.Get("https://" + httpAddr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				served = resp.TLS.PeerCertificates[0].Raw
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready over TLS: %s", stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	sum := sha256.Sum256(served)
	if !strings.Contains(stdout.String(), fingerprint(sum[:])) {
		t.Fatalf("served certificate %s is not the printed one: %s", fingerprint(sum[:]), stdout)
	}

	plain, err := net.Dial("tcp", telt)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = plain.Write(teltonika.AppendIMEI(nil, "356307042441013"))
	if got, _ := readFor(plain, 1, 2*time.Second); len(got) == 1 && got[0] == 1 {
		t.Fatal("plain TCP tracker accepted on a TLS listener")
	}
	plain.Close()

	c, err := tls.Dial("tcp", telt, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(teltonika.AppendIMEI(nil, "356307042441013")); err != nil {
		t.Fatal(err)
	}
	if got, err := readFor(c, 1, 10*time.Second); err != nil || got[0] != 1 {
		t.Fatalf("login over TLS: %x %v", got, err)
	}
	if _, err := c.Write(teltonika.AppendAVL(nil, teltonika.Codec8E, sampleRecords(3, time.Now()))); err != nil {
		t.Fatal(err)
	}
	if got, err := readFor(c, 4, 10*time.Second); err != nil || got[3] != 3 {
		t.Fatalf("ack over TLS: %x %v", got, err)
	}

	req, _ := http.NewRequest("GET", "https://"+httpAddr+"/api/v1/devices/356307042441013/fixes", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var fixes []apiFix
	if err := json.NewDecoder(resp.Body).Decode(&fixes); err != nil || len(fixes) != 3 {
		t.Fatalf("fixes over TLS: %d %v", len(fixes), err)
	}
}
