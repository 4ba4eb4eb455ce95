"""The Pipeline page's "Migrate jamaah" tab: from which version and group, the stage mapping
(each old stage that holds jamaah → a stage of the newest version), the preview under that
mapping, and the run itself with a progress bar fed by each committed batch, then its result.

The mapping starts from `pipeline.mapping_by_code` (same code continues); a stage the newest
version no longer has starts empty and the migrate button stays disabled until someone chooses
where its jamaah go. Only stages holding open jamaah are asked about: nobody moves from the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import streamlit as st

from pipeline_core import app as core
from pipeline_core.domain import PipelineError
from pipeline_core.domain.model import Stage
from pipeline_core.domain.pipeline import mapping_by_code, stage_values
from ui_kit.i18n import day, num, stage_name, t
from ui_kit.pipeline_editor import show_preview
from ui_kit.widgets import flash

FINISH = "__finish__"  # the mapping choice "no stage left: the jamaah is done"
RESULT_KEY = "pipe-migration-result"
REQUEST_KEY = "pipe-migration-request"
FAILED_KEY = "pipe-migration-failed"


class MigrationRequest(NamedTuple):
    """A click on the migrate button, with what the page showed when it was drawn."""

    source: int
    target: int  # the newest version then: a newer one published since stops the run
    group: int | None
    mapping: dict[str, str | None]
    expected: int  # open jamaah the preview counted


@dataclass(frozen=True, slots=True)
class MigrationResult:
    """What one run on the page did (the sum of its batches)."""

    from_version_no: int
    to_version_no: int
    moved: int = 0
    batches: int = 0
    tasks_moved: int = 0
    tasks_created: int = 0
    tasks_closed: int = 0

    def plus(self, batch: core.MigrationBatch) -> MigrationResult:
        return MigrationResult(
            self.from_version_no,
            self.to_version_no,
            self.moved + batch.moved,
            batch.number,
            self.tasks_moved + batch.tasks_moved,
            self.tasks_created + batch.tasks_created,
            self.tasks_closed + batch.tasks_closed,
        )

    def sentence(self) -> str:
        return t(
            "pipe.migrate.result",
            n=num(self.moved),
            old=self.from_version_no,
            v=self.to_version_no,
            batches=num(self.batches),
            moved=num(self.tasks_moved),
            created=num(self.tasks_created),
            closed=num(self.tasks_closed),
        )


def migration_tab(viewer: core.Viewer, versions: Sequence[core.VersionLine]) -> None:
    head = versions[0]
    show_last_result()
    older = [v.version_no for v in versions if not v.is_head and v.open_jamaah]
    if not older:
        st.info(t("pipe.migrate.none"), icon=":material/check_circle:")
        return
    source = st.selectbox(t("pipe.migrate.from"), older, key="migrate-from")
    groups = {g.package_id: g for g in core.migration_groups(viewer, source)}
    group = st.selectbox(
        t("pipe.migrate.group"), [None, *groups], key="migrate-group",
        format_func=lambda g: t("pipe.migrate.all") if g is None
        else f"{groups[g].name} · {day(groups[g].departure_date)} ({num(groups[g].open_jamaah)})",
    )  # fmt: skip
    head_rows = [stage_values(s) for s in core.pipeline_version_stages(viewer, head.version_no)]
    first = core.preview_pipeline(viewer, head_rows, from_version_no=source, package_id=group)
    holding = {s.code: s.jamaah_now for s in first.stages if s.jamaah_now}
    old = core.pipeline_version_stages(viewer, source)
    new = core.pipeline_version_stages(viewer, head.version_no)
    mapping = mapping_editor(old, new, holding, target=head.version_no, key=f"map-{source}-{head.version_no}")
    missing = [s for s in old if s.code in holding and s.code not in mapping]
    if missing:
        st.warning(
            t("pipe.map.missing", stages=", ".join(stage_name(s) for s in missing), n=head.version_no),
            icon=":material/alt_route:",
        )
    else:
        offered = mapping_by_code(old, new)
        chosen = {code: target for code, target in mapping.items() if offered.get(code, "") != target}
        show_preview(
            core.preview_pipeline(viewer, head_rows, from_version_no=source, package_id=group, mapping=chosen)
            if chosen
            else first
        )
    st.button(
        t("pipe.migrate.button", n=head.version_no),
        key="migrate",
        type="primary",
        disabled=bool(missing),
        icon=":material/move_down:",
        on_click=st.session_state.__setitem__,  # the request as drawn: what the person saw
        args=(REQUEST_KEY, MigrationRequest(source, head.version_no, group, mapping, sum(holding.values()))),
    )
    request = st.session_state.pop(REQUEST_KEY, None)
    if request is not None:
        run(viewer, request)


def mapping_editor(
    old: Sequence[Stage], new: Sequence[Stage], holding: dict[str, int], *, target: int, key: str
) -> dict[str, str | None]:
    """One choice per old stage holding jamaah: the new stage they continue in, or "done".
    Returns old code → new code (None: done) for the stages chosen so far."""
    st.subheader(t("pipe.map.title"), anchor=False)
    st.caption(t("pipe.map.caption", n=target))
    offered = mapping_by_code(old, new)
    targets = [s for s in sorted(new, key=lambda s: s.position) if s.is_active]
    options = [s.code for s in targets] + [FINISH]
    names = {s.code: f"{stage_name(s)} ({s.code})" for s in targets} | {FINISH: t("pipe.map.finish")}
    chosen: dict[str, str | None] = {}
    for stage in sorted(old, key=lambda s: s.position):
        if stage.code not in holding:
            continue
        start = (offered[stage.code] or FINISH) if stage.code in offered else None
        label = t("pipe.map.stage", name=stage_name(stage), code=stage.code, n=num(holding[stage.code]))
        if stage.code not in offered:
            label += f" · {t('pipe.map.removed')}"
        picked = st.selectbox(
            label,
            options,
            index=options.index(start) if start in options else None,
            format_func=names.__getitem__,
            placeholder=t("pipe.map.choose"),
            key=f"{key}-{stage.code}",
        )
        if picked is not None:
            chosen[stage.code] = None if picked == FINISH else picked
    return chosen


def run(viewer: core.Viewer, request: MigrationRequest) -> None:
    """The migration, drawn while it runs (a batch per transaction), then a rerun with its result."""
    st.session_state.pop(FAILED_KEY, None)
    source, target, group, mapping, expected = request
    newest = core.pipeline_versions(viewer)[0].version_no
    if newest != target:  # the mapping and preview shown were for `target`: show the new head first
        st.session_state.pop(RESULT_KEY, None)
        st.session_state[FAILED_KEY] = t("pipe.migrate.head_moved", n=newest, old=target)
        st.rerun()
    result = MigrationResult(source, target)
    with st.status(t("pipe.migrate.running", n=num(expected), v=target), expanded=True) as status:
        bar = st.progress(0.0, text=t("pipe.migrate.starting"))

        def heard(batch: core.MigrationBatch) -> None:
            nonlocal result
            result = result.plus(batch)
            share = min(1.0, batch.moved_so_far / batch.to_move) if batch.to_move else 1.0
            bar.progress(
                share,
                text=t(
                    "pipe.migrate.batch",
                    k=batch.number,
                    done=num(batch.moved_so_far),
                    total=num(batch.to_move),
                ),
            )

        try:
            core.migrate_pipeline(viewer, source, package_id=group, mapping=mapping, on_batch=heard)
        except PipelineError as error:
            status.update(label=t("pipe.migrate.stopped"), state="error")
            st.session_state[FAILED_KEY] = t("pipe.migrate.failed", message=str(error), n=num(result.moved))
        else:
            status.update(label=t("pipe.migrate.done"), state="complete")
            flash(t("pipe.migrated", n=num(result.moved), v=target))
    st.session_state[RESULT_KEY] = result
    st.rerun()


def show_last_result() -> None:
    """The last run's result (and its problem, when it stopped), until the next run."""
    failed = st.session_state.get(FAILED_KEY)
    if failed:
        st.error(failed, title=t("pipe.refused"), icon=":material/error:")
    result: MigrationResult | None = st.session_state.get(RESULT_KEY)
    if result is not None and result.moved:
        st.success(result.sentence(), icon=":material/check_circle:")
