// Command dozor is the one Dozor binary: the server and its tools.
//
//	dozor serve      run the server (embedded SQLite store by default)
//	dozor decode     decode device messages from stdin, as the server would
//	dozor loadgen    drive simulated Teltonika trackers against a server
//	dozor plan       solve a routing instance file (Solomon, TOPTW)
//	dozor migrate    apply the store's migrations
//	dozor bench      measure the store or a load run against the raw COPY rate
//	dozor user       manage accounts (add, passwd, disable, unlock)
//	dozor version    print the version
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

type command struct {
	name string
	help string
	run  func(args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the server", runServe},
		{"decode", "decode device messages from stdin (one per line) and print JSON", runDecode},
		{"loadgen", "drive simulated Teltonika trackers against a server", runLoadgen},
		{"simulate", "play a realistic day of collectors against a server", runSimulate},
		{"zones", "zones import FILE: import debtor zones from GeoJSON or CSV", runZones},
		{"keys", "keys rotate: new data key, personal data re-sealed with it", runKeys},
		{"plan", "solve a Solomon VRPTW or TOPTW instance file and print JSON", runPlan},
		{"migrate", "apply the store's migrations and exit", runMigrate},
		{"bench", "bench store|ingest: the store or a load run against the raw COPY rate", runBench},
		{"user", "user add|passwd|disable|enable|unlock|list: manage accounts", runUser},
		{"version", "print the version", runVersion},
		{"help", "list the commands", nil},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] || c.run == nil {
			continue
		}
		err := c.run(args[1:], stdout, stderr)
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		if err != nil {
			fmt.Fprintf(stderr, "dozor %s: %v\n", c.name, err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(stderr, "dozor: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Dozor: GPS/GLONASS telematics server for field collection teams.")
	fmt.Fprintln(w, "\nUsage: dozor <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.help)
	}
	fmt.Fprintln(w, "\n`dozor <command> -h` lists a command's flags.")
}

func runVersion(_ []string, stdout, _ io.Writer) error {
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				v = "dev-" + s.Value[:min(12, len(s.Value))]
			}
		}
	}
	fmt.Fprintf(stdout, "dozor %s\n", v)
	return nil
}
