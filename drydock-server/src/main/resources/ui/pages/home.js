// The start page when signed in: the current organization's adapters, or what to do without one.
import {h} from '../dom.js';
import {heading} from '../ui.js';

export async function render(main, ctx) {
  if (ctx.orgId) {
    location.replace('/orgs/' + encodeURIComponent(ctx.orgId));
    return;
  }
  heading(main, 'Welcome to Drydock');
  if (ctx.role === 'admin') {
    main.append(h('p', {}, 'There is no organization yet. ', h('a', {href: '/admin'}, 'Create the first one'),
      ', then invite its members in its settings.'));
  } else {
    main.append(h('p', {}, 'You are not a member of any organization yet. Ask an organization admin to invite you (their invitation then appears '
      + 'at the top of this page to accept), or a platform admin to create one.'));
  }
}
