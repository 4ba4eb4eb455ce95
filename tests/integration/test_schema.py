"""The schema on a real server: migrations round-trip; constraints refuse bad rows."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, create_engine, func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pipeline_core.domain.model import Workspace, WorkspaceKind
from pipeline_core.store import jamaah_identity, migrate
from pipeline_core.store import schema as t
from pipeline_core.store.schema import Base
from pipeline_core.store.workspaces import create_workspace, current_version_id, get_workspace
from tests.builders import NOW


@contextlib.contextmanager
def _empty_database(engine: Engine, name: str) -> Iterator[Engine]:
    """A new, empty database `name` on the tests' server, dropped afterwards."""

    def recreate(create: bool) -> None:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            if create:
                connection.execute(text(f"CREATE DATABASE {name}"))

    recreate(True)
    scratch = create_engine(engine.url.set(database=name))
    try:
        yield scratch
    finally:
        scratch.dispose()
        recreate(False)


@pytest.fixture
def scratch_engine(engine: Engine) -> Iterator[Engine]:
    """A database of its own for the round-trip, on the same server as the tests."""
    with _empty_database(engine, "umrah_roundtrip") as scratch:
        yield scratch


def _tables(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        )
        return {row[0] for row in rows} - {"alembic_version"}


def test_migrations_round_trip(scratch_engine: Engine) -> None:
    migrate.upgrade(scratch_engine)
    assert _tables(scratch_engine) == set(Base.metadata.tables)
    assert migrate.schema_is_current(scratch_engine)

    migrate.downgrade(scratch_engine, "base")
    assert _tables(scratch_engine) == set()
    assert not migrate.schema_is_current(scratch_engine)

    migrate.upgrade(scratch_engine)
    assert _tables(scratch_engine) == set(Base.metadata.tables)


def test_out_of_date_schema_names_the_upgrade_command(scratch_engine: Engine) -> None:
    from pipeline_core.domain.errors import SchemaOutOfDate

    with pytest.raises(SchemaOutOfDate, match="python -m pipeline_core migrate"):
        migrate.require_current_schema(scratch_engine)


def _package(session: Session, ws: Workspace, code: str = "REG-01") -> int:
    return session.execute(
        insert(t.Package)
        .values(
            workspace_id=ws.id,
            code=code,
            name="Umroh Reguler 9 Hari",
            departure_date=date(2027, 1, 20),
            return_date=date(2027, 1, 28),
            airline="Saudia",
            quota=45,
            price_idr=35_000_000,
        )
        .returning(t.Package.id)
    ).scalar_one()


def _jamaah(session: Session, ws: Workspace, package_id: int, **overrides: object) -> int:
    values: dict[str, object] = {
        "workspace_id": ws.id,
        "full_name": "Ahmad Hidayat",
        "gender": "L",
        "birth_date": date(1970, 5, 1),
        "nik": "3174050105700001",
        "phone": "+6281234567890",
        "package_id": package_id,
        "pipeline_version_id": current_version_id(session, ws.id),
        "registered_at": NOW,
    }
    sealed = {k: overrides.pop(k) for k in list(overrides) if k in jamaah_identity.SEALED_COLUMNS}
    values = jamaah_identity.seal(values | overrides) | sealed
    return session.execute(insert(t.Jamaah).values(**values).returning(t.Jamaah.id)).scalar_one()


def test_a_workspace_starts_on_the_default_template(session: Session, workspace: Workspace) -> None:
    codes = session.execute(
        select(t.PipelineStage.code)
        .where(t.PipelineStage.workspace_id == workspace.id)
        .order_by(t.PipelineStage.position)
    ).scalars()
    assert list(codes)[4:7] == ["hotel-booking", "visa-application", "visa-approval"]


def test_duplicate_nik_in_one_workspace_is_refused(session: Session, workspace: Workspace) -> None:
    package_id = _package(session, workspace)
    _jamaah(session, workspace, package_id)
    with pytest.raises(IntegrityError, match="uq_jamaah_workspace_id_nik_hash"), session.begin_nested():
        _jamaah(session, workspace, package_id, phone="+6281200000000")


def test_the_same_nik_may_exist_in_two_workspaces(session: Session, workspace: Workspace) -> None:
    create_workspace(session, slug="other-agency", name="Other", kind=WorkspaceKind.AGENCY)
    other = get_workspace(session, "other-agency")
    _jamaah(session, workspace, _package(session, workspace))
    _jamaah(session, other, _package(session, other))
    hashes = jamaah_identity.nik_hashes("3174050105700001")
    count = session.execute(select(func.count()).where(t.Jamaah.nik_hash.in_(hashes))).scalar()
    assert count == 2


@pytest.mark.parametrize(
    ("column", "value", "constraint"),
    [
        ("nik_hash", b"not a hash", "ck_jamaah_nik_hash"),
        ("passport_hash", b"\x00" * 32, "ck_jamaah_passport_sealed"),  # a hash without the number
        ("phone", "021555123", "ck_jamaah_phone"),
        ("full_name", "Ahmad", "ck_jamaah_full_name_two_words"),
        ("gender", "X", "ck_jamaah_gender"),
    ],
)
def test_invalid_jamaah_fields_are_refused(
    session: Session, workspace: Workspace, column: str, value: object, constraint: str
) -> None:
    package_id = _package(session, workspace)
    with pytest.raises(IntegrityError, match=constraint), session.begin_nested():
        _jamaah(session, workspace, package_id, **{column: value})


def _instance(session: Session, ws: Workspace, jamaah_id: int) -> tuple[int, int]:
    stage_id = session.execute(
        select(t.PipelineStage.id).where(t.PipelineStage.workspace_id == ws.id, t.PipelineStage.position == 1)
    ).scalar_one()
    instance_id = session.execute(
        insert(t.StageInstance)
        .values(
            workspace_id=ws.id,
            jamaah_id=jamaah_id,
            stage_id=stage_id,
            status="pending",
            started_at=NOW,
            due_at=NOW + timedelta(hours=72),
        )
        .returning(t.StageInstance.id)
    ).scalar_one()
    return stage_id, instance_id


def _task_values(ws_id: int, jamaah_id: int, stage_id: int, instance_id: int, **overrides: object) -> dict:
    values: dict[str, object] = {
        "workspace_id": ws_id,
        "jamaah_id": jamaah_id,
        "stage_id": stage_id,
        "stage_instance_id": instance_id,
        "task_type": "document-collection",
        "title": "Kumpulkan dokumen",
        "priority": "normal",
        "status": "pending",
        "due_at": NOW + timedelta(hours=72),
        "assigned_role": "document-admin",
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(overrides)
    return values


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"status": "done"}, "ck_pipeline_tasks_status"),
        ({"priority": "asap"}, "ck_pipeline_tasks_priority"),
        ({"assigned_role": "intern"}, "ck_pipeline_tasks_assigned_role"),
        ({"status": "blocked"}, "ck_pipeline_tasks_block_reason"),
        ({"status": "completed"}, "ck_pipeline_tasks_completed_at"),
    ],
)
def test_task_enumerations_and_rules_are_checked(
    session: Session, workspace: Workspace, overrides: dict, constraint: str
) -> None:
    jamaah_id = _jamaah(session, workspace, _package(session, workspace))
    stage_id, instance_id = _instance(session, workspace, jamaah_id)
    with pytest.raises(IntegrityError, match=constraint), session.begin_nested():
        session.execute(
            insert(t.PipelineTask).values(
                **_task_values(workspace.id, jamaah_id, stage_id, instance_id, **overrides)
            )
        )


def test_a_task_cannot_point_at_a_jamaah_of_another_workspace(session: Session, workspace: Workspace) -> None:
    create_workspace(session, slug="other-agency", name="Other", kind=WorkspaceKind.AGENCY)
    other = get_workspace(session, "other-agency")
    jamaah_id = _jamaah(session, workspace, _package(session, workspace))
    stage_id, instance_id = _instance(session, workspace, jamaah_id)
    with (
        pytest.raises(IntegrityError, match="fk_pipeline_tasks_workspace_id_jamaah_id_jamaah"),
        session.begin_nested(),
    ):
        session.execute(
            insert(t.PipelineTask).values(**_task_values(other.id, jamaah_id, stage_id, instance_id))
        )


def test_a_second_task_for_the_same_stage_instance_is_refused(session: Session, workspace: Workspace) -> None:
    jamaah_id = _jamaah(session, workspace, _package(session, workspace))
    stage_id, instance_id = _instance(session, workspace, jamaah_id)
    session.execute(
        insert(t.PipelineTask).values(**_task_values(workspace.id, jamaah_id, stage_id, instance_id))
    )
    with (
        pytest.raises(IntegrityError, match="uq_pipeline_tasks_stage_instance_id_task_type"),
        session.begin_nested(),
    ):
        session.execute(
            insert(t.PipelineTask).values(**_task_values(workspace.id, jamaah_id, stage_id, instance_id))
        )


def test_a_jamaah_has_at_most_one_open_stage(session: Session, workspace: Workspace) -> None:
    jamaah_id = _jamaah(session, workspace, _package(session, workspace))
    _instance(session, workspace, jamaah_id)
    second_stage = session.execute(
        select(t.PipelineStage.id).where(
            t.PipelineStage.workspace_id == workspace.id, t.PipelineStage.position == 2
        )
    ).scalar_one()
    with pytest.raises(IntegrityError, match="uq_stage_instances_one_open"), session.begin_nested():
        session.execute(
            insert(t.StageInstance).values(
                workspace_id=workspace.id,
                jamaah_id=jamaah_id,
                stage_id=second_stage,
                status="pending",
                started_at=NOW,
                due_at=NOW,
            )
        )


def _columns(engine: Engine, table: str) -> set[str]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT column_name FROM information_schema.columns WHERE table_name = :t"), {"t": table}
        )
        return {row[0] for row in rows}


def test_intake_migration_adds_and_removes_the_template_fields(scratch_engine: Engine) -> None:
    migrate.upgrade(scratch_engine, "0007_api_tokens")
    before = _columns(scratch_engine, "jamaah")
    with scratch_engine.begin() as connection:  # a jamaah enrolled before the upgrade keeps working
        ws = connection.execute(
            text(
                "INSERT INTO workspaces (slug, name, kind)"
                " VALUES ('old-agency', 'Old', 'agency') RETURNING id"
            )
        ).scalar_one()
        connection.execute(
            text(
                "INSERT INTO packages (workspace_id, code, name, departure_date, return_date, airline, quota,"
                " price_idr) VALUES (:w, 'P', 'P', '2027-01-20', '2027-01-28', 'Saudia', 45, 1)"
            ),
            {"w": ws},
        )
    migrate.upgrade(scratch_engine, "0008_intake")
    after = _columns(scratch_engine, "jamaah")
    assert after - before == {
        "title", "passport_name", "father_name", "identity_type", "passport_city", "birth_place",
        "address", "province", "regency", "district", "village", "home_phone", "nationality",
        "marital_status", "education", "occupation", "visa_provider", "visa_number", "visa_valid_from",
        "visa_valid_until", "insurance_provider", "insurance_policy_number", "insurance_input_date",
        "insurance_start_date", "insurance_end_date", "bpjs_number",
    }  # fmt: skip
    assert {"flight_numbers", "status"} <= _columns(scratch_engine, "packages")
    with scratch_engine.connect() as connection:
        assert connection.execute(text("SELECT status FROM packages")).scalar_one() == "open"

    migrate.downgrade(scratch_engine, "0007_api_tokens")
    assert _columns(scratch_engine, "jamaah") == before
    assert not {"flight_numbers", "status"} & _columns(scratch_engine, "packages")
    migrate.upgrade(scratch_engine, "0008_intake")
    assert _columns(scratch_engine, "jamaah") == after


@pytest.mark.parametrize(
    ("column", "value"),
    [("title", "BAPAK"), ("identity_type", "KTP"), ("nationality", "ID"), ("marital_status", "KAWIN")],
)
def test_template_dropdowns_refuse_a_value_outside_the_template(
    session: Session, workspace: Workspace, column: str, value: str
) -> None:
    package_id = _package(session, workspace)
    with pytest.raises(IntegrityError, match=f"ck_jamaah_{column}"), session.begin_nested():
        _jamaah(session, workspace, package_id, gender="L", **{column: value})


def test_a_group_status_is_open_or_closed(session: Session, workspace: Workspace) -> None:
    package_id = _package(session, workspace)
    with pytest.raises(IntegrityError, match="ck_packages_status"), session.begin_nested():
        session.execute(text("UPDATE packages SET status = 'full' WHERE id = :id"), {"id": package_id})


def test_completion_total_slots_fold_into_one_row_on_downgrade(scratch_engine: Engine) -> None:
    migrate.upgrade(scratch_engine)
    with Session(scratch_engine) as session, session.begin():
        ws_id = create_workspace(session, slug="slots", name="Slots", kind=WorkspaceKind.AGENCY)
        stage_id = session.execute(
            select(t.PipelineStage.id).where(t.PipelineStage.workspace_id == ws_id).limit(1)
        ).scalar_one()
        session.execute(  # three connections' completions of one stage, each in its own slot
            insert(t.StageCompletionTotals),
            [
                {"stage_id": stage_id, "slot": slot, "workspace_id": ws_id, "completed_count": n,
                 "total_seconds": 3600.0 * n}
                for slot, n in ((0, 1), (3, 2), (15, 4))
            ],
        )  # fmt: skip
    totals = "SELECT completed_count, total_seconds FROM stage_completion_totals WHERE stage_id = :s"

    migrate.downgrade(scratch_engine, "0011_document_scans")
    with scratch_engine.connect() as connection:
        assert connection.execute(text(totals), {"s": stage_id}).all() == [(7, 7 * 3600.0)]
    assert "slot" not in _columns(scratch_engine, "stage_completion_totals")

    migrate.upgrade(scratch_engine)
    with scratch_engine.connect() as connection:
        assert connection.execute(text(totals + " AND slot = 0"), {"s": stage_id}).all() == [(7, 7 * 3600.0)]


def test_the_queue_tables_are_vacuumed_after_one_percent_changed(scratch_engine: Engine) -> None:
    options = "SELECT coalesce(reloptions, '{}') FROM pg_class WHERE relname = 'pipeline_tasks'"
    migrate.upgrade(scratch_engine)
    with scratch_engine.connect() as connection:
        assert "autovacuum_vacuum_scale_factor=0.01" in connection.execute(text(options)).scalar_one()
    migrate.downgrade(scratch_engine, "0012_completion_total_slots")
    with scratch_engine.connect() as connection:
        assert connection.execute(text(options)).scalar_one() == []


def _indexes(engine: Engine) -> set[str]:
    """Every index of the schema's tables as PostgreSQL writes it out (name, table, columns, where)."""
    query = "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
    with engine.connect() as connection:
        return set(connection.execute(text(query)).scalars())


@pytest.fixture
def model_engine(engine: Engine) -> Iterator[Engine]:
    """A database built from the model (`Base.metadata.create_all`), not the migrations."""
    with _empty_database(engine, "umrah_model") as built:
        Base.metadata.create_all(built)
        yield built


def test_the_model_has_the_indexes_the_migrations_make(scratch_engine: Engine, model_engine: Engine) -> None:
    migrate.upgrade(scratch_engine)
    assert _indexes(model_engine) == _indexes(scratch_engine)


#: The indexes revision 0014 drops from the tables a completion writes, as they were.
DROPPED_IN_0014 = {
    "CREATE INDEX ix_tasks_priority_status ON public.pipeline_tasks"
    " USING btree (workspace_id, priority, status)",
    "CREATE INDEX ix_tasks_stage ON public.pipeline_tasks USING btree (workspace_id, stage_id)",
    "CREATE INDEX ix_tasks_assignee ON public.pipeline_tasks USING btree (workspace_id, assignee_id)"
    " WHERE (assignee_id IS NOT NULL)",
    "CREATE UNIQUE INDEX uq_pipeline_tasks_workspace_id_id ON public.pipeline_tasks"
    " USING btree (workspace_id, id)",
    "CREATE INDEX ix_stage_instances_stage ON public.stage_instances"
    " USING btree (workspace_id, stage_id, completed_at)",
    "CREATE INDEX ix_stage_instances_assigned ON public.stage_instances"
    " USING btree (workspace_id, assigned_to) WHERE (assigned_to IS NOT NULL)",
    "CREATE INDEX ix_status_stage_status ON public.jamaah_pipeline_status"
    " USING btree (workspace_id, current_stage_status)",
}


def test_the_unused_queue_indexes_come_back_on_downgrade(scratch_engine: Engine) -> None:
    migrate.upgrade(scratch_engine)
    head = _indexes(scratch_engine)
    assert not head & DROPPED_IN_0014

    migrate.downgrade(scratch_engine, "0013_autovacuum_queue_tables")
    assert _indexes(scratch_engine) - head == DROPPED_IN_0014
    with scratch_engine.connect() as connection:
        kinds = connection.execute(
            text("SELECT contype FROM pg_constraint WHERE conname = 'uq_pipeline_tasks_workspace_id_id'")
        ).scalars()
        assert list(kinds) == ["u"], "a unique constraint again, as revision 0001 made it"

    migrate.upgrade(scratch_engine)
    assert _indexes(scratch_engine) == head
