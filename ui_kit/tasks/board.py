"""The kanban as a single `st.components.v2` element: `task_board(...)` draws the four columns —
each a heading with its count, its page of task cards and its pager — in one element.

Why one element: each Streamlit element costs the server's CPU on every run (the delta is built,
serialised, hashed, queued, one lock and one event-loop wake-up each; issue 21's profile put ~35 %
of a loaded server in that per-message work) and the browser a few ms of React work. Drawn as
Streamlit elements a card was ~10 elements (a bordered container, Markdown, a row, two buttons, a
page link: 80 cards cost the browser ~1.8 s on every visit, docs/benchmarks.md "The kanban's
cards"); a column of cards became one element in session 3, and with issue 21 the whole board
is one: the columns' headings, counts and pagers too (~45 deltas a run → 1). The cards' content
and every decision (which actions a role may take, the due date in words, the problem of a
refused action, the pager's words) still come from Python: the element only lays out what
`data` says, with the theme's `--st-*` colours.

    task_board(key="task-board", columns=[...], labels={...}, keep=("lang",),
               on_action=callback, on_page=callback)

`columns`: dicts with `key` (the column's value), `label`, `count` (formatted), `cards`, `empty`
(the words of an empty column), and `pager`: None when everything fits on one page, else
{page, pages, status} (status: "Hal. 2/5 · 87 total").
`cards`: dicts with `id`, `name`, `what` (task · stage), `priority` {label, color}, `due` {text,
late}, optional `note` {kind: "blocked" | "note", text}, optional `docs` (a document stage's
checklist line, issue 19), optional `assignee`, `call` / `whatsapp` (links), optional `problem`
(why the last action on it was refused), `actions` (a subset of "complete", "block", "unblock",
in that order) and `jamaah` (the jamaah page's URL).
`labels`: the words of the buttons and links ("complete", "block", "unblock", "open", "call",
"whatsapp", "prev", "next", "board").

A click on an action button sends the trigger `action` = {"action": name, "id": task id} and
greys that card's buttons until the next run redraws it (not for "block", which opens a dialog);
a pager's button sends `page` = {"column": key, "page": n}. `on_action` / `on_page` run as the
triggers' callbacks and read them with `action_of(key)` / `page_of(key)`. The jamaah link carries
the current URL's `keep` parameters (the entry script's language and dataset, as a Streamlit page
link does); a plain click moves there within the session (history push + popstate, the way
Streamlit follows back/forward between pages, falling back to loading the URL), a middle or Ctrl
click opens a new tab as any link.

For screen readers each column is a `section` named by its heading (`h3`), its cards a list of
`article`s, its pager a `nav`. Names, notes and reasons are typed by people: the element sets
them as text (`textContent`), never as HTML.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import streamlit as st

from ui_kit.component_files import FileComponent

# isolate_styles=False: the board lives in the page's DOM (tests and benchmarks find cards with one
# selector, `[data-task]`); every rule is scoped under `.umrah-board` / `.umrah-tasks`.
# The script and style are files of ui_kit/components/task_board/, loaded once per tab
# (ui_kit/component_files.py), not sent inside the element on every run.
_BOARD = FileComponent("task_board", css="board.css", js="board.js", isolate_styles=False)


def task_board(
    *,
    key: str,
    columns: list[dict[str, Any]],
    labels: dict[str, str],
    keep: tuple[str, ...],
    on_action: Callable[[], None],
    on_page: Callable[[], None],
) -> None:
    # "run" changes every run, so a card whose buttons were greyed by a click is drawn afresh even
    # when the action changed nothing it shows (a refusal repeated word for word).
    data = {"columns": columns, "labels": labels, "keep": list(keep), "run": time.time_ns()}
    _BOARD(
        key=key,
        data=data,
        width="stretch",
        height="content",
        on_action_change=on_action,
        on_page_change=on_page,
    )


def action_of(key: str) -> dict[str, Any] | None:
    """The action a click on board `key` asked for, in its callback: {"action", "id"} or None."""
    return _trigger(key, "action")


def page_of(key: str) -> dict[str, Any] | None:
    """The page a pager of board `key` asked for, in its callback: {"column", "page"} or None."""
    return _trigger(key, "page")


def _trigger(key: str, name: str) -> dict[str, Any] | None:
    state = st.session_state.get(key)  # the element's state and triggers, a dict
    value = state.get(name) if isinstance(state, dict) else None
    return value if isinstance(value, dict) else None
