package main

import (
	"errors"
	"io"
)

func runPlan(_ []string, _, _ io.Writer) error {
	return errors.New("the planner is not wired in yet")
}
