package postgres

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// cpuClock is the clock tick of /proc/<pid>/stat times (USER_HZ), 100 on
// every Linux this runs on.
const cpuClock = 100

// cpuTime returns the CPU time used so far by this process and by every
// local PostgreSQL process. On a machine whose cores are shared with other
// work, rows per CPU-second is steadier than rows per wall-second. The
// server part is zero where /proc is missing or the database is remote.
func cpuTime() (self, server time.Duration) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		server += postgresCPU(d)
	}
	return self, server
}

// postgresCPU returns the user plus system time of the process at dir if it
// is a postgres process.
func postgresCPU(dir string) time.Duration {
	b, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return 0
	}
	// pid (comm) state ppid ... field 14 utime, 15 stime
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 0 || end < open || string(b[open+1:end]) != "postgres" {
		return 0
	}
	f := bytes.Fields(b[end+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(string(f[11]), 10, 64)
	st, _ := strconv.ParseInt(string(f[12]), 10, 64)
	return time.Duration(ut+st) * time.Second / cpuClock
}
