package arnavi

import (
	"testing"

	"dozor/protocols"
)

func benchPackage(t testing.TB) (*Session, []byte) {
	s := newSession()
	var m protocols.Message
	if err := s.Decode(mustHex("ff23e9ef782de7120300"), &m); err != nil {
		t.Fatal(err)
	}
	for _, e := range load(t) {
		if e.ID == "arnavi-S-0008" {
			return s, e.Payload()
		}
	}
	t.Fatal("arnavi-S-0008 missing")
	return nil, nil
}

// BenchmarkDecode splits and decodes a 161-byte package with one 30-tag
// record (corpus arnavi-S-0008) and reports records per second.
//
//	go test -run=^$ -bench=Decode -benchmem -count=6 ./protocols/arnavi/ | tee new.txt
func BenchmarkDecode(b *testing.B) {
	s, pkg := benchPackage(b)
	var m protocols.Message
	records := 0
	b.ReportAllocs()
	b.SetBytes(int64(len(pkg)))
	for b.Loop() {
		m.Reset()
		adv, frame, err := s.Split(pkg)
		if err != nil || adv != len(pkg) {
			b.Fatal(err)
		}
		if err := s.Decode(frame, &m); err != nil {
			b.Fatal(err)
		}
		records += len(m.Fixes)
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkDecodeText decodes one $AV,V4 position line.
//
//	go test -run=^$ -bench=DecodeText -benchmem -count=6 ./protocols/arnavi/
func BenchmarkDecodeText(b *testing.B) {
	s := newSession()
	s.opts.LenientChecksum = true
	line := []byte("$AV,V4,85164,20709,1148,418,-1,0,1,192,0,0,0,0,1,9,150.5,12.0," +
		"101010,5950.6773N,03029.1043E,12.5,90.0,121012,0,0,32767,*4F")
	var m protocols.Message
	records := 0
	b.ReportAllocs()
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		m.Reset()
		if err := s.Decode(line, &m); err != nil {
			b.Fatal(err)
		}
		records += len(m.Fixes)
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}

func TestDecodeAllocs(t *testing.T) {
	s, pkg := benchPackage(t)
	var m protocols.Message
	_ = s.Decode(pkg, &m)
	allocs := testing.AllocsPerRun(100, func() {
		m.Reset()
		if err := s.Decode(pkg, &m); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per package in steady state", allocs)
	}
}
