"""Which indexes of the four hot tables the product's queries use (issue 21, "faster writes").

    DATABASE_URL=… REDIS_URL=… PII_KEY=… PYTHONPATH=. .venv/bin/python benchmarks/index_usage.py \\
        --dataset scale-100k

A completion updates a row of `pipeline_tasks` and of `stage_instances`, inserts the next task and
instance, updates the `jamaah_pipeline_status` row and appends to `activity_log`; each index of
those tables is one more entry to write. This script resets PostgreSQL's statistics of the
database (`pg_stat_reset()`), then calls every read the product has, through the same
`pipeline_core.app` functions the pages and the HTTP API call, for every role — overview,
bottlenecks, departures, the task queue of each role and column with its filters, search, pages
and cursor, jamaah lists, search, detail and timeline, the activity log with each filter, the
document desk, the group exports, the pipeline editor's reads — and one round of the writes
(complete, block, unblock, edit, the documents, enrol and edit a jamaah, an import checked and
written, a departure group created, moved and deleted). The cache is bypassed (`cache.cached`
computes every time), so the SQL really runs. Then it prints, per index of the four tables,
`idx_scan` and its size.

It writes to the dataset (one task of each kind of action, one jamaah, one departure group); a
reload (`python -m pipeline_core seed NAME --reset`) puts it back. Prints figures, asserts nothing.

Not covered here, checked with EXPLAIN instead (docs/benchmarks.md, "Fewer indexes on the tables
a completion writes"): resetting or deleting a whole workspace (`bulk.clear_workspace`), whose
foreign-key cascades look up the child rows of each deleted jamaah, stage, package and user.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from benchmarks.writes import verify_documents
from pipeline_core import app
from pipeline_core.app import api_access, documents, intake, intake_files, scans
from pipeline_core.app.viewer import Viewer, system_viewer
from pipeline_core.domain import pipeline as design
from pipeline_core.domain.clock import instant
from pipeline_core.domain.errors import PipelineError
from pipeline_core.domain.model import ADMIN_ROLES, KanbanColumn, Role
from pipeline_core.seed import bootstrap, datasets
from pipeline_core.store import cache, db
from pipeline_core.store.workspaces import get_workspace

TABLES = ("pipeline_tasks", "stage_instances", "jamaah_pipeline_status", "activity_log")

USAGE_SQL = """
SELECT s.relname AS table_name, s.indexrelname AS index_name, s.idx_scan,
       pg_relation_size(s.indexrelid) AS bytes
FROM pg_stat_user_indexes s
WHERE s.relname = ANY(:tables)
ORDER BY s.relname, s.idx_scan DESC, s.indexrelname
"""


class Calls:
    """Runs each call, counting the ones that ran and noting the ones the product refused."""

    def __init__(self) -> None:
        self.ran = 0
        self.refused: list[str] = []

    def __call__(self, label: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            result = call(*args, **kwargs)
        except PipelineError as error:
            self.refused.append(f"{label}: {type(error).__name__}: {error}")
            return None
        self.ran += 1
        return result


def facts(ws_id: int) -> dict[str, Any]:
    """Ids the calls need: groups, jamaah, a user name, open tasks of each status (the pending
    ones made completable: their jamaah's documents verified, as benchmarks/writes.py does)."""
    with db.transaction() as session:
        one = session.execute(
            text(
                """
                SELECT (SELECT package_id FROM jamaah_pipeline_status WHERE workspace_id = :ws
                        AND NOT is_completed AND departure_date >= current_date
                        ORDER BY departure_date LIMIT 1) AS package_id,
                       (SELECT package_id FROM jamaah_pipeline_status WHERE workspace_id = :ws
                        GROUP BY package_id ORDER BY count(*) LIMIT 1) AS small_package_id,
                       (SELECT jamaah_id FROM jamaah_pipeline_status WHERE workspace_id = :ws
                        AND NOT is_completed ORDER BY jamaah_id LIMIT 1) AS jamaah_id,
                       (SELECT full_name FROM users WHERE workspace_id = :ws ORDER BY id LIMIT 1)
                        AS user_name,
                       (SELECT id FROM users WHERE workspace_id = :ws AND is_active
                        ORDER BY id LIMIT 1) AS user_id
                """
            ),
            {"ws": ws_id},
        ).one()
        tasks = {
            status: session.execute(
                text(
                    "SELECT id, version, jamaah_id FROM pipeline_tasks WHERE workspace_id = :ws"
                    " AND status = :status ORDER BY id DESC LIMIT 4"
                ),
                {"ws": ws_id, "status": status},
            ).all()
            for status in ("pending", "in-progress", "blocked")
        }
        verify_documents(session, ws_id, [row.jamaah_id for row in tasks["pending"]])
        name, phone = session.execute(
            text("SELECT full_name, phone FROM jamaah WHERE workspace_id = :ws AND id = :id"),
            {"ws": ws_id, "id": one.jamaah_id},
        ).one()
    return {**one._asdict(), "tasks": tasks, "name": name, "phone": phone}


def overview_reads(run: Calls, viewers: dict[Role, Viewer], known: dict[str, Any], now: datetime) -> None:
    manager = viewers[Role.MANAGER]
    # overview, bottlenecks, departures (managers; the API's /pipeline routes are the same calls)
    for viewer in (manager, viewers[Role.SUPER_ADMIN]):
        run("health", app.pipeline_health, viewer, now)
        run("stage stats", app.stage_stats, viewer, now)
        run("stage breakdown", app.stage_breakdown, viewer, now)
        run("stage words", app.dashboard.stage_words, viewer)
    run("bottlenecks", app.bottlenecks, manager, now)
    run("bottlenecks critical", app.bottlenecks, manager, now, "critical")
    run("stuck history", app.stuck_history, manager, now)
    for days, sort in ((7, "departure"), (30, "not_ready"), (90, "name"), (366, "-departure")):
        run(f"departures {days}", app.upcoming_departures, manager, now, days=days, sort=sort)
    run("departures page 2", app.upcoming_departures, manager, now, days=90, page=2)
    bottleneck_codes = [b.code for b in app.bottlenecks(manager, now)] or ["document-collection"]
    for code in bottleneck_codes:
        run(f"stuck {code}", app.stuck_jamaah, manager, code, now=now)
    run("stuck page 3", app.stuck_jamaah, manager, bottleneck_codes[0], page=3, now=now)
    run("not ready", app.not_ready_jamaah, manager, known["package_id"], now=now)
    run("not ready page 2", app.not_ready_jamaah, manager, known["package_id"], page=2, now=now)


def queue_reads(run: Calls, viewers: dict[Role, Viewer], known: dict[str, Any], now: datetime) -> None:
    manager = viewers[Role.MANAGER]
    # the task queue: every role's own queue, the manager's all-roles and per-role queues
    queues: list[tuple[Viewer, Role | None]] = [(viewers[r], None) for r in ADMIN_ROLES]
    queues += [(manager, None)] + [(manager, r) for r in ADMIN_ROLES]
    surname = known["name"].split()[-1]
    for viewer, role in queues:
        for column in (None, *KanbanColumn):
            first = run("queue", app.task_queue_page, viewer, now, role=role, column=column)
            run("queue page 3", app.task_queue_page, viewer, now, role=role, column=column, page=3)
            if first is not None and first.next_key is not None:
                run(
                    "queue cursor",
                    app.task_queue_page,
                    viewer,
                    now,
                    role=role,
                    column=column,
                    after=first.next_key,
                )
        for status in ("pending", "in-progress", "blocked"):
            run("queue status", app.task_queue_page, viewer, now, role=role, status=status)
        for search in (surname, known["phone"], "zz"):
            run("queue search", app.task_queue_page, viewer, now, role=role, search=search)
        run("staff", app.active_users, viewer)


def jamaah_reads(run: Calls, viewers: dict[Role, Viewer], known: dict[str, Any], now: datetime) -> None:
    manager = viewers[Role.MANAGER]
    # jamaah: search (name, phone, NIK, passport), detail, timeline, documents, scans, form
    jamaah_id, surname = known["jamaah_id"], known["name"].split()[-1]
    identity = run("reveal", app.reveal_identity, manager, jamaah_id, now=now)
    searches = [surname, known["name"], known["phone"]]
    if identity is not None:
        searches += [identity.nik] + ([identity.passport_number] if identity.passport_number else [])
    for search in searches:
        run("find jamaah", app.find_jamaah, manager, search, now=now)
        run("queue search identity", app.task_queue_page, manager, now, search=search)
    run("find page 2", app.find_jamaah, manager, surname, page=2, now=now)
    for viewer in viewers.values():
        run("detail", app.jamaah_detail, viewer, jamaah_id, now)
    detail = app.jamaah_detail(manager, jamaah_id, now)
    for line in detail.tasks[:3]:
        run("task", app.task, manager, line.id)
    run("checklist", documents.document_checklist, manager, jamaah_id)
    run("checklists", documents.document_checklists, manager, [jamaah_id])
    run("scans", scans.document_scans, manager, jamaah_id)
    run("jamaah form", intake.jamaah_form, viewers[Role.DOCUMENT_ADMIN], jamaah_id)


def desk_reads(run: Calls, viewers: dict[Role, Viewer], known: dict[str, Any], now: datetime) -> None:
    manager = viewers[Role.MANAGER]
    # the document desk and the departure groups
    desk = viewers[Role.DOCUMENT_ADMIN]
    run("required documents", documents.required_documents, desk)
    for package_id in (None, known["package_id"]):
        for only in (True, False):
            run("desk", documents.document_desk, desk, package_id=package_id, document_stages_only=only)
    run("groups", intake.departure_groups, manager)
    run("open groups", intake.departure_groups, manager, include_closed=False)
    run("group", intake.departure_group, manager, known["package_id"])
    run("group choices", intake_files.departure_group_choices, manager)
    run(
        "departure change preview",
        intake.preview_departure_change,
        manager,
        known["package_id"],
        date.today() + timedelta(days=60),
        now=now,
    )

    # exports of a group (manifest, SISKOPATUH, lists) and the SISKOPATUH gaps
    for kind in intake_files.EXPORT_KINDS:
        run(f"export {kind}", intake_files.export_group, manager, known["package_id"], kind, now=now)
    run("siskopatuh gaps", intake_files.siskopatuh_gaps, manager, known["package_id"], now=now)


def activity_reads(run: Calls, viewers: dict[Role, Viewer], known: dict[str, Any], now: datetime) -> None:
    manager = viewers[Role.MANAGER]
    # the activity log: unfiltered, each filter, the filters' lists, pages and cursor
    run("activity filters", app.activity_filters, manager)
    filters = app.activity_filters(manager)
    today = date.today()
    variants: list[dict[str, Any]] = [
        {},
        {"date_from": today - timedelta(days=7)},
        {"date_from": today, "date_to": today},
        {"date_to": today - timedelta(days=30)},
    ]
    variants += [{"actor": a} for a in filters.actors[:3]] + [{"action": a} for a in filters.actions[:6]]
    variants += [{"actor": known["user_name"]}, {"action": "task.completed", "date_from": today}]
    if filters.actors and filters.actions:
        variants.append({"actor": filters.actors[0], "action": filters.actions[0], "date_from": today})
    for given in variants:
        first = run("activity", app.activity_page, manager, **given)
        run("activity page 3", app.activity_page, manager, page=3, **given)
        if first is not None and first.next_key is not None:
            run("activity cursor", app.activity_page, manager, after=first.next_key, **given)
    run("sign-in attempts", app.sign_in_attempts, viewers[Role.SUPER_ADMIN], now=now)
    run("users", app.users, viewers[Role.SUPER_ADMIN])
    run("tokens", api_access.tokens_of, manager)


def editor_reads(run: Calls, viewers: dict[Role, Viewer], known: dict[str, Any], now: datetime) -> None:
    # the pipeline editor's reads
    editor = viewers[Role.SUPER_ADMIN]
    versions = run("versions", app.pipeline_versions, editor) or []
    for line in versions:
        run("version stages", app.pipeline_version_stages, editor, line.version_no)
        run("groups on version", app.migration_groups, editor, line.version_no)
    if len(versions) > 1:
        run("compare", app.compare_versions, editor, versions[-1].version_no, versions[0].version_no)
    run("drafts", app.open_pipeline_drafts, editor)
    run("templates", app.pipeline_templates)
    if versions:
        head = max(v.version_no for v in versions)
        stages = app.pipeline_version_stages(editor, head)
        rows = [design.stage_values(s) for s in stages]
        run("preview", app.preview_pipeline, editor, rows, now=now)
        run("preview group", app.preview_pipeline, editor, rows, package_id=known["package_id"], now=now)


READS = (overview_reads, queue_reads, jamaah_reads, desk_reads, activity_reads, editor_reads)


def writes(run: Calls, viewers: dict[Role, Viewer], known: dict[str, Any], now: datetime) -> None:
    manager = viewers[Role.MANAGER]
    pending, in_progress, blocked = (known["tasks"][s] for s in ("pending", "in-progress", "blocked"))
    if len(pending) < 3:
        print(f"writes left out: {len(pending)} pending tasks found, 3 needed (a larger dataset)")
        return
    run("complete", app.complete_task, manager, pending[0].id, pending[0].version, now=now)
    if in_progress:
        row = in_progress[0]
        saved = run("block", app.block_task, manager, row.id, row.version, "menunggu paspor", now=now)
        if saved is not None:
            run("unblock", app.unblock_task, manager, row.id, saved.version, now=now)
    if blocked:
        run("unblock blocked", app.unblock_task, manager, blocked[0].id, blocked[0].version, now=now)
    row = pending[1]
    saved = run("edit priority", app.update_task, manager, row.id, row.version, priority="urgent", now=now)
    if saved is not None:
        saved = run(
            "edit assignee and due",
            app.update_task,
            manager,
            row.id,
            saved.version,
            assignee_id=known["user_id"],
            due_at=now + timedelta(days=2),
            now=now,
        )
    if saved is not None:
        run("edit status", app.update_task, manager, row.id, saved.version, status="in-progress", now=now)
    run(
        "documents",
        documents.update_documents,
        manager,
        [documents.DocumentChange(pending[2].jamaah_id, "passport", "rejected", "buram")],
        now=now,
    )

    # intake: a group, one jamaah enrolled and edited, an import checked and written, exports logged
    def new_group(label: str, name: str, days: int, airline: str, quota: int) -> Any:
        fields = {
            "name": name,
            "departure_date": date.today() + timedelta(days=days),
            "return_date": date.today() + timedelta(days=days + 9),
            "airline": airline,
            "quota": quota,
        }
        return run(label, intake.create_departure_group, manager, fields, now=now)

    group = new_group("create group", "Indeks Uji", 120, "Garuda", 45)
    if group is not None:
        stamp = f"{int(time.time()) % 10**8:08d}"  # unique NIK and phone per run
        enrolled = run(
            "enrol",
            intake.enrol_jamaah,
            manager,
            {
                "full_name": "Siti Indeks",
                "gender": "P",
                "birth_date": date(1972, 8, 17),
                "nik": "327301570872" + stamp[-4:],
                "phone": "0812" + stamp,
            },
            group.id,
            now=now,
        )
        if enrolled is not None:
            run(
                "edit jamaah",
                intake.update_jamaah_data,
                manager,
                enrolled.jamaah.id,
                {"occupation": "WIRAUSAHA"},
                now=now,
            )
        run(
            "move group",
            intake.update_departure_group,
            manager,
            group.id,
            {
                "departure_date": date.today() + timedelta(days=110),
                "return_date": date.today() + timedelta(days=119),
            },
            now=now,
        )
        exported = run(
            "export for import",
            intake_files.export_group,
            manager,
            known["small_package_id"],
            "siskopatuh.xlsx",
            now=now,
        )
        if exported is not None:
            for dry in (True, False):
                run(
                    "import",
                    intake_files.import_file,
                    manager,
                    known["small_package_id"],
                    exported.content,
                    exported.file_name,
                    dry_run=dry,
                    now=now,
                )
    empty = new_group("create empty group", "Indeks Kosong", 200, "Saudia", 10)
    if empty is not None:
        run("delete group", intake.delete_departure_group, manager, empty.id, now=now)


def usage() -> list[Any]:
    with db.read_session() as session:
        session.execute(text("SELECT pg_stat_clear_snapshot()"))
        return list(session.execute(text(USAGE_SQL), {"tables": list(TABLES)}).all())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dataset", default="scale-100k", choices=list(datasets.DATASETS))
    parser.add_argument("--no-writes", action="store_true", help="the reads only")
    args = parser.parse_args()

    bootstrap.prepare(seed_demo=False)
    cache.cached = lambda *, compute, **_: compute()  # SQL every time: nothing from Redis
    with db.read_session() as session:
        ws = get_workspace(session, args.dataset)
    now = instant(None)
    viewers = {role: system_viewer(ws, role, name=f"Indeks {role.value}") for role in Role}
    known = facts(ws.id)

    with db.transaction() as session:
        session.execute(text("SELECT pg_stat_reset()"))
    run = Calls()
    started = time.perf_counter()
    for read in READS:
        read(run, viewers, known, now)
    if not args.no_writes:
        writes(run, viewers, known, now)
    took = time.perf_counter() - started
    db.get_engine().dispose()  # the pool's backends exit: their statistics are flushed
    time.sleep(1.5)

    print(f"== {args.dataset}: {run.ran} calls in {took:.1f} s, {len(run.refused)} refused")
    for line in run.refused:
        print(f"   refused {line}")
    print(f"{'table':<24} {'index':<46} {'idx_scan':>9} {'size':>9}")
    for row in usage():
        print(f"{row.table_name:<24} {row.index_name:<46} {row.idx_scan:>9} {row.bytes / 2**20:>7.1f} MB")


if __name__ == "__main__":
    main()
