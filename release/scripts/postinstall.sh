#!/bin/sh
# Creates the webhook-ops user and /var/lib/webhook-setup (0700), then tells
# systemd about the units. The timer is not enabled: the operator does that
# once targets are set up (systemctl enable --now webhook-setup-drain.timer).
set -e
if command -v systemd-sysusers >/dev/null 2>&1; then
	systemd-sysusers webhook-setup.conf
elif ! getent passwd webhook-ops >/dev/null 2>&1; then
	useradd --system --user-group --home-dir /var/lib/webhook-setup --no-create-home \
		--shell /usr/sbin/nologin --comment "webhook-setup delivery runner" webhook-ops
fi
if command -v systemd-tmpfiles >/dev/null 2>&1; then
	systemd-tmpfiles --create webhook-setup.conf
else
	install -d -m 0700 -o webhook-ops -g webhook-ops /var/lib/webhook-setup
fi
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || true
fi
exit 0
