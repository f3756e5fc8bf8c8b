package recipes

import (
	"fmt"

	"github.com/webriskops/webhook-setup/core"
)

// Storage by Zapier's limits that the Zapier recipe's layout is sized for
// (help.zapier.com, "Store data from code steps with StoreClient").
const (
	zapierStoreMaxKeys = 500
	// zapierSpareKeys are kept free of slices: the signing secret's key,
	// the day it was last kept alive (wro_touched),
	// and room for a few of the customer's own.
	zapierSpareKeys = 8
)

// zapierSliceSeconds is the seconds between deliveries at zapier_webhook's
// default pace, whole seconds by construction of that pace: the Zapier
// recipe keeps one Storage key per slice of that length.
func zapierSliceSeconds() int {
	p, _ := core.LookupProvider(core.ProviderZapier)
	return p.DefaultRate.PerSeconds / p.DefaultRate.Requests
}

// zapierSlots is how many slice keys cover every timestamp that can pass a
// tolerance of tol seconds either side.
func zapierSlots(tol int64) int64 {
	return 2*tol/int64(zapierSliceSeconds()) + 1
}

// zapierFits refuses a tolerance whose window needs more slice keys than
// one Storage by Zapier store has.
func zapierFits(tol int64) error {
	if zapierSlots(tol)+zapierSpareKeys > zapierStoreMaxKeys {
		most := int64(zapierStoreMaxKeys-zapierSpareKeys-1) * int64(zapierSliceSeconds()) / 2
		return fmt.Errorf("a %d s tolerance needs %d Storage by Zapier keys, more than a store's %d: the Zapier recipe allows at most %d s",
			tol, zapierSlots(tol), zapierStoreMaxKeys, most)
	}
	return nil
}
