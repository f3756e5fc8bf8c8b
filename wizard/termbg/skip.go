//go:build !termquery

package termbg

import "os"

// term is TERM as the process started with it; hadTerm says whether it was
// set at all, so Restore can unset it again.
var (
	term     string
	hadTerm  bool
	replaced bool
)

func init() {
	term, hadTerm = os.LookupEnv("TERM")
	if os.Setenv("TERM", "dumb") == nil {
		replaced = true
	}
}

// Restore puts TERM back as the process started with it. It is safe to
// call more than once.
func Restore() {
	if !replaced {
		return
	}
	replaced = false
	if hadTerm {
		os.Setenv("TERM", term)
	} else {
		os.Unsetenv("TERM")
	}
}

// Skipped reports whether the background query was kept from running.
func Skipped() bool { return true }
