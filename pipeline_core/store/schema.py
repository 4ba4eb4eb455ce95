"""The PostgreSQL schema as SQLAlchemy 2 declarative tables; Alembic's target metadata.

Every row belongs to a workspace (one agency or one dataset). Child tables reference their parent
through a composite foreign key `(workspace_id, parent_id)`, so the database itself refuses a task
whose jamaah lives in another workspace — scoping is not left to the queries alone.

Enumerated words are `text` columns with CHECK constraints (not PostgreSQL enums): adding a value
is a one-line migration and a downgrade never has to drop a type in use.

Why each index exists is said next to it; the read side (`queries.py`) relies on them:
- the dashboard counts run over `jamaah_pipeline_status` (one row per jamaah), never over history;
- the task queue reads one page of open tasks through a partial index in queue order;
- `stage_completion_totals` and `bottleneck_daily` are summaries kept current so that
  "average completion days" and "stuck 7 days ago" never scan `stage_instances`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    Float,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from pipeline_core.domain.documents import DocStatus, DocumentKind
from pipeline_core.domain.model import (
    Gender,
    Priority,
    Role,
    StageCategory,
    WorkspaceKind,
    WorkStatus,
)
from pipeline_core.domain.scans import ScanType

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _one_of(column: str, values: Any) -> str:
    words = ", ".join(f"'{v.value}'" for v in values)
    return f"{column} IN ({words})"


OPEN_WORK = "status <> 'completed'"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _ws_fk(columns: list[str], parent: str, *, ondelete: str = "CASCADE") -> ForeignKeyConstraint:
    """A composite FK (workspace_id, x_id) -> parent(workspace_id, id): scoping in the schema."""
    return ForeignKeyConstraint(
        ["workspace_id", *columns],
        [f"{parent}.workspace_id", f"{parent}.id"],
        ondelete=ondelete,
    )


class Workspace(Base):
    __tablename__ = "workspaces"
    __table_args__ = (
        CheckConstraint(_one_of("kind", WorkspaceKind), name="kind"),
        CheckConstraint("slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'", name="slug"),
        CheckConstraint("at_risk_buffer_days BETWEEN 0 AND 60", name="buffer"),
        CheckConstraint("min_stuck >= 1", name="min_stuck"),
        CheckConstraint("passport_warning_months BETWEEN 6 AND 24", name="passport_warning"),
    )

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(Text, server_default="Asia/Jakarta")
    at_risk_buffer_days: Mapped[int] = mapped_column(SmallInteger, server_default="3")
    min_stuck: Mapped[int] = mapped_column(SmallInteger, server_default="5")
    # The hard stop is 6 months after departure; an agency may warn earlier (DOMAIN.md).
    passport_warning_months: Mapped[int] = mapped_column(SmallInteger, server_default="6")
    # Generated datasets: the agency day they were laid out for (demo data is re-laid daily).
    seeded_on: Mapped[date | None] = mapped_column(Date)
    # issue 19 (revision 0009): the document kinds the agency requires; NULL = the default list.
    required_documents: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class User(Base):
    """A member of staff of one workspace (sign-in comes with its own migration)."""

    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("workspace_id", "id"),
        UniqueConstraint("workspace_id", "username"),
        CheckConstraint(_one_of("role", Role), name="role"),
        CheckConstraint("failed_attempts >= 0", name="failed_attempts"),
        ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        # sign-in names: unique across workspaces, case-insensitive, among users who can sign in.
        Index(
            "uq_users_sign_in_name",
            text("lower(username)"),
            unique=True,
            postgresql_where=text("password_hash IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # sign-in (migration 0002, pipeline_core/commands/auth.py): no password_hash = cannot sign in.
    password_hash: Mapped[str | None] = mapped_column(Text)
    failed_attempts: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PipelineVersion(Base):
    """One saved configuration of a workspace's pipeline; the newest is the current one."""

    __tablename__ = "pipeline_versions"
    __table_args__ = (
        UniqueConstraint("workspace_id", "id"),
        UniqueConstraint("workspace_id", "version_no"),
        CheckConstraint("version_no >= 1", name="version_no"),
        ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
    )

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(Integer)
    version_no: Mapped[int] = mapped_column(Integer)
    template_code: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # revision 0006: where the version came from ("template:umrah-2026", "draft", "rollback",
    # "import") and the version it was edited from (the head when its draft began).
    source: Mapped[str | None] = mapped_column(Text)
    based_on_no: Mapped[int | None] = mapped_column(Integer)


class PipelineDraft(Base):
    """An edit of the pipeline in progress (revision 0006): stage rows as JSON, checked on every
    save and at publish. `revision` guards the draft against two saves from stale screens; the
    pipeline's head (its newest `version_no`) guards the publish."""

    __tablename__ = "pipeline_drafts"
    __table_args__ = (
        UniqueConstraint("workspace_id", "id"),
        CheckConstraint("revision >= 1", name="revision"),
        ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        # the open drafts of a workspace, newest first.
        Index(
            "ix_pipeline_drafts_open",
            "workspace_id",
            "updated_at",
            postgresql_where=text("published_no IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(Text)
    author_user_id: Mapped[int | None] = mapped_column(Integer)
    base_version_no: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    stages: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    note: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer, server_default="1")
    published_no: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PipelineMigration(Base):
    """Jamaah moved from one version to another (revision 0006), in batches of one transaction.

    Retrying continues where it stopped: it moves the jamaah still on `from_version_id`.
    """

    __tablename__ = "pipeline_migrations"
    __table_args__ = (
        UniqueConstraint("workspace_id", "id"),
        CheckConstraint("status IN ('running', 'completed')", name="status"),
        CheckConstraint("moved >= 0", name="moved"),
        _ws_fk(["from_version_id"], "pipeline_versions"),
        _ws_fk(["to_version_id"], "pipeline_versions"),
        _ws_fk(["package_id"], "packages", ondelete="SET NULL (package_id)"),
        Index("ix_pipeline_migrations_started", "workspace_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(Integer)
    from_version_id: Mapped[int] = mapped_column(Integer)
    to_version_id: Mapped[int] = mapped_column(Integer)
    package_id: Mapped[int | None] = mapped_column(Integer)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(Text)
    moved: Mapped[int] = mapped_column(Integer, server_default="0")
    started_by: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PipelineStage(Base):
    __tablename__ = "pipeline_stages"
    __table_args__ = (
        UniqueConstraint("workspace_id", "id"),
        UniqueConstraint("pipeline_version_id", "code"),
        UniqueConstraint("pipeline_version_id", "position"),
        CheckConstraint(_one_of("category", StageCategory), name="category"),
        CheckConstraint(_one_of("responsible_role", Role), name="responsible_role"),
        CheckConstraint("sla_hours BETWEEN 1 AND 8760", name="sla_hours"),
        CheckConstraint("done_by_days IS NULL OR done_by_days BETWEEN 0 AND 365", name="done_by"),
        CheckConstraint("position >= 1", name="position"),
        CheckConstraint("code ~ '^[a-z0-9][a-z0-9-]*$'", name="code"),
        _ws_fk(["pipeline_version_id"], "pipeline_versions"),
    )

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(Integer)
    pipeline_version_id: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(SmallInteger)
    code: Mapped[str] = mapped_column(String(64))
    name_id: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(Text)
    sla_hours: Mapped[int] = mapped_column(Integer)
    responsible_role: Mapped[str] = mapped_column(Text)
    done_by_days: Mapped[int | None] = mapped_column(SmallInteger)
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))


class Package(Base):
    """A package and its departure group (rombongan): everyone on it leaves the same day."""

    __tablename__ = "packages"
    __table_args__ = (
        UniqueConstraint("workspace_id", "id"),
        UniqueConstraint("workspace_id", "code"),
        CheckConstraint("return_date > departure_date", name="return_after_departure"),
        CheckConstraint("quota >= 1", name="quota"),
        CheckConstraint("price_idr >= 0", name="price"),
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        # upcoming_departures: groups leaving in a date window.
        Index("ix_packages_departure", "workspace_id", "departure_date"),
    )

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(Text)
    departure_date: Mapped[date] = mapped_column(Date)
    return_date: Mapped[date] = mapped_column(Date)
    airline: Mapped[str] = mapped_column(Text)
    quota: Mapped[int] = mapped_column(Integer)
    price_idr: Mapped[int] = mapped_column(BigInteger)
    # issue 19: the flights (free text, e.g. "SV 817 / SV 816") and whether it still takes jamaah.
    flight_numbers: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, server_default="open")


class Jamaah(Base):
    __tablename__ = "jamaah"
    __table_args__ = (
        UniqueConstraint("workspace_id", "id"),
        # NIK is the national identity number: one person, one record per agency. It is kept
        # encrypted, so uniqueness holds on its keyed hash (store/jamaah_identity.py).
        UniqueConstraint("workspace_id", "nik_hash"),
        CheckConstraint("octet_length(nik_hash) = 32", name="nik_hash"),
        CheckConstraint("(passport_encrypted IS NULL) = (passport_hash IS NULL)", name="passport_sealed"),
        CheckConstraint("phone ~ '^\\+628[0-9]{7,11}$'", name="phone"),
        CheckConstraint(_one_of("gender", Gender), name="gender"),
        CheckConstraint("full_name ~ '\\S+\\s+\\S+'", name="full_name_two_words"),
        # the SISKOPATUH dropdowns DOMAIN.md fixes; education/occupation are checked in the domain.
        CheckConstraint("title IS NULL OR title IN ('TUAN', 'NYONYA', 'NONA')", name="title"),
        CheckConstraint(
            "identity_type IS NULL OR identity_type IN ('NIK', 'PASPOR', 'KITAP')", name="identity_type"
        ),
        CheckConstraint("nationality IS NULL OR nationality IN ('WNI', 'WNA')", name="nationality"),
        CheckConstraint(
            "marital_status IS NULL OR marital_status IN ('BELUM MENIKAH', 'MENIKAH', 'JANDA / DUDA')",
            name="marital_status",
        ),
        CheckConstraint(
            "passport_expiry_date IS NULL OR passport_issue_date IS NULL"
            " OR passport_expiry_date > passport_issue_date",
            name="passport_dates",
        ),
        _ws_fk(["package_id"], "packages"),
        _ws_fk(["pipeline_version_id"], "pipeline_versions"),
        _ws_fk(["companion_id"], "jamaah", ondelete="SET NULL (companion_id)"),
        # the roster of a departure group (departures drill-down).
        Index("ix_jamaah_package", "workspace_id", "package_id"),
        # deleting a jamaah looks up who named them as companion (ON DELETE SET NULL).
        Index(
            "ix_jamaah_companion",
            "workspace_id",
            "companion_id",
            postgresql_where=text("companion_id IS NOT NULL"),
        ),
        # search by passport number (its keyed hash) or phone: exact match.
        Index("ix_jamaah_passport", "workspace_id", "passport_hash"),
        Index("ix_jamaah_phone", "workspace_id", "phone"),
        # search by name: word-prefix full-text match (pg_trgm is not in every PostgreSQL build).
        Index(
            "ix_jamaah_name_search",
            text("to_tsvector('simple', full_name)"),
            postgresql_using="gin",
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(Integer)
    full_name: Mapped[str] = mapped_column(Text)
    gender: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    # NIK and passport number at rest: AES-256-GCM blobs and HMAC-SHA256 keyed hashes, never clear
    # (UU 27/2022; store/pii_crypto.py, store/jamaah_identity.py, migration 0010).
    nik_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    nik_hash: Mapped[bytes] = mapped_column(LargeBinary)
    phone: Mapped[str] = mapped_column(String(16))
    passport_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    passport_hash: Mapped[bytes | None] = mapped_column(LargeBinary)
    passport_issue_date: Mapped[date | None] = mapped_column(Date)
    passport_expiry_date: Mapped[date | None] = mapped_column(Date)
    package_id: Mapped[int] = mapped_column(Integer)
    pipeline_version_id: Mapped[int] = mapped_column(Integer)
    companion_id: Mapped[int | None] = mapped_column(BigInteger)
    agent_name: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # issue 19: the SISKOPATUH template's fields (domain/siskopatuh.py), all optional.
    title: Mapped[str | None] = mapped_column(Text)
    passport_name: Mapped[str | None] = mapped_column(Text)
    father_name: Mapped[str | None] = mapped_column(Text)
    passport_city: Mapped[str | None] = mapped_column(Text)
    birth_place: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    province: Mapped[str | None] = mapped_column(Text)
    regency: Mapped[str | None] = mapped_column(Text)
    district: Mapped[str | None] = mapped_column(Text)
    village: Mapped[str | None] = mapped_column(Text)
    home_phone: Mapped[str | None] = mapped_column(Text)
    marital_status: Mapped[str | None] = mapped_column(Text)
    education: Mapped[str | None] = mapped_column(Text)
    occupation: Mapped[str | None] = mapped_column(Text)
    visa_provider: Mapped[str | None] = mapped_column(Text)
    visa_number: Mapped[str | None] = mapped_column(Text)
    insurance_provider: Mapped[str | None] = mapped_column(Text)
    insurance_policy_number: Mapped[str | None] = mapped_column(Text)
    bpjs_number: Mapped[str | None] = mapped_column(Text)
    identity_type: Mapped[str | None] = mapped_column(Text, server_default="NIK")
    nationality: Mapped[str | None] = mapped_column(Text, server_default="WNI")
    visa_valid_from: Mapped[date | None] = mapped_column(Date)
    visa_valid_until: Mapped[date | None] = mapped_column(Date)
    insurance_input_date: Mapped[date | None] = mapped_column(Date)
    insurance_start_date: Mapped[date | None] = mapped_column(Date)
    insurance_end_date: Mapped[date | None] = mapped_column(Date)


class JamaahPipelineStatus(Base):
    """The current-stage snapshot of each jamaah: what every dashboard count reads.

    Written in the same transaction as the stage instance it mirrors. Status itself is not
    stored (it moves with the clock); the columns here make it a cheap expression:
    overdue = `current_due_at < now OR departure_date < today`; at-risk = `current_stage_status =
    'blocked' OR projected_finish_at > D - buffer`, where `projected_finish_at = current_due_at +
    SLA of all later active stages`.
    """

    __tablename__ = "jamaah_pipeline_status"
    __table_args__ = (
        CheckConstraint(
            "(is_completed AND current_stage_id IS NULL AND current_stage_status IS NULL)"
            " OR (NOT is_completed AND current_stage_id IS NOT NULL AND current_due_at IS NOT NULL"
            " AND projected_finish_at IS NOT NULL AND current_stage_status IS NOT NULL)",
            name="current_or_completed",
        ),
        CheckConstraint(
            "current_stage_status IS NULL OR current_stage_status IN ('pending', 'in-progress', 'blocked')",
            name="current_stage_status",
        ),
        CheckConstraint("completed_stages BETWEEN 0 AND active_stages", name="progress"),
        _ws_fk(["jamaah_id"], "jamaah"),
        _ws_fk(["pipeline_version_id"], "pipeline_versions"),
        _ws_fk(["current_stage_id"], "pipeline_stages"),
        _ws_fk(["package_id"], "packages"),
        # stage cards and bottlenecks: jamaah per current stage.
        Index("ix_status_current_stage", "workspace_id", "current_stage_id", "current_due_at"),
        # health counts (overdue = due_at < now) and the next moment a status flips.
        Index(
            "ix_status_open_due",
            "workspace_id",
            "current_due_at",
            postgresql_where=text("NOT is_completed"),
        ),
        # departures: who leaves in the window, and how far each is.
        Index("ix_status_departure", "workspace_id", "departure_date", "package_id"),
        # deleting a package finds its snapshots (FK ON DELETE CASCADE); a group's jamaah.
        Index("ix_status_package", "workspace_id", "package_id"),
    )

    jamaah_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(Integer)
    pipeline_version_id: Mapped[int] = mapped_column(Integer)
    package_id: Mapped[int] = mapped_column(Integer)
    departure_date: Mapped[date] = mapped_column(Date)
    current_stage_id: Mapped[int | None] = mapped_column(Integer)
    current_instance_id: Mapped[int | None] = mapped_column(BigInteger)
    current_stage_status: Mapped[str | None] = mapped_column(Text)
    current_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    current_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    projected_finish_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    block_reason: Mapped[str | None] = mapped_column(Text)
    completed_stages: Mapped[int] = mapped_column(SmallInteger)
    active_stages: Mapped[int] = mapped_column(SmallInteger)
    is_completed: Mapped[bool] = mapped_column(Boolean)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class StageInstance(Base):
    """One jamaah in one stage: the history. Created when the stage starts."""

    __tablename__ = "stage_instances"
    __table_args__ = (
        UniqueConstraint("workspace_id", "id"),
        # never a duplicate instance of a stage for a jamaah, even under concurrent completions.
        UniqueConstraint("jamaah_id", "stage_id"),
        CheckConstraint(_one_of("status", WorkStatus), name="status"),
        CheckConstraint("(status = 'completed') = (completed_at IS NOT NULL)", name="completed_at"),
        CheckConstraint("status <> 'blocked' OR block_reason IS NOT NULL", name="block_reason"),
        _ws_fk(["jamaah_id"], "jamaah"),
        _ws_fk(["stage_id"], "pipeline_stages"),
        _ws_fk(["assigned_to"], "users", ondelete="SET NULL (assigned_to)"),
        # at most one open stage per jamaah: its current stage.
        Index("uq_stage_instances_one_open", "jamaah_id", unique=True, postgresql_where=text(OPEN_WORK)),
        # No index behind the stage and user keys (revision 0014): stages and users are deleted
        # only with their workspace, after its instances, and every completion writes each index.
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(Integer)
    jamaah_id: Mapped[int] = mapped_column(BigInteger)
    stage_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    assigned_to: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    block_reason: Mapped[str | None] = mapped_column(Text)
    # revision 0006: closed because its jamaah moved to another pipeline version, not completed
    # (status 'completed' ends it; this says the work was carried over, not done).
    closed_by_migration_id: Mapped[int | None] = mapped_column(BigInteger)


class PipelineTask(Base):
    """The unit of daily work, shown on the kanban. `version` is the optimistic lock."""

    __tablename__ = "pipeline_tasks"
    __table_args__ = (
        # no UniqueConstraint("workspace_id", "id"): no foreign key points at a task (revision 0014).
        # never a duplicate task for the same stage instance.
        UniqueConstraint("stage_instance_id", "task_type"),
        CheckConstraint(_one_of("status", WorkStatus), name="status"),
        CheckConstraint(_one_of("priority", Priority), name="priority"),
        CheckConstraint(_one_of("assigned_role", Role), name="assigned_role"),
        CheckConstraint("version >= 1", name="version"),
        CheckConstraint("(status = 'completed') = (completed_at IS NOT NULL)", name="completed_at"),
        CheckConstraint("status <> 'blocked' OR block_reason IS NOT NULL", name="block_reason"),
        _ws_fk(["jamaah_id"], "jamaah"),
        _ws_fk(["stage_id"], "pipeline_stages"),
        _ws_fk(["stage_instance_id"], "stage_instances"),
        _ws_fk(["assignee_id"], "users", ondelete="SET NULL (assignee_id)"),
        # the kanban: open tasks of a role in queue order (priority, due, id), one page at a time;
        # status and priority included so the four column counts are index-only.
        Index(
            "ix_tasks_queue",
            "workspace_id",
            "assigned_role",
            "priority_rank",
            "due_at",
            "id",
            postgresql_where=text(OPEN_WORK),
            postgresql_include=["status", "priority"],
        ),
        # the manager's all-roles queue in the same order, and its column counts.
        Index(
            "ix_tasks_queue_all",
            "workspace_id",
            "priority_rank",
            "due_at",
            "id",
            postgresql_where=text(OPEN_WORK),
            postgresql_include=["status", "priority"],
        ),
        # the tasks on a jamaah's detail page, a search's jamaah; deleting a jamaah (FK cascade).
        Index("ix_tasks_jamaah", "workspace_id", "jamaah_id"),
        # No index behind the stage and user keys, nor by (priority, status) (revision 0014): every
        # completion writes each index, and no read or product delete needs those.
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(Integer)
    jamaah_id: Mapped[int] = mapped_column(BigInteger)
    stage_id: Mapped[int] = mapped_column(Integer)
    stage_instance_id: Mapped[int] = mapped_column(BigInteger)
    task_type: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(Text)
    priority_rank: Mapped[int] = mapped_column(
        SmallInteger,
        Computed(
            "CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END",
            persisted=True,
        ),
    )
    status: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    assigned_role: Mapped[str] = mapped_column(Text)
    assignee_id: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    block_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class JamaahDocument(Base):
    """One document of a jamaah's checklist (issue 19, revision 0009): missing → received → verified,
    or rejected with a reason; who changed it and when. `domain/documents.py` holds the rules."""

    __tablename__ = "jamaah_documents"
    __table_args__ = (
        CheckConstraint(_one_of("kind", DocumentKind), name="kind"),
        CheckConstraint(_one_of("status", DocStatus), name="status"),
        CheckConstraint("(status = 'rejected') = (reason IS NOT NULL)", name="reason"),
        _ws_fk(["jamaah_id"], "jamaah"),
    )

    workspace_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jamaah_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(Text, primary_key=True)
    status: Mapped[str] = mapped_column(Text, server_default="missing")
    reason: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DocumentScan(Base):
    """The scan of one checklist document (issue 19, revision 0011): at most one per jamaah and kind
    (a new upload replaces it). `sealed` is the file encrypted with the PII key
    (`pii_crypto.encrypt(…, context="document.scan")`); no plaintext hash is kept (it would tell
    whether a given file is stored). The type comes from the content (`domain/scans.py`)."""

    __tablename__ = "document_scans"
    __table_args__ = (
        CheckConstraint(_one_of("kind", DocumentKind), name="kind"),
        CheckConstraint(_one_of("content_type", ScanType), name="content_type"),
        CheckConstraint("size_bytes > 0", name="size"),
        _ws_fk(["jamaah_id"], "jamaah"),
    )

    workspace_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jamaah_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(Text, primary_key=True)
    content_type: Mapped[str] = mapped_column(Text)
    size_bytes: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(Text)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(Text)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ActivityLog(Base):
    """Every change: who, when, what, old -> new. Written in the transaction of the change."""

    __tablename__ = "activity_log"
    __table_args__ = (
        ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        _ws_fk(["jamaah_id"], "jamaah"),
        # a jamaah's timeline, newest first.
        Index("ix_activity_jamaah", "workspace_id", "jamaah_id", "occurred_at"),
        # the manager's log, by date.
        Index("ix_activity_occurred", "workspace_id", "occurred_at"),
        # its filters by person and by action, and their choice lists (revision 0005).
        Index("ix_activity_actor", "workspace_id", "actor", "occurred_at"),
        Index("ix_activity_action", "workspace_id", "action", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    entity_type: Mapped[str] = mapped_column(Text)
    entity_id: Mapped[int | None] = mapped_column(BigInteger)
    jamaah_id: Mapped[int | None] = mapped_column(BigInteger)
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))


class StageCompletionTotals(Base):
    """Per stage: completions and their summed duration, kept current by `complete_task`.

    "Average completion days vs SLA" is the sum of total_seconds / the sum of completed_count over
    the stage's rows: no history scan. A stage has up to 16 rows (`slot`): a completion adds to its
    connection's slot, so concurrent completions of one stage do not wait on one row's lock.
    """

    __tablename__ = "stage_completion_totals"
    __table_args__ = (
        CheckConstraint("completed_count >= 0 AND total_seconds >= 0", name="non_negative"),
        CheckConstraint("slot >= 0 AND slot < 16", name="slot_range"),
        _ws_fk(["stage_id"], "pipeline_stages"),
    )

    stage_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slot: Mapped[int] = mapped_column(SmallInteger, primary_key=True, server_default="0")
    workspace_id: Mapped[int] = mapped_column(Integer)
    completed_count: Mapped[int] = mapped_column(BigInteger, server_default="0")
    total_seconds: Mapped[float] = mapped_column(Float, server_default="0")


class BottleneckDaily(Base):
    """Stuck jamaah per stage per day: the 7-day trend and the 30-day chart without history scans."""

    __tablename__ = "bottleneck_daily"
    __table_args__ = (
        CheckConstraint("stuck_count >= 0", name="stuck_count"),
        _ws_fk(["stage_id"], "pipeline_stages"),
    )

    stage_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(Integer)
    stuck_count: Mapped[int] = mapped_column(Integer)
    avg_delay_days: Mapped[float] = mapped_column(Float)


class UserSession(Base):
    """One signed-in browser (migration 0002). Only the SHA-256 of the session token is stored: a
    copy of the database (a backup, a replica) holds nothing that signs anyone in. A session dies
    three ways, all server-side: revoked (`revoked_at`, by sign-out, deactivation or a password
    reset), idle (`expires_at`, pushed forward while the user is active), or with its user (cascade).
    """

    __tablename__ = "user_sessions"
    __table_args__ = (
        CheckConstraint("token_hash ~ '^[0-9a-f]{64}$'", name="token_hash"),
        # scoped like every child table: the session's workspace is its user's workspace.
        ForeignKeyConstraint(
            ["workspace_id", "user_id"], ["users.workspace_id", "users.id"], ondelete="CASCADE"
        ),
        # revoke every session of a user (deactivation, password reset); the FK's cascade.
        Index("ix_user_sessions_user", "workspace_id", "user_id"),
    )

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer)
    workspace_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A personal API token of one user (migration 0007_api_tokens): a program acting as that user,
    with their role and workspace. Only the SHA-256 of the token is stored, like a session's; the
    `prefix` (the first characters of the token) is what the user sees in the list to tell their
    tokens apart. A token dies when it expires, is revoked (`revoked_at`) or its user goes (cascade);
    a deactivated user's tokens are refused at look-up (`commands/api_tokens.resolve_token`)."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint("token_hash ~ '^[0-9a-f]{64}$'", name="token_hash"),
        CheckConstraint("length(name) BETWEEN 1 AND 100", name="name"),
        CheckConstraint("expires_at > created_at", name="expiry"),
        UniqueConstraint("token_hash"),
        ForeignKeyConstraint(
            ["workspace_id", "user_id"], ["users.workspace_id", "users.id"], ondelete="CASCADE"
        ),
        # a user's tokens, for their list and for revoking them all.
        Index("ix_api_tokens_user", "workspace_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
