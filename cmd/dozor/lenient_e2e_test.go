package main

import (
	"bytes"
	"net"
	"strings"
	"testing"
	"time"

	"dozor/protocols"
	"dozor/protocols/all"
)

// TestLenientListener: a listener with the lenient option accepts a frame
// whose checksum is wrong, answers it, stores its fixes and counts it; the
// strict default refuses the same frame.
func TestLenientListener(t *testing.T) {
	entries, err := loadCorpus(corpusPath("galileosky"))
	if err != nil {
		t.Fatal(err)
	}
	pkt := entries[0].Payload() // galileosky-S-0001: IMEI and records
	pkt[len(pkt)-1] ^= 0x5A     // break the CRC-16

	p, _ := all.Lookup("galileosky")
	want := emulate(p, protocols.TCP, [][]byte{pkt})
	if len(want[0].reply) != 0 {
		t.Fatal("the strict session answered a bad CRC")
	}
	lenient := p
	lenient.NewSession = func(tr protocols.Transport, o protocols.Options) protocols.Session {
		o.LenientChecksum = true
		return p.NewSession(tr, o)
	}
	wantLenient := emulate(lenient, protocols.TCP, [][]byte{pkt})[0]

	strictAddr, lenientAddr := freePort(t), freePort(t)
	s := startServer(t, "", "--listen", "galileosky="+lenientAddr+",lenient",
		"--listen", "nmea="+strictAddr)
	c, err := net.Dial("tcp", lenientAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(pkt); err != nil {
		t.Fatal(err)
	}
	got, err := readFor(c, len(wantLenient.reply), 5*time.Second)
	if err != nil || !bytes.Equal(got, wantLenient.reply) {
		t.Fatalf("lenient reply %x (%v), want %x", got, err, wantLenient.reply)
	}
	waitStored(t, s, wantLenient.uid, wantLenient.fixes)
	if !strings.Contains(metrics(t, s),
		`dozor_ingest_lenient_checksums_total{protocol="galileosky"} 1`) {
		t.Fatalf("accepted bad checksum not counted:\n%s", grepLines(metrics(t, s), "lenient"))
	}
}

func grepLines(text, sub string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
