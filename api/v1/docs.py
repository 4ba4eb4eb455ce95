"""`/api/docs`: Swagger UI over `/api/v1/openapi.json`, with no request leaving this site.

Swagger UI's files come from the pinned `fastapi-offline` package (swagger-ui-bundle.js and its
CSS; Swagger UI is Apache-2.0, the package MIT: see its licence file in site-packages), served
here under `/api/docs-assets/`. FastAPI's own docs page loads them from a CDN and starts them with
an inline script, which our Content-Security-Policy forbids; this page loads its starter
(`docs_assets/swagger-init.js`) as a file of this origin instead.
"""

from __future__ import annotations

import html
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from starlette.responses import FileResponse, HTMLResponse, Response

__all__ = ["ASSETS", "install"]

SWAGGER = Path(fastapi_offline.__file__).parent / "static"
OURS = Path(__file__).with_name("docs_assets")
ASSETS = {
    "swagger-ui-bundle.js": SWAGGER / "swagger-ui-bundle.js",
    "swagger-ui.css": SWAGGER / "swagger-ui.css",
    "favicon.png": SWAGGER / "favicon.png",
    "swagger-init.js": OURS / "swagger-init.js",
}

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="{root}/docs-assets/swagger-ui.css">
<link rel="icon" type="image/png" href="{root}/docs-assets/favicon.png">
</head>
<body data-openapi="{root}{openapi}">
<div id="swagger-ui"></div>
<script src="{root}/docs-assets/swagger-ui-bundle.js"></script>
<script src="{root}/docs-assets/swagger-init.js"></script>
</body>
</html>
"""


def install(api: FastAPI) -> None:
    async def docs(request: Request) -> HTMLResponse:
        root = html.escape(request.scope.get("root_path", ""))
        page = _PAGE.format(
            title=html.escape(api.title), root=root, openapi=html.escape(api.openapi_url or "")
        )
        return HTMLResponse(page, headers={"Cache-Control": "no-cache"})

    async def asset(name: str) -> Response:
        path = ASSETS.get(name)
        if path is None:
            return Response(status_code=404)
        return FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})

    api.add_api_route("/docs", docs, methods=["GET"], include_in_schema=False)
    api.add_api_route("/docs-assets/{name}", asset, methods=["GET"], include_in_schema=False)
