"""Intake (issue 19): the SISKOPATUH template's fields on jamaah; departure groups' flights and status.

Every new jamaah column is nullable (a jamaah enrolled before keeps working); identity type and
nationality default to the template's NIK and WNI. The dropdown columns whose values DOMAIN.md
fixes (title, identity type, nationality, marital status) are CHECKed; education and occupation are
checked in the domain only (`domain/siskopatuh.py`), since their lists may grow without a migration.

Revision ID: 0008_intake
Revises: 0007_api_tokens
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_intake"
down_revision: str | None = "0007_api_tokens"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT_COLUMNS = (
    "title",
    "passport_name",
    "father_name",
    "passport_city",
    "birth_place",
    "address",
    "province",
    "regency",
    "district",
    "village",
    "home_phone",
    "marital_status",
    "education",
    "occupation",
    "visa_provider",
    "visa_number",
    "insurance_provider",
    "insurance_policy_number",
    "bpjs_number",
)
DATE_COLUMNS = (
    "visa_valid_from",
    "visa_valid_until",
    "insurance_input_date",
    "insurance_start_date",
    "insurance_end_date",
)
CHECKS = {
    "title": "title IS NULL OR title IN ('TUAN', 'NYONYA', 'NONA')",
    "identity_type": "identity_type IS NULL OR identity_type IN ('NIK', 'PASPOR', 'KITAP')",
    "nationality": "nationality IS NULL OR nationality IN ('WNI', 'WNA')",
    "marital_status": (
        "marital_status IS NULL OR marital_status IN ('BELUM MENIKAH', 'MENIKAH', 'JANDA / DUDA')"
    ),
}


def upgrade() -> None:
    for name in TEXT_COLUMNS:
        op.add_column("jamaah", sa.Column(name, sa.Text(), nullable=True))
    op.add_column("jamaah", sa.Column("identity_type", sa.Text(), server_default="NIK", nullable=True))
    op.add_column("jamaah", sa.Column("nationality", sa.Text(), server_default="WNI", nullable=True))
    for name in DATE_COLUMNS:
        op.add_column("jamaah", sa.Column(name, sa.Date(), nullable=True))
    for name, condition in CHECKS.items():
        op.create_check_constraint(op.f(f"ck_jamaah_{name}"), "jamaah", condition)
    op.add_column("packages", sa.Column("flight_numbers", sa.Text(), nullable=True))
    op.add_column("packages", sa.Column("status", sa.Text(), server_default="open", nullable=False))
    op.create_check_constraint(op.f("ck_packages_status"), "packages", "status IN ('open', 'closed')")


def downgrade() -> None:
    op.drop_constraint(op.f("ck_packages_status"), "packages", type_="check")
    op.drop_column("packages", "status")
    op.drop_column("packages", "flight_numbers")
    for name in CHECKS:
        op.drop_constraint(op.f(f"ck_jamaah_{name}"), "jamaah", type_="check")
    for name in (*TEXT_COLUMNS, "identity_type", "nationality", *DATE_COLUMNS):
        op.drop_column("jamaah", name)
