"""The app's own HTTP routes, served by the real `streamlit run app.py` process."""

from __future__ import annotations

import httpx
import pytest


def test_healthz_says_the_process_is_up(app_server: str) -> None:
    response = httpx.get(f"{app_server}/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_database_redis_and_schema(app_server: str) -> None:
    response = httpx.get(f"{app_server}/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": True, "redis": True, "schema_current": True},
    }


@pytest.mark.parametrize("path", ["/", "/healthz", "/_stcore/health"])
def test_every_response_carries_the_security_headers(app_server: str, path: str) -> None:
    headers = httpx.get(f"{app_server}{path}").headers
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'self'" in csp
    assert "script-src 'self' 'sha256-" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "SAMEORIGIN"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_the_page_itself_is_served(app_server: str) -> None:
    response = httpx.get(f"{app_server}/")
    assert response.status_code == 200
    assert "<title>" in response.text.lower() or "streamlit" in response.text.lower()
