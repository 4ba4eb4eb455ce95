"""Accounts and sign-in on real PostgreSQL: argon2id, one refusal message, lockout, sessions, audit.

Every call joins the test's rolled-back transaction (`session=`), and takes an explicit `now`.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline_core.commands import accounts, auth, privacy, sign_in_throttle
from pipeline_core.commands.accounts import DEMO_PASSWORD, SYSTEM
from pipeline_core.commands.auth import SIGN_IN_REFUSED_ID, AuthPolicy, SignInRefused
from pipeline_core.domain.errors import InvalidInput, NotFound, PermissionDenied
from pipeline_core.domain.model import Actor, Role, Workspace, WorkspaceKind
from pipeline_core.reads import activity_log
from pipeline_core.store import schema as t
from pipeline_core.store.schema import UserSession
from pipeline_core.store.workspaces import create_workspace, get_workspace
from tests.builders import NOW, make_jamaah, make_package, make_user

PASSWORD = "kurma-ajwa-2026"
MINUTE = timedelta(minutes=1)


def new_user(
    session: Session, ws: Workspace, username: str = "rina@test-agency", role: Role = Role.MANAGER
) -> int:
    return accounts.create_user(
        session,
        actor=SYSTEM,
        workspace_id=ws.id,
        username=username,
        full_name="Rina Wulandari",
        role=role,
        password=PASSWORD,
        now=NOW,
    )


def sign_in(
    session: Session,
    username: str = "rina@test-agency",
    password: str = PASSWORD,
    *,
    now: datetime = NOW,
    workspace_slug: str | None = None,
    client: str | None = None,
    address: str | None = None,
    policy: AuthPolicy | None = None,
) -> auth.SignedIn:
    return auth.sign_in(
        username=username,
        password=password,
        workspace_slug=workspace_slug,
        now=now,
        client=client,
        address=address,
        session=session,
        policy=policy,
    )


def other_workspace(
    session: Session, slug: str = "other-agency", kind: WorkspaceKind = WorkspaceKind.AGENCY
) -> Workspace:
    create_workspace(session, slug=slug, name=slug.title(), kind=kind)
    return get_workspace(session, slug)


def log_actions(session: Session, ws: Workspace) -> list[str]:
    rows = session.execute(
        select(t.ActivityLog.action).where(t.ActivityLog.workspace_id == ws.id).order_by(t.ActivityLog.id)
    )
    return [action for (action,) in rows]


# --- passwords ----------------------------------------------------------------------------------


def test_passwords_are_stored_as_argon2id_hashes(session: Session, workspace: Workspace) -> None:
    user_id = new_user(session, workspace)
    stored = session.execute(select(t.User.password_hash).where(t.User.id == user_id)).scalar_one()
    assert stored is not None and stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert auth.verify_password(PASSWORD, stored)
    assert not auth.verify_password(PASSWORD + "x", stored)
    assert auth.hash_password(PASSWORD) != stored  # salted


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("pendek123", "at least 10 characters"),
        (" " * 12, "only spaces"),
        ("rina@test-agency", "not be the username"),
        (DEMO_PASSWORD, "public demo password"),
        ("x" * 1025, "at most 1024"),
    ],
)
def test_the_password_policy_explains_each_refusal(
    session: Session, workspace: Workspace, password: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message) as refused:
        accounts.create_user(
            session,
            actor=SYSTEM,
            workspace_id=workspace.id,
            username="rina@test-agency",
            full_name="Rina Wulandari",
            role=Role.MANAGER,
            password=password,
            now=NOW,
        )
    assert refused.value.field == "password"


def test_sign_in_names_are_unique_across_workspaces_but_staff_without_password_may_repeat(
    session: Session, workspace: Workspace
) -> None:
    other = other_workspace(session)
    new_user(session, workspace, "Rina@Amanah")
    with pytest.raises(InvalidInput, match="already taken"):
        new_user(session, other, "rina@amanah")
    make_user(session, other, username="siti.aminah")  # a dataset's staff row: cannot sign in
    assert new_user(session, workspace, "siti.aminah") > 0
    assert session.execute(select(func.count()).where(t.User.username == "rina@amanah")).scalar_one() == 1


# --- sign-in and the one refusal ----------------------------------------------------------------


def test_sign_in_opens_a_session_stored_only_as_a_hash(session: Session, workspace: Workspace) -> None:
    user_id = new_user(session, workspace)
    signed_in = sign_in(session, username="  RINA@test-agency ", client="203.0.113.5 Firefox")
    assert signed_in.user == auth.CurrentUser(
        user_id, "rina@test-agency", "Rina Wulandari", Role.MANAGER, workspace.id, workspace.slug
    )
    assert signed_in.user.actor == Actor(user_id=user_id, name="Rina Wulandari", role=Role.MANAGER)
    assert signed_in.expires_at == NOW + timedelta(hours=8)
    stored = session.execute(select(UserSession.token_hash)).scalars().all()
    assert stored == [hashlib.sha256(signed_in.token.encode()).hexdigest()]
    assert signed_in.token not in stored
    assert auth.resolve_session(signed_in.token, NOW + MINUTE, session=session) == signed_in.user
    last = session.execute(select(t.User.last_sign_in_at).where(t.User.id == user_id)).scalar_one()
    assert last == NOW


def test_wrong_password_unknown_user_and_deactivated_account_get_the_same_refusal(
    session: Session, workspace: Workspace
) -> None:
    user_id = new_user(session, workspace)
    messages = []
    for username, password in [("rina@test-agency", "salah-sandi-123"), ("nobody@nowhere", PASSWORD)]:
        with pytest.raises(SignInRefused) as refused:
            sign_in(session, username, password)
        messages.append(str(refused.value))
    accounts.deactivate_user(session, actor=SYSTEM, workspace_id=workspace.id, user_id=user_id, now=NOW)
    with pytest.raises(SignInRefused) as refused:
        sign_in(session)
    messages.append(str(refused.value))
    assert messages == [SIGN_IN_REFUSED_ID] * 3
    assert SignInRefused.message_en == "Wrong username or password, or the account is temporarily locked."


def test_a_workspace_slug_restricts_the_sign_in_to_that_workspace(
    session: Session, workspace: Workspace
) -> None:
    other = other_workspace(session)
    new_user(session, workspace)
    with pytest.raises(SignInRefused):
        sign_in(session, workspace_slug=other.slug)
    assert sign_in(session, workspace_slug=workspace.slug).user.workspace_id == workspace.id


# --- throttling: growing delays, nobody locked out -------------------------------------------------
# Each test uses its own addresses (documentation ranges): the address counters live in Redis,
# outside the rolled-back transaction.


def _delay_entries(session: Session, ws: Workspace) -> list[tuple[str, str]]:
    rows = session.execute(
        select(t.ActivityLog.changes)
        .where(t.ActivityLog.workspace_id == ws.id, t.ActivityLog.action == "auth.locked")
        .order_by(t.ActivityLog.id)
    ).scalars()
    return [(c["scope"]["new"], c["locked_until"]["new"]) for c in rows]


def test_five_failures_from_one_address_make_it_wait_but_not_the_owner_elsewhere(
    session: Session, workspace: Workspace
) -> None:
    user_id = new_user(session, workspace)
    attacker, owner = "192.0.2.10", "198.51.100.7"
    for attempt in range(5):
        with pytest.raises(SignInRefused):
            sign_in(session, password="bukan-sandinya", now=NOW + attempt * MINUTE, address=attacker)
    fifth = NOW + 4 * MINUTE
    assert _delay_entries(session, workspace) == [("address", (fifth + timedelta(seconds=30)).isoformat())]
    # the attacker's address waits 30 s: even the right password from there is refused meanwhile
    with pytest.raises(SignInRefused, match="terkunci sementara"):
        sign_in(session, now=fifth + timedelta(seconds=29), address=attacker)
    # the owner, from their own address, signs in at once
    assert sign_in(session, now=fifth + timedelta(seconds=1), address=owner).user.user_id == user_id
    assert log_actions(session, workspace) == [
        "auth.user_created",
        *["auth.sign_in_failed"] * 5,
        "auth.locked",
        "auth.sign_in_failed",
        "auth.signed_in",
    ]
    # after the wait the right password works from the attacker's address too
    assert sign_in(session, now=fifth + timedelta(seconds=30), address=attacker).user.user_id == user_id


def test_each_further_failure_doubles_the_wait_up_to_the_lockout(
    session: Session, workspace: Workspace
) -> None:
    new_user(session, workspace)
    address, now = "192.0.2.11", NOW
    waits: list[int] = []
    for _ in range(11):
        with pytest.raises(SignInRefused):
            sign_in(session, password="bukan-sandinya", now=now, address=address)
        entries = _delay_entries(session, workspace)
        if len(entries) > len(waits):
            until = datetime.fromisoformat(entries[-1][1])
            waits.append(int((until - now).total_seconds()))
            now = until  # the next guess comes as soon as it may
    assert waits == [30, 60, 120, 240, 480, 900, 900]


def test_thirty_wrong_passwords_from_one_address_over_ten_accounts_are_slowed_down(
    session: Session, workspace: Workspace
) -> None:
    for n in range(10):
        new_user(session, workspace, username=f"staf{n}@test-agency")
    sprayer, now, unchecked = "192.0.2.12", NOW, 0
    for guess in range(30):
        if sign_in_throttle.address_wait(sprayer, now) is not None:
            unchecked += 1
        with pytest.raises(SignInRefused):
            sign_in(session, f"staf{guess % 10}@test-agency", "bukan-sandinya", now=now, address=sprayer)
        now += timedelta(seconds=2)
    # ten failures pass; then the address waits 1 s, 2 s, 4 s, 8 s, 16 s, 32 s after each further
    # one, and a guess within a wait is refused before any account is looked up or password checked
    checked = session.execute(
        select(func.count())
        .select_from(t.ActivityLog)
        .where(t.ActivityLog.workspace_id == workspace.id, t.ActivityLog.action == "auth.sign_in_failed")
    ).scalar_one()
    assert (checked, unchecked) == (15, 15)
    # the accounts' owners are not held back from their own addresses
    assert sign_in(session, "staf3@test-agency", now=now, address="198.51.100.8")
    # and a super-admin sees who was guessed at, from where
    attempts = activity_log.sign_in_attempts(workspace, since=NOW, session=session)
    assert len(attempts) == 15 and {a.address for a in attempts} == {sprayer}
    assert {a.account for a in attempts} == {f"staf{n}@test-agency" for n in range(10)}


def test_guesses_spread_over_many_addresses_delay_the_account_a_minute_at_most(
    session: Session, workspace: Workspace
) -> None:
    user_id = new_user(session, workspace)
    now = NOW
    for n in range(27):  # 27 addresses, one guess each, two minutes apart: no address ever waits
        now += 2 * MINUTE
        with pytest.raises(SignInRefused):
            sign_in(session, password="bukan-sandinya", now=now, address=f"203.0.113.{n}")
    # from the 21st failure the account waits 1 s, 2 s, … doubling: the 27th would be 64 s, capped
    locked_until = session.execute(select(t.User.locked_until).where(t.User.id == user_id)).scalar_one()
    assert locked_until == now + MINUTE
    with pytest.raises(SignInRefused):
        sign_in(session, now=now + timedelta(seconds=59), address="198.51.100.9")
    assert sign_in(session, now=now + MINUTE, address="198.51.100.9").user.user_id == user_id
    state = session.execute(
        select(t.User.failed_attempts, t.User.locked_until).where(t.User.id == user_id)
    ).one()
    assert tuple(state) == (0, None)


def test_a_password_reset_lifts_the_delays(session: Session, workspace: Workspace) -> None:
    user_id = new_user(session, workspace)
    boss = Actor(user_id=None, name="Pak Budi", role=Role.SUPER_ADMIN)
    address = "192.0.2.14"
    for _ in range(5):
        with pytest.raises(SignInRefused):
            sign_in(session, password="bukan-sandinya", address=address)
    assert sign_in_throttle.pair_wait(user_id, address, NOW) is not None
    accounts.reset_password(
        session, actor=boss, workspace_id=workspace.id, user_id=user_id, password="sandi-baru-2026", now=NOW
    )
    assert sign_in(session, password="sandi-baru-2026", address=address).user.user_id == user_id


def test_the_limits_are_configurable(session: Session, workspace: Workspace) -> None:
    new_user(session, workspace)
    strict = AuthPolicy(max_failed_attempts=2, lockout=timedelta(minutes=1))
    address = "192.0.2.13"
    with pytest.raises(SignInRefused):
        sign_in(session, password="bukan-sandinya", policy=strict, address=address)
    sign_in(session, policy=strict, address=address)  # a success forgets this address's failures
    for _ in range(2):
        with pytest.raises(SignInRefused):
            sign_in(session, password="bukan-sandinya", policy=strict, address=address)
    with pytest.raises(SignInRefused):
        sign_in(session, policy=strict, now=NOW + timedelta(seconds=29), address=address)
    assert sign_in(session, policy=strict, now=NOW + timedelta(seconds=30), address=address)


# --- sessions -----------------------------------------------------------------------------------


def _last_seen(session: Session) -> object:
    return session.execute(select(UserSession.last_seen_at)).scalar_one()


def test_an_idle_session_expires_and_activity_keeps_it_alive(session: Session, workspace: Workspace) -> None:
    new_user(session, workspace)
    token = sign_in(session).token
    busy = AuthPolicy(lifetime=timedelta(days=30))  # the idle rule alone, not the absolute lifetime
    assert auth.resolve_session(token, NOW + timedelta(seconds=30), session=session, policy=busy) is not None
    assert _last_seen(session) == NOW  # touched at most once a minute
    later = NOW + timedelta(hours=7, minutes=59)
    assert auth.resolve_session(token, later, session=session, policy=busy) is not None
    assert _last_seen(session) == later
    assert auth.resolve_session(
        token, later + timedelta(hours=8) - timedelta(seconds=1), session=session, policy=busy
    )
    # nothing since the last touch for 8 hours: gone, server-side
    idle = later + timedelta(hours=8) - timedelta(seconds=1) + timedelta(hours=8)
    assert auth.resolve_session(token, idle, session=session, policy=busy) is None
    short = AuthPolicy(idle_timeout=timedelta(minutes=30))
    fresh = sign_in(session, now=NOW).token
    assert auth.resolve_session(fresh, NOW + timedelta(minutes=31), session=session, policy=short) is None


def test_a_session_ends_at_its_lifetime_however_busy(session: Session, workspace: Workspace) -> None:
    """The absolute lifetime (PIPELINE_SESSION_MAX_HOURS, 12 by default) on top of the idle one."""
    new_user(session, workspace)
    token = sign_in(session).token
    for minutes in range(30, 12 * 60, 30):  # in use every half hour, all day
        assert auth.resolve_session(token, NOW + timedelta(minutes=minutes), session=session) is not None
    assert auth.resolve_session(token, NOW + timedelta(hours=12) - timedelta(seconds=1), session=session)
    assert auth.resolve_session(token, NOW + timedelta(hours=12), session=session) is None
    short = AuthPolicy(lifetime=timedelta(hours=1))
    fresh = sign_in(session, now=NOW).token
    assert auth.resolve_session(fresh, NOW + timedelta(minutes=59), session=session, policy=short)
    assert auth.resolve_session(fresh, NOW + timedelta(minutes=61), session=session, policy=short) is None


def test_sign_out_revokes_the_session_server_side(session: Session, workspace: Workspace) -> None:
    new_user(session, workspace)
    token = sign_in(session).token
    assert auth.sign_out(token, NOW + MINUTE, session=session) is True
    assert auth.resolve_session(token, NOW + 2 * MINUTE, session=session) is None
    assert auth.sign_out(token, NOW + 3 * MINUTE, session=session) is False
    assert session.execute(select(UserSession.revoked_at)).scalar_one() == NOW + MINUTE
    assert log_actions(session, workspace)[-2:] == ["auth.signed_in", "auth.signed_out"]


@pytest.mark.parametrize("token", [None, "", "short", "x" * 500, "a-token-that-was-never-issued-123456"])
def test_tokens_that_were_not_issued_resolve_to_nobody(session: Session, token: str | None) -> None:
    assert auth.resolve_session(token, NOW, session=session) is None


def test_a_session_of_one_workspace_never_resolves_to_another(session: Session, workspace: Workspace) -> None:
    other = other_workspace(session)
    new_user(session, workspace, "rina@test-agency")
    new_user(session, other, "rina@other-agency")
    mine = auth.resolve_session(sign_in(session, "rina@test-agency").token, NOW, session=session)
    theirs = auth.resolve_session(sign_in(session, "rina@other-agency").token, NOW, session=session)
    assert mine is not None and theirs is not None
    assert (mine.workspace_id, mine.workspace_slug) == (workspace.id, workspace.slug)
    assert (theirs.workspace_id, theirs.workspace_slug) == (other.id, other.slug)
    assert log_actions(session, workspace).count("auth.signed_in") == 1
    assert log_actions(session, other).count("auth.signed_in") == 1


def test_deactivation_and_password_reset_end_every_session_and_a_role_change_applies_at_once(
    session: Session, workspace: Workspace
) -> None:
    admin_id = new_user(session, workspace, "boss@test-agency", Role.SUPER_ADMIN)
    boss = Actor(user_id=admin_id, name="Boss", role=Role.SUPER_ADMIN)
    user_id = new_user(session, workspace, "dewi@test-agency", Role.VISA_ADMIN)
    token = sign_in(session, "dewi@test-agency").token
    accounts.change_role(
        session, actor=boss, workspace_id=workspace.id, user_id=user_id, role="document-admin", now=NOW
    )
    changed = auth.resolve_session(token, NOW, session=session)
    assert changed is not None and changed.role is Role.DOCUMENT_ADMIN
    accounts.reset_password(
        session, actor=boss, workspace_id=workspace.id, user_id=user_id, password="sandi-baru-2026", now=NOW
    )
    assert auth.resolve_session(token, NOW, session=session) is None
    token = sign_in(session, "dewi@test-agency", "sandi-baru-2026").token
    accounts.deactivate_user(session, actor=boss, workspace_id=workspace.id, user_id=user_id, now=NOW)
    assert auth.resolve_session(token, NOW, session=session) is None
    assert [a for a in log_actions(session, workspace) if a.startswith("auth.") and "sign" not in a] == [
        "auth.user_created",
        "auth.user_created",
        "auth.role_changed",
        "auth.password_reset",
        "auth.user_deactivated",
    ]


# --- managing accounts --------------------------------------------------------------------------


def test_only_a_super_admin_of_the_same_workspace_manages_accounts(
    session: Session, workspace: Workspace
) -> None:
    other = other_workspace(session)
    outsider_id = new_user(session, other, "boss@other-agency", Role.SUPER_ADMIN)
    manager = Actor(user_id=None, name="Rina", role=Role.MANAGER)
    with pytest.raises(PermissionDenied, match="'manager' may not manage users"):
        new_user_as(session, workspace, manager)
    outsider = Actor(user_id=outsider_id, name="Boss Lain", role=Role.SUPER_ADMIN)
    with pytest.raises(PermissionDenied, match="not an active member"):
        new_user_as(session, workspace, outsider)
    assert accounts.list_users(session, actor=SYSTEM, workspace_id=workspace.id) == []


def new_user_as(session: Session, ws: Workspace, actor: Actor) -> int:
    return accounts.create_user(
        session,
        actor=actor,
        workspace_id=ws.id,
        username="new@test-agency",
        full_name="Staf Baru",
        role=Role.VISA_ADMIN,
        password=PASSWORD,
        now=NOW,
    )


def test_a_workspace_keeps_one_active_super_admin_and_nobody_deactivates_themselves(
    session: Session, workspace: Workspace
) -> None:
    admin_id = new_user(session, workspace, "boss@test-agency", Role.SUPER_ADMIN)
    boss = Actor(user_id=admin_id, name="Boss", role=Role.SUPER_ADMIN)
    with pytest.raises(InvalidInput, match="your own account"):
        accounts.deactivate_user(session, actor=boss, workspace_id=workspace.id, user_id=admin_id, now=NOW)
    with pytest.raises(InvalidInput, match="last active super-admin"):
        accounts.change_role(
            session, actor=boss, workspace_id=workspace.id, user_id=admin_id, role=Role.MANAGER, now=NOW
        )
    with pytest.raises(InvalidInput, match="Unknown role 'owner'"):
        accounts.change_role(
            session, actor=boss, workspace_id=workspace.id, user_id=admin_id, role="owner", now=NOW
        )
    with pytest.raises(NotFound):
        accounts.change_role(
            session, actor=boss, workspace_id=workspace.id, user_id=admin_id + 999, role="manager", now=NOW
        )
    listed = accounts.list_users(session, actor=boss, workspace_id=workspace.id)
    assert [(u.username, u.role, u.can_sign_in) for u in listed] == [
        ("boss@test-agency", Role.SUPER_ADMIN, True)
    ]


# --- demo accounts ------------------------------------------------------------------------------


def test_demo_accounts_one_per_role_reusing_dataset_staff_and_idempotent(session: Session) -> None:
    demo = other_workspace(session, "demo-auth", WorkspaceKind.DEMO)
    visa_id = make_user(
        session, demo, role=Role.VISA_ADMIN, full_name="Dewi Lestari", username="dewi.lestari"
    )
    first = accounts.ensure_demo_accounts(session, demo.id, demo.slug)
    assert [(a.username, a.role) for a in first] == [
        (f"{role.value}@demo-auth", role)
        for role in (
            Role.MANAGER,
            Role.DOCUMENT_ADMIN,
            Role.SISKOPATUH_ADMIN,
            Role.VISA_ADMIN,
            Role.LOGISTICS_ADMIN,
            Role.TRAVEL_ADMIN,
            Role.SUPER_ADMIN,
        )
    ]
    assert next(a for a in first if a.role is Role.VISA_ADMIN).full_name == "Dewi Lestari"
    ids = dict(
        session.execute(select(t.User.username, t.User.id).where(t.User.workspace_id == demo.id)).all()
    )
    assert ids["visa-admin@demo-auth"] == visa_id and len(ids) == 7
    assert accounts.ensure_demo_accounts(session, demo.id, demo.slug) == first
    assert (
        dict(session.execute(select(t.User.username, t.User.id).where(t.User.workspace_id == demo.id)).all())
        == ids
    )
    for account in first:
        assert sign_in(session, account.username, DEMO_PASSWORD).user.role is account.role


def test_no_demo_account_in_an_agency_workspace(session: Session, workspace: Workspace) -> None:
    with pytest.raises(PermissionDenied, match="real data"):
        accounts.ensure_demo_accounts(session, workspace.id, workspace.slug)
    with pytest.raises(NotFound):
        accounts.ensure_demo_accounts(session, workspace.id, "another-slug")


# --- personal data ------------------------------------------------------------------------------


def test_only_a_manager_reveals_personal_data_and_the_reveal_is_on_the_timeline(
    session: Session, workspace: Workspace
) -> None:
    package_id = make_package(session, workspace)
    jamaah = make_jamaah(session, workspace, package_id=package_id).jamaah
    manager = Actor(user_id=None, name="Rina Manajer", role=Role.MANAGER)
    revealed = privacy.reveal_identity(
        session, workspace_id=workspace.id, actor=manager, jamaah_id=jamaah.id, now=NOW
    )
    assert (revealed.nik, revealed.passport_number) == (jamaah.nik, jamaah.passport_number)
    entry = session.execute(
        select(t.ActivityLog).where(t.ActivityLog.action == "jamaah.personal_data_revealed")
    ).scalar_one()
    assert (entry.jamaah_id, entry.actor, entry.occurred_at) == (jamaah.id, "Rina Manajer", NOW)
    assert jamaah.nik not in str(entry.changes)
    for role in (Role.SUPER_ADMIN, Role.DOCUMENT_ADMIN):
        with pytest.raises(PermissionDenied, match="reveal personal data"):
            privacy.reveal_identity(
                session, workspace_id=workspace.id, actor=Actor(None, "X", role), jamaah_id=jamaah.id, now=NOW
            )
    with pytest.raises(NotFound):
        privacy.reveal_identity(
            session, workspace_id=workspace.id, actor=manager, jamaah_id=jamaah.id + 10**6, now=NOW
        )
    other = other_workspace(session)
    outsider = Actor(new_user(session, other, "rina@other-agency"), "Rina Lain", Role.MANAGER)
    with pytest.raises(PermissionDenied, match="not an active member"):
        privacy.reveal_identity(
            session, workspace_id=workspace.id, actor=outsider, jamaah_id=jamaah.id, now=NOW
        )
