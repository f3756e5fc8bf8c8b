// Package e2e runs the built webhook-setup binary as operators and scripts
// do: real processes, real SQLite files in temp folders, real TLS servers on
// loopback and a real pseudo-terminal for the wizard.
//
// It holds only tests (the files ending in _test.go); this file gives the
// package its doc for go doc and go list.
package e2e
