package main

import (
	"io"

	"dozor/planner/cli"
)

// runPlan implements `dozor plan`; the planner owns its flags.
func runPlan(args []string, stdout, stderr io.Writer) error {
	return cli.Run(args, stdout, stderr)
}
