// Package web is the supervisors' live map page, embedded in the binary:
// our own HTML, JavaScript and CSS, plus the MapLibre GL files and the
// land polygons that scripts/web copies from npm into static/vendor.
//
// Assets are served under /static/<version>/, where version is a hash of
// every embedded file, with a one-year immutable cache; the page itself
// (/) is never cached, so a new binary is picked up on the next load.
// Text assets are gzipped once, on first request.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
)

//go:embed static index.html
var files embed.FS

// Config says where the map's background comes from. With no URL, or
// when the tiles cannot be reached, the bundled land polygons show.
type Config struct {
	// TileURL is a raster XYZ template ({z}/{x}/{y}), drawn over the
	// bundled land; StyleURL a MapLibre style JSON used instead of both.
	TileURL     string `json:"tile_url,omitempty"`
	StyleURL    string `json:"style_url,omitempty"`
	Attribution string `json:"attribution,omitempty"`
	MaxZoom     int    `json:"max_zoom,omitempty"`
}

// FromEnv reads DOZOR_MAP_TILE_URL, DOZOR_MAP_STYLE_URL,
// DOZOR_MAP_ATTRIBUTION and DOZOR_MAP_MAX_ZOOM.
func FromEnv(getenv func(string) string) Config {
	z, _ := strconv.Atoi(getenv("DOZOR_MAP_MAX_ZOOM"))
	return Config{TileURL: getenv("DOZOR_MAP_TILE_URL"), StyleURL: getenv("DOZOR_MAP_STYLE_URL"),
		Attribution: getenv("DOZOR_MAP_ATTRIBUTION"), MaxZoom: z}
}

// vendorFiles must all be present for the map to work.
var vendorFiles = []string{"maplibre-gl.mjs", "maplibre-gl-worker.mjs", "maplibre-gl.css",
	"land.geojson"}

// Handler serves the page and its assets.
type Handler struct {
	cfg     Config
	static  fs.FS
	version string
	bundled bool
	index   []byte
	csp     string

	mu  sync.Mutex
	gz  map[string][]byte
	mux *http.ServeMux
}

// New returns the page's handler. It serves GET / and GET /static/.
func New(cfg Config) *Handler {
	static, _ := fs.Sub(files, "static")
	return newHandler(cfg, static)
}

func newHandler(cfg Config, static fs.FS) *Handler {
	h := &Handler{cfg: cfg, static: static, gz: map[string][]byte{}, mux: http.NewServeMux()}
	h.version = hashFS(static)
	h.bundled = true
	for _, f := range vendorFiles {
		if _, err := fs.Stat(static, "vendor/"+f); err != nil {
			h.bundled = false
		}
	}
	h.csp = csp(cfg)
	h.index = h.renderIndex()
	h.mux.HandleFunc("GET /{$}", h.serveIndex)
	h.mux.HandleFunc("GET /static/{version}/{file...}", h.serveStatic)
	return h
}

// Bundled reports whether the map library was bundled (scripts/web).
func (h *Handler) Bundled() bool { return h.bundled }

// Version returns the asset version in URLs.
func (h *Handler) Version() string { return h.version }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// hashFS hashes every file's path and content, in path order.
func hashFS(fsys fs.FS) string {
	var names []string
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return nil
	})
	sort.Strings(names)
	sum := sha256.New()
	for _, n := range names {
		b, _ := fs.ReadFile(fsys, n)
		sum.Write([]byte(n))
		sum.Write(b)
	}
	return hex.EncodeToString(sum.Sum(nil))[:12]
}

// csp allows only our origin, plus the tile or style origin configured.
func csp(cfg Config) string {
	extra := ""
	for _, raw := range []string{cfg.TileURL, cfg.StyleURL} {
		if u, err := url.Parse(raw); err == nil && u.Host != "" {
			extra += " " + u.Scheme + "://" + strings.NewReplacer("{", "", "}", "").Replace(u.Host)
		}
	}
	return "default-src 'self'; script-src 'self'; worker-src 'self' blob:; " +
		"style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:" + extra +
		"; connect-src 'self'" + extra + "; frame-ancestors 'none'; base-uri 'none'"
}

func (h *Handler) renderIndex() []byte {
	page := template.Must(template.ParseFS(files, "index.html"))
	// html/template writes the struct as JSON inside the script element.
	conf := struct {
		Config
		Bundled bool   `json:"bundled"`
		Static  string `json:"static"`
	}{h.cfg, h.bundled, "/static/" + h.version + "/"}
	var b bytes.Buffer
	err := page.Execute(&b, map[string]any{"Static": "/static/" + h.version + "/",
		"Config": conf})
	if err != nil {
		panic("web: index template: " + err.Error())
	}
	return b.Bytes()
}

func (h *Handler) serveIndex(w http.ResponseWriter, _ *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("Content-Security-Policy", h.csp)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "same-origin")
	_, _ = w.Write(h.index)
}

// serveStatic answers an asset of the current version; an old version's
// URL redirects nowhere: it is 404, and the no-cache index has the new one.
func (h *Handler) serveStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if r.PathValue("version") != h.version || !fs.ValidPath(name) {
		http.NotFound(w, r)
		return
	}
	b, err := fs.ReadFile(h.static, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	hdr := w.Header()
	ctype := mime.TypeByExtension(path.Ext(name))
	switch path.Ext(name) {
	case ".mjs", ".js":
		ctype = "text/javascript; charset=utf-8"
	case ".geojson":
		ctype = "application/geo+json"
	}
	hdr.Set("Content-Type", ctype)
	hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Vary", "Accept-Encoding")
	if len(b) > 1024 && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		hdr.Set("Content-Encoding", "gzip")
		b = h.gzipped(name, b)
	}
	hdr.Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}

func (h *Handler) gzipped(name string, b []byte) []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	if z, ok := h.gz[name]; ok {
		return z
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	_, _ = zw.Write(b)
	_ = zw.Close()
	h.gz[name] = buf.Bytes()
	return h.gz[name]
}
