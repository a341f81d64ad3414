package store

import (
	"context"
	"time"
)

// Accounts is the part of the store that holds who may do what: user
// accounts and their sessions, the trust given to devices (enrolment codes,
// device credentials, commands queued for phones) and the audit log. Both
// stores implement it beside Store.
type Accounts interface {
	Users() Users
	Sessions() Sessions
	Trust() Trust
	Audit() Audit
}

// User is a person with an account. Role is one of admin, supervisor,
// auditor, collector (the API owns their meaning). Teams are team names, as
// on collectors and debtors. A collector's account links to its collector
// record by CollectorID.
type User struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	Role         string    `json:"role"`
	Teams        []string  `json:"teams"`
	CollectorID  int64     `json:"collector_id,omitempty"`
	PasswordHash string    `json:"-"`
	OIDCSubject  string    `json:"oidc_subject,omitempty"` // issuer + " " + sub; unique when set
	Disabled     bool      `json:"disabled"`
	FailedLogins int       `json:"failed_logins"`
	LockedUntil  time.Time `json:"locked_until,omitzero"`
	CreatedAt    time.Time `json:"created_at"`
}

// Users keeps accounts.
type Users interface {
	// Create adds a user. A taken name (or OIDC subject) fails with
	// ErrConflict.
	Create(ctx context.Context, u User) (User, error)

	// Get returns the user with that id, or ErrNotFound.
	Get(ctx context.Context, id int64) (User, error)

	// ByName returns the user with that login name, or ErrNotFound.
	ByName(ctx context.Context, name string) (User, error)

	// BySubject returns the user with that OIDC subject, or ErrNotFound.
	BySubject(ctx context.Context, subject string) (User, error)

	// List returns every user ordered by name.
	List(ctx context.Context) ([]User, error)

	// Update writes the role, teams, collector, password hash, OIDC
	// subject and disabled flag of the user u.ID.
	Update(ctx context.Context, u User) error

	// LoginFailed counts one failed login in one statement; when the count
	// reaches maxFails the account is locked until lockUntil. It returns
	// the user as it is after the count.
	LoginFailed(ctx context.Context, id int64, maxFails int, lockUntil time.Time) (User, error)

	// ResetLogins clears the failure count and the lock (a good login, or
	// an admin lifting a lockout).
	ResetLogins(ctx context.Context, id int64) error
}

// Session kinds.
const (
	SessionAPI = "api" // refresh token held by a script or the phone app
	SessionWeb = "web" // cookie held by the browser
)

// Session is one login. The token itself is never stored, only its SHA-256
// in hex.
type Session struct {
	ID        int64     `json:"id"`
	UserID    int64     `json:"user_id"`
	Kind      string    `json:"kind"`
	TokenHash string    `json:"-"`
	Remote    string    `json:"remote"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// Live reports whether the session may still be used at now.
func (s Session) Live(now time.Time) bool {
	return s.RevokedAt.IsZero() && now.Before(s.ExpiresAt)
}

// Sessions keeps logins.
type Sessions interface {
	// Create adds a session.
	Create(ctx context.Context, s Session) (Session, error)

	// Get returns the session with that id, revoked or not, or ErrNotFound.
	Get(ctx context.Context, id int64) (Session, error)

	// ByToken returns the session whose token hash is hash, or ErrNotFound.
	ByToken(ctx context.Context, hash string) (Session, error)

	// Rotate replaces the token hash of a live session whose hash is still
	// old and sets its expiry, in one statement; otherwise (the old token
	// was already rotated, or the session is revoked or expired at now) it
	// fails with ErrNotFound.
	Rotate(ctx context.Context, id int64, old, hash string, now, expires time.Time) error

	// Revoke ends the session at at; revoking twice is not an error.
	Revoke(ctx context.Context, id int64, at time.Time) error

	// RevokeUser ends every live session of the user and returns how many.
	RevokeUser(ctx context.Context, userID int64, at time.Time) (int, error)
}

// Enrolment is a one-time code an admin or supervisor issues to a
// collector so that one phone can enrol. Only the code's hash is stored.
type Enrolment struct {
	ID        int64     `json:"id"`
	CodeHash  string    `json:"-"`
	UserID    int64     `json:"user_id"` // the collector's account
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	UsedAt    time.Time `json:"used_at,omitzero"`
	DeviceID  int64     `json:"device_id,omitempty"`

	// DeviceUID, when set, scopes the code to the one device with that
	// identity: Redeem refuses it for any other.
	DeviceUID string `json:"device_uid,omitempty"`
}

// Credential is the token a device holds, bound to that device and to the
// collector it was enrolled for.
type Credential struct {
	DeviceID  int64     `json:"device_id"`
	DeviceUID string    `json:"device_uid"` // read back only, from the device
	UserID    int64     `json:"user_id"`
	TokenHash string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// Command kinds queued for devices.
const (
	CommandWipe = "wipe"
)

// Command is an order queued for a device, delivered on its next contact
// and acknowledged by it.
type Command struct {
	ID          int64     `json:"id"`
	DeviceID    int64     `json:"device_id"`
	Kind        string    `json:"kind"`
	CreatedBy   int64     `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	DeliveredAt time.Time `json:"delivered_at,omitzero"`
	AckedAt     time.Time `json:"acked_at,omitzero"`
}

// Trust keeps device enrolment, credentials and commands.
type Trust interface {
	// CreateEnrolment stores a new code.
	CreateEnrolment(ctx context.Context, e Enrolment) (Enrolment, error)

	// Enrolment returns the enrolment with that code hash, used or not,
	// or ErrNotFound.
	Enrolment(ctx context.Context, codeHash string) (Enrolment, error)

	// Redeem uses the enrolment whose code hash is codeHash, if unused,
	// unexpired at now and not scoped to another device, for c.DeviceID, and stores c as the device's
	// credential (replacing any earlier one), in one transaction. A used,
	// expired or unknown code fails with ErrNotFound.
	Redeem(ctx context.Context, codeHash string, now time.Time, c Credential) (Enrolment, error)

	// CredentialByToken returns the credential with that token hash,
	// revoked or not, or ErrNotFound.
	CredentialByToken(ctx context.Context, hash string) (Credential, error)

	// Credential returns the device's credential, or ErrNotFound.
	Credential(ctx context.Context, deviceID int64) (Credential, error)

	// RevokeCredential revokes the device's credential at at. A device
	// without one fails with ErrNotFound; revoking twice is not an error.
	RevokeCredential(ctx context.Context, deviceID int64, at time.Time) error

	// QueueCommand adds a command for a device.
	QueueCommand(ctx context.Context, c Command) (Command, error)

	// Commands returns the device's commands, oldest first; with pending,
	// only those not yet acknowledged.
	Commands(ctx context.Context, deviceID int64, pending bool) ([]Command, error)

	// CommandDelivered records the first delivery of the commands ids of
	// the device at at (later deliveries keep the first time).
	CommandDelivered(ctx context.Context, deviceID int64, ids []int64, at time.Time) error

	// AckCommand records the device's acknowledgement of command id. A
	// command of another device fails with ErrNotFound; a second ack keeps
	// the first time.
	AckCommand(ctx context.Context, deviceID, id int64, at time.Time) (Command, error)
}

// AuditEvent is one entry of the audit log: who did what, when, from
// where.
type AuditEvent struct {
	ID      int64     `json:"id"`
	Time    time.Time `json:"time"`
	Actor   string    `json:"actor"`    // user name, "device:<uid>" or "admin-token"
	ActorID int64     `json:"actor_id"` // user id, 0 for others
	Role    string    `json:"role"`
	Remote  string    `json:"remote"`
	Action  string    `json:"action"` // e.g. user.create, debtor.read, device.revoke
	Object  string    `json:"object"` // e.g. user/7, debtor/12
	Detail  string    `json:"detail,omitempty"`
}

// AuditQuery selects audit events; zero fields do not filter.
type AuditQuery struct {
	After  int64     // events with a larger id
	From   time.Time // inclusive
	To     time.Time // exclusive
	Action string    // exact action, or a prefix ending in "."
	Actor  string
	Limit  int // 0: MaxAuditLimit
}

// MaxAuditLimit caps one audit query.
const MaxAuditLimit = 1000

// Audit is the append-only audit log. The stores refuse UPDATE and DELETE
// of its rows at the database level, not only through this interface.
type Audit interface {
	// Append adds an event and returns it with its id.
	Append(ctx context.Context, e AuditEvent) (AuditEvent, error)

	// List returns events in id order.
	List(ctx context.Context, q AuditQuery) ([]AuditEvent, error)
}
