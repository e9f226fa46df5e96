// Components every page uses: state chips, times, digests, confirmations, the ⋮ menu, copy buttons, notices.
import {h, fill} from './dom.js';

/** A build or adapter state as a coloured chip (the colour is never the only signal: the state is written). */
export function stateChip(state) {
  return h('span', {class: 'chip chip-' + state, 'data-state': state}, state);
}

/**
 * "vulnerable since <date>: N new findings" when vulnerability monitoring found vulnerabilities in the build after it
 * was tested (advisories imported since), linking to the build page's vulnerabilities; null otherwise.
 */
export function vulnerableBadge(build) {
  const v = build.vulnerable;
  if (!v) return null;
  const since = new Date(v.since);
  const when = h('time', {datetime: since.toISOString(), title: since.toISOString()}, since.toLocaleDateString());
  return h('a', {class: 'vuln-badge', 'data-findings': v.findings,
    href: '/builds/' + encodeURIComponent(build.id) + '#section-vulnerabilities'},
    'vulnerable since ', when, ': ' + v.findings + ' new finding' + (v.findings === 1 ? '' : 's'));
}

/** A time as the reader's local time, with the exact instant in the datetime attribute and tooltip. */
export function time(value) {
  if (value === null || value === undefined || value === '') return h('span', {class: 'muted'}, '—');
  const d = new Date(typeof value === 'number' ? value : String(value));
  return h('time', {datetime: d.toISOString(), title: d.toISOString()}, d.toLocaleString());
}

/** sha256:0123456789ab (12 hex digits), the full digest in the tooltip. */
export function shortDigest(digest) {
  const s = String(digest || '');
  const i = s.indexOf(':');
  return h('code', {title: s, class: 'digest'}, i < 0 ? s : s.slice(0, i + 13));
}

/** Seconds or milliseconds as "1 min 5 s". */
export function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return s + ' s';
  const m = Math.floor(s / 60);
  return m + ' min ' + (s % 60) + ' s';
}

/** A notice read out by screen readers; errors stay until dismissed. */
export function notify(message, kind = 'info') {
  let area = document.getElementById('notices');
  if (!area) {
    area = h('div', {id: 'notices', role: 'status', 'aria-live': 'polite'});
    document.body.append(area);
  }
  const close = h('button', {type: 'button', class: 'link', 'aria-label': 'Dismiss'}, '×');
  const note = h('div', {class: 'notice notice-' + kind}, h('span', {}, message), close);
  close.addEventListener('click', () => note.remove());
  area.append(note);
  if (kind !== 'error') setTimeout(() => note.remove(), 6000);
  return note;
}

/** An API error as a message naming the fix, with its stable code. */
export function errorText(err) {
  return err && err.code ? err.message + ' (' + err.code + ')' : String(err && err.message || err);
}

/**
 * Asks before acting. Resolves to {reason} when confirmed (reason only when asked for), null when cancelled.
 * options: {confirmLabel, danger, reasonLabel (a required reason)}
 */
export function confirmAction(title, message, options = {}) {
  return new Promise(resolve => {
    const reason = options.reasonLabel
      ? h('textarea', {id: 'confirm-reason', required: true, rows: 3}) : null;
    const ok = h('button', {type: 'submit', class: options.danger ? 'danger' : 'primary'}, options.confirmLabel || 'Confirm');
    const cancel = h('button', {type: 'button'}, 'Cancel');
    const error = h('p', {class: 'field-error', role: 'alert'});
    const form = h('form', {method: 'dialog', novalidate: true}, // the reason's own message, not the browser's bubble
      h('h2', {}, title), h('p', {}, message),
      reason ? [h('label', {for: 'confirm-reason'}, options.reasonLabel), reason, error] : null,
      h('div', {class: 'actions'}, cancel, ok));
    const dialog = h('dialog', {class: 'confirm', 'aria-label': title}, form);
    document.body.append(dialog);
    const done = value => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    cancel.addEventListener('click', () => done(null));
    dialog.addEventListener('cancel', e => {
      e.preventDefault();
      done(null);
    });
    form.addEventListener('submit', e => {
      e.preventDefault();
      if (reason && !reason.value.trim()) {
        fill(error, 'A reason is required: the developer reads it.');
        reason.focus();
        return;
      }
      done({reason: reason ? reason.value.trim() : undefined});
    });
    dialog.showModal();
    (reason || ok).focus();
  });
}

/**
 * The ⋮ menu: a button that opens a list of actions (keyboard: Enter/Space opens, arrows move, Escape closes).
 * items: [{label, onSelect, danger, href, download}]
 */
export function actionMenu(label, items) {
  const list = h('ul', {class: 'menu', role: 'menu', hidden: true});
  const button = h('button', {type: 'button', class: 'menu-button', 'aria-haspopup': 'menu', 'aria-expanded': 'false',
    'aria-label': label, title: label}, '⋮');
  const wrap = h('div', {class: 'menu-wrap'}, button, list);
  const entries = items.map(item => {
    const entry = item.href
      ? h('a', {role: 'menuitem', href: item.href, download: item.download || false, tabindex: '-1'}, item.label)
      : h('button', {type: 'button', role: 'menuitem', class: item.danger ? 'danger-text' : null, tabindex: '-1'}, item.label);
    entry.addEventListener('click', () => {
      close();
      if (item.onSelect) item.onSelect();
    });
    list.append(h('li', {role: 'none'}, entry));
    return entry;
  });
  const close = () => {
    list.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    document.removeEventListener('click', outside);
  };
  const outside = e => {
    if (!wrap.contains(e.target)) close();
  };
  const open = () => {
    list.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    if (entries[0]) entries[0].focus();
    setTimeout(() => document.addEventListener('click', outside));
  };
  button.addEventListener('click', () => (list.hidden ? open() : close()));
  list.addEventListener('keydown', e => {
    const i = entries.indexOf(document.activeElement);
    if (e.key === 'Escape') {
      close();
      button.focus();
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      entries[(i + 1) % entries.length].focus();
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      entries[(i - 1 + entries.length) % entries.length].focus();
    }
  });
  if (items.length === 0) button.disabled = true;
  return wrap;
}

/** A Copy button for a command; {@code text} is a string or a function giving the current text. */
export function copyButton(text, label = 'Copy') {
  const button = h('button', {type: 'button', class: 'copy'}, label);
  button.addEventListener('click', async () => {
    const value = typeof text === 'function' ? text() : text;
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // no clipboard API (a plain-http host other than localhost): copy through a selected text area
      const area = h('textarea', {class: 'offscreen', readonly: true}, value);
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    button.textContent = 'Copied';
    setTimeout(() => (button.textContent = label), 1500);
  });
  return button;
}

/** A titled section of a page. */
export function section(title, ...children) {
  const id = 'section-' + title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return h('section', {'aria-labelledby': id}, h('h2', {id}, title), ...children);
}

/** Sets the page's heading and the window title. */
export function heading(main, text, ...extra) {
  document.title = text + ' · Drydock';
  main.append(h('div', {class: 'page-head'}, h('h1', {}, text), ...extra));
}
