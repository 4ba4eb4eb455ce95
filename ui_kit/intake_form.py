"""The jamaah form (enrol and edit are the same form) and the words of a rule's problem.

Widgets only: every value goes to `pipeline_core.app.intake`, whose rules (`domain.jamaah_rules`)
decide; the form shows every problem at once, each under its field's label, in the reader's
language (`rule.<code>`; the core's own sentence when no translation exists).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from pipeline_core.domain import siskopatuh
from pipeline_core.domain.jamaah_rules import Problem
from ui_kit.i18n import TEXT, t

KEY = "jf-"  # widget keys: jf-<field>
_TEXTS_MAIN = ("full_name", "nik", "phone", "birth_place")
_OLDEST = date(1900, 1, 1)


def problem_words(problem: Problem) -> str:
    """'NIK *: …' in the reader's language."""
    key = f"rule.{problem.code}"
    params = {k: (f"{v:%d %b %Y}" if isinstance(v, date) else v) for k, v in problem.params.items()}
    try:
        message = t(key, **params) if key in TEXT else problem.message
    except KeyError:
        message = problem.message
    label = f"form.{problem.field}"
    return f"**{t(label) if label in TEXT else problem.field}**: {message}"


def _text(name: str, values: dict[str, Any], help: str | None = None) -> None:
    st.text_input(t(f"form.{name}"), value=values.get(name) or "", key=KEY + name, help=help)


def _date(name: str, values: dict[str, Any], *, oldest: date = _OLDEST) -> None:
    st.date_input(
        t(f"form.{name}"), value=values.get(name), key=KEY + name, min_value=oldest,
        max_value=date(2100, 12, 31), format="DD/MM/YYYY",
    )  # fmt: skip


def _choice(name: str, options: tuple[str, ...], values: dict[str, Any]) -> None:
    current = values.get(name)
    st.selectbox(
        t(f"form.{name}"), options, index=options.index(current) if current in options else None,
        key=KEY + name, placeholder="—",
    )  # fmt: skip


def jamaah_form(values: dict[str, Any], masks: dict[str, str] | None = None) -> None:
    """The fields, inside the caller's `st.form`. `masks`: an edit's stored NIK/passport, masked."""
    masks = masks or {}
    st.subheader(t("enrol.identity"), anchor=False)
    left, right = st.columns(2)
    with left:
        _text("full_name", values)
        genders = ("L", "P")
        st.radio(
            t("form.gender"),
            genders,
            format_func=lambda g: t(f"gender.{g}"),
            horizontal=True,
            key=KEY + "gender",
            index=genders.index(values["gender"]) if values.get("gender") in genders else None,
        )
        _date("birth_date", values)
        _text("birth_place", values)
    with right:
        _text("nik", values, help=t("enrol.keep_secret", mask=masks["nik"]) if masks.get("nik") else None)
        _text("phone", values)
        _choice("title", siskopatuh.VOCABULARIES["title"], values)
        _text("father_name", values)
    st.subheader(t("enrol.passport"), anchor=False)
    left, right = st.columns(2)
    with left:
        mask = masks.get("passport_number")
        _text("passport_number", values, help=t("enrol.keep_secret", mask=mask) if mask else None)
        _text("passport_name", values)
        _text("passport_city", values)
    with right:
        _date("passport_issue_date", values)
        _date("passport_expiry_date", values)
    with st.expander(t("enrol.more")):
        _more(values)


def _more(values: dict[str, Any]) -> None:
    left, right = st.columns(2)
    with left:
        _text("address", values)
        _choice("province", siskopatuh.provinces(), values)
        regencies = tuple(sorted({r for p in siskopatuh.provinces() for r in siskopatuh.regencies(p)}))
        _choice("regency", regencies, values)
        _text("district", values)
        _text("village", values)
        _text("home_phone", values)
        for name in ("identity_type", "nationality", "marital_status", "education", "occupation"):
            _choice(name, siskopatuh.VOCABULARIES[name], values)
    with right:
        for name in ("visa_provider", "visa_number"):
            _text(name, values)
        for name in ("visa_valid_from", "visa_valid_until"):
            _date(name, values)
        for name in ("insurance_provider", "insurance_policy_number"):
            _text(name, values)
        for name in ("insurance_input_date", "insurance_start_date", "insurance_end_date"):
            _date(name, values)
        for name in ("bpjs_number", "agent_name", "notes"):
            _text(name, values)


FORM_FIELDS = (
    "full_name", "gender", "birth_date", "birth_place", "nik", "phone", "title", "father_name",
    "passport_number", "passport_name", "passport_city", "passport_issue_date", "passport_expiry_date",
    "address", "province", "regency", "district", "village", "home_phone", "identity_type", "nationality",
    "marital_status", "education", "occupation", "visa_provider", "visa_number", "visa_valid_from",
    "visa_valid_until", "insurance_provider", "insurance_policy_number", "insurance_input_date",
    "insurance_start_date", "insurance_end_date", "bpjs_number", "agent_name", "notes",
)  # fmt: skip


def submitted_values() -> dict[str, Any]:
    """What the form holds: blank text as None."""
    state = st.session_state
    return {name: (state.get(KEY + name) or None) for name in FORM_FIELDS}
