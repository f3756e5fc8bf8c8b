//go:build !linux

package wizard

import "errors"

// echoOff is not done here: askHidden falls back to x/term's
// ReadPassword on other systems.
func echoOff(uintptr) (func(), error) { return nil, errors.ErrUnsupported }
