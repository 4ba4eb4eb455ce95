// The kanban's browser side (ui_kit/tasks/board.py says what it draws and why), a file the tab
// loads once (ui_kit/component_files.py).
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
