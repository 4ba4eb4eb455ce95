"""Text the API accepts: no NUL or other control characters (PostgreSQL refuses NUL in text, and
nobody types a control character into a note), checked before anything reaches the core, so the
answer is a 422 naming the field."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

__all__ = ["Text"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _plain(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


Text = Annotated[str, AfterValidator(_plain)]
