"""The tables `render_pages.py` prints: first / repeat / in-the-app visits, script runs and heap
beside the floors, where a first visit's time goes, and where a script run's time goes."""

from __future__ import annotations

import statistics
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchmarks.render_model import Page, Visits
    from benchmarks.script_runs import ScriptRuns

#: Targets of issue 4, at scale-100k.
TARGET_FIRST_MS, TARGET_REPEAT_MS, TARGET_RUN_MS, TARGET_HEAP_MB = 2000, 1000, 150, 60


def p50(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def cell(values: list[float], target: float | None, digits: int = 0) -> str:
    """ "p50 / max", a "!" after a figure over its target (targets apply at scale-100k)."""
    if not values:
        return "-"

    def shown(value: float) -> str:
        over = "!" if target is not None and value > target else " "
        return f"{value:,.{digits}f}{over}"

    return f"{shown(p50(values)):>7} {shown(max(values)):>7}"


def print_table(
    title: str,
    rows: list[tuple[str, Visits, ScriptRuns]],
    floors: list[tuple[str, Visits, ScriptRuns]],
    scale: bool,
) -> None:
    first_t, repeat_t, run_t, heap_t = (
        (TARGET_FIRST_MS, TARGET_REPEAT_MS, TARGET_RUN_MS, TARGET_HEAP_MB) if scale else (None,) * 4
    )
    print(f"\n{title}")
    print(
        f"{'':<20} {'first visit ms':>16} {'repeat visit ms':>16} {'in the app ms':>16} {'script run ms':>24}"
        f" {'JS heap MB':>16} {'after GC':>8} {'cache':>6}"
    )
    print(
        f"{'page':<20} {'p50':>8}{'max':>8} {'p50':>8}{'max':>8} {'p50':>8}{'max':>8} {'cold':>8}{'p50':>8}"
        f"{'max':>8} {'p50':>8}{'max':>8} {'p50':>8} {'misses':>6}"
    )
    print("-" * 129)
    references = {name for name, _, _ in floors}
    for name, visits, runs in [*floors, *rows]:
        print(
            f"{name:<20} {cell(visits.first_ms, first_t)} {cell(visits.repeat_ms, repeat_t)}"
            f" {cell(visits.in_app_ms, None):>16}"
            f" {runs.cold_ms:>7,.0f}  {cell(runs.runs_ms, run_t)} {cell(visits.heap_mb, heap_t, 1)}"
            f" {p50(visits.heap_gc_mb):>7.1f} {visits.cache_misses if name not in references else '':>6}"
        )
    first, repeat = f"≤ {TARGET_FIRST_MS:,}", f"≤ {TARGET_REPEAT_MS:,}"
    run, js_heap = f"≤ {TARGET_RUN_MS} (p50)", f"≤ {TARGET_HEAP_MB}"
    print(f"{'target (scale-100k)':<20} {first:>16} {repeat:>16} {'':>16} {run:>24} {js_heap:>16}")


def print_phases(title: str, rows: list[tuple[str, Visits]]) -> None:
    """Where a first visit's time goes, from the stApp attributes (p50 ms since navigation start)."""
    print(f"\n{title}: a first visit, p50 ms since the navigation started")
    print(f"{'page':<20} {'connected':>10} {'run starts':>11} {'run ends':>9} {'finished':>9}  after the run")
    for name, visits in rows:
        marks = [
            p50([phase[key] for phase in visits.phases]) for key in ("connected", "runStarts", "runEnds")
        ]
        done = p50(visits.first_ms)
        connected, starts, ends = marks
        figures = f"{connected:>10,.0f} {starts:>11,.0f} {ends:>9,.0f} {done:>9,.0f} {done - ends:>13,.0f}"
        print(f"{name:<20} {figures}")


def print_breakdown(dataset: str, page: Page, runs: ScriptRuns) -> None:
    total = p50(runs.runs_ms)
    in_sections = sum(runs.sections.values())
    parts = sorted(runs.sections.items(), key=lambda item: -item[1])
    calls = sorted(runs.calls.items(), key=lambda item: -item[1])
    print(f"  {dataset} · {page.title}: one run {total:,.0f} ms (p50); cold {runs.cold_ms:,.0f} ms")
    print("    sections: " + ", ".join(f"{name} {ms:,.0f}" for name, ms in parts[:6]))
    print(f"    outside sections (sidebar, page frame, widgets): {total - in_sections:,.0f}")
    print("    core calls: " + ", ".join(f"{name} {ms:,.1f}" for name, ms in calls[:6] if ms >= 0.5))
