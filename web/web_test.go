package web

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func get(t *testing.T, h http.Handler, path string, hdr ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Result()
}

func body(t *testing.T, r *http.Response) string {
	t.Helper()
	rd := r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		z, err := gzip.NewReader(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		rd = z
	}
	b, err := io.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestVersionedAssets(t *testing.T) {
	fsys := fstest.MapFS{
		"app.js":  {Data: []byte(strings.Repeat("console.log(1);\n", 200))},
		"app.css": {Data: []byte("body{}")},
	}
	h := newHandler(Config{TileURL: "https://tiles.bank.local/{z}/{x}/{y}.png"}, fsys)

	idx := get(t, h, "/")
	page := body(t, idx)
	if cc := idx.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("index Cache-Control %q, want no-cache", cc)
	}
	if csp := idx.Header.Get("Content-Security-Policy"); !strings.Contains(csp,
		"connect-src 'self' https://tiles.bank.local") {
		t.Errorf("CSP does not admit the tile origin: %q", csp)
	}
	asset := "/static/" + h.Version() + "/app.js"
	if !strings.Contains(page, asset) {
		t.Fatalf("index does not link %s", asset)
	}
	if !strings.Contains(page, `"bundled":false`) {
		t.Error("index does not tell the page that the map library is missing")
	}

	r := get(t, h, asset, "Accept-Encoding", "gzip")
	if r.StatusCode != 200 || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("asset: %d %q", r.StatusCode, r.Header.Get("Cache-Control"))
	}
	if got := body(t, r); got != string(fsys["app.js"].Data) {
		t.Error("gzipped asset differs")
	}
	for _, p := range []string{"/static/0123456789ab/app.js", "/static/" + h.Version() + "/nope.js",
		"/static/" + h.Version() + "/../web.go"} {
		// A dot-dot path is cleaned by the mux (redirect), never served.
		if r := get(t, h, p); r.StatusCode == http.StatusOK {
			t.Errorf("%s: served", p)
		}
	}

	// Any change of content changes the version.
	fsys["app.css"] = &fstest.MapFile{Data: []byte("body{color:red}")}
	if newHandler(Config{}, fsys).Version() == h.Version() {
		t.Error("version did not change with the content")
	}
}

func TestBundled(t *testing.T) {
	fsys := fstest.MapFS{}
	for _, f := range vendorFiles {
		fsys["vendor/"+f] = &fstest.MapFile{Data: []byte("x")}
	}
	h := newHandler(Config{}, fsys)
	if !h.Bundled() || !strings.Contains(body(t, get(t, h, "/")), `"bundled":true`) {
		t.Error("a full vendor folder is not reported bundled")
	}
}
