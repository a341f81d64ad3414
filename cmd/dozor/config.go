package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"dozor/ingest"
	"dozor/protocols"
	"dozor/protocols/all"
	"dozor/store"
)

// Defaults of `dozor serve`, named in one place. A zero value in Config
// means the default below.
const (
	defaultData     = "./data"
	defaultHTTP     = ":8082"
	defaultPolicy   = ingest.PolicyRegister
	defaultLogLevel = "info"
)

// Config is the whole configuration of `dozor serve`. It is read from a
// YAML file (--config), then DOZOR_* environment variables, then flags;
// later sources win. Zero values mean defaults (applied by withDefaults).
type Config struct {
	Data           string        `yaml:"data"`              // data folder of the embedded store
	Store          string        `yaml:"store"`             // "" = SQLite in Data; postgres://...
	HTTP           string        `yaml:"http"`              // API and web address
	Listen         []string      `yaml:"listen"`            // NAME=ADDR[,option...]
	UnknownDevices string        `yaml:"unknown_devices"`   // register or reject
	CellResolution int           `yaml:"cell_resolution"`   // H3 resolution kept on fixes
	IdleTimeout    time.Duration `yaml:"idle_timeout"`      // device connections
	MaxBatch       int           `yaml:"max_batch"`         // fixes per commit
	FlushInterval  time.Duration `yaml:"flush_interval"`    // group commit wait
	QueueSize      int           `yaml:"queue_size"`        // journal queue, messages
	Writers        int           `yaml:"writers"`           // commits in flight
	SQLiteSync     string        `yaml:"sqlite_sync"`       // FULL or NORMAL
	Retention      string        `yaml:"retention"`         // "400d"; empty or 0 keeps all
	DataKeys       string        `yaml:"data_keys"`         // key file sealing personal data
	AdminScope     string        `yaml:"admin_token_scope"` // admin (default) or all
	LogLevel       string        `yaml:"log_level"`         // debug, info, warn, error
	LogFormat      string        `yaml:"log_format"`        // text or json
	AccessTTL      time.Duration `yaml:"access_ttl"`        // access token lifetime
	TLSCert        string        `yaml:"tls_cert"`          // PEM file, or "self-signed"
	TLSKey         string        `yaml:"tls_key"`           // PEM file
	OIDCIssuer     string        `yaml:"oidc_issuer"`       // staff sign-in; empty: off
	OIDCClientID   string        `yaml:"oidc_client_id"`
	OIDCSecret     string        `yaml:"oidc_client_secret"`
	OIDCRedirect   string        `yaml:"oidc_redirect_url"`

	apiTLS *tls.Config // built from TLSCert and TLSKey by withTLS
}

// setting is one configuration key, settable from env and flags.
type setting struct {
	name string // flag name; env is DOZOR_ + upper snake case
	help string
	set  func(c *Config, v string) error
}

func settings() []setting {
	str := func(p func(*Config) *string) func(*Config, string) error {
		return func(c *Config, v string) error { *p(c) = v; return nil }
	}
	num := func(p func(*Config) *int) func(*Config, string) error {
		return func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			*p(c) = n
			return err
		}
	}
	dur := func(p func(*Config) *time.Duration) func(*Config, string) error {
		return func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			*p(c) = d
			return err
		}
	}
	return []setting{
		{"data", "data folder of the embedded store (default " + defaultData + ")",
			str(func(c *Config) *string { return &c.Data })},
		{"store", "store URL: empty for SQLite in the data folder, or postgres://...",
			str(func(c *Config) *string { return &c.Store })},
		{"http", "address of the API, metrics and health endpoints (default " + defaultHTTP + ")",
			str(func(c *Config) *string { return &c.HTTP })},
		{"listen", "device listener NAME=ADDR[,lenient][,maxframe=N][,tls][,open|enrolled]" +
			"[,allowlist]; " +
			"repeatable " +
			"(default: every protocol on its Traccar port)",
			func(c *Config, v string) error {
				c.Listen = append(c.Listen, strings.Fields(strings.ReplaceAll(v, ";", " "))...)
				return nil
			}},
		{"unknown-devices", "policy for unknown devices: register or reject (default register)",
			str(func(c *Config) *string { return &c.UnknownDevices })},
		{"cell-resolution", "H3 resolution stored on every fix, 0-15 (default 12)",
			num(func(c *Config) *int { return &c.CellResolution })},
		{"idle-timeout", "close device connections idle this long (default 10m)",
			dur(func(c *Config) *time.Duration { return &c.IdleTimeout })},
		{"max-batch", "fixes per store commit (default 4096)",
			num(func(c *Config) *int { return &c.MaxBatch })},
		{"flush-interval", "group commit wait after the first message (default 2ms)",
			dur(func(c *Config) *time.Duration { return &c.FlushInterval })},
		{"queue-size", "messages waiting for the journal (default 8192)",
			num(func(c *Config) *int { return &c.QueueSize })},
		{"writers", "store commits in flight (default 1 on SQLite, which has one writer; " +
			"2 on PostgreSQL)",
			num(func(c *Config) *int { return &c.Writers })},
		{"sqlite-sync", "SQLite synchronous mode: FULL or NORMAL (default FULL)",
			str(func(c *Config) *string { return &c.SQLiteSync })},
		{"data-keys", "key file sealing debtors' personal data (default: " + keysFileName +
			" in the data folder, created on first start; or keys in $DOZOR_DATA_KEYRING)",
			str(func(c *Config) *string { return &c.DataKeys })},
		{"admin-token-scope", "what DOZOR_ADMIN_TOKEN may do: admin (default; no debtor data) " +
			"or all (every role: tests and demos)",
			str(func(c *Config) *string { return &c.AdminScope })},
		{"retention", "drop fixes older than this, in whole days: 400d or 72h (default: keep all)",
			str(func(c *Config) *string { return &c.Retention })},
		{"log-level", "debug, info, warn or error (default info)",
			str(func(c *Config) *string { return &c.LogLevel })},
		{"log-format", "text or json (default text)",
			str(func(c *Config) *string { return &c.LogFormat })},
		{"access-ttl", "lifetime of API access tokens (default 15m)",
			dur(func(c *Config) *time.Duration { return &c.AccessTTL })},
		{"tls-cert", "TLS certificate (PEM) of the HTTP port and of listeners marked tls, " +
			"or self-signed for a generated pair kept in the data folder (default: no TLS)",
			str(func(c *Config) *string { return &c.TLSCert })},
		{"tls-key", "TLS private key (PEM) for --tls-cert",
			str(func(c *Config) *string { return &c.TLSKey })},
		{"oidc-issuer", "OpenID Connect issuer URL for staff sign-in (default: off)",
			str(func(c *Config) *string { return &c.OIDCIssuer })},
		{"oidc-client-id", "client id registered at the OpenID Connect provider",
			str(func(c *Config) *string { return &c.OIDCClientID })},
		{"oidc-client-secret", "client secret at the provider (prefer the environment variable)",
			str(func(c *Config) *string { return &c.OIDCSecret })},
		{"oidc-redirect-url", "this server's /api/v1/auth/oidc/callback URL as browsers reach it",
			str(func(c *Config) *string { return &c.OIDCRedirect })},
	}
}

func envName(flagName string) string {
	return "DOZOR_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// loadConfig builds the configuration from the YAML file, environment and
// flags of fs (already defined by bindFlags, not yet parsed).
func loadConfig(fs *flag.FlagSet, args []string, env func(string) string) (Config, error) {
	var (
		cfg     Config
		path    string
		fromCLI []func(*Config) error
	)
	fs.StringVar(&path, "config", env("DOZOR_CONFIG"), "YAML configuration file")
	for _, s := range settings() {
		s := s
		fs.Func(s.name, s.help+" [$"+envName(s.name)+"]", func(v string) error {
			fromCLI = append(fromCLI, func(c *Config) error { return s.set(c, v) })
			return nil
		})
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}

	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("read config: %w", err)
		}
		if err := yaml.Unmarshal(b, &cfg); err != nil {
			return cfg, fmt.Errorf("config %s: %w", path, err)
		}
	}
	for _, s := range settings() {
		v := env(envName(s.name))
		if v == "" {
			continue
		}
		if s.name == "listen" {
			cfg.Listen = nil // the environment replaces the file's list
		}
		if err := s.set(&cfg, v); err != nil {
			return cfg, fmt.Errorf("%s: %w", envName(s.name), err)
		}
	}
	if listenOnCLI(fs) {
		cfg.Listen = nil
	}
	for _, apply := range fromCLI {
		if err := apply(&cfg); err != nil {
			return cfg, fmt.Errorf("flag: %w", err)
		}
	}
	cfg = cfg.withDefaults()
	return cfg, cfg.validate()
}

func listenOnCLI(fs *flag.FlagSet) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == "listen" })
	return set
}

func (c Config) withDefaults() Config {
	if c.Data == "" {
		c.Data = defaultData
	}
	if c.HTTP == "" {
		c.HTTP = defaultHTTP
	}
	if c.UnknownDevices == "" {
		c.UnknownDevices = string(defaultPolicy)
	}
	if c.LogLevel == "" {
		c.LogLevel = defaultLogLevel
	}
	if len(c.Listen) == 0 {
		for _, p := range all.Protocols() {
			c.Listen = append(c.Listen, fmt.Sprintf("%s=:%d", p.Name, p.Port))
		}
	}
	return c
}

// maxWriters bounds the journal's commits in flight: each holds a database
// connection, and past a few they only contend with each other.
const maxWriters = 16

func (c Config) validate() error {
	var errs []error
	if _, err := ingest.ParsePolicy(c.UnknownDevices); err != nil {
		errs = append(errs, err)
	}
	if c.CellResolution < 0 || c.CellResolution > 15 {
		errs = append(errs, fmt.Errorf("cell-resolution %d: want 0 to 15", c.CellResolution))
	}
	if c.Store != "" && !strings.HasPrefix(c.Store, "postgres://") &&
		!strings.HasPrefix(c.Store, "postgresql://") && !strings.HasPrefix(c.Store, "sqlite:") {
		errs = append(errs, fmt.Errorf("store %q: want postgres://... or empty", c.Store))
	}
	if c.Writers < 0 || c.Writers > maxWriters {
		errs = append(errs, fmt.Errorf("writers %d: want 0 (default) to %d", c.Writers, maxWriters))
	}
	if c.AdminScope != "" && c.AdminScope != "admin" && c.AdminScope != "all" {
		errs = append(errs, fmt.Errorf("admin-token-scope %q: want admin or all", c.AdminScope))
	}
	if _, err := c.retention(); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.listeners(); err != nil {
		errs = append(errs, err)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log-level %q: want debug, info, warn or error", c.LogLevel))
	}
	return errors.Join(errs...)
}

// retention parses the retention period; 0 keeps everything.
func (c Config) retention() (time.Duration, error) {
	if c.Retention == "" {
		return 0, nil
	}
	return store.ParseRetention(c.Retention)
}

// listeners parses the Listen entries.
func (c Config) listeners() ([]ingest.ListenerConfig, error) {
	var out []ingest.ListenerConfig
	seen := map[string]bool{}
	for _, spec := range c.Listen {
		l, err := parseListen(spec)
		if err != nil {
			return nil, err
		}
		if seen[l.Protocol.Name] {
			return nil, fmt.Errorf("listen %q: protocol %s given twice", spec, l.Protocol.Name)
		}
		seen[l.Protocol.Name] = true
		l.IdleTimeout = c.IdleTimeout
		out = append(out, l)
	}
	return out, nil
}

func parseListen(spec string) (ingest.ListenerConfig, error) {
	name, rest, ok := strings.Cut(spec, "=")
	if !ok {
		return ingest.ListenerConfig{}, fmt.Errorf("listen %q: want NAME=ADDR", spec)
	}
	p, ok := all.Lookup(name)
	if !ok {
		return ingest.ListenerConfig{}, fmt.Errorf("listen %q: unknown protocol %q "+
			"(dozor decode --list shows them)", spec, name)
	}
	parts := strings.Split(rest, ",")
	l := ingest.ListenerConfig{Protocol: p, Addr: parts[0]}
	if !strings.Contains(l.Addr, ":") {
		return l, fmt.Errorf("listen %q: address %q has no port", spec, l.Addr)
	}
	for _, opt := range parts[1:] {
		if applyTrustOption(&l, opt) {
			continue
		}
		if err := applyListenOption(&l.Options, opt); err != nil {
			return l, fmt.Errorf("listen %q: %w", spec, err)
		}
	}
	return l, nil
}

func applyListenOption(o *protocols.Options, opt string) error {
	key, val, _ := strings.Cut(opt, "=")
	switch key {
	case "lenient":
		o.LenientChecksum = true
	case "maxframe":
		n, err := strconv.Atoi(val)
		if err != nil || n <= 0 {
			return fmt.Errorf("maxframe %q: want a positive byte count", val)
		}
		o.MaxFrame = n
	case "tz":
		loc, err := time.LoadLocation(val)
		if err != nil {
			return fmt.Errorf("tz %q: %w", val, err)
		}
		o.TimeZone = loc
	case "binary":
		if val != "32" && val != "45" {
			return fmt.Errorf("binary %q: want 32 or 45 (H02 record size)", val)
		}
		if o.Params == nil {
			o.Params = map[string]string{}
		}
		o.Params["binary"] = val
	default:
		return fmt.Errorf("unknown option %q (want lenient, maxframe=N, tz=ZONE, binary=32|45, "+
			"tls, open, enrolled or allowlist)", opt)
	}
	return nil
}
