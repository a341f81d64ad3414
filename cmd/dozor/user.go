package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"dozor/api"
	"dozor/auth"
	"dozor/store"
)

// runUser implements `dozor user add|passwd|disable|enable|unlock|list`:
// account management straight on the store, for the first admin and for
// scripts. Every change is written to the audit log as actor "cli".
func runUser(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "usage: dozor user add|passwd|disable|enable|unlock|list [flags]")
		return errors.New("want a subcommand")
	}
	sub := args[0]
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "", "login name")
	role := fs.String("role", "", "admin, supervisor, auditor or collector (add)")
	var teams listFlag
	fs.Var(&teams, "team", "team name; repeatable (add)")
	collector := fs.Int64("collector", 0, "collector id of a collector's account (add)")
	fromStdin := fs.Bool("password-stdin", false,
		"read the password from the first line of stdin (default: generate and print one)")
	cfg, err := loadConfig(fs, args[1:], os.Getenv)
	if err != nil {
		return err
	}
	if sub != "list" && *name == "" {
		return errors.New("--name is required")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := openStore(ctx, cfg, newLogger(stderr, cfg))
	if err != nil {
		return err
	}
	defer st.Close()
	acc, ok := st.(store.Accounts)
	if !ok {
		return errors.New("this store keeps no accounts")
	}
	c := userCmd{acc: acc, stdout: stdout}
	password := func() (string, error) { return readPassword(*fromStdin, stdout) }
	switch sub {
	case "add":
		return c.add(ctx, store.User{Name: *name, Role: *role, Teams: teams,
			CollectorID: *collector}, password)
	case "passwd":
		return c.passwd(ctx, *name, password)
	case "disable", "enable":
		return c.setDisabled(ctx, *name, sub == "disable")
	case "unlock":
		return c.unlock(ctx, *name)
	case "list":
		return c.list(ctx)
	}
	return fmt.Errorf("unknown subcommand %q", sub)
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// readPassword reads one line from stdin, or generates a password and
// prints it once.
func readPassword(fromStdin bool, stdout io.Writer) (string, error) {
	if !fromStdin {
		b := make([]byte, 15)
		_, _ = rand.Read(b)
		pw := base64.RawURLEncoding.EncodeToString(b)
		fmt.Fprintf(stdout, "Password (shown once): %s\n", pw)
		return pw, nil
	}
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

type userCmd struct {
	acc    store.Accounts
	stdout io.Writer
}

func (c userCmd) audit(ctx context.Context, action string, u store.User, detail string) error {
	_, err := c.acc.Audit().Append(ctx, store.AuditEvent{
		Time: time.Now().UTC().Truncate(time.Millisecond), Actor: "cli", Role: "admin",
		Remote: "local", Action: action, Object: fmt.Sprintf("user/%d", u.ID), Detail: detail})
	return err
}

func (c userCmd) add(ctx context.Context, u store.User, password func() (string, error)) error {
	if u.Teams == nil {
		u.Teams = []string{}
	}
	if err := api.ValidUser(u); err != nil {
		return err
	}
	pw, err := password()
	if err != nil {
		return err
	}
	if u.PasswordHash, err = auth.HashPassword(pw); err != nil {
		return err
	}
	u, err = c.acc.Users().Create(ctx, u)
	if errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("user %q exists", u.Name)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "User %s (id %d, %s) created\n", u.Name, u.ID, u.Role)
	return c.audit(ctx, "user.create", u, "role="+u.Role+" teams="+strings.Join(u.Teams, ","))
}

func (c userCmd) byName(ctx context.Context, name string) (store.User, error) {
	u, err := c.acc.Users().ByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return u, fmt.Errorf("no user %q", name)
	}
	return u, err
}

func (c userCmd) passwd(ctx context.Context, name string, password func() (string, error)) error {
	u, err := c.byName(ctx, name)
	if err != nil {
		return err
	}
	pw, err := password()
	if err != nil {
		return err
	}
	if u.PasswordHash, err = auth.HashPassword(pw); err != nil {
		return err
	}
	if err := c.acc.Users().Update(ctx, u); err != nil {
		return err
	}
	if _, err := c.acc.Sessions().RevokeUser(ctx, u.ID, time.Now().UTC()); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Password of %s changed; sessions ended\n", u.Name)
	return c.audit(ctx, "user.update", u, "password=changed")
}

func (c userCmd) setDisabled(ctx context.Context, name string, disabled bool) error {
	u, err := c.byName(ctx, name)
	if err != nil {
		return err
	}
	u.Disabled = disabled
	if err := c.acc.Users().Update(ctx, u); err != nil {
		return err
	}
	if disabled {
		if _, err := c.acc.Sessions().RevokeUser(ctx, u.ID, time.Now().UTC()); err != nil {
			return err
		}
	}
	fmt.Fprintf(c.stdout, "User %s disabled=%v\n", u.Name, disabled)
	return c.audit(ctx, "user.update", u, fmt.Sprintf("disabled=%v", disabled))
}

func (c userCmd) unlock(ctx context.Context, name string) error {
	u, err := c.byName(ctx, name)
	if err != nil {
		return err
	}
	if err := c.acc.Users().ResetLogins(ctx, u.ID); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "User %s unlocked\n", u.Name)
	return c.audit(ctx, "user.unlock", u, "")
}

func (c userCmd) list(ctx context.Context) error {
	us, err := c.acc.Users().List(ctx)
	if err != nil {
		return err
	}
	for _, u := range us {
		state := "active"
		switch {
		case u.Disabled:
			state = "disabled"
		case time.Now().Before(u.LockedUntil):
			state = "locked"
		}
		fmt.Fprintf(c.stdout, "%d\t%s\t%s\t%s\t%s\n", u.ID, u.Name, u.Role,
			strings.Join(u.Teams, ","), state)
	}
	return nil
}
