"""The stages of every version of a workspace, for reads that show jamaah on several versions.

One small query (versions × ~10 stages: a workspace with 20 versions has ~200 rows) answers, for
any stage id a summary row or a task points at, its code, words and version; and the head's and
older versions' orders that `domain.stage_versions.group_by_code` arranges codes by.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from pipeline_core.domain.model import Workspace
from pipeline_core.domain.stage_versions import StageVariant, VersionedStage, group_by_code

__all__ = ["HEAD_JOIN", "ROW_VERSION_SQL", "StageCatalog", "StageRow", "load_catalog"]

#: The head (newest version) of workspace :ws as `hv`, for a row's version facts.
HEAD_JOIN = """
CROSS JOIN (SELECT id, version_no FROM pipeline_versions
            WHERE workspace_id = :ws ORDER BY version_no DESC LIMIT 1) hv
"""

#: A row's version facts, over its stage `ps` (NULL: completed) and HEAD_JOIN: the version of its
#: stage, the head's number, and whether the head runs a stage of that code (unique index by code).
ROW_VERSION_SQL = """
(SELECT rv.version_no FROM pipeline_versions rv WHERE rv.id = ps.pipeline_version_id) AS pipeline_version_no,
hv.version_no AS head_version_no,
(ps.id IS NULL OR EXISTS (SELECT 1 FROM pipeline_stages h
                          WHERE h.pipeline_version_id = hv.id AND h.code = ps.code AND h.is_active))
  AS stage_in_head
"""


@dataclass(frozen=True, slots=True)
class StageRow:
    id: int
    version_id: int
    version_no: int
    position: int
    code: str
    name_id: str
    name_en: str
    responsible_role: str
    sla_hours: int
    is_active: bool

    def variant(self, jamaah: int = 0) -> StageVariant:
        return StageVariant(
            version_no=self.version_no,
            name_id=self.name_id,
            name_en=self.name_en,
            responsible_role=self.responsible_role,
            sla_hours=self.sla_hours,
            jamaah=jamaah,
        )


@dataclass(frozen=True, slots=True)
class StageCatalog:
    head_no: int
    by_id: Mapping[int, StageRow]

    def rows_of(self, version_id: int) -> list[StageRow]:
        """Every stage of a version (by its id), in its order."""
        rows = [r for r in self.by_id.values() if r.version_id == version_id]
        return sorted(rows, key=lambda r: r.position)

    def codes_of(self, version_no: int) -> list[str]:
        """The active stage codes of a version, in its order."""
        rows = [r for r in self.by_id.values() if r.version_no == version_no and r.is_active]
        return [r.code for r in sorted(rows, key=lambda r: r.position)]

    @property
    def head_codes(self) -> list[str]:
        return self.codes_of(self.head_no)

    def in_head(self, code: str) -> bool:
        return code in set(self.head_codes)

    def every_code(self) -> dict[str, VersionedStage]:
        """Every code any version has, in the merged order (the head's, old-only stages after
        their old neighbour), shown under the newest version's words."""
        grouped = self.group((row.code, row.variant()) for row in self.by_id.values())
        return {stage.code: stage for stage in grouped}

    def group(self, variants: Iterable[tuple[str, StageVariant]]) -> list[VersionedStage]:
        versions = {r.version_no for r in self.by_id.values()} - {self.head_no}
        return group_by_code(
            variants,
            head_codes=self.head_codes,
            older_orders={v: self.codes_of(v) for v in versions},
        )

    def counted(self, counts: Mapping[int, int]) -> list[VersionedStage]:
        """Jamaah counts per stage id grouped per code (each version a variant), in merged order."""
        return self.group(
            (self.by_id[stage_id].code, self.by_id[stage_id].variant(n)) for stage_id, n in counts.items()
        )


def load_catalog(session: Session, workspace: Workspace) -> StageCatalog:
    rows = session.execute(
        text(
            """
            SELECT ps.id, v.id AS version_id, v.version_no, ps.position, ps.code, ps.name_id,
                   ps.name_en, ps.responsible_role, ps.sla_hours, ps.is_active
            FROM pipeline_stages ps JOIN pipeline_versions v ON v.id = ps.pipeline_version_id
            WHERE ps.workspace_id = :ws AND v.workspace_id = :ws
            """
        ),
        {"ws": workspace.id},
    ).mappings()
    by_id = {row["id"]: StageRow(**row) for row in rows}
    head_no = max((r.version_no for r in by_id.values()), default=1)
    return StageCatalog(head_no=head_no, by_id=by_id)
