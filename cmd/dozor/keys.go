package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"dozor/secret"
	"dozor/store"
)

// keysFileName is the key file created in the data folder when no keys are
// configured: convenient for the embedded demo, but a copy of the whole
// data folder then holds the key too. Production keeps keys elsewhere.
const keysFileName = "dozor.keys"

// dataKeys loads the keyring that seals debtors' personal data: the key
// file of --data-keys, or the keys text of DOZOR_DATA_KEYRING, or a key file
// generated in the data folder on first start.
func dataKeys(cfg Config, log *slog.Logger) (*secret.Keyring, error) {
	if text := os.Getenv("DOZOR_DATA_KEYRING"); cfg.DataKeys == "" && text != "" {
		return secret.Load("", text)
	}
	path := cfg.DataKeys
	if path == "" {
		path = filepath.Join(cfg.Data, keysFileName)
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			if err := newKeyFile(path); err != nil {
				return nil, err
			}
			log.Warn("Generated a data key beside the data; keep keys apart from the "+
				"database in production (--data-keys FILE)", "file", path)
		}
	}
	return secret.Load(path, "")
}

func newKeyFile(path string) error {
	k, err := secret.NewKey(keyID())
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("data keys: %w", err)
	}
	return writeKeys(path, secret.FormatKey(k)+"\n")
}

// keyID names a new key by its creation time, to the millisecond.
func keyID() string {
	return "k" + strings.ReplaceAll(time.Now().UTC().Format("20060102T150405.000"), ".", "_")
}

// writeKeys replaces the key file atomically, readable by its owner only.
func writeKeys(path, text string) error {
	tmp := path + ".new"
	if err := os.WriteFile(tmp, []byte(text), 0o600); err != nil {
		return fmt.Errorf("data keys: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("data keys: %w", err)
	}
	return nil
}

// runKeys implements `dozor keys rotate`: put a new key in front of the key
// file and re-seal every debtor and zone with it. The old keys stay in the
// file (remove them by hand once no backup needs them).
func runKeys(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "rotate" {
		return errors.New("usage: dozor keys rotate [--data DIR | --data-keys FILE] [--store URL]")
	}
	fs := flag.NewFlagSet("keys rotate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, err := loadConfig(fs, args[1:], os.Getenv)
	if err != nil {
		return err
	}
	path := cfg.DataKeys
	if path == "" {
		path = filepath.Join(cfg.Data, keysFileName)
	}
	old, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("keys rotate: %w (keys given in DOZOR_DATA_KEYRING are rotated "+
			"by editing that variable)", err)
	}
	k, err := secret.NewKey(keyID())
	if err != nil {
		return err
	}
	if err := writeKeys(path, secret.FormatKey(k)+"\n"+strings.TrimLeft(string(old), "\n")); err != nil {
		return err
	}
	cfg.DataKeys = path
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	st, err := openStore(ctx, cfg, newLogger(stderr, cfg))
	if err != nil {
		return err
	}
	defer st.Close()
	if err := store.Reseal(ctx, st); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "new data key %s is current; personal data re-sealed with it\n", k.ID)
	return nil
}
