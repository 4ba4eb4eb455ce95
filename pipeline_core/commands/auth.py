"""Sign-in: argon2id passwords, lockout, server-side sessions, and who the current user is.

Who is signed in is decided here and nowhere else. The HTTP routes (api/auth.py) call `sign_in`
and `sign_out`; the Streamlit script calls `resolve_session` with its cookie on every run.

Choices (docs/permissions.md says them to users):
- Sign-in names are unique across all workspaces, case-insensitively, among accounts that can sign
  in (have a password): the form has two fields, and `rina@agency-slug` is the suggested shape.
  Staff rows without a password (dataset people) may repeat a name in another workspace.
- One refusal for every failure (unknown name, wrong password, locked, deactivated), so the form
  never tells whether an account exists; an unknown name costs the same argon2 time as a known one.
- Failed attempts slow down the next ones with growing delays, per account and address, per
  address and per account (sign_in_throttle.py says how); a delay lifts by itself, an attempt
  during it is refused without checking the password, and the owner's right password from their
  own address is never held back by a stranger's guesses. Success resets the account's counters.
- A session token is 32 random bytes; only its SHA-256 is stored. Idle expiry (default 8 h) slides
  forward, but `last_seen_at` is written at most once per `touch_interval` (1 min), not per rerun.
- Sign-in, failed sign-in, lockout, sign-out and every account change go to the activity log in
  the transaction of the change. A failed sign-in under an unknown name has no workspace, so it
  goes to the application log only, as a fingerprint of the name (a password typed into the name
  field must not land in a log).
- `sign_in`, `resolve_session` and `sign_out` open their own transaction (or join `session=`,
  e.g. a test's) and commit it, as services.py does: a refused sign-in must keep its failure
  count although it raises.

Creating and managing accounts (and the demo accounts) is `accounts.py`, built on this module.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import redis
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from pipeline_core.commands import sign_in_throttle as throttling
from pipeline_core.commands.sign_in_throttle import Throttle
from pipeline_core.domain import validation
from pipeline_core.domain.clock import instant
from pipeline_core.domain.errors import NotFound, PermissionDenied, PipelineError
from pipeline_core.domain.model import Actor, Role, WorkspaceKind
from pipeline_core.store import cache, db, events, repository
from pipeline_core.store import schema as t
from pipeline_core.store.config import get_settings
from pipeline_core.store.schema import UserSession

__all__ = [
    "SESSION_COOKIE",
    "SIGN_IN_REFUSED_EN",
    "SIGN_IN_REFUSED_ID",
    "AuthPolicy",
    "CurrentUser",
    "SignInRefused",
    "SignedIn",
    "audit",
    "current_policy",
    "demo_username",
    "hash_password",
    "hash_token",
    "issue_ticket",
    "normalise_username",
    "redeem_ticket",
    "resolve_session",
    "sign_in",
    "sign_in_sso",
    "sign_out",
    "switch_demo_workspace",
    "verify_password",
]

log = logging.getLogger(__name__)

#: The cookie carrying the session token (HttpOnly, set by api/auth.py, read by the script through
#: `st.context.cookies`). Not `_streamlit_session`: that one is Streamlit's own.
SESSION_COOKIE = "umrah_session"

SIGN_IN_REFUSED_ID = "Nama pengguna atau kata sandi salah, atau akun terkunci sementara."
SIGN_IN_REFUSED_EN = "Wrong username or password, or the account is temporarily locked."

# activity-log actions
SIGNED_IN = "auth.signed_in"
SIGN_IN_FAILED = "auth.sign_in_failed"
SIGNED_OUT = "auth.signed_out"
LOCKED = "auth.locked"
SWITCHED_DATASET = "auth.switched_dataset"


class SignInRefused(PipelineError):
    """Sign-in refused. Always the same message, whatever the reason (`message_en` for English)."""

    message_id = SIGN_IN_REFUSED_ID
    message_en = SIGN_IN_REFUSED_EN

    def __init__(self) -> None:
        super().__init__(SIGN_IN_REFUSED_ID)


@dataclass(frozen=True, slots=True)
class AuthPolicy:
    max_failed_attempts: int = 5  # of one account from one address, before the first delay
    lockout: timedelta = timedelta(minutes=15)  # the longest delay of an address
    address_free_failures: int = 10  # from one address within 15 minutes, any accounts
    account_free_failures: int = 20  # of one account from any addresses
    idle_timeout: timedelta = timedelta(hours=8)
    lifetime: timedelta = timedelta(hours=12)  # from sign-in, however active the session is
    touch_interval: timedelta = timedelta(minutes=1)

    def __post_init__(self) -> None:
        if min(self.max_failed_attempts, self.address_free_failures, self.account_free_failures) < 1:
            raise ValueError("the free failures must be at least 1")
        if min(self.lockout, self.idle_timeout, self.touch_interval, self.lifetime) <= timedelta(0):
            raise ValueError("lockout, idle_timeout, touch_interval and lifetime must be positive")

    @property
    def throttle(self) -> Throttle:
        return Throttle(
            max_failed_attempts=self.max_failed_attempts,
            lockout=self.lockout,
            address_free_failures=self.address_free_failures,
            account_free_failures=self.account_free_failures,
        )


def current_policy() -> AuthPolicy:
    """The policy from Settings (PIPELINE_SIGN_IN_MAX_ATTEMPTS, PIPELINE_SIGN_IN_LOCK_MINUTES,
    PIPELINE_SESSION_IDLE_HOURS, PIPELINE_SESSION_MAX_HOURS)."""
    settings = get_settings()
    return AuthPolicy(
        max_failed_attempts=settings.pipeline_sign_in_max_attempts,
        lockout=timedelta(minutes=settings.pipeline_sign_in_lock_minutes),
        idle_timeout=timedelta(hours=settings.pipeline_session_idle_hours),
        lifetime=timedelta(hours=settings.pipeline_session_max_hours),
    )


# --- passwords and tokens -------------------------------------------------------------------------

#: argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile: t=3, m=64 MiB, p=4).
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash (`$argon2id$v=19$m=65536,t=3,p=4$…`), salted, for `users.password_hash`."""
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """True when `password` matches the hash; False for a wrong password or a missing/bad hash."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _decoy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def _spend_verify_time(password: str) -> None:
    """What a wrong password costs, spent on a refusal that needs no check (unknown, locked)."""
    verify_password(password, _decoy_hash())


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalise_username(raw: str) -> str:
    return raw.strip().lower()


# --- who is signed in ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CurrentUser:
    user_id: int
    username: str
    full_name: str
    role: Role
    workspace_id: int
    workspace_slug: str

    @property
    def actor(self) -> Actor:
        return Actor(user_id=self.user_id, name=self.full_name, role=self.role)


@dataclass(frozen=True, slots=True)
class SignedIn:
    token: str  # goes into the cookie; never stored, never logged
    user: CurrentUser
    expires_at: datetime


def audit(
    session: Session,
    *,
    workspace_id: int,
    actor: str,
    action: str,
    user_id: int | None,
    changes: dict[str, dict[str, Any]],
    now: datetime,
) -> None:
    """One activity-log entry about a user account (entity_type "user"), in the caller's transaction."""
    repository.log_activity(
        session,
        workspace_id=workspace_id,
        actor=actor,
        action=action,
        entity_type="user",
        entity_id=user_id,
        jamaah_id=None,
        changes=changes,
        now=now,
    )


def _audit_own(s: Session, user: t.User, action: str, changes: dict[str, Any], now: datetime) -> None:
    """An entry about the user's own account, in their name (sign-in, failure, lock, sign-out)."""
    audit(s, workspace_id=user.workspace_id, actor=user.full_name, action=action, user_id=user.id,
          changes=changes, now=now)  # fmt: skip


def _change(old: Any, new: Any) -> dict[str, Any]:
    return {"old": old, "new": new}


def _client(client: str | None, address: str | None = None) -> dict[str, dict[str, Any]]:
    """What the activity entry says of where an attempt came from: browser and address."""
    said = {"client": _change(None, client[:200])} if client else {}
    return {**said, "address": _change(None, address[:64])} if address else said


def sign_in(
    *,
    username: str,
    password: str,
    workspace_slug: str | None = None,
    now: datetime | None = None,
    client: str | None = None,
    address: str | None = None,
    session: Session | None = None,
    policy: AuthPolicy | None = None,
) -> SignedIn:
    """Check the password and open a session, or raise `SignInRefused` (one message for all causes).

    `workspace_slug`, when given, restricts the account to that workspace. `client` (the browser)
    and `address` (the client's address, as the server sees it) go into the activity log; the
    address keys the throttling (sign_in_throttle.py).
    """
    now, policy = instant(now), policy or current_policy()
    if not isinstance(username, str) or not isinstance(password, str):
        raise SignInRefused()
    if validation.has_hidden_characters(username) or len(username) > 254:
        raise SignInRefused()  # no account is named so: refused without a lookup
    wait = throttling.address_wait(address, now)
    if wait is not None:
        _spend_verify_time(password)
        log.warning("sign-in throttled: address %s waits %d s more", address, wait.total_seconds())
        raise SignInRefused()
    attempt = _Attempt(normalise_username(username), password, workspace_slug, now, client, address, policy)
    with db.action(session) as s:
        signed_in = _attempt(s, attempt)
    if signed_in is None:
        raise SignInRefused()
    return signed_in


@dataclass(frozen=True, slots=True)
class _Attempt:
    name: str
    password: str
    workspace_slug: str | None
    now: datetime
    client: str | None
    address: str | None
    policy: AuthPolicy


def _attempt(s: Session, a: _Attempt) -> SignedIn | None:
    u = t.User
    query = (
        select(u, t.Workspace.slug)
        .join(t.Workspace, t.Workspace.id == u.workspace_id)
        .where(func.lower(u.username) == a.name, u.password_hash.is_not(None))
        .with_for_update(of=u)
    )
    if a.workspace_slug is not None:
        query = query.where(t.Workspace.slug == a.workspace_slug)
    found = s.execute(query).one_or_none()
    if found is None:
        _spend_verify_time(a.password)
        throttling.record_failure(a.policy.throttle, a.address, None, a.now)
        # a fingerprint, not the name: people type their password into the name field
        log.info("sign-in refused: no account named #%s", hash_token(a.name)[:10])
        return None
    user, slug = found
    extra = _client(a.client, a.address)
    held = _held_back(user, a)
    if held is not None:
        _spend_verify_time(a.password)
        _audit_own(s, user, SIGN_IN_FAILED, {"reason": _change(None, held), **extra}, a.now)
        if held == "inactive":
            throttling.record_failure(a.policy.throttle, a.address, None, a.now)
        return None
    if not verify_password(a.password, user.password_hash):
        _count_failure(s, user, a, extra)
        return None
    if _hasher.check_needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(a.password)
    throttling.forget_pair(user.id, a.address)
    return _open_session(s, user, slug, a.now, a.policy, extra)


def _held_back(user: t.User, a: _Attempt) -> str | None:
    """Why this attempt is refused before its password is checked, or None."""
    if not user.is_active:
        return "inactive"
    if user.locked_until is not None and user.locked_until > a.now:
        return "locked"  # the account's own delay, whatever the address
    if throttling.pair_wait(user.id, a.address, a.now) is not None:
        return "throttled"  # this address waits before trying this account again
    return None


def sign_in_sso(
    email: str,
    *,
    now: datetime | None = None,
    session: Session | None = None,
    policy: AuthPolicy | None = None,
) -> SignedIn:
    """Single sign-on: the identity provider (`st.login`, OIDC) vouched for `email`; open a session
    for the one active local account with that e-mail (case-insensitive), as a password sign-in
    would (logged, revocable, idle expiry). No account, or several (the same e-mail in two
    workspaces), or a deactivated one: `SignInRefused`. A password lockout does not apply: the
    identity provider checked the person."""
    now, policy = instant(now), policy or current_policy()
    address = email.strip().lower() if isinstance(email, str) else ""
    if "@" not in address:
        raise SignInRefused()
    u = t.User
    with db.action(session) as s:
        found = s.execute(
            select(u, t.Workspace.slug)
            .join(t.Workspace, t.Workspace.id == u.workspace_id)
            .where(func.lower(u.email) == address, u.is_active)
            .with_for_update(of=u)
            .limit(2)
        ).all()
        signed_in = None
        if len(found) == 1:
            user, slug = found[0]
            signed_in = _open_session(s, user, slug, now, policy, {"method": _change(None, "sso")})
    if signed_in is None:  # outside the transaction, as sign_in does
        log.info("single sign-on refused: %d active accounts for #%s", len(found), hash_token(address)[:10])
        raise SignInRefused()
    return signed_in


def _count_failure(s: Session, user: t.User, a: _Attempt, extra: dict[str, dict[str, Any]]) -> None:
    """One more failed attempt: the account's counter (PostgreSQL) and its address's (Redis); a delay
    that starts is an `auth.locked` entry saying until when."""
    attempts = user.failed_attempts + 1
    _audit_own(
        s, user, SIGN_IN_FAILED, {"failed_attempts": _change(user.failed_attempts, attempts), **extra}, a.now
    )
    user.failed_attempts = min(attempts, 32_000)
    account_delay = a.policy.throttle.account_delay(attempts)
    _, pair_delay = throttling.record_failure(a.policy.throttle, a.address, user.id, a.now)
    if account_delay is not None:
        user.locked_until = a.now + account_delay
    until = max((a.now + d for d in (account_delay, pair_delay) if d is not None), default=None)
    if until is None:
        return
    scope = "account" if account_delay is not None and a.now + account_delay == until else "address"
    changes = {"locked_until": _change(None, until.isoformat()), "scope": _change(None, scope), **extra}
    _audit_own(s, user, LOCKED, changes, a.now)
    log.warning("account %s: sign-in delayed after %d failures (%s)", user.id, attempts, scope)


def _open_session(
    s: Session, user: t.User, slug: str, now: datetime, policy: AuthPolicy, extra: dict[str, dict[str, Any]]
) -> SignedIn:
    previous = user.last_sign_in_at
    user.failed_attempts, user.locked_until, user.last_sign_in_at = 0, None, now
    token = secrets.token_urlsafe(32)
    expires_at = now + policy.idle_timeout
    s.execute(
        insert(UserSession).values(
            token_hash=hash_token(token),
            user_id=user.id,
            workspace_id=user.workspace_id,
            created_at=now,
            last_seen_at=now,
            expires_at=expires_at,
        )
    )
    _forget_old_sessions(s, user.workspace_id, user.id, now)
    before = previous.isoformat() if previous else None
    _audit_own(s, user, SIGNED_IN, {"last_sign_in_at": _change(before, now.isoformat()), **extra}, now)
    current = CurrentUser(user.id, user.username, user.full_name, Role(user.role), user.workspace_id, slug)
    return SignedIn(token=token, user=current, expires_at=expires_at)


def _forget_old_sessions(s: Session, workspace_id: int, user_id: int, now: datetime) -> None:
    """Drop a user's sessions dead for a day: the table stays small without a clean-up job."""
    day_ago = now - timedelta(days=1)
    s.execute(
        delete(UserSession).where(
            UserSession.workspace_id == workspace_id,
            UserSession.user_id == user_id,
            or_(UserSession.expires_at < day_ago, UserSession.revoked_at < day_ago),
        )
    )


def resolve_session(
    token: str | None,
    now: datetime | None = None,
    *,
    session: Session | None = None,
    policy: AuthPolicy | None = None,
) -> CurrentUser | None:
    """The signed-in user of a session token, or None (unknown, revoked, idle, past its lifetime
    since sign-in, user deactivated).

    The workspace is the session's own (its user's): nothing a page passes can change it.
    """
    if not isinstance(token, str) or not 20 <= len(token) <= 200:
        return None
    now, policy = instant(now), policy or current_policy()
    digest = hash_token(token)
    us, u = UserSession, t.User
    with db.action(session) as s:
        found = s.execute(
            select(us.last_seen_at, u.id, u.username, u.full_name, u.role, u.workspace_id, t.Workspace.slug)
            .join(u, (u.id == us.user_id) & (u.workspace_id == us.workspace_id))
            .join(t.Workspace, t.Workspace.id == us.workspace_id)
            .where(
                us.token_hash == digest,
                us.revoked_at.is_(None),
                us.expires_at > now,
                us.last_seen_at > now - policy.idle_timeout,
                us.created_at > now - policy.lifetime,
                u.is_active,
            )
        ).one_or_none()
        if found is None:
            return None
        if now - found.last_seen_at >= policy.touch_interval:
            s.execute(
                update(us)
                .where(us.token_hash == digest, us.revoked_at.is_(None))
                .values(last_seen_at=now, expires_at=now + policy.idle_timeout)
            )
    _, user_id, username, full_name, role, workspace_id, slug = found
    return CurrentUser(user_id, username, full_name, Role(role), workspace_id, slug)


def sign_out(token: str | None, now: datetime | None = None, *, session: Session | None = None) -> bool:
    """Revoke the session server-side (the cookie is then worthless). True if one was open."""
    if not isinstance(token, str) or not token:
        return False
    now = instant(now)
    with db.action(session) as s:
        revoked = s.execute(
            update(UserSession)
            .where(UserSession.token_hash == hash_token(token), UserSession.revoked_at.is_(None))
            .values(revoked_at=now)
            .returning(UserSession.user_id, UserSession.workspace_id)
        ).one_or_none()
        if revoked is None:
            return False
        user = s.get_one(t.User, revoked.user_id)
        _audit_own(s, user, SIGNED_OUT, {"session": _change("open", "revoked")}, now)
    events.announce_access_change([revoked.user_id])
    return True


# --- the demo dataset switch ---------------------------------------------------------------------


def demo_username(role: Role, workspace_slug: str) -> str:
    """The demo account of a role in a dataset workspace: `manager@demo-13`."""
    return f"{role.value}@{workspace_slug}"


def switch_demo_workspace(
    token: str | None, target_slug: str, now: datetime | None = None, *, session: Session | None = None
) -> CurrentUser:
    """Move a demo session to the same role's demo account in another dataset workspace (the
    sidebar's dataset toggle), keeping the cookie. Only between dataset workspaces (kind demo or
    scale) and only from a demo account: an agency's staff never leave their workspace this way.
    Logged in the target workspace. `PermissionDenied` otherwise."""
    now = instant(now)
    user = resolve_session(token, now, session=session)
    if user is None:
        raise PermissionDenied("Not signed in, or the session has ended: sign in again.")
    with db.action(session) as s:
        kinds = dict(
            s.execute(
                select(t.Workspace.slug, t.Workspace.kind).where(
                    t.Workspace.slug.in_([user.workspace_slug, target_slug])
                )
            ).all()
        )
        if target_slug not in kinds:
            raise NotFound("Workspace", target_slug)
        if WorkspaceKind.AGENCY.value in kinds.values():
            raise PermissionDenied("Only demo datasets can be switched; an agency's workspace is its own.")
        if normalise_username(user.username) != demo_username(user.role, user.workspace_slug):
            raise PermissionDenied(f"{user.username} is not a demo account: sign in to the other dataset.")
        target = s.execute(
            select(t.User)
            .join(t.Workspace, t.Workspace.id == t.User.workspace_id)
            .where(
                t.Workspace.slug == target_slug,
                func.lower(t.User.username) == demo_username(user.role, target_slug),
                t.User.is_active,
                t.User.password_hash.is_not(None),
            )
        ).scalar_one_or_none()
        if target is None:
            raise NotFound("Demo account", demo_username(user.role, target_slug))
        s.execute(
            update(UserSession)
            .where(UserSession.token_hash == hash_token(token or ""), UserSession.revoked_at.is_(None))
            .values(user_id=target.id, workspace_id=target.workspace_id, last_seen_at=now)
        )
        _audit_own(s, target, SWITCHED_DATASET, {"workspace": _change(user.workspace_slug, target_slug)}, now)
    events.announce_access_change([user.user_id])  # its streams belong to the dataset it left
    return CurrentUser(
        target.id, target.username, target.full_name, Role(target.role), target.workspace_id, target_slug
    )


# --- handing a session opened by the script to the browser's cookie -------------------------------

#: How long a ticket can be exchanged for the session cookie, once.
TICKET_SECONDS = 60


def _ticket_key(ticket: str) -> str:
    return f"pl:ticket:{hash_token(ticket)}"


def issue_ticket(token: str) -> str | None:
    """A one-time ticket, valid `TICKET_SECONDS`, that the browser exchanges for the session cookie
    (`GET /auth/sso-session?ticket=…`, api/auth.py): how a session opened inside the script (single
    sign-on) becomes an HttpOnly cookie like any other, so the live stream and every later run
    see it. Only the ticket's hash names the Redis key. None when Redis cannot be reached (the
    script then keeps the session for this browser session only)."""
    ticket = secrets.token_urlsafe(32)
    try:
        cache.get_redis().set(_ticket_key(ticket), token, ex=TICKET_SECONDS)
    except redis.RedisError as error:
        log.warning("sign-in ticket not stored (%s): the session stays in this browser session", error)
        return None
    return ticket


def redeem_ticket(ticket: str | None) -> str | None:
    """The session token of a ticket, once (the ticket is gone after), or None."""
    if not isinstance(ticket, str) or not 20 <= len(ticket) <= 100:
        return None
    try:
        token = cache.get_redis().getdel(_ticket_key(ticket))
    except redis.RedisError as error:
        log.warning("sign-in ticket not redeemed: %s", error)
        return None
    return str(token) if token else None
