"""NIK and passport numbers encrypted at rest (issue 15 item 8, UU 27/2022).

`jamaah.nik` / `jamaah.passport_number` (clear text) become `nik_encrypted` / `passport_encrypted`
(AES-256-GCM blobs) and `nik_hash` / `passport_hash` (HMAC-SHA256 keyed hashes: the unique NIK per
workspace, the exact passport search). Existing rows are sealed in place, 5,000 at a time, with the
app's own key loading (`PII_KEY`, or the embedded default's key file); on an empty database no key
is needed. Activity-log entries that recorded a NIK or passport number in clear (enrolments) are
masked the way every read already showed them. The downgrade decrypts back into the clear columns
(the masked log entries stay masked: a mask cannot be undone).

Revision ID: 0010_pii_encryption
Revises: 0009_documents
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, BYTEA, JSONB

revision: str = "0010_pii_encryption"
down_revision: str | None = "0009_documents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000

_SEAL = sa.text(
    """UPDATE jamaah j SET nik_encrypted = v.ne, nik_hash = v.nh, passport_encrypted = v.pe, passport_hash = v.ph
       FROM unnest(:ids, :ne, :nh, :pe, :ph) AS v(id, ne, nh, pe, ph) WHERE j.id = v.id"""
).bindparams(
    sa.bindparam("ids", type_=ARRAY(sa.BigInteger)),
    *(sa.bindparam(name, type_=ARRAY(BYTEA)) for name in ("ne", "nh", "pe", "ph")),
)
_OPEN = sa.text(
    """UPDATE jamaah j SET nik = v.nik, passport_number = v.passport
       FROM unnest(:ids, :niks, :passports) AS v(id, nik, passport) WHERE j.id = v.id"""
).bindparams(
    sa.bindparam("ids", type_=ARRAY(sa.BigInteger)),
    sa.bindparam("niks", type_=ARRAY(sa.String)),
    sa.bindparam("passports", type_=ARRAY(sa.String)),
)


def _batches(connection: sa.Connection, query: str) -> Any:
    """Rows of `query` (which selects `id` first and takes `:after`) in id order, BATCH at a time."""
    after = 0
    while True:
        rows = connection.execute(sa.text(query), {"after": after, "n": BATCH}).all()
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def _seal_rows(connection: sa.Connection) -> None:
    from pipeline_core.store import jamaah_identity, pii_crypto
    from pipeline_core.store.config import get_settings

    query = "SELECT id, nik, passport_number FROM jamaah WHERE id > :after ORDER BY id LIMIT :n"
    keyring = None
    for rows in _batches(connection, query):
        keyring = keyring or pii_crypto.load_keyring(get_settings())
        sealed = [
            (*jamaah_identity.seal_nik(nik, keyring=keyring), *jamaah_identity.seal_passport(pp, keyring=keyring))
            for _, nik, pp in rows
        ]
        connection.execute(
            _SEAL,
            {
                "ids": [row[0] for row in rows],
                **{name: [s[i] for s in sealed] for i, name in enumerate(("ne", "nh", "pe", "ph"))},
            },
        )


def _mask_activity(connection: sa.Connection) -> None:
    from pipeline_core.domain.privacy import mask_changes

    query = (
        "SELECT id, changes FROM activity_log WHERE id > :after AND (changes ? 'nik' OR changes ? 'passport_number')"
        " ORDER BY id LIMIT :n"
    )
    statement = sa.text("UPDATE activity_log SET changes = :changes WHERE id = :id").bindparams(
        sa.bindparam("changes", type_=JSONB)
    )
    for rows in _batches(connection, query):
        connection.execute(statement, [{"id": id_, "changes": mask_changes(changes)} for id_, changes in rows])


def upgrade() -> None:
    connection = op.get_bind()
    for name in ("nik_encrypted", "nik_hash", "passport_encrypted", "passport_hash"):
        op.add_column("jamaah", sa.Column(name, sa.LargeBinary(), nullable=True))
    _seal_rows(connection)
    _mask_activity(connection)
    op.drop_constraint(op.f("uq_jamaah_workspace_id_nik"), "jamaah", type_="unique")
    op.drop_constraint(op.f("ck_jamaah_nik"), "jamaah", type_="check")
    op.drop_index(op.f("ix_jamaah_passport"), table_name="jamaah")
    op.drop_column("jamaah", "nik")
    op.drop_column("jamaah", "passport_number")
    op.alter_column("jamaah", "nik_encrypted", nullable=False)
    op.alter_column("jamaah", "nik_hash", nullable=False)
    op.create_unique_constraint(op.f("uq_jamaah_workspace_id_nik_hash"), "jamaah", ["workspace_id", "nik_hash"])
    op.create_check_constraint(op.f("ck_jamaah_nik_hash"), "jamaah", "octet_length(nik_hash) = 32")
    op.create_check_constraint(
        op.f("ck_jamaah_passport_sealed"), "jamaah", "(passport_encrypted IS NULL) = (passport_hash IS NULL)"
    )
    op.create_index(op.f("ix_jamaah_passport"), "jamaah", ["workspace_id", "passport_hash"])


def downgrade() -> None:
    from pipeline_core.store import jamaah_identity, pii_crypto
    from pipeline_core.store.config import get_settings

    connection = op.get_bind()
    op.add_column("jamaah", sa.Column("nik", sa.String(length=16), nullable=True))
    op.add_column("jamaah", sa.Column("passport_number", sa.String(length=16), nullable=True))
    query = "SELECT id, nik_encrypted, passport_encrypted FROM jamaah WHERE id > :after ORDER BY id LIMIT :n"
    keyring = None
    for rows in _batches(connection, query):
        keyring = keyring or pii_crypto.load_keyring(get_settings())
        connection.execute(
            _OPEN,
            {
                "ids": [row[0] for row in rows],
                "niks": [jamaah_identity.open_nik(row[1], keyring=keyring) for row in rows],
                "passports": [jamaah_identity.open_passport(row[2], keyring=keyring) for row in rows],
            },
        )
    op.drop_index(op.f("ix_jamaah_passport"), table_name="jamaah")
    op.drop_constraint(op.f("ck_jamaah_passport_sealed"), "jamaah", type_="check")
    op.drop_constraint(op.f("ck_jamaah_nik_hash"), "jamaah", type_="check")
    op.drop_constraint(op.f("uq_jamaah_workspace_id_nik_hash"), "jamaah", type_="unique")
    for name in ("nik_encrypted", "nik_hash", "passport_encrypted", "passport_hash"):
        op.drop_column("jamaah", name)
    op.alter_column("jamaah", "nik", nullable=False)
    op.create_unique_constraint(op.f("uq_jamaah_workspace_id_nik"), "jamaah", ["workspace_id", "nik"])
    op.create_check_constraint(op.f("ck_jamaah_nik"), "jamaah", "nik ~ '^[0-9]{16}$'")
    op.create_index(op.f("ix_jamaah_passport"), "jamaah", ["workspace_id", "passport_number"])
