package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPersonalDataAtRest: a debtor's name, phone and address text never
// reach the database files in plain text; a copy of them without the key
// reveals nothing. After `dozor keys rotate` the server reads them back.
func TestPersonalDataAtRest(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, data)
	const js = "application/json"
	name, phone, addr := "Кузнецова Анна Петровна", "+79161234567", "Тверская улица, 7, кв. 3"
	code, body := s.send("POST", "/api/v1/debtors", js,
		`{"name":"`+name+`","phones":["`+phone+`"]}`)
	if code != 201 {
		t.Fatalf("debtor: %d %s", code, body)
	}
	id := idOf(t, body)
	code, body = s.send("POST", "/api/v1/zones", js, fmt.Sprintf(
		`{"debtor_id":%d,"address":"%s","shape":"circle","lat":55.76,"lon":37.6}`, id, addr))
	if code != 201 {
		t.Fatalf("zone: %d %s", code, body)
	}
	s.stop()

	files, _ := filepath.Glob(filepath.Join(data, "dozor.db*"))
	if len(files) == 0 {
		t.Fatal("no database files")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{name, "Кузнецова", phone, "9161234567", addr, "Тверская"} {
			if strings.Contains(string(b), secret) {
				t.Fatalf("%s holds %q in plain text", filepath.Base(f), secret)
			}
		}
	}

	out, err := runDozor(t, "", "keys", "rotate", "--data", data)
	if err != nil || !strings.Contains(out, "re-sealed") {
		t.Fatalf("keys rotate: %v %s", err, out)
	}
	keys, _ := os.ReadFile(filepath.Join(data, "dozor.keys"))
	if n := strings.Count(strings.TrimSpace(string(keys)), "\n") + 1; n != 2 {
		t.Fatalf("key file has %d keys after rotation, want 2", n)
	}

	s.start()
	_, body = s.send("GET", fmt.Sprintf("/api/v1/debtors/%d", id), "", "")
	if !strings.Contains(body, name) || !strings.Contains(body, phone) || !strings.Contains(body, addr) {
		t.Fatalf("debtor after rotation: %s", body)
	}
}
