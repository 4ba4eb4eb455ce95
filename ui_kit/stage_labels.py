"""How a stage is named when the workspace's jamaah are on more than one pipeline version.

Every read model brings the stage's words from the jamaah's own version (docs/decisions.md,
"Stages of two versions"); these helpers only add the marker:
- a stage the newest version does not run: "Verifikasi Dokumen (hanya v1)";
- a jamaah still on an older version (task card, list line): "Pengumpulan Dokumen (v1)";
- a stage counted over several versions (stage card, alert): "v1: Pengumpulan Dokumen (1) ·
  v2: Pengumpulan Berkas (2)", when more than one version is counted.
"""

from __future__ import annotations

from typing import Any

from ui_kit.i18n import lang, num, stage_name, t


def _versions(numbers: Any) -> str:
    return ", ".join(f"v{n}" for n in numbers)


def stage_label(item: Any) -> str:
    """An aggregate's or a timeline's stage: its name, marked when only older versions run it.
    `item` has name_id / name_en, `in_head`, and `variants` (aggregates) or `version_no`."""
    name = stage_name(item)
    if getattr(item, "in_head", True):
        return name
    variants = getattr(item, "variants", ())
    numbers = [v.version_no for v in variants] or [getattr(item, "version_no", 0)]
    return t("stage.only_in", name=name, versions=_versions(numbers))


def row_stage_label(item: Any) -> str:
    """One jamaah's current stage (a task card, a list line), in its own version's words:
    `stage_name_id` / `stage_name_en`, `pipeline_version_no`, `head_version_no`, `stage_in_head`."""
    name = str(item.stage_name_en if lang() == "en" else item.stage_name_id)
    version = getattr(item, "pipeline_version_no", None)
    if not getattr(item, "stage_in_head", True):
        return t("stage.only_in", name=name, versions=_versions([version]))
    if version is not None and version < getattr(item, "head_version_no", 0):
        return t("stage.of_version", name=name, n=version)
    return name


def variants_note(item: Any) -> str | None:
    """Each version's words and jamaah of a stage counted over several versions, else None."""
    variants = getattr(item, "variants", ())
    if len(variants) < 2:
        return None
    return " · ".join(
        t("stage.variant", n=v.version_no, name=stage_name(v), count=num(v.jamaah)) for v in variants
    )
