// Command webhook-setup connects WebRiskOps ticket exports to a signed,
// safe webhook target. main only wires the commands and maps errors to
// exit codes (in ui.Run).
package main

import (
	"os"

	"github.com/webriskops/webhook-setup/ui"
)

// Set at build time by release/build with -ldflags "-X main.version=...
// -X main.commit=... -X main.built=..."; empty values are read from the
// module's build information (go install, go build in a checkout).
var (
	version = "dev"
	commit  string
	built   string
)

func main() {
	os.Exit(ui.Run(ui.NewAppBuild(ui.ReadBuild(version, commit, built)), os.Args[1:]))
}
