package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"dozor/web"
)

// chromium finds the browser for the page tests: $DOZOR_CHROMIUM, else
// chromium on PATH. Outside CI a missing browser or map bundle skips the
// test; in CI (CI set) it fails it, so the page is never silently untested.
func chromium(t *testing.T) string {
	t.Helper()
	need := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if !web.New(web.Config{}).Bundled() {
		need("the map library is not bundled: run scripts/web, then test again")
	}
	path := os.Getenv("DOZOR_CHROMIUM")
	if path == "" {
		var err error
		if path, err = exec.LookPath("chromium"); err != nil {
			need("chromium not found (apt-get install -y chromium, or set DOZOR_CHROMIUM)")
		}
	}
	return path
}

// browser starts headless Chromium with software WebGL (MapLibre needs
// WebGL2) and every host but loopback unresolvable, so the page is proven
// to work with no internet.
func browser(t *testing.T, path string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("use-angle", "swiftshader"),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// shots saves screenshots under $DOZOR_TEST_OUT (default: a test temp
// folder) and logs where.
type shots struct {
	t   *testing.T
	ctx context.Context
	dir string
}

func newShots(t *testing.T, ctx context.Context) *shots {
	dir := os.Getenv("DOZOR_TEST_OUT")
	if dir == "" {
		dir = t.TempDir()
	}
	dir = filepath.Join(dir, t.Name())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return &shots{t: t, ctx: ctx, dir: dir}
}

func (s *shots) take(name string) {
	s.t.Helper()
	png, err := chromedp.Run(s.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		s.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, name+".png"), png, 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// waitJS polls a JavaScript predicate in the page.
func waitJS(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingTimeout(30*time.Second), chromedp.WithPollingInterval(100*time.Millisecond)))
	if err != nil {
		state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](
			`JSON.stringify({marks: [...dozor.state.marks.entries()], feed: dozor.state.feed.length,
			 snapshots: dozor.state.snapshots, conn: document.getElementById('conn').className})`))
		t.Fatalf("waiting for %s: %v; page state %s", what, err, state)
	}
}

func evalJS[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// liveTeam creates n collectors of team north with one phone each, one
// collector of team south, a debtor zone of team north, and a supervisor
// of north. It returns the phones' ids and collector ids by index.
type liveTeam struct {
	phones     []string
	collectors []int64
	south      string
	zoneLat    float64
	zoneLon    float64
}

func setupTeam(t *testing.T, s *server, n int) liveTeam {
	t.Helper()
	var lt liveTeam
	add := func(name, team, phone string) int64 {
		var c struct {
			ID int64 `json:"id"`
		}
		if code := s.call("POST", "/api/v1/collectors", testToken,
			map[string]string{"name": name, "team": team}, &c); code != http.StatusCreated {
			t.Fatalf("create collector: %d", code)
		}
		code := s.call("POST", "/api/v1/devices", testToken, map[string]any{"uid": phone,
			"protocol": "osmand", "collector_id": c.ID}, nil)
		if code >= 300 {
			t.Fatalf("create device: %d", code)
		}
		return c.ID
	}
	for i := range n {
		phone := fmt.Sprintf("phone-live-%d", i)
		lt.phones = append(lt.phones, phone)
		lt.collectors = append(lt.collectors, add(fmt.Sprintf("Иванов %d", i), "north", phone))
	}
	lt.south = "phone-south"
	add("Петров Юг", "south", lt.south)

	var d struct {
		ID int64 `json:"id"`
	}
	if code := s.call("POST", "/api/v1/debtors", testToken,
		map[string]string{"name": "Debtor", "team": "north"}, &d); code != http.StatusCreated {
		t.Fatalf("create debtor: %d", code)
	}
	lt.zoneLat, lt.zoneLon = 55.7600, 37.6000
	if code := s.call("POST", "/api/v1/zones", testToken, map[string]any{"debtor_id": d.ID,
		"shape": "circle", "lat": lt.zoneLat, "lon": lt.zoneLon, "radius_m": 60,
		"exit_radius_m": 100}, nil); code != http.StatusCreated {
		t.Fatalf("create zone: %d", code)
	}
	s.addUser("sup-north", "supervisor", "north-password-1", "north")
	return lt
}

// livePhoneFix sends one OsmAnd fix.
func livePhoneFix(t *testing.T, s *server, phone string, at time.Time, lat, lon, course float64) {
	t.Helper()
	q := fmt.Sprintf("/?id=%s&timestamp=%d&lat=%.6f&lon=%.6f&speed=12&bearing=%.0f&accuracy=8",
		phone, at.Unix(), lat, lon, course)
	resp, err := http.Post("http://"+s.osmand+q, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("fix of %s: status %d", phone, resp.StatusCode)
	}
}

// TestLiveMapBrowser logs in as a supervisor in headless Chromium, sees
// collectors appear and move as fixes are ingested, sees a visit in the
// feed, and replays a day; screenshots of each step are saved.
func TestLiveMapBrowser(t *testing.T) {
	path := chromium(t)
	s := startServer(t, "")
	const n = 6
	lt := setupTeam(t, s, n)
	ctx := browser(t, path)
	shot := newShots(t, ctx)

	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Navigate("http://"+s.http+"/"),
		chromedp.WaitVisible(chromedp.ID("#login-name"))); err != nil {
		t.Fatalf("open the page: %v", err)
	}
	t.Logf("login page shown %v after navigation started", time.Since(start).Round(time.Millisecond))
	if evalJS[bool](t, ctx, `!document.getElementById('app').hidden`) {
		t.Fatal("the map is visible before login")
	}
	shot.take("1-login")
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("#login-name"), "sup-north"),
		chromedp.SendKeys(chromedp.ID("#login-password"), "north-password-1"),
		chromedp.Click(chromedp.ID("#login-submit"))); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the map", `window.dozor && dozor.map && dozor.map.loaded() && dozor.state.snapshots > 0`)

	// N collectors appear as their fixes are ingested; team south's
	// collector never reaches this supervisor.
	now := time.Now()
	for i, phone := range lt.phones {
		livePhoneFix(t, s, phone, now, 55.75+float64(i)*0.004, 37.58+float64(i)*0.006, float64(i*60))
	}
	livePhoneFix(t, s, lt.south, now, 55.752, 37.59, 0)
	waitJS(t, ctx, fmt.Sprintf("%d collectors on the map", n),
		fmt.Sprintf(`new Set(dozor.rendered()).size === %d`, n))
	if got := evalJS[int](t, ctx, `dozor.state.marks.size`); got != n {
		t.Fatalf("page holds %d positions, want %d (team south leaked?)", got, n)
	}
	shot.take("2-collectors")

	// A new fix moves the marker.
	k := lt.collectors[0]
	before := evalJS[[]float64](t, ctx, fmt.Sprintf(`[dozor.state.marks.get(%d).lon, dozor.state.marks.get(%d).lat]`, k, k))
	livePhoneFix(t, s, lt.phones[0], now.Add(5*time.Second), 55.7440, 37.5650, 225)
	// The fix leaves the framed view: the stream (filtered to the
	// viewport) still sends it, and the map shows it where it went.
	waitJS(t, ctx, "the moved position", fmt.Sprintf(`Math.abs(dozor.state.marks.get(%d).lat - 55.744) < 1e-4`, k))
	evalJS[bool](t, ctx, `dozor.map.jumpTo({center: [37.565, 55.744]}), true`)
	waitJS(t, ctx, "the marker to move", fmt.Sprintf(`dozor.map.queryRenderedFeatures({layers: ['positions']})
		.some((f) => f.properties.key === %d && Math.abs(f.geometry.coordinates[1] - 55.744) < 1e-4)`, k))
	t.Logf("collector %d moved from %v to 55.744,37.565", k, before)
	shot.take("3-moved")

	// A simulated visit: collector 1 stays 6 minutes in the zone and
	// leaves; the feed shows the arrival and the departure.
	phone := lt.phones[1]
	at := now.Add(-15 * time.Minute)
	for i := range 4 {
		livePhoneFix(t, s, phone, at.Add(time.Duration(i)*30*time.Second), lt.zoneLat-0.006, lt.zoneLon, 0)
	}
	at = at.Add(2 * time.Minute)
	for i := range 13 {
		livePhoneFix(t, s, phone, at.Add(time.Duration(i)*30*time.Second), lt.zoneLat+0.0001, lt.zoneLon, 0)
	}
	at = at.Add(7 * time.Minute)
	for i := range 10 {
		livePhoneFix(t, s, phone, at.Add(time.Duration(i)*30*time.Second), lt.zoneLat+0.008, lt.zoneLon, 0)
	}
	waitJS(t, ctx, "the visit in the feed",
		`document.querySelector('#feed li[data-type="arrived"]') !== null &&
		 document.querySelector('#feed li[data-type="departed"]') !== null`)
	feed := evalJS[string](t, ctx, `document.getElementById('feed').innerText`)
	if !strings.Contains(feed, "Иванов 1") {
		t.Fatalf("feed does not name the collector: %q", feed)
	}
	shot.take("4-visit")

	// An SOS from a phone with no GPS fix heads the feed, in red.
	q := fmt.Sprintf("/?id=%s&timestamp=%d&lat=0&lon=0&alarm=sos&valid=false",
		lt.phones[2], now.Add(6*time.Second).Unix())
	resp, err := http.Post("http://"+s.osmand+q, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	waitJS(t, ctx, "the alarm at the top of the feed",
		`document.querySelector('#feed li:first-child[data-type="alarm"]') !== null`)
	alarm := evalJS[string](t, ctx, `document.querySelector('#feed li[data-type="alarm"]').innerText`)
	if !strings.Contains(alarm, "sos") || !strings.Contains(alarm, "Иванов 2") {
		t.Fatalf("alarm in the feed: %q, want the SOS naming the collector", alarm)
	}
	shot.take("5-alarm")

	// Replay collector 1's day: track, stops and the visit.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(
		fmt.Sprintf(`#list li[data-key="%d"] button.day`, lt.collectors[1])))); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the replay", `dozor.replayed > 0 && dozor.replay.data &&
		dozor.map.queryRenderedFeatures({layers: ['replay-track']}).length > 0`)
	day := evalJS[map[string]int](t, ctx, `({track: dozor.replay.data.track.length,
		stops: dozor.replay.data.stops.length, visits: dozor.replay.data.visits.length})`)
	if day["track"] < 27 || day["stops"] < 1 || day["visits"] != 1 {
		t.Fatalf("replay %v, want 27+ fixes, a stop and one visit", day)
	}
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("#replay-slider"), "15"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('replay-slider').dispatchEvent(new Event("input"))`)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the replay cursor", `dozor.map.queryRenderedFeatures({layers: ['replay-cursor']}).length === 1`)
	shot.take("6-replay")
}
