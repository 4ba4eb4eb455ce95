"""Document scans (issue 19): at most one scan per jamaah and checklist document, encrypted.

`sealed` holds the file encrypted with the PII key (`store/pii_crypto.py`, AES-256-GCM, context
`document.scan`): 33 bytes more than the file. Its storage is EXTERNAL: PostgreSQL keeps it out of
line (TOAST) without trying to compress it, since ciphertext does not compress. The content type
is the one the file's first bytes announce (`domain/scans.py`). No hash of the plaintext is kept.

Revision ID: 0011_document_scans
Revises: 0010_pii_encryption
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_document_scans"
down_revision: str | None = "0010_pii_encryption"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("passport", "ktp", "kk", "passport_photo", "meningitis_certificate", "mahram_letter")
TYPES = ("application/pdf", "image/jpeg", "image/png")


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "document_scans",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("jamaah_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("content_type", sa.Text(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.Text(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_in("kind", KINDS), name=op.f("ck_document_scans_kind")),
        sa.CheckConstraint(_in("content_type", TYPES), name=op.f("ck_document_scans_content_type")),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_document_scans_size")),
        sa.ForeignKeyConstraint(
            ["workspace_id", "jamaah_id"],
            ["jamaah.workspace_id", "jamaah.id"],
            name=op.f("fk_document_scans_workspace_id_jamaah_id_jamaah"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "jamaah_id", "kind", name=op.f("pk_document_scans")),
    )
    op.execute("ALTER TABLE document_scans ALTER COLUMN sealed SET STORAGE EXTERNAL")


def downgrade() -> None:
    op.drop_table("document_scans")
