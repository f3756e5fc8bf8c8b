package codes

import "sort"

// Code names one refusal or failure. Every code the tool can print lives in
// Catalog, so the CLI, the wizard and the docs share one meaning and one fix.
type Code string

// Exit codes, mapped from codes in one place (ExitCode) and used by main.
const (
	ExitOK        = 0
	ExitInternal  = 1
	ExitUsage     = 2
	ExitBlocked   = 3
	ExitDelivery  = 4
	ExitSignature = 5
	// ExitQueued is sysexits' EX_TEMPFAIL: nothing failed, some deliveries
	// are still queued and deliveries drain will finish them. It is kept
	// apart from ExitDelivery so a timer or script can treat "not yet" as
	// success without also hiding real failures.
	ExitQueued      = 75
	ExitInterrupted = 130
)

// Documented codes from the WebRiskOps product page.
const (
	SecretMissing    Code = "generic_webhook_secret_missing"
	AuthRequired     Code = "PROVIDER_AUTH_REQUIRED"
	URLUnsafe        Code = "generic_webhook_url_unsafe"
	RedirectBlocked  Code = "generic_webhook_redirect_blocked"
	BaseURLBlocked   Code = "PROVIDER_BASE_URL_BLOCKED"
	SignatureInvalid Code = "WEBHOOK_SIGNATURE_INVALID"
	DeliveryFailed   Code = "WEBHOOK_DELIVERY_FAILED"
)

// Codes added in the same style where a user needs a more exact answer.
const (
	SecretWeak         Code = "generic_webhook_secret_weak"
	ProviderUnknown    Code = "generic_webhook_provider_unknown"
	ModeUnknown        Code = "generic_webhook_mode_unknown"
	NameInvalid        Code = "generic_webhook_name_invalid"
	NameTaken          Code = "generic_webhook_name_taken"
	TargetNotFound     Code = "generic_webhook_target_not_found"
	PolicyInvalid      Code = "generic_webhook_private_network_invalid"
	AllowlistInvalid   Code = "generic_webhook_allowlist_invalid"
	AuthorizedByNeeded Code = "generic_webhook_private_network_unauthorized"
	ReceiverChecks     Code = "generic_webhook_receiver_checks_unconfirmed"
	RevokePathMissing  Code = "generic_webhook_revoke_path_missing"
	OwnerMissing       Code = "generic_webhook_receiver_owner_missing"
	HostUnresolved     Code = "generic_webhook_host_unresolved"
	EndpointGone       Code = "generic_webhook_endpoint_gone"
	DeliveryRejected   Code = "generic_webhook_delivery_rejected"
	PayloadInvalid     Code = "WEBHOOK_PAYLOAD_INVALID"
	Conflict           Code = "generic_webhook_target_changed"
	StoreKey           Code = "generic_webhook_store_key_invalid"
	Store              Code = "generic_webhook_store_failed"
	ConfigInvalid      Code = "generic_webhook_config_invalid"
	Usage              Code = "generic_webhook_usage"
	NoTerminal         Code = "generic_webhook_no_terminal"
	Interrupted        Code = "generic_webhook_interrupted"
	Internal           Code = "generic_webhook_internal"
	EdgeHeaderInvalid  Code = "generic_webhook_edge_header_invalid"
	EdgeValueMissing   Code = "generic_webhook_edge_value_missing"
	EdgeValueInvalid   Code = "generic_webhook_edge_value_invalid"
	DeliveryQueued     Code = "generic_webhook_delivery_queued"
	TextTooLong        Code = "generic_webhook_text_too_long"
	HostLookAlike      Code = "generic_webhook_host_lookalike"
	ResolveInvalid     Code = "generic_webhook_resolve_invalid"
)

// Codes of targets files whose webhook URL comes from a file or a variable.
const (
	URLMissing  Code = "generic_webhook_url_missing"
	FileExposed Code = "generic_webhook_credential_file_exposed"
)

// Codes of the store and file ownership rules and of secret rotation.
const (
	StoreUnsafe     Code = "generic_webhook_store_unsafe"
	FileUnsafe      Code = "generic_webhook_file_unsafe"
	SecretUnchanged Code = "generic_webhook_secret_unchanged"
)

// Codes of doctor, verified rotation, the support bundle and the audit chain.
const (
	AuditTampered      Code = "generic_webhook_audit_tampered"
	NeedsAction        Code = "generic_webhook_needs_action"
	RotationUnverified Code = "generic_webhook_rotation_unverified"
	BundleLeak         Code = "generic_webhook_support_bundle_leak"
)

// Entry is the catalog entry of one code.
type Entry struct {
	Code    Code   `json:"code"`
	Meaning string `json:"meaning"`
	Fix     string `json:"fix"`
	Exit    int    `json:"exit"`
}

// Catalog holds every code with its meaning, its fix and its exit code.
var Catalog = map[Code]Entry{
	SecretMissing: {Meaning: "No signing secret is stored for this target, so no delivery can be signed.",
		Fix: "Add a signing secret before saving or retrying export (wizard: Signing secret step; add: --secret-file, --secret-env or --generate-secret; targets file: signing_secret or webhook_secret).", Exit: ExitBlocked},
	AuthRequired: {Meaning: "The target has no usable signing credential (exit 3), or the receiver refused a delivery as unauthorized (the delivery failed: exit 4).",
		Fix: "Add or rotate the signing secret (rotate-secret), store it in the receiver, then retry.", Exit: ExitBlocked},
	URLUnsafe: {Meaning: "The endpoint is local, reserved, credential-bearing, malformed or not allowed by the private-network policy.",
		Fix: "Use the customer-owned public HTTPS URL exactly as the receiver gave it, or for a self-hosted receiver approve its private network in the allowlist.", Exit: ExitBlocked},
	RedirectBlocked: {Meaning: "The endpoint answered with a redirect, which is never followed.",
		Fix: "Update base_url to the final HTTPS endpoint before retrying.", Exit: ExitBlocked},
	BaseURLBlocked: {Meaning: "The target cannot pass URL safety for automated outbound delivery.",
		Fix: "Fix the endpoint URL or its private-network approval, or use the portable fallback bundle.", Exit: ExitBlocked},
	SignatureInvalid: {Meaning: "The receiver rejected the HMAC signature and should not create downstream work.",
		Fix: "Rotate the secret or fix timestamp, nonce and raw-body verification in the receiver before retrying.", Exit: ExitSignature},
	DeliveryFailed: {Meaning: "The export could not be delivered.",
		Fix: "Review endpoint availability, retry state (deliveries) and the portable fallback bundle before approving another delivery.", Exit: ExitDelivery},
	SecretWeak: {Meaning: "The signing secret is too short, too long or has characters other than printable ASCII without spaces.",
		Fix: "Use 32 to 256 printable ASCII characters without spaces, or generate one (wizard: Generate one; add: --generate-secret).", Exit: ExitBlocked},
	ProviderUnknown: {Meaning: "The provider key is not one of the supported webhook provider keys.",
		Fix: "Use generic_webhook, webhook, zapier_webhook, make_webhook or n8n_webhook.", Exit: ExitBlocked},
	ModeUnknown: {Meaning: "The deployment mode is not one of cloud, self-hosted or webhook-only.",
		Fix: "Use cloud for a public SaaS hook, self-hosted for a customer-approved private endpoint, or webhook-only.", Exit: ExitBlocked},
	NameInvalid: {Meaning: "The target name must be 1 to 63 characters of a-z, 0-9 and '-', starting with a letter or digit.",
		Fix: "Use 1 to 63 characters of a-z, 0-9 and '-', starting with a letter or digit, like zapier-tickets.", Exit: ExitBlocked},
	NameTaken: {Meaning: "A target with this name already exists.",
		Fix: "Choose another name, or change the existing target with apply or rotate-secret.", Exit: ExitBlocked},
	TargetNotFound: {Meaning: "No saved target has this name.",
		Fix: "Run webhook-setup list to see saved targets.", Exit: ExitUsage},
	PolicyInvalid: {Meaning: "The private-network policy is not allowed here.",
		Fix: "Use deny, or allowlist together with deployment mode self-hosted.", Exit: ExitBlocked},
	AllowlistInvalid: {Meaning: "An allowlist entry is not a private CIDR or host name, or it overlaps a range that is never allowed.",
		Fix: "List CIDRs inside 10/8, 172.16/12, 192.168/16, 100.64/10 or fc00::/7, or host names (exact or *.suffix).", Exit: ExitBlocked},
	AuthorizedByNeeded: {Meaning: "A private-network allowlist needs the name of who authorized the route.",
		Fix: "Record the person or ticket that approved posting evidence to that network (wizard: authorized by; add: --authorized-by).", Exit: ExitBlocked},
	ReceiverChecks: {Meaning: "The operator has not confirmed that the receiver verifies the six X-WebRiskOps headers.",
		Fix: "Set up receiver verification (webhook-setup recipe), then confirm it (wizard: tick the six headers; add: --confirm-receiver-checks).", Exit: ExitBlocked},
	RevokePathMissing: {Meaning: "No revoke path is recorded for this target.",
		Fix: "Say where the receiver URL and secret are rotated or deleted (wizard: Revoke path; add: --revoke-path).", Exit: ExitBlocked},
	OwnerMissing: {Meaning: "No receiver owner is recorded for this target.",
		Fix: "Say who owns the receiver (wizard: Receiver owner; add: --owner).", Exit: ExitBlocked},
	HostUnresolved: {Meaning: "The endpoint's host name does not resolve here (no such host, no addresses, the lookup failed or timed out, or a --resolve entry is for another port), so its addresses cannot be judged or reached.",
		Fix: "Check the host name for typos and this machine's DNS; on a machine without DNS, give the host's addresses for the URL's port (wizard: ctrl+r resolve as; add: --resolve-as ADDRESS; targets file: resolve; one run: --resolve HOST:PORT:ADDRESS, curl's form).", Exit: ExitBlocked},
	EndpointGone: {Meaning: "The endpoint answered 410 Gone: the hook was deleted or turned off.",
		Fix: "Create a new hook in the automation tool and update the target's URL.", Exit: ExitDelivery},
	DeliveryRejected: {Meaning: "The endpoint refused the request with a client error that retrying will not change.",
		Fix: "Check the receiver's logs and its expectations of the payload, then retry the delivery.", Exit: ExitDelivery},
	PayloadInvalid: {Meaning: "The ticket or payload does not match the ticket-export.webhook.v1 schema.",
		Fix: "Fix the field named in the reason; webhook-setup schema prints the schema.", Exit: ExitUsage},
	Conflict: {Meaning: "Someone else changed this target since it was read.",
		Fix: "Run the command again; it will see the newer version.", Exit: ExitBlocked},
	StoreKey: {Meaning: "The key file is missing or does not decrypt the stored credentials.",
		Fix: "Restore the master.key that belongs to this database (WEBHOOK_SETUP_KEY_FILE points elsewhere); stored credentials are kept untouched until then.", Exit: ExitInternal},
	Store: {Meaning: "The local store could not be opened or written.",
		Fix: "Check the path, its permissions and free disk space, then run the command again.", Exit: ExitInternal},
	ConfigInvalid: {Meaning: "The configuration or targets file has an unknown key, a wrong type or an invalid value.",
		Fix: "Correct the key at the file and line named in the reason; config init writes a commented settings template, export-config a targets file.", Exit: ExitUsage},
	Usage: {Meaning: "The command line is not valid.",
		Fix: "Run the command with --help to see its flags.", Exit: ExitUsage},
	NoTerminal: {Meaning: "The wizard needs a terminal on stdin and stdout.",
		Fix: "Connect with ssh -t, or use webhook-setup add with flags for scripts.", Exit: ExitUsage},
	Interrupted: {Meaning: "Interrupted before finishing.",
		Fix: "Run the command again; unfinished setup is kept as a draft.", Exit: ExitInterrupted},
	URLMissing: {Meaning: "A targets file names where a webhook URL comes from (webhook_url_file or webhook_url_env), and no URL came from there: the file is missing, unreadable or empty, or the variable is empty or unset.",
		Fix: "Put the target's webhook URL in that file (one line, mode 0600) or set the variable for the apply; export-config --url-files DIR writes the URL files of saved targets.", Exit: ExitBlocked},
	FileExposed: {Meaning: "A file that a targets file reads a credential from (webhook_url_file or signing.secret_file) can be read or written by its group or by others.",
		Fix: "Make the file private to its owner (chmod 600 FILE) and keep it out of version control, then run the command again.", Exit: ExitBlocked},
	StoreUnsafe: {Meaning: "The data folder, key file or database is owned by another user or writable by others, so another account could have planted or changed it; it is not used.",
		Fix: "Make the path named in the reason yours and private (chown to your user, chmod 0700 for the folder, 0600 for files), or move the store to a folder only you can write (--db, WEBHOOK_SETUP_DB); see docs/reliability.md, \"Ownership rules\".", Exit: ExitBlocked},
	FileUnsafe: {Meaning: "A file the tool would write already exists, is a symbolic link, or sits in a folder that is not a plain folder of yours; it is never followed or replaced.",
		Fix: "Remove the file or link named in the reason, or choose a new path in a folder you own, then run the command again.", Exit: ExitBlocked},
	SecretUnchanged: {Meaning: "The new signing secret is the one already in use, so rotating to it would change nothing while recording a rotation.",
		Fix: "Rotate to a new secret (rotate-secret --generate-secret, or a new --secret-file).", Exit: ExitBlocked},
	AuditTampered: {Meaning: "The audit log's hash chain does not hold: an event was edited, deleted, inserted or moved in the database after it was written, or the head you recorded is no longer in the log.",
		Fix: "Treat the store as tampered with: compare it with a backup and with the heads you recorded (audit head), find who could write the database, and keep a copy of it as evidence before changing anything.", Exit: ExitSignature},
	NeedsAction: {Meaning: "doctor found at least one check that needs action; each failed check names its own fix.",
		Fix: "Apply the fix printed under each failed check, then run webhook-setup doctor again.", Exit: ExitBlocked},
	RotationUnverified: {Meaning: "The receiver did not accept a probe signed with the new secret only, so it does not verify with the new secret yet; the previous secret was kept.",
		Fix: "Store the new secret in the receiver (it shows the fingerprint), then run rotate-secret NAME --verify-only --retire-old; the previous secret keeps signing until its grace ends.", Exit: ExitSignature},
	BundleLeak: {Meaning: "The support bundle would have held a stored secret, credential or full webhook URL, so it was not written.",
		Fix: "Report this as a bug with the file name in the reason (not its content); share doctor --json output by hand meanwhile.", Exit: ExitInternal},
	Internal: {Meaning: "An unexpected internal error.",
		Fix: "Run again; if it repeats, report it with the command and this message.", Exit: ExitInternal},
	EdgeHeaderInvalid: {Meaning: "The edge authentication header name is not an HTTP token, or it is a header the delivery itself sets (X-WebRiskOps-*, webhook-id, webhook-timestamp, webhook-signature, Content-Type, User-Agent) or one HTTP manages (Host, Content-Length, Transfer-Encoding, Connection and the like).",
		Fix: "Name the header the platform checks, exactly as it documents it, e.g. x-make-apikey (Make), the Header Auth name of n8n, or your proxy's header.", Exit: ExitBlocked},
	EdgeValueMissing: {Meaning: "An edge authentication header was named without its value, or a value was given without a header name.",
		Fix: "Give both: the header name (add/rotate-secret: --edge-header; targets file: [target.edge_auth] header) and where its value comes from (--edge-value-file F or --edge-value-env VAR; value_file or value_env).", Exit: ExitBlocked},
	EdgeValueInvalid: {Meaning: "The edge authentication value is shorter than 16 or longer than 1024 characters, or has characters other than printable ASCII (inner spaces allowed).",
		Fix: "Use the value the platform expects, 16 to 1024 printable ASCII characters; to make one: openssl rand -hex 24.", Exit: ExitBlocked},
	DeliveryQueued: {Meaning: "Nothing failed, but some deliveries were still queued when --wait ended (the target's pace or retries needed longer); they are safe in the outbox.",
		Fix: "Run webhook-setup deliveries drain (the systemd timer or cron does it), or run again with a longer --wait.", Exit: ExitQueued},
	HostLookAlike: {Meaning: "The endpoint's host mixes scripts or is written in letters that look like Latin ones (hooks.zаpier.com with a Cyrillic а), so it could pass for another host.",
		Fix: "Compare the host letter by letter with what the receiver gave you and retype it; if it is really the receiver's host, confirm it (add, check-url, test-send: --allow-confusable-host; targets file: allow_confusable_host = true; wizard: the Endpoint step asks).", Exit: ExitBlocked},
	ResolveInvalid: {Meaning: "The target's resolve override (the addresses its host is taken to have instead of DNS) is not a list of IP addresses for the URL's host name.",
		Fix: "Give 1 to 16 IP addresses, separated by commas or spaces, for a URL with a host name; or remove the override to use DNS (wizard: ctrl+r resolve as; add: --resolve-as, --clear-resolve-as; targets file: resolve).", Exit: ExitBlocked},
	TextTooLong: {Meaning: "A text field (receiver owner, revoke path, authorized_by, an allowlist entry) or the allowlist is longer than the tool keeps.",
		Fix: "Shorten it to the limit the reason names; keep long notes in your ticketing system and refer to them by id.", Exit: ExitBlocked},
}

func init() {
	for c, info := range Catalog {
		info.Code = c
		Catalog[c] = info
	}
}

// Info returns the catalog entry of c; unknown codes read as internal errors.
func Info(c Code) Entry {
	if info, ok := Catalog[c]; ok {
		return info
	}
	info := Catalog[Internal]
	info.Code = c
	return info
}

// Fix returns the catalog fix of c.
func (c Code) Fix() string { return Info(c).Fix }

// Meaning returns the catalog meaning of c.
func (c Code) Meaning() string { return Info(c).Meaning }

// Codes lists every catalog entry sorted by code, for docs and `codes`.
func Codes() []Entry {
	out := make([]Entry, 0, len(Catalog))
	for _, info := range Catalog {
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}
