"""Key rotation for the personal data at rest: every jamaah's NIK and passport number re-encrypted
and re-hashed, then every document scan re-encrypted, under the current key (`python -m
pipeline_core rotate-pii-key`).

The rows still under another key are found by the key id every blob starts with
(`pii_crypto.key_id_of`), so the rotation is resumable by construction: run it again after an
interruption and it takes up the rows it had not reached. Each batch is one transaction (rows
locked `FOR UPDATE`, so an edit at the same moment waits a few milliseconds, never loses its
change); a batch interrupted half-way is rolled back whole. While it runs the app keeps working:
reads open either key's blobs, searches and the duplicate-NIK check look for every readable key's
hash (docs/operations.md, "Rotating the PII key").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import BigInteger, LargeBinary, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY, BYTEA
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from pipeline_core.store import db, jamaah_identity, pii_crypto, scans
from pipeline_core.store import schema as t
from pipeline_core.store.pii_crypto import Keyring

__all__ = ["BATCH", "RotationReport", "remaining", "rotate_pii_key"]

BATCH = 1000
Progress = Callable[[int, int], None]

_J = t.Jamaah
_SEALED = ("ne", "nh", "pe", "ph")
#: One UPDATE per batch (arrays of the new values), not one per row.
_RESEAL = text(
    """UPDATE jamaah j SET nik_encrypted = v.ne, nik_hash = v.nh, passport_encrypted = v.pe,
                          passport_hash = v.ph
       FROM unnest(:ids, :ne, :nh, :pe, :ph) AS v(id, ne, nh, pe, ph) WHERE j.id = v.id"""
).bindparams(
    bindparam("ids", type_=ARRAY(BigInteger)),
    *(bindparam(name, type_=ARRAY(BYTEA)) for name in _SEALED),
)


def _stale(keyring: Keyring) -> ColumnElement[bool]:
    """Rows with a NIK or passport blob not under the current key."""
    current = bindparam("current", keyring.current.key_id, type_=LargeBinary)
    return (func.substring(_J.nik_encrypted, 2, pii_crypto.KEY_ID_BYTES) != current) | (
        _J.passport_encrypted.is_not(None)
        & (func.substring(_J.passport_encrypted, 2, pii_crypto.KEY_ID_BYTES) != current)
    )


@dataclass(frozen=True, slots=True)
class RotationReport:
    rotated: int  # jamaah rows re-encrypted by this run
    remaining: int  # jamaah rows still under another key afterwards (0: done)
    scans: int = 0  # document scans re-encrypted by this run


def remaining(session: Session, keyring: Keyring | None = None) -> int:
    """How many jamaah rows (all workspaces) still hold a blob under an old key."""
    ring = keyring or pii_crypto.get_keyring()
    return int(session.execute(select(func.count()).select_from(_J).where(_stale(ring))).scalar_one())


def _rotate_batch(session: Session, keyring: Keyring, after: int, size: int) -> tuple[int, int]:
    """Re-seal up to `size` stale rows with id > `after`; (rows done, last id)."""
    rows = session.execute(
        select(_J.id, _J.nik_encrypted, _J.passport_encrypted)
        .where(_J.id > after, _stale(keyring))
        .order_by(_J.id)
        .limit(size)
        .with_for_update()
    ).all()
    if not rows:
        return 0, after
    sealed = []
    for row in rows:
        nik = jamaah_identity.open_nik(row.nik_encrypted, keyring=keyring) or ""
        passport = jamaah_identity.open_passport(row.passport_encrypted, keyring=keyring)
        sealed.append(
            (
                *jamaah_identity.seal_nik(nik, keyring=keyring),
                *jamaah_identity.seal_passport(passport, keyring=keyring),
            )
        )
    session.execute(
        _RESEAL,
        {"ids": [row.id for row in rows], **{name: [s[i] for s in sealed] for i, name in enumerate(_SEALED)}},
    )
    return len(rows), rows[-1].id


def rotate_pii_key(
    *, keyring: Keyring | None = None, batch: int = BATCH, progress: Progress | None = None
) -> RotationReport:
    """Re-encrypt and re-hash every row not under the current key, one transaction per batch;
    `progress(done, total)` after each batch."""
    ring = keyring or pii_crypto.get_keyring()
    with db.read_session() as session:
        total = remaining(session, ring)
    done, after = 0, 0
    while True:
        with db.transaction() as session:
            session.execute(text("SET LOCAL lock_timeout = '10s'"))
            count, after = _rotate_batch(session, ring, after, batch)
        if count == 0:
            break
        done += count
        if progress is not None:
            progress(done, total)
    sealed_scans = 0
    while True:  # the document scans (issue 19), a batch of 50 files per transaction
        with db.transaction() as session:
            count = scans.reencrypt_scans(session, ring)
        if count == 0:
            break
        sealed_scans += count
    with db.read_session() as session:
        left = remaining(session, ring)
    return RotationReport(rotated=done, remaining=left, scans=sealed_scans)
