"""Bulk writing inside one transaction: binary COPY, id ranges, and foreign keys checked per set.

Measured on the 2-core machine with scale-100k (~1.5 million rows): PostgreSQL spends about half
of a plain COPY running the foreign-key trigger of every row (~5 million index probes). As a
superuser (embedded server, CI, the machine's services) the load therefore runs with
`session_replication_role = replica`, which skips those per-row triggers (as `pg_restore
--disable-triggers` does), and then checks every foreign key of the loaded tables once, set-based,
with one anti-join each (`verify_references`, ~1 s): the same guarantee, and the load takes ~25 s
instead of ~54 s. It is safe from others too: the workspace is created in the same transaction, so
no other session can see, let alone change, any row the load refers to. Without superuser the
triggers run as usual, and each parent table is ANALYZEd right after its COPY: after a reset (mass
delete + autovacuum) the planner believes the table empty and the foreign-key checks of the next
COPY turn into sequential scans (minutes instead of seconds). ANALYZE needs the table's owner; a
role that is neither owner nor superuser loads correctly but may hit that slow plan.

Reset (`clear_workspace`) deletes the workspace's rows leaf-first, one set-based DELETE per table,
again without per-row triggers when allowed (~1 s at scale-100k). Relying on the cascade takes
hours at 100,000 jamaah: each deleted jamaah makes PostgreSQL look for jamaah naming it as
companion, and `jamaah.companion_id` has no index (6.5 s at 10,000 jamaah, and quadratic). Every
foreign key of the schema stays inside one workspace (composite keys with `workspace_id`), so
deleting every table's rows of that workspace leaves nothing dangling.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Table, delete, text
from sqlalchemy.orm import Session

from pipeline_core.store import schema as t
from pipeline_core.store.copying import allocate_ids, copy_rows

__all__ = [
    "BrokenReference",
    "allocate_ids",
    "analyze",
    "clear_workspace",
    "copy_rows",
    "is_superuser",
    "reference_triggers_off",
    "verify_references",
]


class BrokenReference(RuntimeError):
    """The generator built a row pointing at nothing: a bug, never a user error."""


def is_superuser(session: Session) -> bool:
    return session.execute(text("SELECT current_setting('is_superuser')")).scalar() == "on"


@contextlib.contextmanager
def reference_triggers_off(session: Session, *, allowed: bool) -> Iterator[bool]:
    """Skip per-row foreign-key triggers for the block when `allowed` (superuser); yields whether
    they were skipped, so the caller knows to `verify_references` afterwards."""
    if allowed:
        session.execute(text("SET LOCAL session_replication_role = replica"))
    try:
        yield allowed
    finally:
        if allowed:
            session.execute(text("SET LOCAL session_replication_role = DEFAULT"))


def clear_workspace(session: Session, workspace_id: int) -> None:
    """Delete every row of the workspace except the workspace row itself, leaf tables first."""
    with reference_triggers_off(session, allowed=is_superuser(session)):
        for table in reversed(t.Base.metadata.sorted_tables):
            if table.name != t.Workspace.__tablename__ and "workspace_id" in table.c:
                session.execute(delete(table).where(table.c.workspace_id == workspace_id))


def verify_references(session: Session, workspace_id: int, tables: Iterable[Table]) -> None:
    """Every foreign key of these tables, checked for one workspace in one anti-join each."""
    checks = []
    for table in tables:
        for fk in table.foreign_key_constraints:
            pairs = [(element.parent.name, element.column.name) for element in fk.elements]
            if [child for child, _ in pairs] == ["workspace_id"]:
                continue  # the workspace row exists: it was created in this transaction
            joined = " AND ".join(f"p.{parent} = c.{child}" for child, parent in pairs)
            present = " AND ".join(f"c.{child} IS NOT NULL" for child, _ in pairs)
            checks.append(
                f"SELECT '{fk.name}' AS fk, count(*) AS orphans FROM {table.name} c"
                f" WHERE c.workspace_id = :ws AND {present}"
                f" AND NOT EXISTS (SELECT 1 FROM {fk.referred_table.name} p WHERE {joined})"
            )
    if not checks:
        return
    rows = session.execute(text(" UNION ALL ".join(checks)), {"ws": workspace_id}).all()
    broken = {row.fk: row.orphans for row in rows if row.orphans}
    if broken:
        raise BrokenReference(f"dataset rows point at nothing: {broken}")


def analyze(cursor: Any, tables: Iterable[str]) -> None:
    """Fresh planner statistics. Without them a new workspace id is unknown to the planner, which
    then expects one row per workspace and picks nested loops that rescan the whole workspace per
    row: the reference check of demo-2000 took 12 s, of scale-10k 400 s; the dashboards would
    suffer the same until autovacuum, which may never come for a small dataset in a big table."""
    for name in tables:
        cursor.execute(f"ANALYZE {name}")
