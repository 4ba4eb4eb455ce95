"""Words for stages of jamaah on several pipeline versions (issue 17), merged into `i18n.TEXT`."""

from __future__ import annotations

VERSION_TEXT: dict[str, tuple[str, str]] = {
    # a stage the newest version does not run: "Verifikasi Dokumen (hanya v1)"
    "stage.only_in": ("{name} (hanya {versions})", "{name} ({versions} only)"),
    # a jamaah still on an older version, in a stage the newest version also runs
    "stage.of_version": ("{name} (v{n})", "{name} (v{n})"),
    # one version's words and jamaah of a stage counted over several versions
    "stage.variant": ("v{n}: {name} ({count})", "v{n}: {name} ({count})"),
    "stage.variants.help": (
        "Jamaah pada versi pipeline yang berbeda: tiap versi dengan nama tahapnya sendiri.",
        "Jamaah on different pipeline versions, each version with its own stage name.",
    ),
}
