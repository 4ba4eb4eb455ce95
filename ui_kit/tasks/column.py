"""One kanban column's task cards as a single `st.components.v2` element: `task_column(...)`.

Why one element per column: drawn as Streamlit elements (a bordered container, Markdown, a row,
two buttons and a page link per card), 80 cards cost the browser ~1.8 s of React work on every
visit of the task queue on this machine; the same cards drawn by this element cost ~0.1-0.2 s
(docs/benchmarks.md, "The kanban's cards"). The cards' content and every decision (which actions a
role may take, the due date in words, the problem of a refused action) still come from Python:
the element only lays out what `data` says, with the theme's `--st-*` colours.

    task_column(key="cards-urgent", cards=[...], labels={...}, keep=("lang",), on_action=callback)

`cards`: dicts with `id`, `name`, `what` (task · stage), `priority` {label, color}, `due` {text,
late}, optional `note` {kind: "blocked" | "note", text}, optional `docs` (a document stage's
checklist line, issue 19), optional `assignee`, `call` / `whatsapp` (links), optional `problem`
(why the last action on it was refused), `actions` (a subset of "complete", "block", "unblock",
in that order) and `jamaah` (the jamaah page's URL).
`labels`: the words of the buttons and links ("complete", "block", "unblock", "open", "call",
"whatsapp").

A click on an action button sends the trigger `action` = {"action": name, "id": task id} and
greys that card's buttons until the next run redraws it (not for "block", which opens a dialog).
`on_action` runs as the trigger's callback; `task_column` returns nothing: the callback reads the
trigger (`action_of(key)`). The jamaah link carries the current URL's `keep` parameters (the
entry script's language and dataset, as a Streamlit page link does); a plain click moves there
within the session (history push + popstate, the way Streamlit follows back/forward between
pages, falling back to loading the URL), a middle or Ctrl click opens a new tab as any link.

Names, notes and reasons are typed by people: the element sets them as text, never as HTML.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import streamlit as st

_CSS = """
.umrah-tasks { display: flex; flex-direction: column; gap: .5rem; font-family: var(--st-font);
  font-size: var(--st-base-font-size, 1rem); line-height: 1.5; color: var(--st-text-color); }
.umrah-tasks .card { border: 1px solid var(--st-border-color); border-radius: var(--st-base-radius, .5rem);
  padding: .75rem 1rem; display: flex; flex-direction: column; gap: .15rem; }
.umrah-tasks .name { font-weight: 600; }
.umrah-tasks .small { font-size: .875rem; }
.umrah-tasks .muted { color: var(--st-gray-text-color, rgba(49, 51, 63, .6)); }
.umrah-tasks .reason { color: var(--st-red-text-color, #bd4043); }
.umrah-tasks .badges { display: flex; flex-wrap: wrap; gap: .35rem; }
.umrah-tasks .badge { display: inline-flex; align-items: center; gap: .2rem; padding: 0 .4rem;
  border-radius: .25rem; font-size: .875rem; white-space: nowrap; }
.umrah-tasks .icon { font-family: 'Material Symbols Rounded'; font-weight: normal; font-style: normal;
  font-size: 1.05em; line-height: 1; letter-spacing: normal; text-transform: none; white-space: nowrap;
  font-feature-settings: 'liga'; -webkit-font-smoothing: antialiased; user-select: none; }
.umrah-tasks .red { background: var(--st-red-background-color); color: var(--st-red-text-color); }
.umrah-tasks .orange { background: var(--st-orange-background-color); color: var(--st-orange-text-color); }
.umrah-tasks .blue { background: var(--st-blue-background-color); color: var(--st-blue-text-color); }
.umrah-tasks .gray { background: var(--st-gray-background-color); color: var(--st-gray-text-color); }
.umrah-tasks a { color: var(--st-link-color, var(--st-primary-color)); text-decoration: none; }
.umrah-tasks a:hover { text-decoration: underline; }
.umrah-tasks .contact { display: flex; gap: .75rem; flex-wrap: wrap; }
.umrah-tasks .contact a, .umrah-tasks .open { display: inline-flex; align-items: center; gap: .2rem; }
.umrah-tasks .problem { background: var(--st-red-background-color); color: var(--st-red-text-color);
  border-radius: var(--st-base-radius, .5rem); padding: .5rem .75rem; margin-top: .35rem;
  font-size: .875rem; }
.umrah-tasks .actions { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem; margin-top: .5rem; }
.umrah-tasks button { font: inherit; font-size: .875rem; display: inline-flex; align-items: center;
  gap: .3rem; min-height: 2rem; padding: .2rem .75rem; cursor: pointer; color: var(--st-text-color);
  background: var(--st-background-color); border: 1px solid var(--st-border-color);
  border-radius: var(--st-button-radius, .5rem); }
.umrah-tasks button:hover { border-color: var(--st-primary-color); color: var(--st-primary-color); }
.umrah-tasks button.primary { background: var(--st-primary-color); border-color: var(--st-primary-color);
  color: #fff; }
.umrah-tasks button.primary:hover { filter: brightness(.92); color: #fff; }
.umrah-tasks button:disabled { opacity: .55; cursor: progress; }
.umrah-tasks button:focus-visible, .umrah-tasks a:focus-visible {
  outline: 2px solid var(--st-primary-color); outline-offset: 2px; }
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
  const box = el('div', 'card');
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

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let list = parentElement.querySelector('.umrah-tasks');
  if (!list) {
    list = el('div', 'umrah-tasks');
    parentElement.append(list);
  }
  const send = (action, id) => setTriggerValue('action', {action: action, id: id});
  list.replaceChildren(...data.cards.map(task => card(task, data.labels, data.keep, send)));
}
"""

# isolate_styles=False: the cards live in the page's DOM (tests and benchmarks find them with one
# selector, `[data-task]`); every rule is scoped under `.umrah-tasks`.
_COLUMN = st.components.v2.component("umrah_task_column", css=_CSS, js=_JS, isolate_styles=False)


def task_column(
    *,
    key: str,
    cards: list[dict[str, Any]],
    labels: dict[str, str],
    keep: tuple[str, ...],
    on_action: Callable[[], None],
) -> None:
    # "run" changes every run, so a card whose buttons were greyed by a click is drawn afresh even
    # when the action changed nothing it shows (a refusal repeated word for word).
    data = {"cards": cards, "labels": labels, "keep": list(keep), "run": time.time_ns()}
    _COLUMN(key=key, data=data, width="stretch", height="content", on_action_change=on_action)


def action_of(key: str) -> dict[str, Any] | None:
    """The action a click on column `key` asked for, in its callback: {"action", "id"} or None."""
    state = st.session_state.get(key)  # the element's state and triggers, a dict
    value = state.get("action") if isinstance(state, dict) else None
    return value if isinstance(value, dict) else None
