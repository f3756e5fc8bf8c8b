// Package core is webhook-setup's domain: a target (provider, deployment
// mode, endpoint, private-network approval, edge authentication), the
// provider and mode tables, the limits on what a target carries, its
// validation and its readiness verdict. It does no I/O of its own: URL
// checks reach the network only through the resolver a caller passes in.
package core
