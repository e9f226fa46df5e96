// Forms that send to the API and show its refusal where it belongs: a field's message under that field (the API names
// it in error.detail.field, or as the detail's key: {"email": …} on MEMBER_EXISTS), anything else above the buttons.
// Also the settings pages' tabs and the panel that shows a secret once.
import {h, fill} from './dom.js';
import {errorText, copyButton} from './ui.js';

/**
 * A labelled form. fields: [{name, label, input, hint}] (name is the API's field name); submit() sends it and may throw
 * an ApiError. The form is busy (button disabled, aria-busy) while it sends; it is reset after a success.
 */
export function apiForm(id, fields, submitLabel, submit) {
  const general = h('p', {class: 'field-error full', role: 'alert', id: id + '-error'});
  const button = h('button', {type: 'submit', class: 'primary'}, submitLabel);
  const rows = fields.map(f => {
    f.input.id = id + '-' + f.name;
    f.input.name = f.name;
    f.error = h('p', {class: 'field-error', role: 'alert', id: id + '-' + f.name + '-error'});
    const hint = f.hint ? h('small', {class: 'muted hint', id: id + '-' + f.name + '-hint'}, f.hint) : null;
    f.input.setAttribute('aria-describedby', f.error.id + (hint ? ' ' + hint.id : ''));
    return [h('label', {for: f.input.id}, f.label), h('div', {class: 'field'}, f.input, hint, f.error)];
  });
  const form = h('form', {class: 'grid', id, novalidate: true}, rows, general, h('div', {class: 'actions full'}, button));
  const clear = () => {
    fill(general);
    for (const f of fields) {
      fill(f.error);
      f.input.removeAttribute('aria-invalid');
    }
  };
  form.addEventListener('submit', async e => {
    e.preventDefault();
    clear();
    button.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      await submit();
      form.reset();
    } catch (err) {
      const detail = (err && err.detail) || {};
      const f = fields.find(x => x.name === detail.field) || fields.find(x => !detail.field && x.name in detail);
      if (f) {
        fill(f.error, err.message);
        f.input.setAttribute('aria-invalid', 'true');
        f.input.focus();
      } else {
        fill(general, errorText(err));
      }
    } finally {
      button.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });
  return form;
}

/** Links to a page's tabs (?tab=name); tabs: [[name, label]]; the current one has aria-current="page". */
export function tabLinks(basePath, tabs, current, label) {
  return h('nav', {class: 'tabs', 'aria-label': label},
    tabs.map(([name, text]) => h('a', {href: basePath + '?tab=' + name, 'aria-current': name === current ? 'page' : null,
      'data-tab': name}, text)));
}

/** The tab the URL asks for, when the reader may see it; otherwise the first. */
export function currentTab(tabs) {
  const asked = new URLSearchParams(location.search).get('tab');
  return tabs.some(([name]) => name === asked) ? asked : tabs[0][0];
}

/**
 * A secret (robot token, webhook signing secret) shown once, with a Copy button, the note that it will not be shown
 * again, and further lines (e.g. the docker login command). Dismissed with Done.
 */
export function oncePanel(id, title, secret, ...extra) {
  const done = h('button', {type: 'button'}, 'Done');
  const panel = h('section', {class: 'card once', id, 'aria-labelledby': id + '-title', tabindex: '-1'},
    h('h3', {id: id + '-title'}, title),
    h('p', {class: 'once-note'}, 'Copy it now: you will not see it again.'),
    h('div', {class: 'command'}, h('pre', {class: 'secret'}, secret), copyButton(secret)),
    extra,
    h('div', {class: 'actions'}, done));
  done.addEventListener('click', () => panel.remove());
  return panel;
}

/** "—" for a missing value. */
export function orDash(value) {
  return value === null || value === undefined || value === '' ? h('span', {class: 'muted'}, '—') : String(value);
}

/** A table with headers; rows are arrays of cells (or <tr> elements). */
export function table(id, headers, rows, empty) {
  if (!rows.length) return h('p', {class: 'muted', id: id + '-empty'}, empty);
  return h('div', {class: 'table-wrap'}, h('table', {id},
    h('thead', {}, h('tr', {}, headers.map(t => h('th', {scope: 'col'}, t)))),
    h('tbody', {}, rows.map(r => (r instanceof Node ? r : h('tr', {}, r.map(c => h('td', {}, c))))))));
}
