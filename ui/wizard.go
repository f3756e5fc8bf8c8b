package ui

import (
	"context"

	"github.com/webriskops/webhook-setup/core/codes"
	"github.com/webriskops/webhook-setup/store"
	"github.com/webriskops/webhook-setup/wizard"
)

// runWizard opens the guided setup. Without a terminal on stdin and stdout
// it points to ssh -t and to add. The store is opened by the wizard after
// its first frame, so a slow disk never delays the first screen.
func (a *App) runWizard(ctx context.Context, resolve *resolveFlag) error {
	if !a.CanPrompt() {
		return codes.Errorf(codes.NoTerminal, "the setup wizard needs a terminal on stdin and stdout")
	}
	resolver, err := resolve.resolver(a)
	if err != nil {
		return err
	}
	return wizard.Run(ctx, wizard.Options{
		In:  a.In,
		Out: a.Out,
		OpenStore: func() (wizard.Store, error) {
			s, err := a.OpenStore()
			if err != nil {
				return nil, err
			}
			return s, nil
		},
		Resolver:   resolver,
		Sender:     wizardSender{app: a, resolver: resolver},
		Doctor:     wizardDoctor{app: a, resolver: resolver},
		Verifier:   wizardSender{app: a, resolver: resolver},
		Accessible: a.Settings.Bool("ui.accessible"),
		Color:      a.Settings.Bool("ui.color"),
		Now:        a.Now,
		Actor:      store.Actor(),
		DraftID:    draftID(a.Getenv),
		Version:    a.Version,
		Getenv:     a.Getenv,
	})
}

// draftID names the operator's unfinished setup: one per account, so a
// dropped SSH session resumes from any address.
func draftID(getenv func(string) string) string {
	user := getenv("USER")
	if user == "" {
		user = getenv("LOGNAME")
	}
	if user == "" {
		user = "unknown"
	}
	return "wizard:" + user
}
