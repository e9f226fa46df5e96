// The Developer App's entry: the server has already checked that the caller may see this page (body[data-page]);
// this reads the session, draws the frame (organization switcher, navigation, sign out) and runs the page's module.
import {h, fill} from './dom.js';
import {api, setCsrfToken, ApiError} from './api.js';
import {errorText} from './ui.js';
import {drawInvitations} from './invitations.js';

const PAGES = new Set(['home', 'login', 'org', 'settings', 'adapter', 'build', 'reviews', 'admin', 'error']);

/** The ids in the page's path: /orgs/{orgId}, /adapters/{engineId}, /builds/{buildId}. */
function pathParams() {
  const p = location.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const params = {};
  if (p[0] === 'orgs' && p[1]) params.orgId = p[1];
  if (p[0] === 'adapters' && p[1]) params.engineId = p[1];
  if (p[0] === 'builds' && p[1]) params.buildId = p[1];
  return params;
}

async function start() {
  const page = PAGES.has(document.body.dataset.page) ? document.body.dataset.page : 'error';
  const main = h('main', {id: 'main', tabindex: '-1'});
  if (page === 'login') {
    document.body.append(h('header', {class: 'top'}, h('a', {class: 'brand', href: '/'}, 'Drydock')), main);
    const module = await import('./pages/login.js');
    await module.render(main, {params: pathParams()});
    return;
  }
  let session;
  try {
    session = await api('GET', '/api/v1/session');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return; // api() is sending the browser to the sign-in page
    throw e;
  }
  setCsrfToken(session.csrfToken);
  const [me, orgs] = await Promise.all([api('GET', '/api/v1/me'), api('GET', '/api/v1/orgs')]);
  const params = pathParams();
  const ctx = {
    me, orgs, params, session,
    role: me.platformRole || null,
    /** The organization the frame shows as current; pages that learn it (an adapter's, a build's) set it. */
    orgId: params.orgId || localStorage.getItem('drydock.org') || (orgs[0] && String(orgs[0].id)) || null,
    setOrg(id) {
      ctx.orgId = String(id);
      localStorage.setItem('drydock.org', ctx.orgId);
      drawFrame(ctx, header);
    },
  };
  if (ctx.orgId && !orgs.some(o => String(o.id) === String(ctx.orgId))) ctx.orgId = orgs[0] ? String(orgs[0].id) : null;
  if (params.orgId) localStorage.setItem('drydock.org', params.orgId);
  const header = h('header', {class: 'top'});
  // the user's pending invitations to organizations, above every page (drawn alongside it, not before it)
  const invitations = h('div', {id: 'invitations'});
  document.body.append(h('a', {class: 'skip', href: '#main'}, 'Skip to content'), header, invitations, main);
  drawFrame(ctx, header);
  const pending = drawInvitations(invitations);
  const module = await import('./pages/' + page + '.js');
  await Promise.all([module.render(main, ctx), pending]);
}

function drawFrame(ctx, header) {
  const nav = [];
  if (ctx.orgId) {
    nav.push(h('a', {href: '/orgs/' + ctx.orgId}, 'Adapters'), h('a', {href: '/orgs/' + ctx.orgId + '/settings'}, 'Settings'));
  }
  if (ctx.role === 'reviewer' || ctx.role === 'admin') nav.push(h('a', {href: '/reviews'}, 'Reviews'));
  if (ctx.role === 'admin' || ctx.role === 'operator') nav.push(h('a', {href: '/admin'}, 'Admin'));
  for (const link of nav) {
    if (link.getAttribute('href') === location.pathname) link.setAttribute('aria-current', 'page');
  }
  const switcher = h('select', {id: 'org-switcher', 'aria-label': 'Organization'},
    ctx.orgs.map(o => h('option', {value: String(o.id), selected: String(o.id) === String(ctx.orgId)}, o.name + ' (' + o.id + ')')));
  switcher.addEventListener('change', () => location.assign('/orgs/' + encodeURIComponent(switcher.value)));
  const signOut = h('button', {type: 'button', class: 'link', id: 'sign-out'}, 'Sign out');
  signOut.addEventListener('click', async () => {
    await api('DELETE', '/api/v1/session');
    localStorage.removeItem('drydock.org');
    location.assign('/login');
  });
  fill(header,
    h('a', {class: 'brand', href: '/'}, 'Drydock'),
    ctx.orgs.length ? switcher : null,
    h('nav', {'aria-label': 'Main'}, nav),
    h('span', {class: 'spacer'}),
    h('span', {class: 'who', title: ctx.role ? 'platform role: ' + ctx.role : ''}, ctx.me.name),
    signOut);
}

start().catch(err => {
  const main = document.getElementById('main') || document.body.appendChild(h('main', {id: 'main'}));
  main.append(h('div', {class: 'alert', role: 'alert'}, 'Something went wrong: ' + errorText(err)));
});
