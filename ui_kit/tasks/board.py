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

_CSS = """
.umrah-board { font-family: var(--st-font); font-size: var(--st-base-font-size, 1rem); line-height: 1.5;
  color: var(--st-text-color); }
.umrah-board .umrah-tasks { display: flex; flex-direction: column; gap: .5rem; }
.umrah-board .card { border: 1px solid var(--st-border-color); border-radius: var(--st-base-radius, .5rem);
  padding: .75rem 1rem; display: flex; flex-direction: column; gap: .15rem; }
.umrah-board .name { font-weight: 600; }
.umrah-board .small { font-size: .875rem; }
.umrah-board .muted { color: var(--st-gray-text-color, rgba(49, 51, 63, .6)); }
.umrah-board .reason { color: var(--st-red-text-color, #bd4043); }
.umrah-board .badges { display: flex; flex-wrap: wrap; gap: .35rem; }
.umrah-board .badge { display: inline-flex; align-items: center; gap: .2rem; padding: 0 .4rem;
  border-radius: .25rem; font-size: .875rem; white-space: nowrap; }
.umrah-board .icon { font-family: 'Material Symbols Rounded'; font-weight: normal; font-style: normal;
  font-size: 1.05em; line-height: 1; letter-spacing: normal; text-transform: none; white-space: nowrap;
  font-feature-settings: 'liga'; -webkit-font-smoothing: antialiased; user-select: none; }
.umrah-board .red { background: var(--st-red-background-color); color: var(--st-red-text-color); }
.umrah-board .orange { background: var(--st-orange-background-color); color: var(--st-orange-text-color); }
.umrah-board .blue { background: var(--st-blue-background-color); color: var(--st-blue-text-color); }
.umrah-board .gray { background: var(--st-gray-background-color); color: var(--st-gray-text-color); }
.umrah-board a { color: var(--st-link-color, var(--st-primary-color)); text-decoration: none; }
.umrah-board a:hover { text-decoration: underline; }
.umrah-board .contact { display: flex; gap: .75rem; flex-wrap: wrap; }
.umrah-board .contact a, .umrah-board .open { display: inline-flex; align-items: center; gap: .2rem; }
.umrah-board .problem { background: var(--st-red-background-color); color: var(--st-red-text-color);
  border-radius: var(--st-base-radius, .5rem); padding: .5rem .75rem; margin-top: .35rem;
  font-size: .875rem; }
.umrah-board .actions { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem; margin-top: .5rem; }
.umrah-board button { font: inherit; font-size: .875rem; display: inline-flex; align-items: center;
  gap: .3rem; min-height: 2rem; padding: .2rem .75rem; cursor: pointer; color: var(--st-text-color);
  background: var(--st-background-color); border: 1px solid var(--st-border-color);
  border-radius: var(--st-button-radius, .5rem); }
.umrah-board button:hover { border-color: var(--st-primary-color); color: var(--st-primary-color); }
.umrah-board button.primary { background: var(--st-primary-color); border-color: var(--st-primary-color);
  color: #fff; }
.umrah-board button.primary:hover { filter: brightness(.92); color: #fff; }
.umrah-board button:disabled { opacity: .55; cursor: progress; }
.umrah-board button:focus-visible, .umrah-board a:focus-visible {
  outline: 2px solid var(--st-primary-color); outline-offset: 2px; }
.umrah-board { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 1rem;
  align-items: start; }
@media (max-width: 640px) { .umrah-board { grid-template-columns: minmax(0, 1fr); } }
.umrah-board .column { display: flex; flex-direction: column; gap: .5rem; min-width: 0; }
.umrah-board h3.head { margin: 0; padding: 0; font-family: var(--st-font); font-size: 1rem;
  font-weight: 600; line-height: 1.6; color: var(--st-text-color); display: flex; align-items: center;
  gap: .4rem; }
.umrah-board ul.umrah-tasks, .umrah-board li { list-style: none; margin: 0; padding: 0; }
.umrah-board .empty { font-size: .875rem; }
.umrah-board nav.pager { display: flex; align-items: center; gap: .5rem; font-size: .875rem; }
.umrah-board nav.pager button { padding: .2rem .4rem; }
"""

_JS = """
const ICONS = {complete: 'check', block: 'block', unblock: 'play_arrow'};

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;  // text, never HTML
  return node;
}

function icon(name) {
  const node = el('span', 'icon', name);
  node.setAttribute('aria-hidden', 'true');
  return node;
}

function withIcon(node, name, text) {
  node.append(icon(name), document.createTextNode(text));
  return node;
}

function link(path, keep) {
  // The page's URL plus the entry script's bound parameters of this URL (language, dataset).
  const url = new URL(path, window.location.href);
  const here = new URLSearchParams(window.location.search);
  for (const key of keep) if (here.has(key)) url.searchParams.set(key, here.get(key));
  return url.href;
}

function go(href, from) {
  // Streamlit switches pages on the browser's back/forward (popstate) within the session, as its
  // own page links do; should it ever not, the element is still on the page after 3 s: load the URL.
  window.history.pushState(null, '', href);
  window.dispatchEvent(new PopStateEvent('popstate', {state: null}));
  setTimeout(() => {
    if (from.isConnected && window.location.href === href) window.location.reload();
  }, 3000);
}

function card(task, labels, keep, send) {
  const box = el('article', 'card');
  box.setAttribute('aria-label', task.name);
  box.dataset.task = task.id;
  box.append(el('div', 'name', task.name), el('div', 'small muted', task.what));
  const badges = el('div', 'badges');
  badges.append(withIcon(el('span', 'badge ' + task.priority.color), 'flag', task.priority.label),
                withIcon(el('span', 'badge ' + (task.due.late ? 'red' : 'gray')), 'schedule', task.due.text));
  box.append(badges);
  if (task.note) {
    const kind = task.note.kind === 'blocked' ? ['small reason', 'block'] : ['small muted', 'sticky_note_2'];
    box.append(withIcon(el('div', kind[0]), kind[1], ' ' + task.note.text));
  }
  if (task.docs) box.append(withIcon(el('div', 'small muted docs'), 'description', ' ' + task.docs));
  if (task.assignee) box.append(el('div', 'small muted', task.assignee));
  const contact = el('div', 'small contact');
  const call = withIcon(el('a'), 'call', labels.call);
  call.href = task.call;
  const chat = withIcon(el('a'), 'chat', labels.whatsapp);
  chat.href = task.whatsapp;
  chat.target = '_blank';
  chat.rel = 'noopener';
  contact.append(call, chat);
  box.append(contact);
  if (task.problem) {
    const problem = el('div', 'problem', task.problem);
    problem.setAttribute('role', 'alert');
    box.append(problem);
  }
  const actions = el('div', 'actions');
  for (const name of task.actions) {
    const button = withIcon(el('button', name === 'complete' ? 'primary' : ''), ICONS[name], labels[name]);
    button.type = 'button';
    button.dataset.action = name;
    button.onclick = () => {
      if (name !== 'block') actions.querySelectorAll('button').forEach(b => { b.disabled = true; });
      send(name, task.id);
    };
    actions.append(button);
  }
  const open = withIcon(el('a', 'small open'), 'person', labels.open);
  open.href = link(task.jamaah, keep);
  open.dataset.action = 'open';
  open.onclick = (event) => {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    go(open.href, open);
  };
  actions.append(open);
  box.append(actions);
  return box;
}

function pager(column, labels, sendPage) {
  const nav = el('nav', 'pager muted');
  nav.setAttribute('aria-label', labels.pages + ' ' + column.label);
  const step = (name, label, page, disabled) => {
    const button = el('button');
    button.type = 'button';
    button.append(icon(name));
    button.setAttribute('aria-label', label);
    button.title = label;
    button.dataset.page = page;
    button.disabled = disabled;
    button.onclick = () => { nav.querySelectorAll('button').forEach(b => { b.disabled = true; });
                             sendPage(column.key, page); };
    return button;
  };
  const at = column.pager;
  nav.append(step('chevron_left', labels.prev, at.page - 1, at.page <= 1), el('span', '', at.status),
             step('chevron_right', labels.next, at.page + 1, at.page >= at.pages));
  return nav;
}

function column(data, send, sendPage) {
  const section = el('section', 'column');
  section.dataset.column = data.key;
  const head = el('h3', 'head', data.label + ' ');
  head.id = 'umrah-column-' + data.key;
  head.append(el('span', 'badge gray', data.count));
  section.setAttribute('aria-labelledby', head.id);
  section.append(head);
  if (data.cards.length) {
    const list = el('ul', 'umrah-tasks');
    for (const task of data.cards) {
      const item = el('li');
      item.append(card(task, send.labels, send.keep, send.action));
      list.append(item);
    }
    section.append(list);
  } else {
    section.append(el('p', 'empty muted', data.empty));
  }
  if (data.pager) section.append(pager(data, send.labels, sendPage));
  return section;
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let board = parentElement.querySelector('.umrah-board');
  if (!board) {
    board = el('div', 'umrah-board');
    board.setAttribute('role', 'region');
    parentElement.append(board);
  }
  board.setAttribute('aria-label', data.labels.board);
  const send = {
    labels: data.labels,
    keep: data.keep,
    action: (action, id) => setTriggerValue('action', {action: action, id: id}),
  };
  const sendPage = (key, page) => setTriggerValue('page', {column: key, page: page});
  board.replaceChildren(...data.columns.map(c => column(c, send, sendPage)));
}
"""

# isolate_styles=False: the board lives in the page's DOM (tests and benchmarks find cards with one
# selector, `[data-task]`); every rule is scoped under `.umrah-board` / `.umrah-tasks`.
_BOARD = st.components.v2.component("umrah_task_board", css=_CSS, js=_JS, isolate_styles=False)


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
