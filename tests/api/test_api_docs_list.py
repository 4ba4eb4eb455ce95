"""docs/http-api.md lists exactly what /api/v1 serves: every operation of the OpenAPI document has
its row in the endpoint table, and the table names nothing the API does not serve."""

from __future__ import annotations

import re
from pathlib import Path

from api.v1 import create_api

DOC = Path(__file__).resolve().parents[2] / "docs" / "http-api.md"
ROW = re.compile(r"^\| `(GET|POST|PATCH|PUT|DELETE) (/[^` ?\[]*)")
PARAMETER = re.compile(r"\{[^}]*\}")


def _shape(path: str) -> str:
    """`/pipeline/tasks/{task_id}` and `/pipeline/tasks/{id}` are the same route."""
    return PARAMETER.sub("{}", path)


def _served() -> set[tuple[str, str]]:
    spec = create_api().openapi()
    return {
        (method.upper(), _shape(path.removeprefix("/v1")))
        for path, operations in spec["paths"].items()
        for method in operations
        if path.startswith("/v1/") and not path.endswith("openapi.json")
    }


def _documented() -> set[tuple[str, str]]:
    section = DOC.read_text(encoding="utf-8").split("/api/v1", 1)[1]
    return {(m.group(1), _shape(m.group(2))) for line in section.splitlines() if (m := ROW.match(line))}


def test_every_operation_is_documented_and_nothing_else() -> None:
    served, documented = _served(), _documented()
    assert served, "the OpenAPI document lists the API's operations"
    assert served - documented == set(), "served but not in docs/http-api.md"
    assert documented - served == set(), "in docs/http-api.md but not served"
