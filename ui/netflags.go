package ui

import (
	"github.com/spf13/pflag"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// networkFlags are the private-network approval flags shared by add and
// check-url.
type networkFlags struct {
	policy       string
	allow        []string
	authorizedBy string
}

func (f *networkFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.policy, "private-network-policy", "", "deny (default) or allowlist (self-hosted only)")
	fs.StringArrayVar(&f.allow, "allow", nil, "allowlist entry: a private CIDR, a host name or *.suffix (repeatable)")
	fs.StringVar(&f.authorizedBy, "authorized-by", "", "who authorized posting evidence to the private network")
}

// privateNetwork builds the approval of a target in mode; without
// --private-network-policy the policy is core.DefaultPolicy's.
func (f *networkFlags) privateNetwork(app *App, mode core.Mode) core.PrivateNetwork {
	policy := core.NetworkPolicy(f.policy)
	if policy == "" {
		policy = core.DefaultPolicy(mode, core.NetworkPolicy(app.Settings.Get("defaults.private_network_policy").Value), f.allow)
	}
	return core.PrivateNetwork{Policy: policy, Allowlist: f.allow, AuthorizedBy: f.authorizedBy}
}

// resolveFlag is curl's --resolve HOST:PORT:ADDR[,ADDR]..., accepted by every
// command that checks or sends to a URL.
type resolveFlag struct{ entries []string }

func (f *resolveFlag) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.entries, "resolve", nil, "answer lookups of HOST from these addresses instead of DNS (HOST:PORT:ADDR[,ADDR]...; IPv6 in brackets)")
}

// resolver returns the app's resolver overlaid with the --resolve entries.
func (f *resolveFlag) resolver(app *App) (urlsafe.Resolver, error) {
	if len(f.entries) == 0 {
		return app.Resolver, nil
	}
	r, err := urlsafe.NewResolveOverrides(f.entries, app.Resolver)
	if err != nil {
		return nil, codes.Errorf(codes.Usage, "--resolve: %v", err)
	}
	return r, nil
}
