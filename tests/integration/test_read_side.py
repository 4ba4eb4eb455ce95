"""The read models on real PostgreSQL: they agree with the pure rules and answer what a manager asks.

The property tests generate random pipelines and jamaah states, write them straight into the
snapshot and task tables, and check that the SQL classification (status, kanban column) equals
`rules` for every row. The scenario tests build a small agency through the real commands.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, text, update
from sqlalchemy.orm import Session

from pipeline_core.commands.tasks import block_task, complete_task
from pipeline_core.domain import rules
from pipeline_core.domain.errors import InvalidInput, NotFound
from pipeline_core.domain.model import JamaahStatus, KanbanColumn, Priority, Role, Workspace, WorkStatus
from pipeline_core.reads import queries
from pipeline_core.reads.jamaah_detail import jamaah_detail
from pipeline_core.reads.task_queue import COLUMN_SQL, task_queue
from pipeline_core.store import jamaah_identity
from pipeline_core.store import schema as t
from pipeline_core.store.workspaces import create_workspace, get_workspace
from tests.builders import MANAGER, NOW, make_jamaah, make_package

JAKARTA = ZoneInfo("Asia/Jakarta")
HOUR = timedelta(hours=1)
PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# --- SQL agrees with the rules --------------------------------------------------------------

jamaah_states = st.lists(
    st.fixed_dictionaries(
        {
            "departure_in_days": st.integers(-5, 120),
            "due_in_hours": st.integers(-400, 2000),
            "later_sla_hours": st.integers(0, 1500),
            "blocked": st.booleans(),
            "completed": st.booleans(),
        }
    ),
    min_size=1,
    max_size=25,
)


@PROPERTY
@given(
    states=jamaah_states,
    buffer_days=st.integers(0, 10),
    minutes=st.integers(0, 24 * 60 - 1),
    zone=st.sampled_from(["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "UTC"]),
)
def test_sql_status_equals_the_rule_for_every_jamaah(
    session: Session, workspace: Workspace, states: list[dict], buffer_days: int, minutes: int, zone: str
) -> None:
    now = datetime(2026, 11, 29, 0, 0, tzinfo=ZoneInfo("UTC")) + timedelta(minutes=minutes)
    ws = replace(workspace, at_risk_buffer_days=buffer_days, timezone=zone)
    package_id = make_package(session, workspace)  # builders commit: outside the savepoint
    with session.begin_nested() as savepoint:
        stage_id = session.execute(
            text("SELECT min(id) FROM pipeline_stages WHERE workspace_id = :ws"), {"ws": ws.id}
        ).scalar_one()
        version_id = session.execute(
            text("SELECT min(id) FROM pipeline_versions WHERE workspace_id = :ws"), {"ws": ws.id}
        ).scalar_one()
        expected: dict[int, JamaahStatus] = {}
        for index, state in enumerate(states):
            departure = rules.agency_today(now, zone) + timedelta(days=state["departure_in_days"])
            due = now + timedelta(hours=state["due_in_hours"])
            jamaah_id = _bare_jamaah(session, ws, package_id, version_id, index)
            session.execute(
                insert(t.JamaahPipelineStatus).values(
                    jamaah_id=jamaah_id,
                    workspace_id=ws.id,
                    pipeline_version_id=version_id,
                    package_id=package_id,
                    departure_date=departure,
                    current_stage_id=None if state["completed"] else stage_id,
                    current_stage_status=None
                    if state["completed"]
                    else ("blocked" if state["blocked"] else "pending"),
                    current_due_at=None if state["completed"] else due,
                    projected_finish_at=None
                    if state["completed"]
                    else due + timedelta(hours=state["later_sla_hours"]),
                    completed_stages=10 if state["completed"] else 0,
                    active_stages=10,
                    is_completed=state["completed"],
                )
            )
            expected[jamaah_id] = rules.classify_jamaah(
                now=now,
                departure_date=departure,
                current=None
                if state["completed"]
                else rules.CurrentStage(due_at=due, blocked=state["blocked"]),
                later_sla_hours=state["later_sla_hours"],
                buffer_days=buffer_days,
                tz=zone,
            )
        rows = session.execute(
            text(
                f"SELECT s.jamaah_id, {queries.STATUS_SQL} FROM jamaah_pipeline_status s"
                " WHERE s.workspace_id = :ws"
            ),
            queries.status_params(ws, now),
        ).all()
        assert {jamaah_id: JamaahStatus(status) for jamaah_id, status in rows} == expected
        health = queries.pipeline_health(session, ws, now)
        assert health.overdue == sum(s is JamaahStatus.OVERDUE for s in expected.values())
        assert health.at_risk == sum(s is JamaahStatus.AT_RISK for s in expected.values())
        savepoint.rollback()


task_states = st.lists(
    st.tuples(
        st.sampled_from([WorkStatus.PENDING, WorkStatus.IN_PROGRESS, WorkStatus.BLOCKED]),
        st.sampled_from(list(Priority)),
        st.integers(-72 * 60, 72 * 60),  # due, in minutes from now
    ),
    min_size=1,
    max_size=30,
)


@PROPERTY
@given(tasks=task_states, minutes=st.integers(0, 24 * 60 - 1))
def test_sql_kanban_column_equals_the_rule_for_every_task(
    session: Session, workspace: Workspace, tasks: list[tuple[WorkStatus, Priority, int]], minutes: int
) -> None:
    now = datetime(2026, 11, 28, 17, 0, tzinfo=ZoneInfo("UTC")) + timedelta(minutes=minutes)
    enrolment = make_jamaah(session, workspace)  # builders commit: outside the savepoint
    assert enrolment.task is not None
    task_id = enrolment.task.id
    with session.begin_nested() as savepoint:
        # One real task row, rewritten per case: the SQL column predicates against the rule.
        start, tomorrow = rules.column_bounds(now=now, tz=workspace.timezone)
        for status, priority, due_minutes in tasks:
            due = now + timedelta(minutes=due_minutes)
            session.execute(
                update(t.PipelineTask)
                .where(t.PipelineTask.id == task_id)
                .values(status=status.value, priority=priority.value, due_at=due, block_reason="x")
            )
            got = [
                column
                for column, predicate in COLUMN_SQL.items()
                if session.execute(
                    text(f"SELECT count(*) FROM pipeline_tasks t WHERE t.id = :id AND {predicate}"),
                    {"id": task_id, "today_start": start, "tomorrow_start": tomorrow},
                ).scalar_one()
            ]
            want = rules.kanban_column(
                status=status, priority=priority, due_at=due, now=now, tz=workspace.timezone
            )
            assert got == [want], (status, priority, due, now)
        savepoint.rollback()


def _bare_jamaah(session: Session, ws: Workspace, package_id: int, version_id: int, index: int) -> int:
    values = {
        "workspace_id": ws.id,
        "full_name": f"Jamaah Uji {index}",
        "gender": "L",
        "birth_date": date(1970, 1, 1),
        "nik": f"99{index:014d}",
        "phone": "+6281234567890",
        "package_id": package_id,
        "pipeline_version_id": version_id,
        "registered_at": NOW - timedelta(days=30),
    }
    return session.execute(
        insert(t.Jamaah).values(jamaah_identity.seal(values)).returning(t.Jamaah.id)
    ).scalar_one()


# --- a small agency, built through the real commands -----------------------------------------


def _walk(
    session: Session, workspace: Workspace, task_id: int, version: int, steps: int, now: datetime
) -> int:
    """Complete `steps` current tasks in turn; return the id of the task then current."""
    for _ in range(steps):
        done = complete_task(
            session=session, workspace=workspace, actor=MANAGER, task_id=task_id, version=version, now=now
        )
        assert done.next_task is not None
        task_id, version = done.next_task.id, done.next_task.version
    return task_id


@pytest.fixture
def agency(session: Session, workspace: Workspace) -> dict[str, int]:
    """Five jamaah at NOW: on-track, overdue (stage 1 since 10 days), blocked, in stage 3, done."""
    far = make_package(session, workspace, departure_date=date(2027, 3, 1), name="Umroh Reguler 9 Hari")
    soon = make_package(session, workspace, departure_date=date(2026, 12, 3), name="Umroh Akhir Tahun 9 Hari")
    on_track = make_jamaah(session, workspace, package_id=far, full_name="Ahmad Hidayat", now=NOW - HOUR)
    overdue = make_jamaah(
        session, workspace, package_id=far, full_name="Siti Rahmawati", now=NOW - timedelta(days=10)
    )
    blocked = make_jamaah(session, workspace, package_id=far, full_name="Budi Santoso", now=NOW - HOUR)
    assert blocked.task is not None
    block_task(
        session=session,
        workspace=workspace,
        actor=MANAGER,
        task_id=blocked.task.id,
        version=blocked.task.version,
        reason="Menunggu scan paspor",
        now=NOW - HOUR,
    )
    walker = make_jamaah(
        session, workspace, package_id=far, full_name="Dewi Lestari", now=NOW - timedelta(days=3)
    )
    assert walker.task is not None and on_track.task is not None and overdue.task is not None
    in_stage_3 = _walk(session, workspace, walker.task.id, walker.task.version, 2, NOW - timedelta(days=2))
    done = make_jamaah(
        session, workspace, package_id=soon, full_name="Hasan Basri", now=NOW - timedelta(days=60)
    )
    assert done.task is not None
    task_id, version = done.task.id, done.task.version
    while True:
        result = complete_task(
            session=session,
            workspace=workspace,
            actor=MANAGER,
            task_id=task_id,
            version=version,
            now=NOW - HOUR,
        )
        if result.next_task is None:
            break
        task_id, version = result.next_task.id, result.next_task.version
    return {
        "on_track": on_track.jamaah.id,
        "overdue": overdue.jamaah.id,
        "blocked": blocked.jamaah.id,
        "walker": walker.jamaah.id,
        "done": done.jamaah.id,
        "walker_task": in_stage_3,
    }


def test_health_counts_each_status_once(
    session: Session, workspace: Workspace, agency: dict[str, int]
) -> None:
    health = queries.pipeline_health(session, workspace, NOW)
    assert (health.total, health.on_track, health.at_risk, health.overdue, health.completed) == (
        5,
        2,
        1,
        1,
        1,
    )
    assert health.health_score == 50.0  # 2 on track of 4 open


def test_detail_status_agrees_with_the_health_counts(
    session: Session, workspace: Workspace, agency: dict[str, int]
) -> None:
    statuses = {
        name: jamaah_detail(session, workspace, agency[name], NOW).status
        for name in ("on_track", "overdue", "blocked", "walker", "done")
    }
    assert statuses == {
        "on_track": JamaahStatus.ON_TRACK,
        "overdue": JamaahStatus.OVERDUE,
        "blocked": JamaahStatus.AT_RISK,
        "walker": JamaahStatus.ON_TRACK,
        "done": JamaahStatus.COMPLETED,
    }


def test_stage_stats_show_where_everyone_is(
    session: Session, workspace: Workspace, agency: dict[str, int]
) -> None:
    stats = {s.code: s for s in queries.stage_stats(session, workspace, NOW)}
    assert [s.code for s in queries.stage_stats(session, workspace, NOW)][:2] == [
        "document-collection",
        "document-verification",
    ]
    assert len(stats) == 10
    collection = stats["document-collection"]
    assert (collection.in_stage, collection.blocked, collection.overdue) == (3, 1, 1)
    assert stats["siskopatuh-submission"].in_stage == 1
    assert collection.completed == 2  # the walker and the finished jamaah
    assert stats["departure-ready"].completed == 1
    assert collection.avg_completion_days is not None and collection.avg_completion_days > 0
    assert stats["hotel-booking"].in_stage == 0 and stats["hotel-booking"].avg_completion_days is not None


def test_a_bottleneck_needs_min_stuck_and_carries_its_reason(
    session: Session, workspace: Workspace, agency: dict[str, int]
) -> None:
    assert queries.bottlenecks(session, workspace, NOW) == []  # one stuck < min_stuck 5
    loose = replace(workspace, min_stuck=1)
    session.execute(
        update(t.StageInstance)
        .where(t.StageInstance.jamaah_id == agency["overdue"])
        .values(notes="Dokumen KK belum lengkap")
    )
    [alert] = queries.bottlenecks(session, loose, NOW)
    assert (alert.code, alert.stuck, alert.departure_impact, alert.top_reason) == (
        "document-collection",
        1,
        0,
        "Dokumen KK belum lengkap",
    )
    assert alert.avg_delay_days == pytest.approx(7.0, abs=0.1)  # due 72 h after a start 10 days ago
    assert alert.severity.value == "moderate"
    assert alert.stuck_7_days_ago is None and alert.trend is None
    assert queries.bottlenecks(session, loose, NOW, severity="critical") == []


def test_the_trend_compares_with_the_recorded_day_a_week_ago(
    session: Session, workspace: Workspace, agency: dict[str, int]
) -> None:
    loose = replace(workspace, min_stuck=1)
    queries.record_bottleneck_day(session, loose, NOW - timedelta(days=7) + timedelta(hours=12))
    # Siti's first stage fell due exactly 7 days ago: half a day later she was already stuck.
    history = queries.stuck_history(session, loose, NOW)
    assert [(d.day, d.code, d.stuck) for d in history] == [(date(2026, 11, 22), "document-collection", 1)]
    queries.record_bottleneck_day(session, loose, NOW)
    [alert] = queries.bottlenecks(session, loose, NOW)
    assert alert.stuck_7_days_ago is not None and alert.trend == alert.stuck - alert.stuck_7_days_ago
    assert [(d.code, d.stuck) for d in queries.stuck_history(session, loose, NOW)][-1] == (
        "document-collection",
        1,
    )


def test_departures_group_the_window_with_readiness(
    session: Session, workspace: Workspace, agency: dict[str, int]
) -> None:
    page = queries.upcoming_departures(session, workspace, NOW, days=7)
    [group] = page.items
    assert (group.name, group.jamaah, group.ready, group.not_ready) == ("Umroh Akhir Tahun 9 Hari", 1, 1, 0)
    assert page.total == 1 and page.pages == 1
    assert queries.upcoming_departures(session, workspace, NOW, days=120).total == 2
    wide = queries.upcoming_departures(session, workspace, NOW, days=120, sort="not_ready")
    assert wide.items[0].not_ready == 4
    assert [s.code for s in wide.items[0].not_ready_by_stage] == [
        "document-collection",
        "siskopatuh-submission",
    ]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda s, w: queries.upcoming_departures(s, w, NOW, page=0), "page"),
        (lambda s, w: queries.upcoming_departures(s, w, NOW, limit=101), "limit"),
        (lambda s, w: queries.upcoming_departures(s, w, NOW, sort="price"), "sort"),
        (lambda s, w: queries.upcoming_departures(s, w, NOW, days=-1), "days"),
        (lambda s, w: queries.bottlenecks(s, w, NOW, severity="urgent"), "severity"),
        (lambda s, w: task_queue(s, w, NOW, page=-2), "page"),
        (lambda s, w: task_queue(s, w, NOW, limit=0), "limit"),
        (lambda s, w: task_queue(s, w, NOW, column="done"), "column"),
        (lambda s, w: task_queue(s, w, NOW, role="intern"), "role"),
        (lambda s, w: task_queue(s, w, NOW, search="!!!"), "search"),
    ],
)
def test_bad_paging_and_sort_parameters_name_the_parameter(
    session: Session, workspace: Workspace, call, field: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        call(session, workspace)
    assert error.value.field == field
    assert field in str(error.value)


def test_the_queue_has_four_columns_in_queue_order(
    session: Session, workspace: Workspace, agency: dict[str, int]
) -> None:
    queue = task_queue(session, workspace, NOW)
    assert (queue.counts.blocked, queue.counts.urgent, queue.counts.today, queue.counts.upcoming) == (
        1,
        1,
        0,
        2,
    )
    assert queue.total == 4
    # All four are normal priority: ordered by due date, then id (the blocked one came after Ahmad).
    assert [card.jamaah_name for card in queue.items] == [
        "Siti Rahmawati",
        "Dewi Lestari",
        "Ahmad Hidayat",
        "Budi Santoso",
    ]
    assert [card.column for card in queue.items] == [
        KanbanColumn.URGENT,
        KanbanColumn.UPCOMING,
        KanbanColumn.UPCOMING,
        KanbanColumn.BLOCKED,
    ]
    ranks = [(card.priority.rank, card.due_at, card.id) for card in queue.items]
    assert ranks == sorted(ranks)
    blocked = task_queue(session, workspace, NOW, column="blocked")
    assert [card.jamaah_name for card in blocked.items] == ["Budi Santoso"]
    assert blocked.items[0].block_reason == "Menunggu scan paspor"
    siskopatuh = task_queue(session, workspace, NOW, role=Role.SISKOPATUH_ADMIN)
    assert [card.jamaah_name for card in siskopatuh.items] == ["Dewi Lestari"]
    assert siskopatuh.counts.blocked == 0


def test_the_queue_pages_by_twenty(session: Session, workspace: Workspace) -> None:
    package = make_package(session, workspace)
    for index in range(45):
        make_jamaah(
            session,
            workspace,
            package_id=package,
            full_name=f"Jamaah Nomor {index}",
            now=NOW - timedelta(minutes=index),
        )
    first = task_queue(session, workspace, NOW, page=1, limit=20)
    second = task_queue(session, workspace, NOW, page=2, limit=20)
    third = task_queue(session, workspace, NOW, page=3, limit=20)
    assert (first.total, first.pages, len(first.items), len(second.items), len(third.items)) == (
        45,
        3,
        20,
        20,
        5,
    )
    ids = [c.id for c in first.items + second.items + third.items]
    assert len(set(ids)) == 45
    assert task_queue(session, workspace, NOW, page=4, limit=20).items == []


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("ahmad", "Ahmad Hidayat"),
        ("hida ahm", "Ahmad Hidayat"),
        ("Budi", "Budi Santoso"),
        ("0812 3456 7890", None),
    ],
)
def test_search_finds_by_name_words_and_phone(
    session: Session, workspace: Workspace, agency: dict[str, int], typed: str, found: str | None
) -> None:
    names = {card.jamaah_name for card in task_queue(session, workspace, NOW, search=typed).items}
    if found is None:  # every builder jamaah has the same phone
        assert len(names) == 4
    else:
        assert names == {found}


def test_search_by_nik_and_passport(session: Session, workspace: Workspace) -> None:
    enrolled = make_jamaah(
        session, workspace, full_name="Nur Aini", nik="3174014405800002", passport_number="X7654321",
        gender="P", birth_date=date(1980, 5, 4),  # the NIK's day 44 = the 4th, a woman's
    )  # fmt: skip
    assert [
        c.jamaah_name for c in task_queue(session, workspace, NOW, search="3174 0144 0580 0002").items
    ] == ["Nur Aini"]
    assert [c.jamaah_id for c in task_queue(session, workspace, NOW, search="x7654321").items] == [
        enrolled.jamaah.id
    ]


def test_nothing_of_another_workspace_appears(
    session: Session, workspace: Workspace, agency: dict[str, int]
) -> None:
    create_workspace(session, slug="other-agency", name="Other", kind=workspace.kind)
    other = get_workspace(session, "other-agency")
    assert queries.pipeline_health(session, other, NOW).total == 0
    assert task_queue(session, other, NOW).total == 0
    assert all(s.in_stage == 0 for s in queries.stage_stats(session, other, NOW))
    assert queries.upcoming_departures(session, other, NOW, days=120).total == 0
    with pytest.raises(NotFound):
        jamaah_detail(session, other, agency["on_track"], NOW)


def test_the_detail_plans_the_stages_ahead(
    session: Session, workspace: Workspace, agency: dict[str, int]
) -> None:
    detail = jamaah_detail(session, workspace, agency["walker"], NOW)
    assert [s.status for s in detail.timeline[:3]] == [
        WorkStatus.COMPLETED,
        WorkStatus.COMPLETED,
        WorkStatus.PENDING,
    ]
    later = detail.timeline[3]
    assert later.status is None and later.planned_start == detail.timeline[2].due_at
    assert later.planned_start is not None
    assert later.planned_due == later.planned_start + timedelta(hours=later.sla_hours)
    assert detail.progress_percent == 20.0
    assert detail.passport.value == "ok"
    assert [line.action for line in detail.activity][-1] == "jamaah.enrolled"
