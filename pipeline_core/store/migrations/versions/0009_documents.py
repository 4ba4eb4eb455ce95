"""The document checklist (issue 19): one row per jamaah per required document, and
`workspaces.required_documents` (the kinds an agency requires; NULL = the default list).

Existing jamaah get their checklist here (a backfill, not lazily: the task card, the table editor
and the stage gates then read one kind of data). The required kinds follow `domain/documents.py`
as it stood at this revision: passport, KTP, KK, passport photo, meningitis certificate for every
jamaah, plus the marriage book / mahram letter for a woman under 45 on the departure date without a
companion. The status follows the jamaah's history: `verified` once their document-verification
stage was completed, `received` once document collection was, `missing` otherwise (a jamaah still
in collection has nothing recorded yet: the desk ticks what it holds).

Revision ID: 0009_documents
Revises: 0008_intake
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_documents"
down_revision: str | None = "0008_intake"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("passport", "ktp", "kk", "passport_photo", "meningitis_certificate", "mahram_letter")
STATUSES = ("missing", "received", "verified", "rejected")

BACKFILL = """
WITH done AS (
    SELECT si.jamaah_id,
           bool_or(ps.code = 'document-collection') AS collected,
           bool_or(ps.code = 'document-verification') AS verified
    FROM stage_instances si
    JOIN pipeline_stages ps ON ps.workspace_id = si.workspace_id AND ps.id = si.stage_id
    WHERE si.status = 'completed' AND ps.code IN ('document-collection', 'document-verification')
    GROUP BY si.jamaah_id
)
INSERT INTO jamaah_documents (workspace_id, jamaah_id, kind, status)
SELECT j.workspace_id, j.id, k.kind,
       CASE WHEN done.verified THEN 'verified' WHEN done.collected THEN 'received' ELSE 'missing' END
FROM jamaah j
JOIN packages p ON p.workspace_id = j.workspace_id AND p.id = j.package_id
CROSS JOIN (VALUES ('passport'), ('ktp'), ('kk'), ('passport_photo'), ('meningitis_certificate'),
                   ('mahram_letter')) AS k(kind)
LEFT JOIN done ON done.jamaah_id = j.id
WHERE k.kind <> 'mahram_letter'
   OR (j.gender = 'P' AND j.companion_id IS NULL AND age(p.departure_date, j.birth_date) < interval '45 years')
"""


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "jamaah_documents",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("jamaah_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default="missing", nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("updated_by", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(_in("kind", KINDS), name=op.f("ck_jamaah_documents_kind")),
        sa.CheckConstraint(_in("status", STATUSES), name=op.f("ck_jamaah_documents_status")),
        sa.CheckConstraint("(status = 'rejected') = (reason IS NOT NULL)", name=op.f("ck_jamaah_documents_reason")),
        sa.ForeignKeyConstraint(
            ["workspace_id", "jamaah_id"],
            ["jamaah.workspace_id", "jamaah.id"],
            name=op.f("fk_jamaah_documents_workspace_id_jamaah_id_jamaah"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "jamaah_id", "kind", name=op.f("pk_jamaah_documents")),
    )
    op.execute(BACKFILL)
    op.add_column("workspaces", sa.Column("required_documents", sa.ARRAY(sa.Text()), nullable=True))


def downgrade() -> None:
    op.drop_column("workspaces", "required_documents")
    op.drop_table("jamaah_documents")
