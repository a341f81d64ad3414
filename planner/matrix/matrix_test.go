package matrix

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

var pts = []Point{{Lat: 55.7558, Lon: 37.6173}, {Lat: 55.7512, Lon: 37.6184},
	{Lat: 59.9343, Lon: 30.3351}}

func TestHaversine(t *testing.T) {
	// Moscow to Saint Petersburg is about 634 km as the crow flies.
	if d := GreatCircle(pts[0], pts[2]); math.Abs(d-634e3) > 5e3 {
		t.Fatalf("great circle %.0f m", d)
	}
	tab := Haversine{}.Compute(pts)
	d := tab.Distance(0, 2)
	if want := int64(math.Round(DefaultRoadFactor * GreatCircle(pts[0], pts[2]))); d != want {
		t.Errorf("distance %d, want %d", d, want)
	}
	if tab.Duration(0, 2) != tab.Duration(2, 0) || tab.Duration(1, 1) != 0 {
		t.Errorf("not symmetric or non-zero diagonal")
	}
	if s := float64(d) / float64(tab.Duration(0, 2)); math.Abs(s-DefaultSpeed) > 0.01 {
		t.Errorf("speed %.3f m/s", s)
	}
}

// fakeOSRM answers the documented table response shape.
func fakeOSRM(t *testing.T) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/table/v1/driving/") ||
			r.URL.Query().Get("annotations") != "duration,distance" {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"code":"InvalidQuery","message":"bad"}`))
			return
		}
		n := len(strings.Split(strings.TrimPrefix(r.URL.Path, "/table/v1/driving/"), ";"))
		dur := make([][]*float64, n)
		dist := make([][]*float64, n)
		for i := range n {
			dur[i] = make([]*float64, n)
			dist[i] = make([]*float64, n)
			for j := range n {
				if i == 2 && j == 0 {
					continue // unreachable: null
				}
				a, b := float64(10*i+j)+0.4, float64(100*i+j)+0.6
				dur[i][j], dist[i][j] = &a, &b
			}
		}
		json.NewEncoder(w).Encode(map[string]any{"code": "Ok", "durations": dur,
			"distances": dist})
	}))
}

func TestOSRM(t *testing.T) {
	srv := fakeOSRM(t)
	defer srv.Close()
	tab, err := OSRM{BaseURL: srv.URL}.Table(context.Background(), pts)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Duration(1, 2) != 13 || tab.Distance(1, 2) != 103 {
		t.Errorf("cell (1,2): %d s %d m", tab.Duration(1, 2), tab.Distance(1, 2))
	}
	if tab.Duration(2, 0) != Unreachable {
		t.Errorf("null cell: %d", tab.Duration(2, 0))
	}
	_, err = OSRM{BaseURL: srv.URL, Profile: "foot"}.Table(context.Background(), pts)
	if !errors.Is(err, ErrEngine) {
		t.Errorf("error answer: %v", err)
	}
}

func TestValhalla(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Sources []valhallaLocation `json:"sources"`
			Targets []valhallaLocation `json:"targets"`
			Costing string             `json:"costing"`
		}
		if r.URL.Path != "/sources_to_targets" || r.Method != http.MethodPost ||
			json.NewDecoder(r.Body).Decode(&req) != nil || req.Costing != "pedestrian" {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":"bad request","error_code":100}`))
			return
		}
		rows := make([][]map[string]any, len(req.Sources))
		for i := range req.Sources {
			for j := range req.Targets {
				rows[i] = append(rows[i], map[string]any{"from_index": i, "to_index": j,
					"time": 60*i + j, "distance": 1.5*float64(i) + 0.001*float64(j)})
			}
		}
		json.NewEncoder(w).Encode(map[string]any{"sources_to_targets": rows,
			"units": "kilometers"})
	}))
	defer srv.Close()
	tab, err := Valhalla{BaseURL: srv.URL, Costing: "pedestrian"}.Table(context.Background(), pts)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Duration(2, 1) != 121 || tab.Distance(2, 1) != 3001 {
		t.Errorf("cell (2,1): %d s %d m", tab.Duration(2, 1), tab.Distance(2, 1))
	}
	_, err = Valhalla{BaseURL: srv.URL}.Table(context.Background(), pts)
	if !errors.Is(err, ErrEngine) {
		t.Errorf("error answer: %v", err)
	}
}
