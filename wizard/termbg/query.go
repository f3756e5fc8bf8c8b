//go:build termquery

package termbg

// Restore does nothing: this build lets bubbletea's init query the
// terminal, for measuring what the query costs.
func Restore() {}

// Skipped reports whether the background query was kept from running.
func Skipped() bool { return false }
