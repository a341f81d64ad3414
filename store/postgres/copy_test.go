package postgres

import (
	"encoding/binary"
	"testing"
	"time"
)

func TestCopyRowLayout(t *testing.T) {
	r := BenchRecords(1, time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))[0]
	buf := appendCopyTrailer(appendFixRow(appendCopyHeader(nil), &r))

	if string(buf[:11]) != "PGCOPY\n\xff\r\n\x00" {
		t.Fatalf("signature % x", buf[:11])
	}
	p := buf[19:]
	if n := binary.BigEndian.Uint16(p); n != fixFields {
		t.Fatalf("field count %d, want %d", n, fixFields)
	}
	p = p[2:]
	var lens []int
	for range fixFields {
		n := int(binary.BigEndian.Uint32(p))
		lens = append(lens, n)
		p = p[4+n:]
	}
	if string(p) != "\xff\xff" {
		t.Fatalf("trailer % x", p)
	}
	want := []int{8, 8, 8, 8, 8, 8, 8, 8, 8, 2, 8, 8, 1, len("teltonika"), 8, -1}
	for i, n := range want {
		if n >= 0 && lens[i] != n {
			t.Errorf("field %d is %d bytes, want %d", i, lens[i], n)
		}
	}
	if jsonLen := lens[15]; jsonLen < 20 {
		t.Errorf("attrs field %d bytes", jsonLen)
	}
}

func TestTimeEncoding(t *testing.T) {
	// 2000-01-01 UTC is PostgreSQL's zero; times keep microseconds.
	at := time.Date(2000, 1, 1, 0, 0, 1, 2500, time.UTC)
	b := appendTime(nil, at)
	if got := int64(binary.BigEndian.Uint64(b[4:])); got != 1_000_002 {
		t.Fatalf("encoded %d µs, want 1000002", got)
	}
}

func TestDays(t *testing.T) {
	tests := []struct {
		at   time.Time
		name string
	}{
		{time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), "fixes_20261203"},
		{time.Date(2026, 12, 3, 23, 59, 59, 999e6, time.UTC), "fixes_20261203"},
		{time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC), "fixes_19691231"},
		{time.Date(2026, 12, 4, 2, 0, 0, 0, time.FixedZone("MSK", 3*3600)), "fixes_20261203"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := dayOf(tc.at)
			if got := partName(d); got != tc.name {
				t.Fatalf("%v is in %s, want %s", tc.at, got, tc.name)
			}
			back, ok := partDay(tc.name)
			if !ok || back != d {
				t.Fatalf("partDay(%s) = %d, %v; want %d", tc.name, back, ok, d)
			}
		})
	}
	for _, other := range []string{"fixes", "fixes_2026120", "fixes_2026x203", "devices_20261203"} {
		if _, ok := partDay(other); ok {
			t.Errorf("%s taken for a partition", other)
		}
	}
}

// BenchmarkAppendFixRow is the client's cost of one row in binary COPY:
//
//	go test -run '^$' -bench AppendFixRow ./store/postgres/
func BenchmarkAppendFixRow(b *testing.B) {
	recs := BenchRecords(1000, time.Now())
	buf := appendFixRow(nil, &recs[0])
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buf = appendFixRow(buf[:0], &recs[i%len(recs)])
	}
}
