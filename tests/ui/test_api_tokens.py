"""Token API page: a member of staff makes a personal API token, sees it once, and revokes it."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from pipeline_core.app import sessions, token_holder
from pipeline_core.domain.model import Workspace
from tests.ui.conftest import open_page


def _make(at: AppTest, name: str) -> str:
    at.text_input[0].set_value(name)
    at.button[0].click().run()  # the form's submit button
    assert not at.exception, at.exception
    assert len(at.success) == 1 and at.success[0].value.startswith("Token dibuat. Salin sekarang")
    (shown,) = [code.value for code in at.code]
    return str(shown)


def test_a_token_is_shown_once_and_acts_as_its_owner(fresh_demo13: Workspace) -> None:
    at = open_page("api_tokens", user="visa-admin")
    token = _make(at, "bot WhatsApp")
    holder = token_holder(token)
    assert holder is not None
    assert holder.user.username == sessions.demo_username(holder.user.role, "demo-13")
    assert str(holder.user.role) == "visa-admin"

    at.run()  # the next run: the token is gone from the page, its row stays
    assert not at.code
    (table,) = at.table
    rows = table.value
    assert list(rows["Nama"]) == ["bot WhatsApp"] and list(rows["Status"]) == ["aktif"]
    assert token not in str(rows.to_dict())
    assert "Pemilik" not in rows.columns  # an admin sees only their own tokens


def test_a_revoked_token_no_longer_works(fresh_demo13: Workspace) -> None:
    at = open_page("api_tokens", user="manager")
    token = _make(at, "ekspor malam")
    at.run()
    at.selectbox(key="revoke-which").select(at.selectbox(key="revoke-which").options[0]).run()
    at.button(key="revoke").click().run()
    assert not at.exception, at.exception
    assert token_holder(token) is None
    assert list(at.table[0].value["Status"]) == ["dicabut"]


def test_a_bad_name_is_refused_with_a_reason(fresh_demo13: Workspace) -> None:
    at = open_page("api_tokens", user="manager")
    at.text_input[0].set_value("bot\x00")
    at.button[0].click().run()
    assert not at.exception
    assert at.error and at.error[0].value.startswith("Tidak bisa:")
    assert not at.code


def test_a_super_admin_sees_everyones_tokens(fresh_demo13: Workspace) -> None:
    _make(open_page("api_tokens", user="document-admin"), "skrip dokumen")
    at = open_page("api_tokens", user="super-admin")
    rows = at.table[0].value
    assert "Pemilik" in rows.columns
    assert list(rows["Nama"]) == ["skrip dokumen"]
