"""Every page of the app, defined once: its script, title, icon, URL and who is offered it.

The router (ui.py) builds the navigation from here, and a page links to another through these
objects — `st.page_link(JAMAAH.page(), …)`, `JAMAAH.href(jamaah=12)` for a link drawn outside
Streamlit's own — never through a script path or a URL typed again.

A title is a word of the current language, so the `st.Page` is made when asked (`page()`), on
each run: an `st.Page` made once would keep the language of the run that made it. Making one is a
path check, microseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st

from pipeline_core.domain import Action
from ui_kit.i18n import t


@dataclass(frozen=True, slots=True)
class AppPage:
    """One page: `script` relative to ui.py, `title` a key of `i18n.TEXT`, `url_path` its address
    (`default`: the address is the app's root), `needs` the permission without which the router does
    not offer it (None: every signed-in user)."""

    script: str
    title: str
    icon: str
    url_path: str
    needs: Action | None = None
    default: bool = False

    def page(self) -> st.Page:
        """The page as Streamlit's `st.Page`, titled in the current language: for `st.navigation`,
        `st.page_link` and `st.switch_page`."""
        return st.Page(
            self.script, title=t(self.title), icon=self.icon, url_path=self.url_path, default=self.default
        )

    def href(self, **params: object) -> str:
        """The page's relative URL with these query parameters ("jamaah?jamaah=12"), for a link
        drawn by something other than `st.page_link` (a table's link column, the kanban's cards)."""
        path = "" if self.default else self.url_path
        return f"{path}?{urlencode({key: str(value) for key, value in params.items()})}"


#: The only page without a session.
SIGN_IN = AppPage("app_pages/sign_in.py", "signin.title", ":material/login:", "sign_in", default=True)

OVERVIEW = AppPage("app_pages/overview.py", "nav.overview", ":material/dashboard:", "overview", default=True)
TASK_QUEUE = AppPage("app_pages/task_queue.py", "nav.queue", ":material/view_kanban:", "task_queue")
DEPARTURES = AppPage("app_pages/departures.py", "nav.departures", ":material/flight_takeoff:", "departures")
DEPARTURE_GROUPS = AppPage(
    "app_pages/departure_groups.py", "nav.groups", ":material/groups:", "departure_groups"
)
ENROL = AppPage(
    "app_pages/enrol.py", "nav.enrol", ":material/person_add:", "enrol", needs=Action.ENROL_JAMAAH
)
DOCUMENTS = AppPage("app_pages/documents.py", "nav.documents", ":material/fact_check:", "documents")
FILES = AppPage("app_pages/import_export.py", "nav.files", ":material/upload_file:", "import_export")
BOTTLENECKS = AppPage("app_pages/bottlenecks.py", "nav.bottlenecks", ":material/warning:", "bottlenecks")
JAMAAH = AppPage("app_pages/jamaah.py", "nav.jamaah", ":material/person_search:", "jamaah")
ACTIVITY = AppPage(
    "app_pages/activity.py", "nav.activity", ":material/history:", "activity", needs=Action.VIEW_ACTIVITY_LOG
)
PIPELINE = AppPage("app_pages/pipeline.py", "nav.pipeline", ":material/account_tree:", "pipeline")
TOKENS = AppPage("app_pages/api_tokens.py", "nav.tokens", ":material/key:", "api_tokens")
USERS = AppPage(
    "app_pages/users.py", "nav.users", ":material/manage_accounts:", "users", needs=Action.MANAGE_USERS
)

SYSTEM = AppPage(
    "app_pages/system.py", "nav.system", ":material/monitor_heart:", "system", needs=Action.VIEW_SYSTEM
)

#: The pages of a signed-in user, in the navigation's order (`needs` decides which they see).
SIGNED_IN = (
    OVERVIEW, TASK_QUEUE, DEPARTURES, DEPARTURE_GROUPS, ENROL, DOCUMENTS, FILES, BOTTLENECKS, JAMAAH,
    PIPELINE, ACTIVITY, USERS, TOKENS, SYSTEM,
)  # fmt: skip

#: Query parameters bound by the router's widgets (language, demo dataset): a link built in the
#: browser carries them along, as Streamlit's page links do. A link made here never sets them:
#: Streamlit writes them back after the move.
ENTRY_PARAMS = ("lang", "dataset")
