"""api/lane.py: a request the API's mount matches goes to the API, anything else on down."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Mount, Route
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from api.lane import ApiLane


def _site() -> tuple[TestClient, list[str]]:
    seen: list[str] = []

    async def echo(request: Request) -> JSONResponse:
        seen.append("api")
        big = "x" * 4096 if request.query_params.get("big") else ""
        return JSONResponse({"path": request.url.path, "root": request.scope["root_path"], "big": big})

    async def page(request: Request) -> PlainTextResponse:
        seen.append("page")
        return PlainTextResponse("page")

    api = Starlette(routes=[Route("/v1/echo", echo)])
    mount = Mount("/api", app=api)

    class Below:
        """Stands for Streamlit's own layers: notes every request that reaches them."""

        def __init__(self, app: ASGIApp) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            seen.append(f"below {scope['path']}")
            await self.app(scope, receive, send)

    site = Starlette(
        routes=[Route("/", page), mount],
        middleware=[Middleware(ApiLane, mount=mount), Middleware(Below)],
    )
    return TestClient(site), seen


def test_an_api_request_skips_the_layers_below_and_sees_the_mounts_paths() -> None:
    client, seen = _site()
    answer = client.get("/api/v1/echo")
    assert answer.status_code == 200
    assert answer.json()["path"] == "/api/v1/echo" and answer.json()["root"] == "/api"
    assert seen == ["api"]


def test_other_paths_go_on_down() -> None:
    client, seen = _site()
    assert client.get("/").text == "page"
    assert client.get("/apiary").status_code == 404  # not the API's mount
    assert seen == ["below /", "page", "below /apiary"]


def test_large_api_answers_are_compressed_small_ones_not() -> None:
    client, _ = _site()
    big = client.get("/api/v1/echo?big=1", headers={"Accept-Encoding": "gzip"})
    assert big.headers["content-encoding"] == "gzip" and len(big.json()["big"]) == 4096
    small = client.get("/api/v1/echo", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers
