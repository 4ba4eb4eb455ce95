"""A draft pipeline's checks, the comparison of two versions and the default migration mapping."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline_core.domain.errors import InvalidInput
from pipeline_core.domain.pipeline import (
    check,
    compare,
    default_mapping,
    mapping_by_code,
    parse_stages,
    read_document,
    to_document,
)

TEMPLATES = Path(__file__).resolve().parents[2] / "data" / "templates"


def umrah_2026() -> list[dict[str, Any]]:
    return read_document((TEMPLATES / "umrah-2026.json").read_text(encoding="utf-8"))


def edited(**changes: dict[str, Any]) -> list[dict[str, Any]]:
    """umrah-2026 with some rows changed: edited(r0={"sla_hours": 0}) changes row 0."""
    rows = umrah_2026()
    for key, values in changes.items():
        rows[int(key[1:])] |= values
    return rows


def test_the_shipped_templates_pass_and_only_legacy_gets_the_visa_warning() -> None:
    assert check(umrah_2026()) == []
    legacy = read_document((TEMPLATES / "legacy-2024.json").read_text(encoding="utf-8"))
    problems = check(legacy)
    assert [(p.code, p.warning) for p in problems] == [("visa_before_hotel", True)]
    assert "Nusuk Masar" in problems[0].message


@pytest.mark.parametrize(
    ("rows", "row", "field", "code"),
    [
        (edited(r0={"code": ""}), 0, "code", "code_missing"),
        (edited(r0={"code": "Dokumen 1"}), 0, "code", "code_format"),
        (edited(r1={"code": "document-collection"}), 1, "code", "code_duplicate"),
        (edited(r2={"name_id": "  "}), 2, "name_id", "name_missing"),
        (edited(r2={"name_en": "x" * 121}), 2, "name_en", "name_long"),
        (edited(r3={"category": "religious"}), 3, "category", "category_unknown"),
        (edited(r4={"sla_hours": 0}), 4, "sla_hours", "sla_range"),
        (edited(r4={"sla_hours": -5}), 4, "sla_hours", "sla_range"),
        (edited(r4={"sla_hours": 8761}), 4, "sla_hours", "sla_range"),
        (edited(r4={"sla_hours": "12.5"}), 4, "sla_hours", "sla_whole"),
        (edited(r4={"sla_hours": None}), 4, "sla_hours", "sla_whole"),
        (edited(r5={"responsible_role": "pilot"}), 5, "responsible_role", "role_unknown"),
        (edited(r5={"responsible_role": "manager"}), 5, "responsible_role", "role_unknown"),
        (edited(r6={"done_by_days": 400}), 6, "done_by_days", "done_by_range"),
        (edited(r6={"done_by_days": "soon"}), 6, "done_by_days", "done_by_whole"),
        # visa approval (row 6) due by H-14 while the visa application before it (SLA 72 h) is due by
        # H-10: four days before it, more than its three days of SLA
        (edited(r6={"done_by_days": 14}), 6, "done_by_days", "done_by_order"),
    ],
)
def test_each_error_names_its_row_and_field(
    rows: list[dict[str, Any]], row: int, field: str, code: str
) -> None:
    errors = [p for p in check(rows) if not p.warning]
    assert [(p.row, p.field, p.code) for p in errors] == [(row, field, code)]
    assert errors[0].message  # a sentence, with its values filled in


@pytest.mark.parametrize(
    ("changes", "ok"),
    [
        ({"r6": {"done_by_days": 10}}, True),  # the same day as the stage before: consistent
        ({"r6": {"done_by_days": 13}}, True),  # three days before it: within its 72 h SLA
        ({"r6": {"done_by_days": 14}}, False),
        ({"r5": {"done_by_days": None}}, True),  # an earlier stage without a deadline
        ({"r6": {"done_by_days": 12, "is_active": False}}, True),  # inactive stages are not held to it
        ({"r9": {"done_by_days": 0}}, True),  # H-0 is departure day itself
        ({"r9": {"done_by_days": 50}}, False),  # ready to depart due before document collection
    ],
)
def test_deadlines_follow_the_order_of_the_active_stages(changes: dict[str, Any], ok: bool) -> None:
    assert (not [p for p in check(edited(**changes)) if not p.warning]) is ok


def test_at_least_one_stage_must_be_active() -> None:
    rows = [row | {"is_active": False} for row in umrah_2026()]
    assert [(p.row, p.field, p.code) for p in check(rows)] == [(None, "is_active", "no_active_stage")]


@pytest.mark.parametrize(
    ("order", "warnings"),
    [
        ([4, 5], ["visa_before_hotel"]),  # swap hotel booking and visa application
        ([0, 1], ["verification_before_collection"]),
        ([2, 3], ["approval_before_submission"]),
        ([5, 6], ["approval_before_application"]),
        ([8, 9], ["ready_not_last"]),
    ],
)
def test_domain_advice_is_a_warning_not_an_error(order: list[int], warnings: list[str]) -> None:
    rows = umrah_2026()
    first, second = order
    rows[first], rows[second] = rows[second], rows[first]
    for row in rows:  # keep the deadlines consistent, so only the advice is left
        row["done_by_days"] = None
    problems = check(rows)
    assert all(p.warning for p in problems)
    assert [p.code for p in problems] == warnings


def test_a_disabled_visa_stage_gets_no_advice() -> None:
    rows = umrah_2026()
    rows[4], rows[5] = rows[5], rows[4]
    rows[4] |= {"is_active": False}
    assert check(rows) == []


def test_positions_follow_the_rows_and_blank_cells_read_as_nothing() -> None:
    rows = umrah_2026()
    rows[0] |= {"done_by_days": float("nan"), "category": None, "sla_hours": 72.0}
    stages, problems = parse_stages(rows)
    assert problems == []
    assert [s.position for s in stages] == list(range(1, 11))
    assert (
        stages[0].done_by_days is None and stages[0].category.value == "custom" and stages[0].sla_hours == 72
    )


def test_comparison_lists_changes_moves_additions_and_removals() -> None:
    old, _ = parse_stages(umrah_2026())
    rows = umrah_2026()
    rows[4], rows[5] = rows[5], rows[4]  # visa before hotel
    rows[7] |= {"sla_hours": 24}
    rows.insert(1, {"code": "manasik", "name_id": "Manasik", "name_en": "Manasik", "category": "custom",
                    "sla_hours": 48, "responsible_role": "travel-admin"})  # fmt: skip
    del rows[-1]  # departure-ready
    new, _ = parse_stages(rows)
    changes = {c.code: c for c in compare(old, new)}
    assert changes["manasik"].kind == "added"
    assert changes["departure-ready"].kind == "removed"
    assert changes["equipment-preparation"].fields == {"sla_hours": (72, 24)}
    assert changes["visa-application"].moved and changes["hotel-booking"].moved
    assert changes["document-verification"].kind == "same"  # shifted down by the insert, not moved
    assert [c.code for c in compare(old, new)][-1] == "departure-ready"


def test_default_mapping_follows_codes_then_the_next_stage() -> None:
    old, _ = parse_stages(umrah_2026())
    rows = umrah_2026()
    rows[1] |= {"is_active": False}  # document verification disabled
    del rows[9]  # ready to depart removed
    del rows[3]  # siskopatuh approval removed
    new, _ = parse_stages(rows)
    mapping = default_mapping(old, new)
    assert mapping["document-collection"] == "document-collection"
    assert mapping["document-verification"] == "siskopatuh-submission"
    assert mapping["siskopatuh-approval"] == "hotel-booking"
    assert mapping["departure-ready"] is None
    # what the page offers: the same, less the removed stages (someone must choose for those)
    offered = mapping_by_code(old, new)
    assert offered == {
        k: v for k, v in mapping.items() if k not in {"siskopatuh-approval", "departure-ready"}
    }
    assert offered["document-verification"] == "siskopatuh-submission"


def test_export_then_import_gives_the_same_stages() -> None:
    stages, _ = parse_stages(umrah_2026())
    text = json.dumps(to_document(stages, code="agency-v3", name="Agency v3"))
    again, problems = parse_stages(read_document(text))
    assert again == stages and problems == []


@pytest.mark.parametrize(
    "text",
    ["not json", "{}", '{"stages": []}', '{"stages": [1, 2]}', '"stages"', "x" * 200_001],
)
def test_a_malformed_document_is_refused_on_the_file(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_document(text)
    assert refused.value.field == "file"
