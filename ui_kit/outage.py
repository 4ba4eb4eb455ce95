"""What a page shows when PostgreSQL or Redis cannot be reached: a clear message, never internals.

`ui.py` runs the whole script run (start-up, the session, the page) inside `shown_as_outage()`.
`ServerUnavailable` — the core's word for "the database or cache is down" — becomes a translated
message that says nothing was lost, with a retry button; the details go to the log only. Other
errors are left to Streamlit, which shows them without message or traceback
(`client.showErrorDetails = "none"` in .streamlit/config.toml) and logs them. The app recovers by
itself: the next run (a click, the live listener's reconnect, the retry button) finds the servers
again; `ensure_ready` is not cached while start-up fails.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import streamlit as st

from pipeline_core.domain import ServerUnavailable
from ui_kit.i18n import t

log = logging.getLogger(__name__)


@contextlib.contextmanager
def shown_as_outage() -> Iterator[None]:
    try:
        yield
    except ServerUnavailable as error:
        log.warning("a page run stopped: %s", error, exc_info=True)
        st.error(f"**{t('outage.title')}**\n\n{t('outage.body')}", icon=":material/cloud_off:")
        st.button(t("outage.retry"), key="outage-retry", icon=":material/refresh:")
