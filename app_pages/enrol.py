"""Daftarkan jamaah: one jamaah into a departure group, or (`?jamaah=<id>`) their data edited.

The same form both ways (ui_kit/intake_form.py); every rule is the core's (`domain.jamaah_rules`),
shown all at once under the field's name. A duplicate NIK links to the jamaah already registered.
"""

import streamlit as st

from pipeline_core.app import intake
from pipeline_core.domain import Action, Conflict, InvalidInput, NotFound
from pipeline_core.domain.jamaah_rules import Problem
from ui_kit import registry
from ui_kit.i18n import day, t
from ui_kit.intake_form import FORM_FIELDS, KEY, jamaah_form, problem_words, submitted_values
from ui_kit.session import viewer_who_may
from ui_kit.widgets import flash, show_flash

viewer = viewer_who_may(Action.ENROL_JAMAAH, "enrol.denied")
show_flash()
editing = st.query_params.get("jamaah")
jamaah_id = int(editing) if editing and editing.isdigit() else None
values: dict[str, object] = {}
masks: dict[str, str] = {}
groups: list[intake.GroupRecord] = []
if jamaah_id is not None:
    try:
        values, _group, masks = intake.jamaah_form(viewer, jamaah_id)
    except NotFound:
        st.warning(t("jamaah.not_found", id=jamaah_id))
        st.stop()
    st.title(t("enrol.edit_title"), anchor=False)
    st.page_link(
        registry.JAMAAH.page(), label=str(values["full_name"]), query_params={"jamaah": str(jamaah_id)}
    )
else:
    st.title(t("enrol.title"), anchor=False)
    groups = [g for g in intake.departure_groups(viewer, include_closed=False) if g.seats_left > 0]
    if not groups:
        st.info(t("enrol.no_group"))
        st.page_link(registry.DEPARTURE_GROUPS.page(), icon=":material/groups:")
        st.stop()
st.caption(t("enrol.caption"))

for line in st.session_state.pop("enrol-warnings", []):
    st.warning(line, icon=":material/warning:")

with st.form("jamaah-form", enter_to_submit=False):
    if jamaah_id is None:
        st.selectbox(
            t("enrol.group"), [g.id for g in groups], key=KEY + "group",
            format_func=lambda gid: next(
                t("enrol.group_option", name=g.name, date=day(g.departure_date), left=g.seats_left)
                for g in groups if g.id == gid
            ),
        )  # fmt: skip
    jamaah_form(values, masks)
    sent = st.form_submit_button(t("enrol.save" if jamaah_id else "enrol.submit"), type="primary")


def save() -> None:
    fields = submitted_values()
    if jamaah_id is None:
        enrolled = intake.enrol_jamaah(viewer, fields, st.session_state[KEY + "group"])
        for name in FORM_FIELDS:
            st.session_state.pop(KEY + name, None)
        flash(t("enrol.done", name=enrolled.jamaah.full_name))
        warnings = enrolled.warnings
    else:
        result = intake.update_jamaah_data(viewer, jamaah_id, fields)
        count = len(result.changed)
        flash(t("enrol.saved", name=values["full_name"], count=count) if count else t("enrol.unchanged"))
        warnings = result.warnings
    st.session_state["enrol-warnings"] = [problem_words(w) for w in warnings]
    st.rerun()


if sent:
    try:
        save()
    except intake.JamaahRejected as rejected:
        st.error(t("enrol.fix") + "\n\n" + "\n".join(f"- {problem_words(p)}" for p in rejected.problems))
    except InvalidInput as bad:
        st.error(t("enrol.fix") + "\n\n- " + problem_words(Problem(bad.field, "invalid", bad.message)))
    except Conflict as duplicate:
        holder = duplicate.current
        st.error(t("enrol.duplicate", name=getattr(holder, "full_name", "?")))
        if holder is not None:
            st.page_link(
                registry.JAMAAH.page(), label=t("enrol.open_existing", name=holder.full_name),
                query_params={"jamaah": str(holder.id)}, icon=":material/person:",
            )  # fmt: skip
