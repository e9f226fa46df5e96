// The start page when signed in: the current organization's adapters, or what to do without one.
import {h} from '../dom.js';
import {heading} from '../ui.js';

export async function render(main, ctx) {
  if (ctx.orgId) {
    location.replace('/orgs/' + encodeURIComponent(ctx.orgId));
    return;
  }
  heading(main, 'Welcome to Drydock');
  main.append(h('p', {}, 'You are not a member of any organization yet. Ask an organization admin to add you, or a platform admin to create one.'));
}
