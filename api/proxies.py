"""Which peers may speak for the client: uvicorn believes `X-Forwarded-For` / `X-Forwarded-Proto`
only from PIPELINE_TRUSTED_PROXIES (default: nobody), instead of its own default (127.0.0.1 and
::1, so that any process on the host could give each request an invented address).

The address uvicorn reports keys the sign-in throttling and the API's rate limits, so it must be
the real one. `streamlit run app.py` (and `uvicorn app:app`) build uvicorn's `Config` before they
import app.py, and wrap the app in uvicorn's proxy-headers middleware right after the import; so
app.py calls `trust_only` while it is imported, and it sets the list on that `Config` (found on the
call stack) as well as in `FORWARDED_ALLOW_IPS` for any `Config` made later. A test on the real
server (tests/ui/test_sign_in_throttle.py) checks that an invented `X-Forwarded-For` is ignored.
"""

from __future__ import annotations

import logging
import os
import sys

import uvicorn

__all__ = ["trust_only"]

log = logging.getLogger(__name__)


def trust_only(addresses: str) -> int:
    """Trust forwarded headers from `addresses` only (comma-separated; empty: from nobody).
    Returns how many loading uvicorn configs were set (0 outside a uvicorn start)."""
    os.environ["FORWARDED_ALLOW_IPS"] = addresses
    found = 0
    frame = sys._getframe(1)
    while frame is not None:
        candidate = frame.f_locals.get("self")
        if isinstance(candidate, uvicorn.Config) and not candidate.loaded:
            candidate.forwarded_allow_ips = addresses
            found += 1
        frame = frame.f_back  # type: ignore[assignment]
    return found
