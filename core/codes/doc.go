// Package codes is the catalog of every code webhook-setup prints, each
// with its meaning, its fix and its exit code, and the Problem and Error
// types that carry a code with its reason, so the commands, the wizard and
// the docs share one meaning and one fix per code.
package codes
