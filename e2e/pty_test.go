package e2e

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// Keys as a terminal sends them.
const (
	keyEnter    = "\r"
	keyEsc      = "\x1b"
	keyUp       = "\x1b[A"
	keyDown     = "\x1b[B"
	keyRight    = "\x1b[C"
	keyLeft     = "\x1b[D"
	keyShiftTab = "\x1b[Z"
	keyTab      = "\t"
	keyCtrlC    = "\x03"
	keyBS       = "\x7f"
	keySpace    = " "
)

// paste wraps s in bracketed-paste markers, as a terminal sends a paste.
func paste(s string) string { return "\x1b[200~" + s + "\x1b[201~" }

// termOptions starts one program in a pseudo-terminal.
type termOptions struct {
	bin        string // default: the binary under test
	args       []string
	env        []string
	cols, rows int
	// dir is the program's working folder; "" is the test's (the e2e
	// package folder), so a test whose program writes files sets it.
	dir string
	// rtt simulates a network link: each direction between the program and
	// the emulator is delayed by rtt/2, as over SSH.
	rtt time.Duration
}

// vterm is a program running in a pseudo-terminal whose other end is a
// charmbracelet/x/vt emulator: the emulator draws what the program writes
// and answers its terminal queries (cursor position, background colour),
// as a real terminal would. Tests read the emulator's screen.
type vterm struct {
	t     testing.TB
	cmd   *exec.Cmd
	ptmx  *os.File
	start time.Time

	mu      sync.Mutex
	emu     *vt.Emulator
	raw     bytes.Buffer  // every byte the program wrote
	changed chan struct{} // closed (and replaced) on every screen change

	toProgram *delayLine // keys and the emulator's replies
	exited    chan struct{}
	exitCode  int
}

// startTerm starts o.bin in a pseudo-terminal of o.cols×o.rows.
func startTerm(t testing.TB, o termOptions) *vterm {
	t.Helper()
	if o.bin == "" {
		o.bin = bin
	}
	if o.cols == 0 {
		o.cols, o.rows = 80, 24
	}
	vt := &vterm{t: t, emu: vt.NewEmulator(o.cols, o.rows), changed: make(chan struct{}), exited: make(chan struct{})}
	vt.cmd = exec.Command(o.bin, o.args...)
	vt.cmd.Env = o.env
	vt.cmd.Dir = o.dir
	vt.start = time.Now()
	ptmx, err := pty.StartWithSize(vt.cmd, &pty.Winsize{Cols: uint16(o.cols), Rows: uint16(o.rows)})
	if err != nil {
		t.Fatalf("start in a pty: %v", err)
	}
	vt.ptmx = ptmx
	vt.toProgram = newDelayLine(o.rtt/2, func(b []byte) { _, _ = ptmx.Write(b) })
	toScreen := newDelayLine(o.rtt/2, vt.draw)

	// The program's output goes to the emulator...
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		buf := make([]byte, 32*1024)
		for {
			n, err := ptmx.Read(buf)
			if n > 0 {
				toScreen.send(buf[:n])
			}
			if err != nil {
				return
			}
		}
	}()
	// ...and the emulator's answers go back. The reply pipe must always be
	// drained: the emulator blocks in Write until its answer is read.
	go func() {
		buf := make([]byte, 1024)
		for {
			n, err := vt.emu.Read(buf)
			if n > 0 {
				vt.toProgram.send(buf[:n])
			}
			if err != nil {
				return
			}
		}
	}()
	go func() {
		err := vt.cmd.Wait()
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			vt.exitCode = ee.ExitCode()
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				vt.exitCode = 128 + int(ws.Signal())
			}
		case err != nil:
			vt.exitCode = -1
		}
		// The last output is read after the exit; 10 s covers a loaded
		// machine, and only a grandchild holding the terminal open makes
		// the wait that long.
		select {
		case <-readDone:
		case <-time.After(10 * time.Second):
		}
		toScreen.close()
		close(vt.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-vt.exited:
		default:
			_ = vt.cmd.Process.Kill()
			<-vt.exited
		}
		vt.toProgram.close()
		_ = ptmx.Close()
		// End the reply reader through the pipe: Emulator.Close races with
		// a Read in progress (it sets a field Read checks unlocked).
		if c, ok := vt.emu.InputPipe().(io.Closer); ok {
			_ = c.Close()
		}
	})
	return vt
}

// draw feeds program output to the emulator and wakes waiters.
func (v *vterm) draw(b []byte) {
	v.mu.Lock()
	v.raw.Write(b)
	_, _ = v.emu.Write(b)
	close(v.changed)
	v.changed = make(chan struct{})
	v.mu.Unlock()
}

// screen is the emulator's screen as text.
func (v *vterm) screen() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.emu.String()
}

// output is every byte the program wrote so far.
func (v *vterm) output() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.raw.String()
}

// send types keys (through the simulated link).
func (v *vterm) send(keys ...string) {
	for _, k := range keys {
		v.toProgram.send([]byte(k))
	}
}

// waitFunc waits until ok accepts the screen and returns how long that
// took from the call. It fails the test after timeout.
func (v *vterm) waitFunc(what string, timeout time.Duration, ok func(screen string) bool) time.Duration {
	v.t.Helper()
	began := time.Now()
	deadline := time.After(timeout)
	for {
		v.mu.Lock()
		screen, changed := v.emu.String(), v.changed
		v.mu.Unlock()
		if ok(screen) {
			return time.Since(began)
		}
		select {
		case <-changed:
		case <-v.exited:
			if s := v.screen(); ok(s) {
				return time.Since(began)
			}
			v.t.Fatalf("the program exited (%d) before %s; screen:\n%s", v.exitCode, what, v.screen())
		case <-deadline:
			v.t.Fatalf("timed out waiting for %s; screen:\n%s", what, v.screen())
		}
	}
}

// wait waits until the screen shows every one of parts.
func (v *vterm) wait(parts ...string) time.Duration {
	v.t.Helper()
	return v.waitFunc(strings.Join(parts, " + "), 20*time.Second, func(s string) bool {
		for _, p := range parts {
			if !strings.Contains(s, p) {
				return false
			}
		}
		return true
	})
}

// waitGone waits until the screen no longer shows part.
func (v *vterm) waitGone(part string) {
	v.t.Helper()
	v.waitFunc("no "+part, 20*time.Second, func(s string) bool { return !strings.Contains(s, part) })
}

// waitEchoOff waits until the program has turned the terminal's echo off,
// as a prompt for a hidden value does just after it prints the prompt;
// keys typed before that would be echoed. The flag is read from the
// pseudo-terminal (on Linux the master's termios are its slave's), through
// SyscallConn so the reader's file stays non-blocking.
func (v *vterm) waitEchoOff(what string) {
	v.t.Helper()
	rc, err := v.ptmx.SyscallConn()
	if err != nil {
		v.t.Fatal(err)
	}
	waitFor(v.t, func() bool {
		echo := true
		_ = rc.Control(func(fd uintptr) {
			if tio, err := unix.IoctlGetTermios(int(fd), unix.TCGETS); err == nil {
				echo = tio.Lflag&unix.ECHO != 0
			}
		})
		return !echo
	}, 20*time.Second, "echo off at ", what)
}

// resize changes the terminal's size; the kernel sends SIGWINCH.
func (v *vterm) resize(cols, rows int) {
	v.t.Helper()
	v.mu.Lock()
	v.emu.Resize(cols, rows)
	v.mu.Unlock()
	if err := pty.Setsize(v.ptmx, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)}); err != nil {
		v.t.Fatal(err)
	}
}

// exit waits for the program to end and returns its exit code.
func (v *vterm) exit() int {
	v.t.Helper()
	select {
	case <-v.exited:
		return v.exitCode
	case <-time.After(20 * time.Second):
		v.t.Fatalf("the program did not exit; screen:\n%s", v.screen())
	}
	return -1
}

// restored reports whether the program gave the terminal back: main
// screen, visible cursor.
func (v *vterm) restored() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return !v.emu.IsAltScreen() && !v.emu.CursorHidden()
}

// delayLine delivers byte slices in order, each delay after it was sent:
// half of a simulated round trip. With no delay it delivers at once.
type delayLine struct {
	delay   time.Duration
	deliver func([]byte)
	mu      sync.Mutex
	ch      chan delayed
	closed  bool
}

type delayed struct {
	due  time.Time
	data []byte
}

func newDelayLine(delay time.Duration, deliver func([]byte)) *delayLine {
	d := &delayLine{delay: delay, deliver: deliver}
	if delay > 0 {
		d.ch = make(chan delayed, 4096)
		go func() {
			for it := range d.ch {
				time.Sleep(time.Until(it.due))
				deliver(it.data)
			}
		}()
	}
	return d
}

func (d *delayLine) send(b []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	data := append([]byte(nil), b...)
	if d.delay == 0 {
		d.deliver(data)
		return
	}
	d.ch <- delayed{due: time.Now().Add(d.delay), data: data}
}

func (d *delayLine) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.closed && d.ch != nil {
		close(d.ch)
	}
	d.closed = true
}
