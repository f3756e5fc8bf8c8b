package ui

import (
	"context"

	"github.com/webriskops/webhook-setup/core/doctor"
	"github.com/webriskops/webhook-setup/core/urlsafe"
)

// wizardDoctor gives the wizard's Doctor screen the report of
// webhook-setup doctor without --network, with the wizard's resolver.
type wizardDoctor struct {
	app      *App
	resolver urlsafe.Resolver
}

func (d wizardDoctor) Doctor(ctx context.Context) (doctor.Report, error) {
	return d.app.doctorReport(ctx, doctorOptions{Resolver: d.resolver})
}
