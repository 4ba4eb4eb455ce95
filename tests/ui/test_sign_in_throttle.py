"""Sign-in throttling on the real server: the address it counts is the one the connection comes
from, whatever `X-Forwarded-For` a client invents, unless the connection comes from a proxy named in
PIPELINE_TRUSTED_PROXIES."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from pipeline_core.commands.accounts import DEMO_PASSWORD
from pipeline_core.domain.model import Workspace
from pipeline_core.reads import activity_log
from pipeline_core.store import cache
from tests.conftest import start_app, stop_app

ACCOUNTS = ("visa-admin@demo-13", "logistics-admin@demo-13", "travel-admin@demo-13")


@pytest.fixture
def clean_throttle(servers: None) -> Iterator[None]:
    yield
    client = cache.get_redis()
    for key in client.scan_iter("pl:signin:*"):
        client.delete(key)


@pytest.fixture(scope="module")
def behind_a_proxy(servers: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app configured to trust 127.0.0.1 as its reverse proxy."""
    process, base = start_app(
        tmp_path_factory.mktemp("proxied") / "app.log", PIPELINE_TRUSTED_PROXIES="127.0.0.1"
    )
    yield base
    stop_app(process)


def guess_with_invented_addresses(base: str, demo13: Workspace) -> set[str]:
    """Three wrong passwords, each claiming another X-Forwarded-For; the addresses the server saw."""
    start = datetime.now(UTC)  # the server stamps the attempts with its own clock
    for n, username in enumerate(ACCOUNTS):
        answer = httpx.post(
            f"{base}/auth/login",
            data={"username": username, "password": "bukan-sandinya"},
            headers={"Origin": base, "X-Forwarded-For": f"203.0.113.{n}"},
        )
        assert (answer.status_code, answer.headers["location"]) == (303, "/?login_error=1")
    seen = activity_log.sign_in_attempts(demo13, since=start)
    assert {a.account for a in seen} == set(ACCOUNTS)
    return {a.address for a in seen}


def test_an_invented_forwarded_for_does_not_give_each_guess_a_new_address(
    app_server: str, demo13: Workspace, clean_throttle: None
) -> None:
    assert guess_with_invented_addresses(app_server, demo13) == {"127.0.0.1"}


def test_a_configured_proxy_is_believed(behind_a_proxy: str, demo13: Workspace, clean_throttle: None) -> None:
    assert guess_with_invented_addresses(behind_a_proxy, demo13) == {
        "203.0.113.0",
        "203.0.113.1",
        "203.0.113.2",
    }


def test_the_right_password_still_signs_in(app_server: str, demo13: Workspace, clean_throttle: None) -> None:
    answer = httpx.post(
        f"{app_server}/auth/login",
        data={"username": ACCOUNTS[0], "password": DEMO_PASSWORD},
        headers={"Origin": app_server},
    )
    assert (answer.status_code, answer.headers["location"]) == (303, "/")
