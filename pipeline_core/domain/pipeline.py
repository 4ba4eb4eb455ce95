"""A pipeline as an agency edits it: a draft's stages, their checks, a comparison of two versions
and the default stage mapping of a migration. Pure: no I/O.

A draft is a list of stages as plain values (what the editor, a JSON file or the HTTP API sends);
`parse_stages` turns it into `Stage`s, positions following the list order, and `check` answers
every problem at once, each naming its row and field:

- errors stop a publish: a code that is missing, malformed or used twice; a name missing; an
  unknown category; an SLA that is not a whole number of hours from 1 to 8760; a role that is not
  an admin role (a manager or super-admin owns no queue); a "done by" outside H-0..H-365; no active
  stage; a "done by" of a later active stage that falls before an earlier stage's by more than
  that earlier stage's whole SLA. A small inversion is normal (umrah-2026 has equipment H-7 after
  visa approval H-5: they run side by side), but past the earlier stage's SLA the two contradict
  each other: whenever the earlier stage's own deadline is the one that counts, the later stage's
  deadline has already passed.
- warnings are domain advice, not stops (../shared/DOMAIN.md): the visa placed before the hotel
  booking (Saudi Arabia issues an Umrah visa only once the hotel contract is in Nusuk Masar), an
  approval placed before its submission, verification before collection, "ready to depart" not
  last.

Choices where the issue is silent:
- A stage's code is its identity across versions: reports, migrations and comparisons match stages
  by code, so a renamed stage keeps its code and history.
- The default mapping of a migration sends an old stage to the new stage with the same code when it
  is active there; otherwise to the next active stage that followed it in the old order and exists
  in the new one; with none left, to `None` (the jamaah has nothing left to do).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline_core.domain.errors import InvalidInput
from pipeline_core.domain.model import ADMIN_ROLES, Role, Stage, StageCategory

__all__ = [
    "MAX_STAGES",
    "SLA_MAX_HOURS",
    "Problem",
    "StageChange",
    "check",
    "compare",
    "default_mapping",
    "mapping_by_code",
    "parse_stages",
    "read_document",
    "stage_values",
    "to_document",
]

SLA_MAX_HOURS = 8760
DONE_BY_MAX_DAYS = 365
MAX_STAGES = 40
NAME_MAX = 120
_CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")

#: (earlier, later): the later stage should come after the earlier one, else a warning.
ORDER_ADVICE: tuple[tuple[str, str, str], ...] = (
    ("hotel-booking", "visa-application", "visa_before_hotel"),
    ("document-collection", "document-verification", "verification_before_collection"),
    ("siskopatuh-submission", "siskopatuh-approval", "approval_before_submission"),
    ("visa-application", "visa-approval", "approval_before_application"),
)

_MESSAGES = {
    "code_missing": "Give the stage a code (lower-case letters, digits and dashes).",
    "code_format": "The code {value!r} may hold only lower-case letters, digits and dashes (at most 64).",
    "code_duplicate": "The code {value!r} is used by stage {other} too; codes must be unique.",
    "name_missing": "Give the stage a name.",
    "name_long": "A stage name has at most {limit} characters.",
    "category_unknown": "{value!r} is not a category; choose one of {choices}.",
    "sla_whole": "The SLA is a whole number of hours, got {value!r}.",
    "sla_range": "The SLA must be more than 0 and at most {limit} hours, got {value}.",
    "role_unknown": "{value!r} is not a role that works a queue; choose one of {choices}.",
    "done_by_whole": "'Done by' is a whole number of days before departure, got {value!r}.",
    "done_by_range": "'Done by' must be from H-0 to H-{limit}, got H-{value}.",
    "done_by_order": (
        "Done by H-{value} falls before stage {other}'s H-{earlier} by more than that stage's SLA, "
        "although it comes later in the order: when stage {other} runs to its deadline, this one "
        "has already run out of time."
    ),
    "no_active_stage": "At least one stage must be active.",
    "too_many": "A pipeline has at most {limit} stages.",
    "visa_before_hotel": (
        "The visa application comes before the hotel booking: since 10 June 2025 Saudi Arabia issues "
        "an Umrah visa only once the hotel contract is recorded in Nusuk Masar."
    ),
    "verification_before_collection": "Document verification comes before document collection.",
    "approval_before_submission": "SISKOPATUH approval comes before its submission.",
    "approval_before_application": "Visa approval comes before the visa application.",
    "ready_not_last": "'Ready to depart' is not the last active stage.",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding of `check`: `row` is the 0-based stage row (None: the whole pipeline), `field` the
    stage field, `code` a stable word the UI translates (with `params`), `message` in English."""

    row: int | None
    field: str
    code: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    warning: bool = False

    @property
    def message(self) -> str:
        return _MESSAGES[self.code].format(**self.params)


def stage_values(stage: Stage) -> dict[str, Any]:
    """A stage as the plain values a draft, a JSON export and the editor hold."""
    return {
        "code": stage.code,
        "name_id": stage.name_id,
        "name_en": stage.name_en,
        "category": stage.category.value,
        "sla_hours": stage.sla_hours,
        "responsible_role": stage.responsible_role.value,
        "done_by_days": stage.done_by_days,
        "is_active": stage.is_active,
    }


def parse_stages(raw: Sequence[Mapping[str, Any]]) -> tuple[tuple[Stage, ...], list[Problem]]:
    """The draft's rows as `Stage`s (position = row + 1) and every problem found, errors first.

    A row with an error is still returned, with a harmless stand-in for the bad value, so the
    other checks (order, duplicates) can run over the whole draft.
    """
    problems: list[Problem] = []
    stages = tuple(_parse_row(row, values, problems) for row, values in enumerate(raw))
    problems += _whole_pipeline(stages, len(raw))
    problems += _advice(stages)
    problems.sort(key=lambda p: (p.warning, -1 if p.row is None else p.row, _ORDER.get(p.field, 99)))
    return stages, problems


def check(raw: Sequence[Mapping[str, Any]]) -> list[Problem]:
    return parse_stages(raw)[1]


def _text(values: Mapping[str, Any], name: str) -> str:
    value = values.get(name)
    return "" if value is None else " ".join(str(value).split())


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _parse_row(row: int, values: Mapping[str, Any], problems: list[Problem]) -> Stage:
    def bad(field_name: str, code: str, **params: Any) -> None:
        problems.append(Problem(row, field_name, code, params))

    code = _text(values, "code").lower()
    if not code:
        bad("code", "code_missing")
    elif not _CODE.fullmatch(code):
        bad("code", "code_format", value=code)
    names = {}
    for name_field in ("name_id", "name_en"):
        names[name_field] = _text(values, name_field)
        if not names[name_field]:
            bad(name_field, "name_missing")
        elif len(names[name_field]) > NAME_MAX:
            bad(name_field, "name_long", limit=NAME_MAX)
    category = _choice(values.get("category"), StageCategory, StageCategory.CUSTOM)
    if category is None:
        choices = ", ".join(c.value for c in StageCategory)
        bad("category", "category_unknown", value=values.get("category"), choices=choices)
    sla = _whole_number(values.get("sla_hours"))
    if sla is None:
        bad("sla_hours", "sla_whole", value=values.get("sla_hours"))
    elif not 0 < sla <= SLA_MAX_HOURS:
        bad("sla_hours", "sla_range", value=sla, limit=SLA_MAX_HOURS)
    role = _choice(values.get("responsible_role"), Role, None)
    if role not in ADMIN_ROLES:
        choices = ", ".join(r.value for r in ADMIN_ROLES)
        bad("responsible_role", "role_unknown", value=values.get("responsible_role"), choices=choices)
    done_by = _done_by(values.get("done_by_days"), bad)
    return Stage(
        code=code,
        name_id=names["name_id"],
        name_en=names["name_en"],
        category=category or StageCategory.CUSTOM,
        # a bad SLA reads as the longest, which raises no order problem of its own
        sla_hours=sla if sla is not None and 0 < sla <= SLA_MAX_HOURS else SLA_MAX_HOURS,
        responsible_role=role if role in ADMIN_ROLES else Role.DOCUMENT_ADMIN,
        position=row + 1,
        done_by_days=done_by,
        is_active=values.get("is_active", True) is not False,
    )


def _choice(value: Any, kind: Any, blank: Any) -> Any:
    if value is None or value == "":
        return blank
    try:
        return kind(value)
    except ValueError:
        return None


def _done_by(value: Any, bad: Any) -> int | None:
    if value is None or value == "" or (isinstance(value, float) and value != value):  # NaN: empty cell
        return None
    days = _whole_number(value)
    if days is None:
        bad("done_by_days", "done_by_whole", value=value)
        return None
    if not 0 <= days <= DONE_BY_MAX_DAYS:
        bad("done_by_days", "done_by_range", value=days, limit=DONE_BY_MAX_DAYS)
        return None
    return days


def _whole_pipeline(stages: Sequence[Stage], count: int) -> list[Problem]:
    problems: list[Problem] = []
    if count > MAX_STAGES:
        problems.append(Problem(None, "stages", "too_many", {"limit": MAX_STAGES}))
    first_row: dict[str, int] = {}
    for row, stage in enumerate(stages):
        if stage.code and stage.code in first_row:
            other = first_row[stage.code] + 1
            problems.append(Problem(row, "code", "code_duplicate", {"value": stage.code, "other": other}))
        first_row.setdefault(stage.code, row)
    if not any(s.is_active for s in stages):
        problems.append(Problem(None, "is_active", "no_active_stage"))
    dated = [(row, s) for row, s in enumerate(stages) if s.is_active and s.done_by_days is not None]
    for index, (row, stage) in enumerate(dated):
        clash = next((e for e in dated[:index] if _due_first(stage, e[1])), None)
        if clash is not None:
            params = {"value": stage.done_by_days, "other": clash[0] + 1, "earlier": clash[1].done_by_days}
            problems.append(Problem(row, "done_by_days", "done_by_order", params))
    return problems


def _due_first(later: Stage, earlier: Stage) -> bool:
    """The later stage is due more than the earlier stage's whole SLA before the earlier one's
    deadline: whenever that deadline is the one that counts, the later stage has run out of time."""
    assert later.done_by_days is not None and earlier.done_by_days is not None
    return (later.done_by_days - earlier.done_by_days) * 24 > earlier.sla_hours


def _advice(stages: Sequence[Stage]) -> list[Problem]:
    active = [(row, s) for row, s in enumerate(stages) if s.is_active]
    where = {s.code: row for row, s in active}
    problems = [
        Problem(where[later], "position", code, warning=True)
        for earlier, later, code in ORDER_ADVICE
        if earlier in where and later in where and where[later] < where[earlier]
    ]
    if "departure-ready" in where and active[-1][1].code != "departure-ready":
        problems.append(Problem(where["departure-ready"], "position", "ready_not_last", warning=True))
    return problems


# --- comparing versions and mapping stages ----------------------------------------------------

_COMPARED = ("name_id", "name_en", "category", "sla_hours", "responsible_role", "done_by_days", "is_active")


@dataclass(frozen=True, slots=True)
class StageChange:
    """One stage code across two versions: `kind` is added, removed, changed or same; `fields` the
    changed fields as {name: (old, new)}; positions are 1-based, None where the stage is absent."""

    code: str
    name_id: str
    name_en: str
    kind: str
    old_position: int | None
    new_position: int | None
    fields: Mapping[str, tuple[Any, Any]]
    moved: bool = False  # its place among the stages both versions share changed


def compare(old: Sequence[Stage], new: Sequence[Stage]) -> list[StageChange]:
    """What changed per stage code, in the new order, removed stages after (in their old order).

    A stage counts as moved when its rank among the stages both versions share changed, so adding
    a stage at the top does not mark every other stage as moved."""
    before = {s.code: s for s in old}
    after = {s.code: s for s in new}
    shared_old = [s.code for s in sorted(old, key=lambda s: s.position) if s.code in after]
    shared_new = [s.code for s in sorted(new, key=lambda s: s.position) if s.code in before]
    changes: list[StageChange] = []
    for stage in sorted(new, key=lambda s: s.position):
        was = before.get(stage.code)
        if was is None:
            changes.append(
                StageChange(stage.code, stage.name_id, stage.name_en, "added", None, stage.position, {})
            )
            continue
        diff = {
            name: (_plain(getattr(was, name)), _plain(getattr(stage, name)))
            for name in _COMPARED
            if getattr(was, name) != getattr(stage, name)
        }
        rank_moved = shared_old.index(stage.code) != shared_new.index(stage.code)
        kind = "changed" if diff or rank_moved else "same"
        changes.append(
            StageChange(
                stage.code, stage.name_id, stage.name_en, kind, was.position, stage.position, diff, rank_moved
            )
        )
    for stage in sorted(old, key=lambda s: s.position):
        if stage.code not in after:
            changes.append(
                StageChange(stage.code, stage.name_id, stage.name_en, "removed", stage.position, None, {})
            )
    return changes


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


def default_mapping(old: Sequence[Stage], new: Sequence[Stage]) -> dict[str, str | None]:
    """old stage code → the new stage code a jamaah in it continues in (see the module's choices)."""
    active_new = {s.code for s in new if s.is_active}
    ordered = [s.code for s in sorted(old, key=lambda s: s.position)]
    return {
        code: next((c for c in ordered[index:] if c in active_new), None)
        for index, code in enumerate(ordered)
    }


def mapping_by_code(old: Sequence[Stage], new: Sequence[Stage]) -> dict[str, str | None]:
    """The mapping a person is first offered for a migration: `default_mapping` for each old stage
    the new version still has (its own code, or the next active stage when it was disabled). A
    stage the new version no longer has is left out: where its jamaah go is a choice someone makes
    on purpose (the page asks for it), not a guess."""
    kept = {s.code for s in new}
    return {code: target for code, target in default_mapping(old, new).items() if code in kept}


# --- sharing a pipeline as JSON ---------------------------------------------------------------

DOCUMENT_MAX_BYTES = 200_000


def to_document(stages: Sequence[Stage], *, code: str, name: str, description: str = "") -> dict[str, Any]:
    """A pipeline as the JSON of `data/templates/` (what export writes and import reads)."""
    return {
        "code": code,
        "name": name,
        "description": description,
        "stages": [
            stage_values(s) | {"position": s.position} for s in sorted(stages, key=lambda s: s.position)
        ],
    }


def read_document(text: str | bytes) -> list[dict[str, Any]]:
    """The stage rows of an imported JSON document, in their order (by `position` when given).

    Only the shape is checked here (`InvalidInput` on the field "file"); the stages themselves go
    through `parse_stages` like any draft.
    """
    if len(text) > DOCUMENT_MAX_BYTES:
        raise InvalidInput("file", f"The file is larger than {DOCUMENT_MAX_BYTES // 1000} kB.")
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(
            "file", "The file is not JSON; export a pipeline to see the expected form."
        ) from None
    rows = document.get("stages") if isinstance(document, dict) else document
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        raise InvalidInput("file", 'The file holds no list of stages under "stages".')
    if all(_whole_number(r.get("position")) is not None for r in rows):
        rows = sorted(rows, key=lambda r: _whole_number(r.get("position")) or 0)
    return [{name: row.get(name) for name in _FIELDS} for row in rows]


_ORDER = {name: index for index, name in enumerate(("code", "name_id", "name_en", "category", "sla_hours",
          "responsible_role", "done_by_days", "is_active", "position"))}  # fmt: skip
_FIELDS = (
    "code",
    "name_id",
    "name_en",
    "category",
    "sla_hours",
    "responsible_role",
    "done_by_days",
    "is_active",
)
