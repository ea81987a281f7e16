//go:build !linux

package reliability

import "syscall"

// childProcAttr asks for nothing special where Pdeathsig does not exist;
// the tests' cleanup still stops every manager they started.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{}
}
