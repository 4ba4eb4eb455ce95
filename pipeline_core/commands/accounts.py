"""Staff accounts: create, change role, deactivate, reset password, list; and the demo accounts.

Managing accounts is the super-admin's (`manage_users`), inside their own workspace. The command
line's first account and the demo seeding act as `SYSTEM` (no user behind it). Each function is one
action on the caller's session and commits it, as services.py does; every change is written to the
activity log (entity "user", never a password or hash) in the same transaction.

Choices:
- Usernames are stored lower-case: 3–64 characters, letters, digits and `. _ @ + -`. A name that
  can sign in is unique across all workspaces (see auth.py), so `rina@agency-slug` is the shape
  we suggest.
- A password has at least 10 characters (and at most 1024), is not only spaces and is not the
  username. The public demo password is refused in an agency's (real) workspace.
- The last active super-admin of a workspace can be neither demoted nor deactivated, and nobody
  deactivates their own account: a workspace never locks itself out.
- Deactivating a user or resetting their password ends all their sessions at once; a role change
  takes effect on their next page run (the session reads the role live).
- Demo accounts (`<role>@<dataset>`, password `demo12345!`) exist only in demo and scale
  workspaces, never in an agency's. Seeding them is not an activity-log event, like the rest of the
  dataset.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from pipeline_core.commands import sign_in_throttle
from pipeline_core.commands.auth import (
    audit,
    demo_username,
    hash_password,
    normalise_username,
    verify_password,
)
from pipeline_core.domain import validation
from pipeline_core.domain.clock import instant
from pipeline_core.domain.errors import InvalidInput, NotFound, PermissionDenied
from pipeline_core.domain.model import Actor, Role, WorkspaceKind
from pipeline_core.domain.permissions import ROLE_ORDER, Action, require
from pipeline_core.store import db, events
from pipeline_core.store import schema as t
from pipeline_core.store.schema import UserSession

__all__ = [
    "DEMO_PASSWORD",
    "SYSTEM",
    "DemoAccount",
    "DemoWorkspace",
    "UserAccount",
    "change_role",
    "check_password",
    "check_username",
    "create_user",
    "deactivate_user",
    "demo_sign_ins",
    "demo_username",
    "ensure_demo_accounts",
    "list_users",
    "require_member",
    "reset_password",
    "revoke_user_sessions",
]

SYSTEM = Actor(user_id=None, name="sistem", role=Role.SUPER_ADMIN)
DEMO_PASSWORD = "demo12345!"
PASSWORD_MIN, PASSWORD_MAX = 10, 1024
#: zxcvbn's score (0-4) a password must reach; only its first characters are rated (its cost grows
#: with length, and a phrase that long is strong anyway).
PASSWORD_SCORE_MIN, PASSWORD_RATED = 3, 72  # zxcvbn 4.5 rates at most 72 characters
#: Words an attacker tries first on an Umrah agency's accounts.
GUESSABLE_WORDS = ("umrah", "umroh", "haji", "jamaah", "travel", "agency", "pipeline", "bismillah")
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@+-]{2,63}$")
DEMO_NAMES = {
    Role.MANAGER: "Demo Manajer Operasional",
    Role.DOCUMENT_ADMIN: "Demo Admin Dokumen",
    Role.SISKOPATUH_ADMIN: "Demo Admin SISKOPATUH",
    Role.VISA_ADMIN: "Demo Admin Visa",
    Role.LOGISTICS_ADMIN: "Demo Admin Logistik",
    Role.TRAVEL_ADMIN: "Demo Admin Perjalanan",
    Role.SUPER_ADMIN: "Demo Super Admin",
}


@dataclass(frozen=True, slots=True)
class UserAccount:
    id: int
    username: str
    full_name: str
    role: Role
    email: str | None
    is_active: bool
    can_sign_in: bool
    locked_until: datetime | None
    last_sign_in_at: datetime | None


@dataclass(frozen=True, slots=True)
class DemoAccount:
    username: str
    role: Role
    full_name: str


# --- checks -------------------------------------------------------------------------------------


def check_username(raw: str) -> str:
    name = normalise_username(raw or "")
    if not USERNAME_PATTERN.fullmatch(name):
        raise InvalidInput(
            "username",
            "A username has 3 to 64 characters: letters, digits and . _ @ + -, starting with a letter "
            "or digit, e.g. rina@agency-name.",
        )
    return name


def check_password(password: str, *, username: str, full_name: str | None = None) -> None:
    """Long enough, storable, and not easy to guess (zxcvbn's estimate, score 3 of 4 at least,
    knowing the person's name and username: `password123`, `1234567890`, `aaaaaaaaaa` and
    `Rina Wulandari 2026` are all refused, each with the reason)."""
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        raise InvalidInput("password", f"A password needs at least {PASSWORD_MIN} characters.")
    if len(password) > PASSWORD_MAX:
        raise InvalidInput("password", f"A password has at most {PASSWORD_MAX} characters.")
    if not password.strip():
        raise InvalidInput("password", "A password cannot be only spaces.")
    if validation.has_hidden_characters(password):
        raise InvalidInput("password", "A password cannot hold invisible control characters.")
    if password.strip().lower() == username.lower():
        raise InvalidInput("password", "The password must not be the username.")
    name = full_name or ""
    hints = [username, *username.replace("@", " ").replace(".", " ").split(), name, *name.split()]
    guess = zxcvbn(password[:PASSWORD_RATED], user_inputs=[*hints, *GUESSABLE_WORDS])
    if guess["score"] < PASSWORD_SCORE_MIN:
        why = guess["feedback"]["warning"] or "It follows a pattern that is easy to guess."
        raise InvalidInput(
            "password",
            f"This password is too easy to guess. {why.rstrip('.')}. Use a longer phrase of several "
            "unrelated words, e.g. kurma-ajwa-lipat-tujuh.",
        )


def _role(value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError:
        names = ", ".join(role.value for role in ROLE_ORDER)
        raise InvalidInput("role", f"Unknown role {value!r}: choose one of {names}.") from None


def _workspace_kind(s: Session, workspace_id: int) -> WorkspaceKind:
    kind = s.execute(select(t.Workspace.kind).where(t.Workspace.id == workspace_id)).scalar_one_or_none()
    if kind is None:
        raise NotFound("Workspace", workspace_id)
    return WorkspaceKind(kind)


def _refuse_public_password(s: Session, workspace_id: int, password: str) -> None:
    if password == DEMO_PASSWORD and _workspace_kind(s, workspace_id) is WorkspaceKind.AGENCY:
        raise InvalidInput("password", "This is the public demo password: choose another one.")


def _name_taken(s: Session, name: str, workspace_id: int, *, other_than: int | None = None) -> bool:
    """Taken in this workspace (any user) or, as a sign-in name, in any workspace."""
    same = func.lower(t.User.username) == name
    query = select(t.User.id).where(
        same, or_(t.User.workspace_id == workspace_id, t.User.password_hash.is_not(None))
    )
    if other_than is not None:
        query = query.where(t.User.id != other_than)
    return s.execute(query.limit(1)).first() is not None


def require_member(s: Session, actor: Actor, workspace_id: int) -> None:
    """A signed-in actor acts only in their own workspace, whatever workspace id a page passes.

    `Actor(user_id=None, …)` is the system (command line, seeding): no membership to check.
    """
    if actor.user_id is None:
        return
    member = s.execute(
        select(t.User.id).where(
            t.User.id == actor.user_id, t.User.workspace_id == workspace_id, t.User.is_active
        )
    ).one_or_none()
    if member is None:
        raise PermissionDenied(f"{actor.name} is not an active member of workspace {workspace_id}.")


def _may_manage(s: Session, actor: Actor, workspace_id: int) -> None:
    require(actor.role, Action.MANAGE_USERS)
    require_member(s, actor, workspace_id)


@contextlib.contextmanager
def _action(s: Session) -> Iterator[None]:
    """The caller's session, committed at the end or rolled back on any error."""
    with db.translate_errors():
        try:
            yield
            s.commit()
        except BaseException:
            s.rollback()
            raise


def _load(s: Session, workspace_id: int, user_id: int) -> t.User:
    user = s.execute(
        select(t.User).where(t.User.workspace_id == workspace_id, t.User.id == user_id).with_for_update()
    ).scalar_one_or_none()
    if user is None:
        raise NotFound("User", user_id)
    return user


def _keep_a_super_admin(s: Session, user: t.User) -> None:
    if user.role != Role.SUPER_ADMIN.value or not user.is_active:
        return
    others = s.execute(
        select(func.count()).where(
            t.User.workspace_id == user.workspace_id,
            t.User.role == Role.SUPER_ADMIN.value,
            t.User.is_active,
            t.User.id != user.id,
        )
    ).scalar_one()
    if others == 0:
        raise InvalidInput(
            "role", f"{user.full_name} is the last active super-admin of this workspace: make another first."
        )


def _log(
    s: Session,
    actor: Actor,
    workspace_id: int,
    user_id: int,
    action: str,
    changes: dict[str, Any],
    now: datetime,
) -> None:
    audit(
        s,
        workspace_id=workspace_id,
        actor=actor.name,
        action=action,
        user_id=user_id,
        changes=changes,
        now=now,
    )


def revoke_user_sessions(s: Session, workspace_id: int, user_id: int, now: datetime) -> int:
    """End every open session of a user; in the caller's transaction. Returns how many."""
    result = s.execute(
        update(UserSession)
        .where(
            UserSession.workspace_id == workspace_id,
            UserSession.user_id == user_id,
            UserSession.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- commands -----------------------------------------------------------------------------------


def create_user(
    session: Session,
    *,
    actor: Actor,
    workspace_id: int,
    username: str,
    full_name: str,
    role: Role | str,
    password: str,
    email: str | None = None,
    now: datetime | None = None,
) -> int:
    """A new member of staff who can sign in; returns the user id."""
    now = instant(now)
    with _action(session):
        _may_manage(session, actor, workspace_id)
        name, new_role = check_username(username), _role(role)
        check_password(password, username=name, full_name=full_name)
        full = " ".join(validation.clean_text("full_name", full_name or "", 200).split())
        if not full:
            raise InvalidInput("full_name", "Write the person's full name (at most 200 characters).")
        email = validation.text_field("email", email, 254)
        if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            raise InvalidInput(
                "email", "Write an e-mail address such as rina@agency.co.id, or leave it empty."
            )
        _refuse_public_password(session, workspace_id, password)
        if _name_taken(session, name, workspace_id):
            raise InvalidInput("username", f"The username {name!r} is already taken: choose another.")
        user_id = session.execute(
            insert(t.User)
            .values(
                workspace_id=workspace_id,
                username=name,
                full_name=full,
                role=new_role.value,
                email=email,
                password_hash=hash_password(password),
            )
            .returning(t.User.id)
        ).scalar_one()
        changes = {"username": {"old": None, "new": name}, "role": {"old": None, "new": new_role.value}}
        _log(session, actor, workspace_id, user_id, "auth.user_created", changes, now)
    return int(user_id)


def change_role(
    session: Session,
    *,
    actor: Actor,
    workspace_id: int,
    user_id: int,
    role: Role | str,
    now: datetime | None = None,
) -> None:
    now = instant(now)
    with _action(session):
        _may_manage(session, actor, workspace_id)
        new_role = _role(role)
        user = _load(session, workspace_id, user_id)
        if user.role == new_role.value:
            return
        if new_role is not Role.SUPER_ADMIN:
            _keep_a_super_admin(session, user)
        changes = {"role": {"old": user.role, "new": new_role.value}}
        user.role = new_role.value
        _log(session, actor, workspace_id, user_id, "auth.role_changed", changes, now)
    events.announce_access_change([user_id])  # their open streams follow the new role


def deactivate_user(
    session: Session, *, actor: Actor, workspace_id: int, user_id: int, now: datetime | None = None
) -> None:
    """The user can no longer sign in; their open sessions end now. Their history stays."""
    now = instant(now)
    with _action(session):
        _may_manage(session, actor, workspace_id)
        if actor.user_id == user_id:
            raise InvalidInput("user_id", "You cannot deactivate your own account; ask another super-admin.")
        user = _load(session, workspace_id, user_id)
        if not user.is_active:
            return
        _keep_a_super_admin(session, user)
        user.is_active = False
        ended = revoke_user_sessions(session, workspace_id, user_id, now)
        changes = {"is_active": {"old": True, "new": False}, "sessions_ended": {"old": None, "new": ended}}
        _log(session, actor, workspace_id, user_id, "auth.user_deactivated", changes, now)
    events.announce_access_change([user_id])


def reset_password(
    session: Session,
    *,
    actor: Actor,
    workspace_id: int,
    user_id: int,
    password: str,
    now: datetime | None = None,
) -> None:
    """A new password (also unlocks the account); every open session of the user ends."""
    now = instant(now)
    with _action(session):
        _may_manage(session, actor, workspace_id)
        user = _load(session, workspace_id, user_id)
        name = normalise_username(user.username)
        check_password(password, username=name, full_name=user.full_name)
        _refuse_public_password(session, workspace_id, password)
        if _name_taken(session, name, workspace_id, other_than=user.id):
            raise InvalidInput(
                "username", f"Another account already signs in as {name!r}: this user needs another username."
            )
        user.username, user.password_hash = name, hash_password(password)
        user.failed_attempts, user.locked_until = 0, None
        sign_in_throttle.forget_account(user_id)
        ended = revoke_user_sessions(session, workspace_id, user_id, now)
        changes = {"password": {"old": None, "new": "reset"}, "sessions_ended": {"old": None, "new": ended}}
        _log(session, actor, workspace_id, user_id, "auth.password_reset", changes, now)
    events.announce_access_change([user_id])


def list_users(session: Session, *, actor: Actor, workspace_id: int) -> list[UserAccount]:
    """The workspace's staff for the user-management page: active first, then by role and name."""
    with db.translate_errors():
        _may_manage(session, actor, workspace_id)
        rows = session.execute(select(t.User).where(t.User.workspace_id == workspace_id)).scalars().all()
    order = {role.value: index for index, role in enumerate(ROLE_ORDER)}
    rows = sorted(rows, key=lambda u: (not u.is_active, order.get(u.role, 99), u.full_name, u.id))
    return [
        UserAccount(
            u.id,
            u.username,
            u.full_name,
            Role(u.role),
            u.email,
            u.is_active,
            u.password_hash is not None,
            u.locked_until,
            u.last_sign_in_at,
        )
        for u in rows
    ]


# --- demo accounts ------------------------------------------------------------------------------


def ensure_demo_accounts(session: Session, workspace_id: int, workspace_slug: str) -> list[DemoAccount]:
    """One account per role in a demo workspace, password `DEMO_PASSWORD`; idempotent.

    An existing user of the role (the dataset's first, active ones first) becomes the demo account:
    renamed `<role>@<slug>`, given the demo password, unlocked and active. Missing roles get a new
    user. Returns the accounts in role order, for the sign-in page to list.
    """
    kind = session.execute(
        select(t.Workspace.kind).where(t.Workspace.id == workspace_id, t.Workspace.slug == workspace_slug)
    ).scalar_one_or_none()
    if kind is None:
        raise NotFound("Workspace", workspace_slug)
    if WorkspaceKind(kind) is WorkspaceKind.AGENCY:
        raise PermissionDenied(
            f"'{workspace_slug}' holds an agency's real data: demo accounts are for datasets."
        )
    demo_hash: str | None = None
    verified: dict[str, bool] = {}  # one argon2 check per distinct hash: the demo accounts share one
    accounts = []
    with _action(session):
        for role in ROLE_ORDER:
            name = demo_username(role, workspace_slug)
            of_workspace = t.User.workspace_id == workspace_id
            user = session.execute(
                select(t.User)
                .where(of_workspace, or_(func.lower(t.User.username) == name, t.User.role == role.value))
                .order_by((func.lower(t.User.username) == name).desc(), t.User.is_active.desc(), t.User.id)
                .limit(1)
                .with_for_update()
            ).scalar_one_or_none()
            if user is None:
                user = t.User(
                    workspace_id=workspace_id, username=name, full_name=DEMO_NAMES[role], role=role.value
                )
                session.add(user)
            current = user.password_hash
            if current is not None and current not in verified:
                verified[current] = verify_password(DEMO_PASSWORD, current)
            if current is None or not verified[current]:
                demo_hash = demo_hash or hash_password(DEMO_PASSWORD)
                user.password_hash = demo_hash
            user.username, user.role, user.is_active = name, role.value, True
            user.failed_attempts, user.locked_until = 0, None
            session.flush()
            accounts.append(DemoAccount(username=name, role=role, full_name=user.full_name))
    return accounts


@dataclass(frozen=True, slots=True)
class DemoWorkspace:
    slug: str
    name: str
    accounts: list[DemoAccount]


def demo_sign_ins() -> list[DemoWorkspace]:
    """The demo accounts the sign-in page lists: per dataset workspace (never an agency's), the
    active `<role>@<slug>` accounts that can sign in, in role order. Empty in production."""
    with db.read_session() as s:
        rows = s.execute(
            select(t.Workspace.slug, t.Workspace.name, t.User.username, t.User.role, t.User.full_name)
            .join(t.User, t.User.workspace_id == t.Workspace.id)
            .where(
                t.Workspace.kind != WorkspaceKind.AGENCY.value,
                t.User.is_active,
                t.User.password_hash.is_not(None),
                func.lower(t.User.username) == func.concat(t.User.role, "@", t.Workspace.slug),
            )
            .order_by(t.Workspace.kind, t.Workspace.slug)  # demo-13, demo-2000, then scale
        ).all()
    order = {role: index for index, role in enumerate(ROLE_ORDER)}
    found: dict[str, DemoWorkspace] = {}
    for slug, name, username, role, full_name in rows:
        entry = found.setdefault(slug, DemoWorkspace(slug=slug, name=name, accounts=[]))
        entry.accounts.append(DemoAccount(username=username, role=Role(role), full_name=full_name))
    for entry in found.values():
        entry.accounts.sort(key=lambda account: order[account.role])
    return list(found.values())
