// Command webhook-setup connects WebRiskOps ticket exports to a signed,
// safe webhook target. main only wires the commands and maps errors to
// exit codes (in ui.Run).
package main

import (
	"os"

	"github.com/webriskops/webhook-setup/ui"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(ui.Run(ui.NewApp(version), os.Args[1:]))
}
