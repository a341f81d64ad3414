package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// runZones implements `dozor zones import FILE`: send a GeoJSON or CSV file
// of zones to the server's import endpoint, which validates every row and
// stores all of them or none, and print its report.
func runZones(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "import" {
		return errors.New("usage: dozor zones import [--api URL] [--token T] FILE.geojson|FILE.csv")
	}
	fs := flag.NewFlagSet("zones import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	api := fs.String("api", "http://127.0.0.1:8082", "API base URL")
	token := fs.String("token", os.Getenv("DOZOR_ADMIN_TOKEN"), "API bearer token [$DOZOR_ADMIN_TOKEN]")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("zones import: want exactly one file")
	}
	path := fs.Arg(0)
	body, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("zones import: %w", err)
	}
	ctype := "application/geo+json"
	if strings.EqualFold(filepath.Ext(path), ".csv") {
		ctype = "text/csv"
	}

	req, err := http.NewRequest("POST", strings.TrimRight(*api, "/")+"/api/v1/zones/import",
		bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Authorization", "Bearer "+*token)
	resp, err := (&http.Client{Timeout: 5 * time.Minute}).Do(req)
	if err != nil {
		return fmt.Errorf("zones import: %w", err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(stdout, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("zones import: %s: nothing was imported", resp.Status)
	}
	return nil
}
