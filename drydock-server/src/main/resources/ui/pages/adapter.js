// One adapter: its facts, how to upload a build, and its builds, kept live from the adapter's event stream.
import {h, fill} from '../dom.js';
import {api, call} from '../api.js';
import {stateChip, vulnerableBadge, time, shortDigest, duration, notify, errorText, confirmAction, actionMenu, section} from '../ui.js';
import {uploadPanel} from '../upload-panel.js';

const PAGE_SIZE = 20;

/** Build actions as the menu offers them (only those the build's allowedActions name); some ask first. */
const BUILD_ACTIONS = {
  submit: {label: 'Submit'},
  approve: {label: 'Approve'},
  disapprove: {label: 'Disapprove', confirm: 'The developer reads your reason and fixes the build.',
    reasonLabel: 'Reason'},
  deploy: {label: 'Deploy', confirm: 'The adapter\'s deployed build, if any, is paused.'},
  pause: {label: 'Pause', danger: true, confirm: 'The build stops serving until it is unpaused.'},
  unpause: {label: 'Unpause'},
  retest: {label: 'Retest'},
  invalidate: {label: 'Invalidate', danger: true, confirm: 'The build can no longer be submitted or deployed.',
    reasonLabel: 'Reason'},
  delete: {label: 'Delete', danger: true, confirm: 'The image is removed; its report and history are kept.'},
};

export async function render(main, ctx) {
  const engineId = ctx.params.engineId;
  const base = '/api/v1/adapters/' + encodeURIComponent(engineId);
  let adapter = await api('GET', base);
  ctx.setOrg(adapter.orgId);

  const chip = h('span', {id: 'adapter-state'}, stateChip(adapter.state));
  document.title = adapter.name + ' · Drydock';
  main.append(h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'},
    h('a', {href: '/orgs/' + encodeURIComponent(adapter.orgId)}, 'Adapters'), ' / ', adapter.name));
  main.append(h('div', {class: 'page-head'}, h('h1', {}, adapter.name), chip));
  main.append(facts(adapter));

  const rows = new Map(); // build id -> its table row
  const tbody = h('tbody', {});
  const status = h('p', {class: 'muted', id: 'builds-status', 'aria-live': 'polite'});
  const previous = h('button', {type: 'button', id: 'builds-previous'}, 'Previous');
  const next = h('button', {type: 'button', id: 'builds-next'}, 'Next');
  const pageInfo = h('span', {class: 'muted', id: 'builds-page'});
  const table = h('div', {class: 'table-wrap with-menus'}, h('table', {id: 'builds'},
    h('thead', {}, h('tr', {}, ['Tag', 'Digest', 'Uploaded by', 'Uploaded', 'State', 'Test duration']
      .map(t => h('th', {scope: 'col'}, t)), h('th', {scope: 'col'}, h('span', {class: 'offscreen'}, 'Actions')))),
    tbody));
  const empty = h('p', {class: 'card', id: 'builds-empty'},
    'No builds yet. Follow the steps above: each push of a new tag shows up here as a build and is tested at once.');
  const list = h('div', {id: 'builds-list'}, table, empty, h('div', {class: 'pager'}, pageInfo, previous, next), status);
  let offset = 0;
  let total = 0;
  let hasNext = false;

  const first = await loadPage(0);
  const panelSlot = h('div', {}, uploadPanel(adapter, first.length > 0));
  main.append(panelSlot, section('Builds', list));

  previous.addEventListener('click', () => loadPage(Math.max(0, offset - PAGE_SIZE)));
  next.addEventListener('click', () => loadPage(offset + PAGE_SIZE));
  listen();

  async function loadPage(from) {
    let response;
    try {
      response = await call('GET', base + '/builds?limit=' + PAGE_SIZE + '&offset=' + from);
    } catch (e) {
      notify(errorText(e), 'error');
      return [];
    }
    const builds = await response.json();
    offset = from;
    total = Number(response.headers.get('X-Total-Count') || builds.length);
    hasNext = /rel="next"/.test(response.headers.get('Link') || '');
    rows.clear();
    fill(tbody, builds.map(b => {
      const tr = row(b);
      rows.set(b.id, tr);
      return tr;
    }));
    drawPager();
    return builds;
  }

  function drawPager() {
    previous.disabled = offset === 0;
    next.disabled = !hasNext;
    table.hidden = total === 0;
    empty.hidden = total > 0;
    fill(pageInfo, total === 0 ? '' : `${offset + 1}–${offset + rows.size} of ${total}`);
  }

  function row(b) {
    const items = b.allowedActions.filter(name => BUILD_ACTIONS[name])
      .map(name => ({label: BUILD_ACTIONS[name].label, danger: BUILD_ACTIONS[name].danger, onSelect: () => act(b, name)}));
    if (b.reportAvailable) {
      items.push({label: 'Download build report', href: '/api/v1/builds/' + encodeURIComponent(b.id) + '/report', download: true});
    }
    if (b.sbomAvailable) {
      items.push({label: 'Download SBOM', href: '/api/v1/builds/' + encodeURIComponent(b.id) + '/sbom', download: true});
    }
    const name = b.tag || shortDigest(b.digest).textContent;
    return h('tr', {'data-build-id': b.id, 'data-state': b.state, 'data-upload-time': b.uploadTime},
      h('td', {}, h('a', {href: '/builds/' + encodeURIComponent(b.id)}, name)),
      h('td', {}, shortDigest(b.digest)),
      h('td', {}, b.user || '—'),
      h('td', {}, time(b.uploadTime)),
      h('td', {}, stateChip(b.state), vulnerableBadge(b)),
      h('td', {}, testDuration(b.testDuration)),
      h('td', {class: 'num'}, actionMenu('Actions for build ' + name, items)));
  }

  async function act(build, name) {
    const action = BUILD_ACTIONS[name];
    let reason;
    if (action.confirm) {
      const answer = await confirmAction(action.label + ' build ' + (build.tag || build.id) + '?', action.confirm,
        {confirmLabel: action.label, danger: action.danger, reasonLabel: action.reasonLabel});
      if (!answer) return;
      reason = answer.reason;
    }
    try {
      const updated = await api('POST', '/api/v1/builds/' + encodeURIComponent(build.id) + '/actions', {action: name, reason});
      replace(updated);
      refreshAdapter(); // its state follows its builds; the stream's event for this change finds the row drawn already
      notify('Build ' + (build.tag || build.id) + ': ' + action.label.toLowerCase() + ' done', 'ok');
    } catch (e) {
      notify(errorText(e), 'error');
    }
  }

  /** Draws a build's row afresh in place; a deleted build leaves the list. */
  function replace(b) {
    const old = rows.get(b.id);
    if (!old) return;
    if (b.state === 'deleted') {
      old.remove();
      rows.delete(b.id);
      total -= 1;
    } else {
      const tr = row(b);
      old.replaceWith(tr);
      rows.set(b.id, tr);
    }
    drawPager();
  }

  /**
   * The adapter's event stream: the current state of every build first (action null), then every change. A row
   * shown is read again when its build changes; a new push shows at the top of the first page.
   */
  function listen() {
    const source = new EventSource(base + '/events');
    source.addEventListener('open', () => (list.dataset.live = 'true')); // tests wait for it before pushing
    window.addEventListener('pagehide', () => source.close());
    source.addEventListener('state', async e => {
      const change = JSON.parse(e.data);
      const shown = rows.get(change.buildId);
      if (shown ? shown.dataset.state === change.to : !mayBeNew(change)) return;
      let build;
      try {
        build = await api('GET', '/api/v1/builds/' + encodeURIComponent(change.buildId));
      } catch (err) {
        return; // deleted or no longer visible: the next change or a reload shows it
      }
      if (rows.has(build.id)) {
        replace(build);
      } else if (build.state !== 'deleted' && !(change.action === null && olderThanShown(build))) {
        total += 1;
        if (offset === 0) {
          const tr = row(build);
          tbody.prepend(tr);
          rows.set(build.id, tr);
          if (rows.size > PAGE_SIZE) {
            const last = tbody.lastElementChild;
            rows.delete(last.dataset.buildId);
            last.remove();
            hasNext = true;
          }
        } else {
          fill(status, 'New build ' + (build.tag || build.id) + ' pushed: see the first page.');
        }
        drawPager();
      }
      refreshAdapter();
    });
  }

  /**
   * A build not shown that may be new: a push, or (in the stream's first state) one still being tested, pushed
   * between reading the list and opening the stream.
   */
  function mayBeNew(change) {
    return change.action === 'push' || (change.action === null && offset === 0 && ['pending', 'fetching'].includes(change.to));
  }

  function olderThanShown(build) {
    const top = tbody.firstElementChild;
    return top !== null && Number(top.dataset.uploadTime) > build.uploadTime;
  }

  /** The adapter's state follows its builds (ready, active): keep the heading's chip and facts current. */
  async function refreshAdapter() {
    try {
      adapter = await api('GET', base);
    } catch {
      return;
    }
    fill(chip, stateChip(adapter.state));
    main.querySelector('#adapter-facts').replaceWith(facts(adapter));
  }
}

/** Most tests take under a second: those in milliseconds rather than a bare "0 s". */
function testDuration(ms) {
  return ms !== null && ms !== undefined && ms < 1000 ? ms + ' ms' : duration(ms);
}

function facts(a) {
  const entries = [
    ['Category', a.category], ['Engine mode', a.engineMode], ['Deployment model', a.deploymentModel],
    ['Engine ID', h('code', {}, a.engineId)], ['Image', h('code', {}, a.image)],
    ['Registered', [time(a.created), ' by ', a.createdBy]],
  ];
  return h('dl', {class: 'card facts', id: 'adapter-facts'}, entries.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}
