package bench

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestReadSolomonCRLF(t *testing.T) {
	data, err := os.ReadFile("../testdata/C101.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("\r\n")) {
		t.Fatalf("test file lost its CRLF line endings")
	}
	in, err := ReadSolomon(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if in.Name != "C101" || in.Vehicles != 25 || in.Capacity != 200 || len(in.Nodes) != 101 {
		t.Fatalf("header %q %d %v, %d nodes", in.Name, in.Vehicles, in.Capacity, len(in.Nodes))
	}
	if n := in.Nodes[1]; n.ID != 1 || n.X != 45 || n.Ready != 912 || n.Due != 967 ||
		n.Service != 90 {
		t.Fatalf("node 1: %+v", n)
	}
}

func TestReadTOPTWOddHeader(t *testing.T) {
	// Header split over odd lines and a variable-length visit list.
	src := "5 3 2\n4\n500\n200\n" +
		" 0 -10.442 19.999 0 0 0 0 0 1000\r\n" +
		" 1 -29.730 64.136 2 12 4 1 15 354 509\r\n" +
		" 2 -30.664 5.463 7 8 4 3 1 2 4 234 401\n"
	in, err := ReadTOPTW(strings.NewReader(src), "pr99")
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Nodes) != 3 || in.Scale != 100 {
		t.Fatalf("%d nodes, scale %v", len(in.Nodes), in.Scale)
	}
	if n := in.Nodes[2]; n.Service != 7 || n.Profit != 8 || n.Ready != 234 || n.Due != 401 {
		t.Fatalf("node 2: %+v", n)
	}
	// Truncated to two decimals: hypot = 44.2...
	if d := in.Euclid(0, 1); d != float64(int(d*100))/100 {
		t.Fatalf("distance %v not truncated", d)
	}
}

func FuzzReaders(f *testing.F) {
	for _, p := range []string{"../testdata/C101.txt", "../testdata/toptw/pr01.txt"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		if in, err := ReadSolomon(bytes.NewReader(data)); err == nil && len(in.Nodes) < 2 {
			t.Fatalf("solomon: accepted %d nodes", len(in.Nodes))
		}
		if in, err := ReadTOPTW(bytes.NewReader(data), "x"); err == nil && len(in.Nodes) < 2 {
			t.Fatalf("toptw: accepted %d nodes", len(in.Nodes))
		}
	})
}
