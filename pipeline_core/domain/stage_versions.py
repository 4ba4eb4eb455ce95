"""How the pages show stages when a workspace's jamaah are on more than one pipeline version.

A stage's code is its identity across versions (docs/decisions.md, "The pipeline editor"). A page
that counts jamaah per stage (stage cards, bottlenecks, a departure group's stages) counts them by
code; each code carries its *variants*: the name, role and SLA it has in each version whose jamaah
are counted under it (and in the newest version, the head, when the head has it). It is shown
under the newest variant's name; a code the head does not run is marked "(hanya v1)".

Order: the head's order; a stage only older versions run comes right after the stage before it in
the newest such version (its old neighbour), so "Verifikasi Dokumen (hanya v1)" stands after
"Pengumpulan Dokumen", where its jamaah are in the work, not at the end.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["StageVariant", "VersionedStage", "group_by_code", "merged_order"]


@dataclass(frozen=True, slots=True)
class StageVariant:
    """One stage code as one version defines it, and the jamaah of that version counted under it."""

    version_no: int
    name_id: str
    name_en: str
    responsible_role: str
    sla_hours: int
    jamaah: int = 0


@dataclass(frozen=True, slots=True)
class VersionedStage:
    """A stage code as an aggregate shows it: the newest variant's words, every variant counted."""

    code: str
    in_head: bool  # the newest version runs this stage (else: "only in v1")
    variants: tuple[StageVariant, ...]  # oldest version first

    @property
    def shown(self) -> StageVariant:
        return self.variants[-1]

    @property
    def versions(self) -> tuple[int, ...]:
        return tuple(v.version_no for v in self.variants)

    @property
    def name_id(self) -> str:
        return self.shown.name_id

    @property
    def name_en(self) -> str:
        return self.shown.name_en


def merged_order(head: Sequence[str], older: Mapping[int, Sequence[str]]) -> list[str]:
    """Every code once: the head's order, then each code only older versions have, newest version
    first, right after the code before it in that version (first when nothing is before it)."""
    order = list(head)
    for version_no in sorted(older, reverse=True):
        codes = older[version_no]
        for index, code in enumerate(codes):
            if code in order:
                continue
            before = codes[index - 1] if index else None
            order.insert(order.index(before) + 1 if before is not None else 0, code)
    return order


def group_by_code(
    variants: Iterable[tuple[str, StageVariant]],
    *,
    head_codes: Sequence[str],
    older_orders: Mapping[int, Sequence[str]],
) -> list[VersionedStage]:
    """Variants (code, variant) grouped per code, in `merged_order`; `head_codes` are the codes the
    head runs (its active stages, in order), `older_orders` every other version's codes in order."""
    by_code: dict[str, list[StageVariant]] = {}
    for code, variant in variants:
        by_code.setdefault(code, []).append(variant)
    running = set(head_codes)
    stages = []
    for code in merged_order(head_codes, older_orders):
        found = sorted(by_code.get(code, ()), key=lambda v: v.version_no)
        if found:
            stages.append(VersionedStage(code=code, in_head=code in running, variants=tuple(found)))
    return stages
