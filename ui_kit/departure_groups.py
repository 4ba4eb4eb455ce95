"""The departure-groups page's pieces: the table rows, the group fields, a refusal's words."""

from __future__ import annotations

from typing import Any

import streamlit as st

from pipeline_core.app import intake
from pipeline_core.domain import InvalidInput
from ui_kit.i18n import TEXT, day, num, t


def group_rows(groups: list[intake.GroupRecord]) -> list[dict[str, str]]:
    return [
        {
            t("form.code"): g.code,
            t("form.name"): g.name,
            t("form.departure_date"): day(g.departure_date),
            t("form.return_date"): day(g.return_date),
            t("form.airline"): g.airline,
            t("form.flight_numbers"): g.flight_numbers or "",
            t("form.quota"): num(g.quota),
            t("form.seats_used"): num(g.seats_used),
            t("form.seats_left"): num(g.seats_left),
            t("form.group_status"): t(f"groups.status.{g.status}"),
        }
        for g in groups
    ]


def problem(error: Exception) -> None:
    """A refusal under the form: the field's label and what to fix."""
    if isinstance(error, InvalidInput):
        label = f"form.{error.field}"
        st.error(t("groups.problem", field=t(label) if label in TEXT else error.field, message=error.message))
    else:
        st.error(str(error))


def group_fields(prefix: str, current: intake.GroupRecord | None) -> dict[str, Any]:
    """The group's fields inside the caller's form, filled with `current` when editing."""
    g = current
    return {
        "name": st.text_input(t("form.name"), value=g.name if g else "", key=f"{prefix}name"),
        "departure_date": st.date_input(
            t("form.departure_date"), value=g.departure_date if g else None, key=f"{prefix}dep"
        ),
        "return_date": st.date_input(
            t("form.return_date"), value=g.return_date if g else None, key=f"{prefix}ret"
        ),
        "airline": st.text_input(t("form.airline"), value=g.airline if g else "", key=f"{prefix}air"),
        "flight_numbers": st.text_input(
            t("form.flight_numbers"),
            value=(g.flight_numbers or "") if g else "",
            key=f"{prefix}fl",
            placeholder="SV 817 / SV 816",
        ),
        "quota": int(st.number_input(t("form.quota"), 1, 1000, g.quota if g else 45, key=f"{prefix}q")),
        "price_idr": int(
            st.number_input(t("form.price_idr"), 0, None, g.price_idr if g else 0, 500_000, key=f"{prefix}p")
        ),
    }
