//go:build !race

package urlsafe

const raceEnabled = false
