package delivery

import (
	"context"
	"sync"
)

// approvals remembers, per target id, the approval (Runner.Approval) its
// kept endpoint was built under.
type approvals struct {
	mu   sync.Mutex
	seen map[string]approvalSeen
}

type approvalSeen struct {
	d     Delivery // only the target's id and name: bodies are not kept
	token string
}

// approvalFailed stands for an Approval that returned an error: it never
// equals a real answer, so the next check drops the endpoint.
const approvalFailed = "\x00failed"

// noteApproval records d's target's approval before its endpoint is
// built: an approval that changes in between is seen at the next check,
// never missed.
func (x *run) noteApproval(ctx context.Context, d Delivery) {
	if x.r.Approval == nil {
		return
	}
	token, err := x.r.Approval(ctx, d)
	if err != nil {
		token = approvalFailed
	}
	x.approvals.mu.Lock()
	defer x.approvals.mu.Unlock()
	if x.approvals.seen == nil {
		x.approvals.seen = map[string]approvalSeen{}
	}
	x.approvals.seen[d.TargetID] = approvalSeen{d: Delivery{TargetID: d.TargetID, TargetName: d.TargetName}, token: token}
}

// recheckApprovals asks again for the approval of every target the run
// holds an endpoint (or an endpoint error) for, and drops those whose
// answer changed, so their next attempt builds the endpoint from the
// target as it is now. Attempts already started finish as they are.
func (x *run) recheckApprovals(ctx context.Context) {
	if x.r.Approval == nil {
		return
	}
	x.approvals.mu.Lock()
	seen := make([]approvalSeen, 0, len(x.approvals.seen))
	for _, s := range x.approvals.seen {
		seen = append(seen, s)
	}
	x.approvals.mu.Unlock()
	for _, s := range seen {
		token, err := x.r.Approval(ctx, s.d)
		if err == nil && token == s.token {
			continue
		}
		x.mu.Lock()
		delete(x.endpoints, s.d.TargetID)
		delete(x.epErrs, s.d.TargetID)
		x.mu.Unlock()
		x.approvals.mu.Lock()
		if cur, ok := x.approvals.seen[s.d.TargetID]; ok && cur.token == s.token {
			delete(x.approvals.seen, s.d.TargetID)
		}
		x.approvals.mu.Unlock()
	}
}
