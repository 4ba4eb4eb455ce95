"""The logged reveal: the only way to read a jamaah's full NIK and passport number for display.

`reveal_identity` checks `reveal_personal_data` (managers) and writes
`jamaah.personal_data_revealed` to the jamaah's timeline in the same transaction. Masking and log
redaction are pure and live in `pipeline_core.domain.privacy`; the numbers are stored encrypted and
opened here (`store/jamaah_identity.py`), after the permission check and before the commit (a key
that does not open them fails the reveal, logged nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from pipeline_core.commands.accounts import require_member
from pipeline_core.domain.clock import instant
from pipeline_core.domain.errors import NotFound
from pipeline_core.domain.model import Actor
from pipeline_core.domain.permissions import Action, require
from pipeline_core.store import jamaah_identity
from pipeline_core.store import schema as t
from pipeline_core.store.db import translate_errors

__all__ = ["REVEALED_ACTION", "RevealedIdentity", "reveal_identity"]

REVEALED_ACTION = "jamaah.personal_data_revealed"


# --- the logged reveal ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RevealedIdentity:
    jamaah_id: int
    nik: str
    passport_number: str | None


def reveal_identity(
    session: Session, *, workspace_id: int, actor: Actor, jamaah_id: int, now: datetime | None = None
) -> RevealedIdentity:
    """A manager asks to see a jamaah's full NIK and passport number: checked, logged, committed.

    The log entry goes on the jamaah's timeline (who, when); the numbers themselves are not logged.
    """
    require(actor.role, Action.REVEAL_PERSONAL_DATA)
    now = instant(now)
    with translate_errors():
        try:
            require_member(session, actor, workspace_id)
            row = session.execute(
                select(t.Jamaah.nik_encrypted, t.Jamaah.passport_encrypted).where(
                    t.Jamaah.workspace_id == workspace_id, t.Jamaah.id == jamaah_id
                )
            ).one_or_none()
            if row is None:
                raise NotFound("Jamaah", jamaah_id)
            nik = jamaah_identity.open_nik(row.nik_encrypted) or ""
            passport_number = jamaah_identity.open_passport(row.passport_encrypted)
            session.execute(
                insert(t.ActivityLog).values(
                    workspace_id=workspace_id,
                    occurred_at=now,
                    actor=actor.name,
                    action=REVEALED_ACTION,
                    entity_type="jamaah",
                    entity_id=jamaah_id,
                    jamaah_id=jamaah_id,
                    changes={"revealed": {"old": None, "new": ["nik", "passport_number"]}},
                )
            )
            session.commit()
        except Exception:
            session.rollback()
            raise
    return RevealedIdentity(jamaah_id=jamaah_id, nik=nik, passport_number=passport_number)
