//go:build unix

package store

import (
	"io/fs"
	"os"
	"syscall"
)

// foreignOwner reports the owner of fi when it is neither this process's
// effective user nor root.
func foreignOwner(fi fs.FileInfo) (uint32, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	if st.Uid == 0 || int(st.Uid) == os.Geteuid() {
		return st.Uid, false
	}
	return st.Uid, true
}

func euid() int { return os.Geteuid() }
