// A page the server refused: no such page (or one of an organization the caller is not in), or not allowed.
import {h} from '../dom.js';

export async function render(main) {
  const code = document.body.dataset.errorCode;
  const status = code && code.endsWith('NOT_FOUND') ? 'Not found' : 'Not allowed';
  document.title = status + ' · Drydock';
  main.append(h('div', {class: 'card narrow'},
    h('h1', {}, status),
    h('p', {}, document.body.dataset.errorMessage || 'This page cannot be shown.'),
    h('p', {}, h('a', {href: '/'}, 'Back to your adapters'))));
}
