"""The app's own HTTP routes, served by the real `streamlit run app.py` process."""

from __future__ import annotations

import asyncio
import http.client
import re
import socket
import statistics
import time
from typing import Any

import httpx
import pytest

from api import assets
from api.nodelay import NoDelay, set_nodelay


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


@pytest.mark.parametrize("path", ["/", "/healthz", "/_stcore/health", "/api/v1/pipeline/health"])
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


def test_hashed_static_assets_are_cached_for_a_year_and_the_page_is_revalidated(app_server: str) -> None:
    """Streamlit's own caching, relied on by the repeat visit (nothing of ours sets it): the
    content-hashed bundles are immutable for a year; index.html is revalidated on every visit."""
    page = httpx.get(f"{app_server}/")
    assert page.headers["cache-control"] == "no-cache"
    bundle = re.search(r'src="\./(static/js/index\.[\w-]+\.js)"', page.text)
    assert bundle, "index.html names its main bundle"
    cached = httpx.get(f"{app_server}/{bundle.group(1)}").headers
    assert "immutable" in cached["cache-control"]
    assert "max-age=31536000" in cached["cache-control"]
    assert "default-src 'self'" in cached["content-security-policy"]


def test_the_chart_bundle_is_served_compressed_and_cached_for_a_year(app_server: str) -> None:
    """plotly.js basic (ui_kit/plotly_figure.py loads it once per tab): the same bytes as the file
    in the repository, as JavaScript (the page's `nosniff` would refuse anything else), compressed
    when the browser accepts it (api/precompressed.py), immutable under its versioned name, with
    our security headers."""
    url = f"{app_server}{assets.url(assets.PLOTLY_BASIC)}"
    plain = httpx.get(url, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200
    assert plain.content == (assets.FOLDER / assets.PLOTLY_BASIC).read_bytes()
    assert plain.headers["content-type"].startswith(("application/javascript", "text/javascript"))
    assert plain.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "default-src 'self'" in plain.headers["content-security-policy"]
    packed = httpx.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert packed.num_bytes_downloaded < len(plain.content) / 2  # ~395 KB of 1.2 MB
    assert packed.content == plain.content  # httpx unpacks it
    assert httpx.get(f"{app_server}/assets/plotly-full.min.js").status_code == 404


def test_keep_alive_responses_are_not_held_by_nagle(app_server: str) -> None:
    """Without TCP_NODELAY each response on a reused connection waits ~40 ms for the client's
    delayed acknowledgement (api/nodelay.py); with it, a health check takes a few milliseconds."""
    port = int(app_server.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    took = []
    try:
        for _ in range(9):
            start = time.perf_counter()
            connection.request("GET", "/_stcore/health")
            connection.getresponse().read()
            took.append((time.perf_counter() - start) * 1000)
    finally:
        connection.close()
    assert statistics.median(took[1:]) < 30, f"keep-alive requests took {took} ms"


class _Connection:
    """What uvicorn's connection objects show: the transport, whose socket the middleware sets."""

    def __init__(self, sock: socket.socket | None) -> None:
        self.transport = self
        self.sock = sock

    def get_extra_info(self, name: str) -> socket.socket | None:
        return self.sock if name == "socket" else None

    async def receive(self) -> dict[str, str]:
        return {"type": "http.request"}


@pytest.mark.parametrize("scope_type", ["http", "websocket"])
def test_nodelay_switches_nagle_off_and_passes_the_scope_on(scope_type: str) -> None:
    seen = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        connection = _Connection(sock)
        asyncio.run(NoDelay(app)({"type": scope_type}, connection.receive, None))  # type: ignore[arg-type]
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    assert seen == [scope_type]


def test_nodelay_leaves_connections_without_a_tcp_socket_alone() -> None:
    async def receive() -> dict[str, str]:
        return {"type": "http.request"}

    assert set_nodelay(receive) is False  # a plain function: no server connection behind it
    assert set_nodelay(_Connection(None).receive) is False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as unix:
        assert set_nodelay(_Connection(unix).receive) is False


@pytest.mark.parametrize(
    ("header", "coding"),
    [
        ("gzip, deflate, br, zstd", "br"),
        ("br;q=1.0, gzip;q=0.8", "br"),
        ("gzip, br;q=0", "gzip"),
        ("identity", None),
        ("", None),
    ],
)
def test_the_chart_bundle_is_compressed_only_for_a_browser_that_takes_it(
    app_server: str, header: str, coding: str | None
) -> None:
    """The bundle is compressed once (api/precompressed.py); a client that refuses gzip and brotli
    gets the file as is, and either way the bytes are the file's."""
    url = f"{app_server}{assets.url(assets.PLOTLY_BASIC)}"
    answer = httpx.get(url, headers={"Accept-Encoding": header})
    assert answer.status_code == 200
    assert answer.headers.get("content-encoding") == coding
    assert answer.headers["vary"] == "Accept-Encoding"  # a shared cache keeps both apart
    assert answer.content == (assets.FOLDER / assets.PLOTLY_BASIC).read_bytes()


def test_streamlits_internal_metrics_are_not_served(app_server: str) -> None:
    response = httpx.get(f"{app_server}/_stcore/metrics")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "cache" not in response.text.lower()


def _stream_url(app_server: str) -> str:
    return app_server.replace("http://", "ws://") + "/_stcore/stream"


@pytest.mark.parametrize("origin", ["http://localhost:9999", "http://127.0.0.1:1", "https://evil.example"])
def test_the_websocket_refuses_a_page_of_another_origin(app_server: str, origin: str) -> None:
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect
    from websockets.typing import Origin

    with pytest.raises(InvalidStatus) as refused:
        connect(_stream_url(app_server), origin=Origin(origin), open_timeout=10).close()
    assert refused.value.response.status_code == 403


def test_the_websocket_takes_its_own_origin(app_server: str) -> None:
    from websockets.sync.client import connect
    from websockets.typing import Origin

    with connect(_stream_url(app_server), origin=Origin(app_server), open_timeout=10) as socket_:
        assert socket_.protocol.state.name == "OPEN"


def test_the_json_api_is_mounted_with_problems_and_offline_docs(app_server: str) -> None:
    """app.py mounts api.v1 at /api: a call without a token is a 401 problem, with our headers."""
    refused = httpx.get(f"{app_server}/api/v1/pipeline/health")
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert "default-src 'self'" in refused.headers["content-security-policy"]
    document = httpx.get(f"{app_server}/api/v1/openapi.json")  # through api/lane.py
    assert document.json()["openapi"].startswith("3.1")
    assert document.headers["content-encoding"] == "gzip"  # a large answer, to a client that takes gzip
    plain = httpx.get(f"{app_server}/api/v1/openapi.json", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.json() == document.json()
    assert "content-encoding" not in refused.headers  # a small one is not worth it
    docs = httpx.get(f"{app_server}/api/docs")
    assert docs.status_code == 200
    assert "/api/docs-assets/swagger-ui-bundle.js" in docs.text
    assert "/api/v1/openapi.json" in docs.text
