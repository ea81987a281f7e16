package reliability

import "syscall"

// childProcAttr puts a manager in its own process group, so that a Ctrl-C
// meant for `go test` does not reach it, and has the kernel kill it if the
// test binary dies first, so that no manager outlives its test.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
