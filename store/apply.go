package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/webriskops/webhook-setup/core"
	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/core/signing"
)

// OpKind is what an Op does to a target.
type OpKind int

// The kinds of Op.
const (
	OpCreate OpKind = iota + 1
	OpUpdate
	OpDelete
)

func (k OpKind) String() string {
	switch k {
	case OpCreate:
		return "create"
	case OpUpdate:
		return "update"
	case OpDelete:
		return "delete"
	}
	return fmt.Sprintf("OpKind(%d)", int(k))
}

// Op is one change of a bulk Apply.
//
//   - OpCreate saves Target with Secret (required) as CreateTarget does,
//     and EdgeValue when Target.EdgeAuth names an edge header.
//   - OpUpdate saves Target's fields as UpdateTarget does (found by ID, or
//     by Name when ID is empty; Target.Version must be the version read). A
//     non-empty Secret also rotates to it, the old one valid for Grace; a
//     non-empty EdgeValue replaces the edge value (no grace).
//   - OpDelete removes the target (by ID, or by Name) as DeleteTarget does;
//     a non-zero Target.Version is checked too.
//
// Changed names the fields for the audit event; when empty, the store
// names the fields it finds changed.
type Op struct {
	Kind   OpKind
	Target core.Target
	Secret string
	Grace  time.Duration
	// EdgeValue is the edge authentication value (a credential, never
	// printed); see Kind.
	EdgeValue string
	Changed   []string
}

// Apply performs ops in ONE transaction: either all of them are written,
// each target changed with one audit event, or (on any error) nothing is.
// The error names the failing op and keeps its code (NameTaken, Conflict,
// TargetNotFound, …).
func (s *Store) Apply(ctx context.Context, ops []Op, actor string) error {
	needKey := false
	for i, op := range ops {
		var p *codes.Problem
		switch op.Kind {
		case OpCreate:
			if p = core.ValidateName(op.Target.Name); p == nil {
				p = signing.CheckSecret(op.Secret)
			}
			if p == nil {
				if err := checkEdge(op.Target, op.EdgeValue, false); err != nil {
					return opErr(i, op, err)
				}
			}
		case OpUpdate:
			if p = core.ValidateName(op.Target.Name); p == nil && op.Secret != "" {
				p = signing.CheckSecret(op.Secret)
			}
			if p == nil {
				if err := checkEdge(op.Target, op.EdgeValue, true); err != nil {
					return opErr(i, op, err)
				}
			}
		case OpDelete:
			if op.Target.ID == "" && op.Target.Name == "" {
				return codes.Errorf(codes.Internal, "op %d deletes a target without id or name", i+1)
			}
		default:
			return codes.Errorf(codes.Internal, "op %d has unknown kind %s", i+1, op.Kind)
		}
		if p != nil {
			return opErr(i, op, codes.ProblemsError([]codes.Problem{*p}))
		}
		if op.Grace < 0 {
			return opErr(i, op, codes.Errorf(codes.Usage, "the rotation grace %s is negative", op.Grace))
		}
		// Every op reads or writes a sealed webhook URL.
		needKey = true
	}
	if len(ops) == 0 {
		return nil
	}
	var key []byte
	if needKey {
		var err error
		if key, err = s.loadKey(ctx, true); err != nil {
			return err
		}
	}
	now := s.now()
	return s.withTx(ctx, func(tx *sql.Tx) error {
		if needKey {
			if err := s.ensureKeyCheck(ctx, tx, key); err != nil {
				return err
			}
		}
		for i, op := range ops {
			if err := s.applyOp(ctx, tx, key, op, actor, now); err != nil {
				return opErr(i, op, err)
			}
		}
		return nil
	})
}

// applyOp performs one op and its audit event inside tx.
func (s *Store) applyOp(ctx context.Context, tx *sql.Tx, key []byte, op Op, actor string, now time.Time) error {
	switch op.Kind {
	case OpCreate:
		t, err := s.createTx(ctx, tx, key, op.Target, op.Secret, op.EdgeValue, now)
		if err != nil {
			return err
		}
		return insertAudit(ctx, tx, now, actor, "target.create", t.Name, createDetail(t))
	case OpUpdate:
		t, changed, err := s.updateTx(ctx, tx, key, op.Target, op.EdgeValue, now)
		if err != nil {
			return err
		}
		if len(op.Changed) > 0 {
			changed = op.Changed
		}
		var detail string
		if len(changed) > 0 {
			detail = updateDetail(changed, t)
		}
		if op.Secret != "" {
			var rot string
			if t, rot, err = s.rotateTx(ctx, tx, key, t, op.Secret, op.Grace, now); err != nil {
				return err
			}
			if detail != "" {
				detail += "; "
			}
			detail += "secret rotated " + rot
		}
		if detail == "" {
			return nil // nothing changed: no write, no event
		}
		return insertAudit(ctx, tx, now, actor, "target.update", t.Name, detail)
	case OpDelete:
		t, err := s.lookupTx(ctx, tx, op.Target)
		if err != nil {
			return err
		}
		if op.Target.Version != 0 && op.Target.Version != t.Version {
			return conflict(t, op.Target.Version)
		}
		if err := deleteTx(ctx, tx, t, now); err != nil {
			return err
		}
		return insertAudit(ctx, tx, now, actor, "target.disconnect", t.Name, deleteDetail(t))
	}
	return nil
}

// opErr prefixes a failing op's reason with its position, kind and target,
// keeping the code and fix.
func opErr(i int, op Op, err error) error {
	var ce *codes.Error
	if !errors.As(err, &ce) {
		return err
	}
	cp := *ce
	name := op.Target.Name
	if name == "" {
		name = op.Target.ID
	}
	cp.Reason = fmt.Sprintf("op %d (%s %s): %s", i+1, op.Kind, name, ce.Reason)
	return &cp
}
