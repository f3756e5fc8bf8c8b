package ui

import (
	"github.com/spf13/pflag"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
)

// rateFlag is a target's delivery rate limit, e.g. 300/10s.
type rateFlag struct{ raw string }

func (f *rateFlag) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.raw, "rate-limit", "", "deliveries allowed per period, e.g. 300/10s (default: the provider's limit)")
}

func (f *rateFlag) value() (core.RateLimit, error) {
	r, err := core.ParseRateLimit(f.raw)
	if err != nil {
		return r, codes.Errorf(codes.Usage, "--rate-limit: %v", err)
	}
	return r, nil
}
