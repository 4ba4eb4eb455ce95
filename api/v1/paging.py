"""Page parameters shared by the list endpoints: `page` from 1, `limit` from 1 to 100 (default 20).

A page past the last one answers the last page (as the pages do), with `total` and `pages` so a
client knows where the end is. `page` stops at 10,000: deeper than that, use the task list's
`cursor` or narrow the filter — an OFFSET of a million rows is a slow read for everyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, TypeVar

from fastapi import Query

__all__ = ["MAX_LIMIT", "MAX_PAGE", "Limit", "Page", "paged"]

MAX_LIMIT, MAX_PAGE = 100, 10_000
T = TypeVar("T")

Page = Annotated[int, Query(ge=1, le=MAX_PAGE, description="page number, from 1")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="items per page, 1-100")]


def paged(items: Sequence[T], page: int, limit: int) -> tuple[list[T], int, int, int]:
    """One page of a list already in memory (a cached read): items, total, page, pages."""
    total = len(items)
    pages = max(1, -(-total // limit))
    page = min(page, pages)
    return list(items[(page - 1) * limit : page * limit]), total, page, pages
