package ui

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/webriskops/webhook-setup/core/codes"
)

// maxURLFile bounds a --url-file: a webhook URL is at most 2 KiB
// (core/urlsafe), so anything far larger is not one.
const maxURLFile = 8 << 10

// urlFileFlag is --url-file: the webhook URL, a bearer credential (the hook
// token is in its path), read from a file or from stdin ("-") so it never
// appears in /proc/PID/cmdline or the shell history, where other local
// users and logs can read it.
type urlFileFlag struct{ path string }

func (f *urlFileFlag) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.path, "url-file", "", "read the webhook URL from this file, or - for stdin (one trailing newline is trimmed); keeps the URL out of the process list")
}

// resolve returns the URL to use: read from --url-file when it is given,
// otherwise inline (a positional argument or --url, "" when none). Both at
// once is a usage error, named by inlineName.
func (f *urlFileFlag) resolve(app *App, inline, inlineName string) (string, error) {
	if f.path == "" {
		return inline, nil
	}
	if inline != "" {
		return "", codes.Errorf(codes.Usage, "give the webhook URL one way: %s or --url-file", inlineName).
			WithFix("Keep --url-file (the URL then stays out of the process list) and drop " + inlineName + ".")
	}
	name := f.path
	var raw []byte
	var err error
	if f.path == "-" {
		name = "stdin"
		raw, err = io.ReadAll(io.LimitReader(app.In, maxURLFile+1))
		if err == nil && len(raw) > maxURLFile {
			err = fmt.Errorf("%w: over %d bytes", errTooLarge, maxURLFile)
		}
	} else {
		raw, err = readFileMax(f.path, maxURLFile)
	}
	if errors.Is(err, errTooLarge) {
		return "", codes.Errorf(codes.Usage, "--url-file %s is over %d bytes, far more than a webhook URL", name, maxURLFile).
			WithFix("Put only the webhook URL in the file, on one line.")
	}
	if err != nil {
		return "", codes.Errorf(codes.Usage, "--url-file %s: %v", name, unwrapPathError(err)).
			WithFix("Check the path and its permissions, or pass - to read the URL from stdin.")
	}
	url := strings.TrimSuffix(strings.TrimSuffix(string(raw), "\n"), "\r")
	switch {
	case url == "":
		return "", codes.Errorf(codes.Usage, "--url-file %s is empty", name).
			WithFix("Put the webhook URL in the file, on one line.")
	case strings.ContainsAny(url, "\r\n"):
		return "", codes.Errorf(codes.Usage, "--url-file %s holds more than one line", name).
			WithFix("Put only the webhook URL in the file, on one line (one trailing newline is fine).")
	}
	return url, nil
}
