"""Builders for test data: packages, users and enrolled jamaah with sensible defaults.

Each builder takes the test's session and workspace and returns what a test needs (an id or the
command's result); keyword overrides change only what the test is about.

The builders commit, as a user action would. Inside the `session` fixture a commit only releases
a savepoint (the test's outer transaction still rolls everything back), and it keeps the setup —
including the `workspace` fixture's rows — safe from a command under test that fails and rolls
its own transaction back.
"""

from __future__ import annotations

import itertools
import json
import time
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from pipeline_core.commands.enrolment import Enrolment, enroll_jamaah
from pipeline_core.domain.model import Actor, Gender, Role, Workspace
from pipeline_core.store import cache, events, jamaah_identity
from pipeline_core.store import schema as t

#: A fixed instant: 29 Nov 2026, 10:00 in Jakarta.
NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
DEPARTURE = date(2027, 3, 1)  # about three months after NOW: every stage fits its SLA

MANAGER = Actor(user_id=None, name="Rina Manajer", role=Role.MANAGER)

_serial = itertools.count(1)


def unique_nik(born: date = date(1970, 5, 1), gender: Gender | str = Gender.MALE) -> str:
    """A 16-digit NIK no other builder call has used in this test run, encoding `born` and `gender`
    as a real one does (DDMMYY, the day + 40 for a woman; region 31 74 xx: Jakarta Barat)."""
    n = next(_serial)
    day = born.day + (40 if str(getattr(gender, "value", gender)) in ("P", "F", "female") else 0)
    return f"3174{n // 10000 % 8 + 1:02d}{day:02d}{born.month:02d}{born.year % 100:02d}{n % 10000:04d}"


def make_package(
    session: Session,
    workspace: Workspace,
    *,
    departure_date: date = DEPARTURE,
    days: int = 9,
    name: str = "Umroh Reguler 9 Hari",
    code: str | None = None,
    airline: str = "Saudia",
    quota: int = 45,
    price_idr: int = 35_000_000,
) -> int:
    package_id = session.execute(
        insert(t.Package)
        .values(
            workspace_id=workspace.id,
            code=code or f"PKG-{next(_serial):05d}",
            name=name,
            departure_date=departure_date,
            return_date=departure_date + timedelta(days=days - 1),
            airline=airline,
            quota=quota,
            price_idr=price_idr,
        )
        .returning(t.Package.id)
    ).scalar_one()
    session.commit()
    return package_id


def make_user(
    session: Session,
    workspace: Workspace,
    *,
    role: Role = Role.DOCUMENT_ADMIN,
    full_name: str = "Siti Aminah",
    username: str | None = None,
    is_active: bool = True,
) -> int:
    user_id = session.execute(
        insert(t.User)
        .values(
            workspace_id=workspace.id,
            username=username or f"user{next(_serial)}",
            full_name=full_name,
            role=role.value,
            is_active=is_active,
        )
        .returning(t.User.id)
    ).scalar_one()
    session.commit()
    return user_id


def jamaah_fields(**overrides: Any) -> dict[str, Any]:
    """Valid enrolment fields (a fresh NIK each call); overrides replace any of them."""
    fields: dict[str, Any] = {
        "full_name": "Ahmad Hidayat",
        "gender": Gender.MALE,
        "birth_date": date(1970, 5, 1),
        "phone": "0812-3456-7890",
        "passport_number": "C1234567",
        "passport_issue_date": date(2024, 2, 1),
        "passport_expiry_date": date(2034, 2, 1),
    } | overrides
    if "nik" not in fields:
        born = fields["birth_date"] if isinstance(fields["birth_date"], date) else date(1970, 5, 1)
        fields["nik"] = unique_nik(born, fields["gender"])
    return fields


def make_jamaah(
    session: Session,
    workspace: Workspace,
    *,
    package_id: int | None = None,
    actor: Actor = MANAGER,
    now: datetime = NOW,
    documents: str | None = "verified",
    **overrides: Any,
) -> Enrolment:
    """Enrol a jamaah through the real command (a new package unless one is given).

    `documents`: the status its checklist is then set to directly (no log, no event), so a test
    about the stages after the document desk can complete them; None keeps them `missing`.
    """
    if package_id is None:
        package_id = make_package(session, workspace)
    enrolment = enroll_jamaah(
        session=session,
        workspace=workspace,
        actor=actor,
        package_id=package_id,
        now=now,
        **jamaah_fields(**overrides),
    )
    if documents is not None:
        session.execute(
            update(t.JamaahDocument)
            .where(t.JamaahDocument.jamaah_id == enrolment.jamaah.id)
            .values(status=documents)
        )
        session.commit()
    return enrolment


# --- reading back what a command wrote ------------------------------------------------------


def snapshot_row(session: Session, jamaah_id: int) -> Any:
    return session.execute(
        select(t.JamaahPipelineStatus.__table__).where(t.JamaahPipelineStatus.jamaah_id == jamaah_id)
    ).one()


def instance_row(session: Session, instance_id: int) -> Any:
    return session.execute(select(t.StageInstance.__table__).where(t.StageInstance.id == instance_id)).one()


def activity_entries(session: Session, workspace: Workspace) -> list[Any]:
    return list(
        session.execute(
            select(t.ActivityLog.__table__)
            .where(t.ActivityLog.workspace_id == workspace.id)
            .order_by(t.ActivityLog.id)
        ).all()
    )


def stored_jamaah(session: Session, *where: Any) -> list[SimpleNamespace]:
    """`jamaah` rows as the table holds them, NIK and passport decrypted (`nik`, `passport_number`)
    beside the sealed columns, ordered by NIK: what a test compares with what went in."""
    rows = session.execute(select(t.Jamaah.__table__).where(*where)).mappings()
    opened = [SimpleNamespace(**(dict(row) | jamaah_identity.unseal(row))) for row in rows]
    return sorted(opened, key=lambda row: (row.nik, row.id))


def count_rows(session: Session, table: Any, **where: Any) -> int:
    query = select(func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(getattr(table, column) == value)
    return session.execute(query).scalar_one()


def stream_entries(workspace: Workspace) -> list[dict[str, Any]]:
    entries = cache.get_redis().xrange(events.stream_key(workspace.id))
    assert entries is not None  # an empty list when nothing was published
    published = []
    for _, fields in entries:
        assert fields is not None  # every entry `events.publish` appends has its fields
        published.append(json.loads(fields["event"]))
    return published


def listen(pubsub: Any, *, count: int, seconds: float = 5.0) -> list[dict[str, Any]]:
    """The next `count` messages on the subscribed channel (the subscribe reply is skipped)."""
    deadline = time.monotonic() + seconds
    heard: list[dict[str, Any]] = []
    while len(heard) < count and time.monotonic() < deadline:
        message = pubsub.get_message(timeout=0.2)
        if message is not None:
            heard.append(json.loads(message["data"]))
    return heard


def stages_of(session: Session, workspace: Workspace) -> list[Any]:
    return list(
        session.execute(
            select(t.PipelineStage.__table__)
            .where(t.PipelineStage.workspace_id == workspace.id)
            .order_by(t.PipelineStage.position)
        ).all()
    )


def documents_ready(session: Session, jamaah_id: int, status: str = "verified") -> None:
    """Set a jamaah's whole checklist to `status` directly (test set-up: no log, no event), so a
    test about completing tasks can complete their document stages too."""
    session.execute(
        update(t.JamaahDocument)
        .where(t.JamaahDocument.jamaah_id == jamaah_id)
        .values(status=status, reason=None)
    )
    session.commit()
