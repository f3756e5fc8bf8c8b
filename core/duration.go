package core

import (
	"strings"
	"time"
)

// DurationText writes d as people write it, without the zero units Go's
// String leaves at the end: 24h, 1h30m, 4m (not 24h0m0s, 4m0s).
func DurationText(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
