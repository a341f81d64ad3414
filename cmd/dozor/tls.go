package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"dozor/ingest"
)

// SelfSigned is the --tls-cert value that asks for a generated pair.
const selfSigned = "self-signed"

// Files of the generated pair in the data folder.
const (
	selfCertFile = "tls-self-signed.crt"
	selfKeyFile  = "tls-self-signed.key"
)

// withTLS loads (or generates) the certificate, sets it on every listener
// marked tls and returns the TLS config of the HTTP port (nil: plain HTTP). A self-signed pair is
// printed with its SHA-256 fingerprint, for pinning in phones and curl.
func withTLS(cfg Config, lcfgs []ingest.ListenerConfig, stdout io.Writer) (*tls.Config, error) {
	wantTLS := cfg.TLSCert != ""
	for _, l := range lcfgs {
		if l.TLS != nil && !wantTLS {
			return nil, fmt.Errorf("listener %s is marked tls: set --tls-cert (a PEM file or %s)",
				l.Protocol.Name, selfSigned)
		}
	}
	if !wantTLS {
		return nil, nil
	}
	certFile, keyFile := cfg.TLSCert, cfg.TLSKey
	if certFile == selfSigned {
		var err error
		if certFile, keyFile, err = ensureSelfSigned(cfg.Data); err != nil {
			return nil, err
		}
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("tls certificate: %w", err)
	}
	if cfg.TLSCert == selfSigned {
		sum := sha256.Sum256(pair.Certificate[0])
		fmt.Fprintf(stdout, "TLS: self-signed certificate %s, SHA-256 fingerprint %s\n",
			certFile, fingerprint(sum[:]))
	}
	certs := []tls.Certificate{pair}
	for i := range lcfgs {
		if lcfgs[i].TLS != nil {
			lcfgs[i].TLS.Certificates = certs
		}
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: certs}, nil
}

func fingerprint(b []byte) string {
	h := strings.ToUpper(hex.EncodeToString(b))
	var parts []string
	for i := 0; i < len(h); i += 2 {
		parts = append(parts, h[i:i+2])
	}
	return strings.Join(parts, ":")
}

// ensureSelfSigned returns the generated pair in dir, making it on first
// use: ECDSA P-256, valid for localhost, this host's name and loopback
// addresses, for ten years.
func ensureSelfSigned(dir string) (string, string, error) {
	certFile, keyFile := filepath.Join(dir, selfCertFile), filepath.Join(dir, selfKeyFile)
	if _, err := os.Stat(certFile); err == nil {
		return certFile, keyFile, nil
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", "", err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", err
	}
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	host, _ := os.Hostname()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "Dozor demo (self-signed)"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(10, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost", host},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", "", err
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return "", "", err
	}
	err = errors.Join(
		os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600),
		os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644))
	if err != nil {
		return "", "", fmt.Errorf("write self-signed pair: %w", err)
	}
	return certFile, keyFile, nil
}

// listenerTLS returns the TLS config of the HTTP position listener on addr.
func listenerTLS(lcfgs []ingest.ListenerConfig, addr string) *tls.Config {
	for _, l := range lcfgs {
		if l.Addr == addr && l.TLS != nil {
			return l.TLS
		}
	}
	return nil
}
