// One build: what it is, what a caller may do with it, and its test report (verdict, checks, vulnerabilities, test
// log, network use, API calls, history). While it is being tested the page follows its event stream and redraws
// when the state changes, so a build turning available shows its report without a reload.
import {h, fill} from '../dom.js';
import {api, call} from '../api.js';
import {stateChip, vulnerableBadge, time, duration, notify, errorText, confirmAction, copyButton, section, heading} from '../ui.js';
import {verdictBanner, checkList, testLog, networkUsage, apiCalls, history} from '../report-view.js';
import {vulnerabilities, severityChip} from '../vuln-table.js';
import {changesSection} from '../changes.js';

/** The lifecycle's user actions in the order they are offered; the build view says which are allowed now. */
const ACTIONS = {
  submit: {label: 'Submit'},
  approve: {label: 'Approve'},
  disapprove: {label: 'Disapprove', danger: true, reasonLabel: 'What should the developer fix? (required)',
    message: 'The developer reads your reason on this page.'},
  deploy: {label: 'Deploy', confirm: 'Deploy this build? The adapter\'s currently deployed build, if any, is paused.'},
  pause: {label: 'Pause', danger: true, confirm: 'Pause this deployed build? It stops serving until it is unpaused.'},
  unpause: {label: 'Unpause'},
  retest: {label: 'Retest'},
  invalidate: {label: 'Invalidate', danger: true, reasonLabel: 'Why is this build invalid? (required)',
    message: 'The build becomes invalid and cannot be deployed.'},
  delete: {label: 'Delete', danger: true, confirm: 'Delete this build? Its image is released; the report and history are kept.'},
};

/** States in which the build is still being tested, and the page follows its events. */
const TESTING = new Set(['pending', 'fetching']);

export async function render(main, ctx) {
  const buildId = ctx.params.buildId;
  let view = null;
  let events = null;
  let orgSet = false;
  let queue = Promise.resolve();

  async function load() {
    const build = await api('GET', '/api/v1/builds/' + encodeURIComponent(buildId));
    const [adapter, report, changes] = await Promise.all([
      api('GET', '/api/v1/adapters/' + encodeURIComponent(build.engineId)).catch(() => null),
      build.reportAvailable ? call('GET', '/api/v1/builds/' + encodeURIComponent(buildId) + '/report').then(r => r.json()).catch(() => null)
        : Promise.resolve(null),
      TESTING.has(build.state) ? Promise.resolve(null) : changesSection(buildId).catch(() => null),
    ]);
    return {build, adapter, report, changes};
  }

  async function refresh() {
    view = await load();
    // the frame follows the build's organization when the caller is one of its members (reviewers may not be)
    if (view.adapter && !orgSet && ctx.orgs.some(o => String(o.id) === String(view.adapter.orgId))) {
      orgSet = true;
      ctx.setOrg(view.adapter.orgId);
    }
    draw(main, view, act);
    follow();
  }

  /** Queued, so that a burst of events (pending → fetching → available) redraws in order, once each. */
  function refreshSoon() {
    queue = queue.then(refresh).catch(err => notify(errorText(err), 'error'));
    return queue;
  }

  function follow() {
    if (!TESTING.has(view.build.state)) {
      stop();
      return;
    }
    if (events) return;
    events = new EventSource('/api/v1/builds/' + encodeURIComponent(buildId) + '/events');
    events.addEventListener('state', e => {
      const change = JSON.parse(e.data);
      if (view && change.to !== view.build.state) refreshSoon();
    });
  }

  function stop() {
    if (events) events.close();
    events = null;
  }

  async function act(action) {
    const spec = ACTIONS[action];
    let reason;
    if (spec.reasonLabel || spec.confirm) {
      const answer = await confirmAction(spec.label + ' build', spec.message || spec.confirm,
        {confirmLabel: spec.label, danger: !!spec.danger, reasonLabel: spec.reasonLabel});
      if (!answer) return;
      reason = answer.reason;
    }
    try {
      const body = reason ? {action, reason} : {action};
      await api('POST', '/api/v1/builds/' + encodeURIComponent(buildId) + '/actions', body);
      notify(spec.label + ': done', 'ok');
    } catch (err) {
      notify(errorText(err), 'error');
    }
    await refreshSoon();
  }

  window.addEventListener('pagehide', stop);
  try {
    queue = refresh();
    await queue;
  } catch (err) {
    queue = Promise.resolve();
    heading(main, 'Build');
    main.append(h('div', {class: 'alert', role: 'alert'}, errorText(err)));
  }
}

/** The whole page from the build view, its adapter and its report. */
function draw(main, {build, adapter, report, changes}, act) {
  fill(main);
  const name = adapter ? adapter.name : build.engineId;
  heading(main, name + (build.tag ? ':' + build.tag : ''), stateChip(build.state), vulnerableBadge(build), h('span', {class: 'grow'}),
    actionButtons(build, act));
  main.append(facts(build, adapter, report), downloads(build, report));

  const sections = [];
  const checks = report ? report.checks : build.checks;
  if (TESTING.has(build.state)) {
    main.append(h('div', {class: 'verdict verdict-testing', id: 'verdict', role: 'status'},
      h('strong', {}, 'Testing'), ' — this build is ' + build.state + '; its report shows here as soon as testing finishes.'));
  } else {
    sections.push(['Checks', [report ? verdictBanner(report) : h('p', {class: 'muted'},
      'The report of a ' + build.state + ' build is not available; the checks as last recorded:'), checkList(checks)]]);
  }
  if (report) {
    sections.push(['Vulnerabilities', [monitored(build), vulnerabilities(report, build.id)]]);
    sections.push(['Test log', [testLog(report.testLog)]]);
    sections.push(['Network usage', [networkUsage(report.networkUsage)]]);
    sections.push(['API calls', [h('p', {class: 'muted'}, 'Requests the adapter made to the sandbox API (and, for a webhook engine, the calls Drydock made to it).'),
      apiCalls(report.checks)]]);
  }
  if (changes) sections.push(changes); // a section with its own heading ("Changes since the last build")
  sections.push(['History', [history(build.history)]]);
  if (report) sections.push(['Report JSON', [reportJson(report)]]);

  const built = sections.map(s => (Array.isArray(s) ? section(s[0], ...s[1]) : s));
  main.append(toc(built), ...built);
}

/**
 * What vulnerability monitoring found after the build was tested (advisories imported since, matched against its
 * SBOM); the table below it is the report's, from the test.
 */
function monitored(build) {
  const v = build.vulnerable;
  if (!v || !v.details) return null;
  const rows = v.details.map(f => h('tr', {},
    h('td', {}, h('strong', {}, f.cve), f.advisory !== f.cve ? h('div', {class: 'muted'}, f.advisory) : null),
    h('td', {}, severityChip(f.severity)),
    h('td', {}, h('code', {}, f.packageName), ' ', f.packageVersion),
    h('td', {}, f.fixedBy || h('span', {class: 'muted'}, 'no fix yet')),
    h('td', {}, time(f.foundAt))));
  return h('div', {class: 'monitored', id: 'monitored-findings'},
    h('h3', {}, 'Found since testing'),
    h('p', {class: 'muted'}, 'Advisories imported after this build was tested affect it: at or above the threshold, not allowlisted.'),
    h('div', {class: 'table-wrap'}, h('table', {},
      h('thead', {}, h('tr', {}, ['Vulnerability', 'Severity', 'Package', 'Fixed in', 'Found'].map(t => h('th', {scope: 'col'}, t)))),
      h('tbody', {}, rows))),
    h('h3', {}, 'From the test'));
}

function actionButtons(build, act) {
  const allowed = Object.keys(ACTIONS).filter(a => build.allowedActions.includes(a));
  return h('div', {class: 'build-actions', role: 'group', 'aria-label': 'Build actions'}, allowed.map(a => {
    const b = h('button', {type: 'button', 'data-action': a, class: ACTIONS[a].danger ? 'danger-outline' : a === 'submit' || a === 'deploy' ? 'primary' : null},
      ACTIONS[a].label);
    b.addEventListener('click', () => act(a));
    return b;
  }));
}

function facts(build, adapter, report) {
  return h('dl', {class: 'facts build-facts'},
    h('dt', {}, 'Adapter'), h('dd', {}, adapter
      ? h('a', {href: '/adapters/' + encodeURIComponent(build.engineId), id: 'adapter-link'}, adapter.name)
      : h('code', {}, build.engineId)),
    h('dt', {}, 'Image'), h('dd', {}, h('code', {}, build.image)),
    h('dt', {}, 'Digest'), h('dd', {class: 'digest-full'}, h('code', {id: 'digest'}, build.digest), ' ', copyButton(build.digest, 'Copy digest')),
    h('dt', {}, 'Uploaded by'), h('dd', {}, build.user || '—'),
    h('dt', {}, 'Uploaded'), h('dd', {}, time(build.uploadTime)),
    h('dt', {}, 'Test duration'), h('dd', {id: 'test-duration'}, testDuration(build, report)),
    report && report.platform ? [h('dt', {}, 'Platform'), h('dd', {}, report.platform)] : null);
}

/** From the last test attempt's start to its end (history), else the sum of the checks' durations. */
function testDuration(build, report) {
  const hist = build.history || [];
  for (let i = hist.length - 1; i >= 0; i--) {
    if (hist[i].action !== 'tested') continue;
    for (let j = i - 1; j >= 0; j--) {
      if (hist[j].action === 'fetch') return shortDuration(new Date(hist[i].at) - new Date(hist[j].at));
    }
  }
  if (TESTING.has(build.state)) return 'testing…';
  if (report && report.durations) return shortDuration(Object.values(report.durations).reduce((a, b) => a + b, 0));
  return '—';
}

function shortDuration(ms) {
  return ms < 1000 ? 'under 1 s' : duration(ms);
}

function downloads(build, report) {
  if (!build.reportAvailable) return null;
  const base = '/api/v1/builds/' + encodeURIComponent(build.id);
  const view = h('button', {type: 'button', class: 'link', id: 'view-report-json'}, 'View report JSON');
  view.addEventListener('click', () => {
    const details = document.getElementById('report-json');
    if (!details) return;
    details.open = true;
    details.scrollIntoView();
  });
  return h('p', {class: 'toolbar downloads'},
    h('a', {href: base + '/report', download: 'build-' + build.id + '-report.json', id: 'download-report'}, 'Download build report (JSON)'),
    report && report.sbom && report.sbom.download
      ? h('a', {href: report.sbom.download, download: 'build-' + build.id + '-sbom.cdx.json', id: 'download-sbom'},
        'Download SBOM (' + report.sbom.format + ', ' + report.sbom.components + ' components)')
      : null,
    report ? view : null);
}

function reportJson(report) {
  return h('details', {id: 'report-json'}, h('summary', {}, 'The report as downloaded'),
    h('pre', {}, JSON.stringify(report, null, 2)));
}

/** Links to the sections (their headings' ids), so a long report is navigable. */
function toc(sections) {
  const links = sections.map(s => {
    const heading = s.querySelector('h2');
    const a = h('a', {}, heading.textContent);
    a.setAttribute('href', '#' + heading.id); // our own fragment: safeUrl admits only paths and http(s)
    return h('li', {}, a);
  });
  return h('nav', {class: 'toc', 'aria-label': 'On this page'}, h('ul', {}, links));
}
