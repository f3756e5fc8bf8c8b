//go:build !unix

package ui

import "io/fs"

const openNoFollow = 0

// ownedByMe: there are no uids to compare here.
func ownedByMe(fs.FileInfo) bool { return true }
