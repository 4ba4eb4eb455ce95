"""The database goes away under open pages: every page says so plainly — nothing lost, try again —
and shows no traceback, SQL, path or exception; the details go to the log; the page comes back by
itself when the database does.

"Gone" is real: the engine is pointed at a closed port on 127.0.0.1, so each connection is refused
by the operating system, as when PostgreSQL is stopped.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from pipeline_core.store import db
from pipeline_core.store.config import get_settings
from tests.ports import free_port
from tests.ui.conftest import ROOT, TOKEN_KEY, sign_in

INTERNALS = (
    "Traceback",
    "psycopg",
    "sqlalchemy",
    "OperationalError",
    ".py",
    "/work",
    "postgresql://",
    "SELECT",
)


def _switch_database(url: str | None) -> None:
    if url is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    db.reset_engine()


@pytest.fixture
def database_down(demo: object) -> Iterator[None]:
    original = os.environ.get("DATABASE_URL")
    _switch_database(f"postgresql://postgres@127.0.0.1:{free_port()}/gone")
    try:
        yield
    finally:
        _switch_database(original)


def _shown(at: AppTest) -> str:
    parts = [
        *at.markdown,
        *at.error,
        *at.warning,
        *at.info,
        *at.caption,
        *at.title,
        *at.header,
        *at.subheader,
    ]
    return "\n".join(str(getattr(part, "value", "")) for part in parts)


def _app(page: str, token: str | None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "ui.py"), default_timeout=60)
    if token is not None:
        at.session_state[TOKEN_KEY] = token
    at.switch_page(f"app_pages/{page}.py")
    return at


def _assert_outage_shown(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert len(at.error) == 1, [e.value for e in at.error]
    assert at.error[0].value.startswith("**Basis data sedang tidak dapat dihubungi**")
    assert "Tidak ada data yang hilang" in at.error[0].value
    assert [b.label for b in at.button] == ["Coba lagi"]
    shown = _shown(at)
    for internal in INTERNALS:
        assert internal not in shown, internal


@pytest.mark.parametrize("page", ["overview", "task_queue", "jamaah", "departures"])
def test_a_signed_in_page_says_the_database_is_down_and_shows_no_internals(
    page: str, demo: object, caplog: pytest.LogCaptureFixture
) -> None:
    at = _app(page, sign_in("manager"))
    with caplog.at_level(logging.WARNING, logger="ui_kit.outage"):
        original = os.environ.get("DATABASE_URL")
        _switch_database(f"postgresql://postgres@127.0.0.1:{free_port()}/gone")
        try:
            at.run()
            _assert_outage_shown(at)
        finally:
            _switch_database(original)
    assert any("a page run stopped" in record.getMessage() for record in caplog.records), "logged"

    at.button[0].click().run()  # the database is back: the retry shows the page again
    assert not at.exception and not at.error, (at.exception, at.error)


def test_the_sign_in_page_says_the_database_is_down(database_down: None) -> None:
    at = _app("sign_in", None)
    at.run()
    _assert_outage_shown(at)


def test_the_sign_in_page_comes_back_with_the_database(demo: object) -> None:
    at = _app("sign_in", None)
    original = os.environ.get("DATABASE_URL")
    _switch_database(f"postgresql://postgres@127.0.0.1:{free_port()}/gone")
    try:
        at.run()
        _assert_outage_shown(at)
    finally:
        _switch_database(original)
    at.run()
    assert not at.exception and not at.error
    shown = _shown(at)
    assert "manager@demo-13" in shown, "the demo accounts, read from the database again"
