//go:build linux

package wizard

import "golang.org/x/sys/unix"

// echoOff turns the terminal's echo off for a hidden answer, keeping line
// mode and signals, and returns how to turn it back on. The line is then
// read like any other (ui.line), so end of input (Ctrl-D) ends it: the
// x/term ReadPassword loop reads Ctrl-D's empty read as nothing and asks
// the terminal again, for ever.
func echoOff(fd uintptr) (restore func(), err error) {
	old, err := unix.IoctlGetTermios(int(fd), unix.TCGETS)
	if err != nil {
		return nil, err
	}
	quiet := *old
	quiet.Lflag &^= unix.ECHO
	quiet.Lflag |= unix.ICANON | unix.ISIG
	quiet.Iflag |= unix.ICRNL
	if err := unix.IoctlSetTermios(int(fd), unix.TCSETS, &quiet); err != nil {
		return nil, err
	}
	return func() { _ = unix.IoctlSetTermios(int(fd), unix.TCSETS, old) }, nil
}
