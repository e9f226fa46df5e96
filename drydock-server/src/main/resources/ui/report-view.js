// The build report's parts as page sections: verdict and checks, test log, network usage, the engine's API calls,
// and the build's history. Everything from the report (messages, evidence, log lines) is set as text.
import {h, fill} from './dom.js';
import {time, copyButton} from './ui.js';

/** Verdicts that fail a build, then those worth a look, then the rest (docs/checks.md, "Verdicts"). */
const VERDICT_ORDER = {failed: 0, error: 0, warning: 1, passed: 2, skipped: 2};

export function verdictChip(verdict) {
  return h('span', {class: 'chip chip-' + verdict, 'data-verdict': verdict}, verdict);
}

/** The pass/fail banner: the report's errors, one sentence each naming the fix. */
export function verdictBanner(report) {
  if (report.success) {
    return h('div', {class: 'verdict verdict-passed', id: 'verdict', role: 'status'},
      h('strong', {}, '✓ Passed'), ' — every check that can fail a build passed.');
  }
  return h('div', {class: 'verdict verdict-failed', id: 'verdict', role: 'alert'},
    h('strong', {}, '✗ Failed'), ' — fix these and push again:',
    h('ul', {}, (report.errors || []).map(e => h('li', {}, e))));
}

/** Every check, failing ones first (the run order otherwise), each with its evidence folded away. */
export function checkList(checks) {
  if (!checks || checks.length === 0) return h('p', {class: 'empty'}, 'No check results yet.');
  const ordered = checks.map((c, i) => ({c, i}))
    .sort((a, b) => ((VERDICT_ORDER[a.c.verdict] ?? 2) - (VERDICT_ORDER[b.c.verdict] ?? 2)) || a.i - b.i)
    .map(x => x.c);
  const counts = {};
  for (const c of checks) counts[c.verdict] = (counts[c.verdict] || 0) + 1;
  const summary = h('p', {class: 'muted', id: 'check-counts'}, checks.length + ' checks: ' + ['failed', 'error', 'warning', 'passed', 'skipped']
    .filter(v => counts[v]).map(v => counts[v] + ' ' + v).join(', '));
  return h('div', {}, summary, h('ol', {class: 'checks', id: 'checks'}, ordered.map(c => h('li', {class: 'check', 'data-check': c.id, 'data-verdict': c.verdict},
    h('div', {class: 'check-head'}, verdictChip(c.verdict), ' ', h('code', {class: 'check-id'}, c.id)),
    h('p', {class: 'check-message'}, c.message),
    c.evidence && Object.keys(c.evidence).length
      ? h('details', {class: 'evidence'}, h('summary', {}, 'Evidence'), value(c.evidence, 0)) : null))));
}

/** A JSON value as nested key/value lists (never markup). */
function value(v, depth) {
  if (v === null || v === undefined) return h('span', {class: 'muted'}, 'null');
  if (typeof v !== 'object') return h('span', {class: 'mono'}, String(v));
  if (depth > 6) return h('code', {}, JSON.stringify(v));
  if (Array.isArray(v)) {
    if (v.length === 0) return h('span', {class: 'muted'}, 'none');
    if (v.every(x => x === null || typeof x !== 'object')) return h('span', {class: 'mono'}, v.map(String).join(', '));
    return h('ol', {class: 'kv-list'}, v.map(x => h('li', {}, value(x, depth + 1))));
  }
  const keys = Object.keys(v);
  if (keys.length === 0) return h('span', {class: 'muted'}, 'none');
  return h('dl', {class: 'kv'}, keys.map(k => [h('dt', {}, k), h('dd', {}, value(v[k], depth + 1))]));
}

/** The adapter's stdout in the sandbox run, numbered, with a filter and a copy button. */
export function testLog(lines) {
  if (lines === null || lines === undefined) {
    return h('p', {class: 'empty', id: 'log-none'}, 'No log: the adapter did not run in the sandbox for this build.');
  }
  const items = lines.map((line, i) => h('li', {value: String(i + 1)}, line));
  const filter = h('input', {id: 'log-filter', type: 'search', placeholder: 'Show lines containing…'});
  const shown = h('span', {class: 'muted', 'aria-live': 'polite'});
  const apply = () => {
    const text = filter.value.toLowerCase();
    let n = 0;
    items.forEach((li, i) => {
      li.hidden = text !== '' && !lines[i].toLowerCase().includes(text);
      if (!li.hidden) n++;
    });
    fill(shown, n + ' of ' + lines.length + ' lines');
  };
  filter.addEventListener('input', apply);
  apply();
  return h('div', {},
    h('div', {class: 'toolbar'}, h('label', {for: 'log-filter'}, 'Filter'), filter, shown,
      h('span', {class: 'spacer'}), copyButton(() => lines.join('\n'), 'Copy log')),
    lines.length ? h('div', {class: 'log', tabindex: '0', 'aria-label': 'Test log'}, h('ol', {id: 'test-log'}, items))
      : h('p', {class: 'empty'}, 'The adapter wrote nothing to stdout.'));
}

/** Bytes as B / KiB / MiB, the exact count in the tooltip. */
function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n, u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return h('span', {title: n + ' bytes'}, (u === 0 ? String(v) : v.toFixed(1)) + ' ' + units[u]);
}

/** What the container reached on the network (the report's networkUsage). */
export function networkUsage(usage) {
  if (!usage) return h('p', {class: 'empty', id: 'network-none'}, 'No sandbox run: the adapter was not run, so there is no network use to show.');
  const destinations = usage.destinations || [];
  const facts = h('dl', {class: 'facts'},
    h('dt', {}, 'Deployment model'), h('dd', {}, usage.deploymentModel),
    h('dt', {}, 'Allowed domains'), h('dd', {}, usage.allowedDomains && usage.allowedDomains.length
      ? usage.allowedDomains.map(d => h('code', {class: 'tag'}, d)) : h('span', {class: 'muted'}, 'none')),
    h('dt', {}, 'Received (rx)'), h('dd', {id: 'network-rx'}, bytes(usage.rxBytes)),
    h('dt', {}, 'Sent (tx)'), h('dd', {id: 'network-tx'}, bytes(usage.txBytes)));
  if (destinations.length === 0) return h('div', {id: 'network'}, facts, h('p', {class: 'empty'}, 'The container reached no destination.'));
  const numeric = new Set(['Port', 'Connections', 'Bytes out', 'Bytes in']);
  const head = h('tr', {}, ['Host', 'Port', 'Via', 'Connections', 'Bytes out', 'Bytes in', 'Allowed', 'Detail']
    .map(t => h('th', {scope: 'col', class: numeric.has(t) ? 'num' : null}, t)));
  const rows = destinations.map(d => h('tr', {'data-host': d.host},
    h('td', {}, h('code', {}, d.host)),
    h('td', {class: 'num'}, d.port ? String(d.port) : '—'),
    h('td', {}, d.via),
    h('td', {class: 'num'}, String(d.connections)),
    h('td', {class: 'num'}, bytes(d.bytesOut)),
    h('td', {class: 'num'}, bytes(d.bytesIn)),
    h('td', {}, d.allowed ? h('span', {class: 'chip chip-passed'}, 'allowed') : h('span', {class: 'chip chip-failed'}, 'refused')),
    h('td', {}, d.detail || '')));
  return h('div', {id: 'network'}, facts,
    h('div', {class: 'table-wrap'}, h('table', {id: 'network-table'}, h('thead', {}, head), h('tbody', {}, rows))));
}

/** The sandbox API requests (run.task's apiCalls) and webhook calls (run.process's webhookCalls) the run recorded. */
export function apiCalls(checks) {
  const calls = [];
  for (const c of checks || []) {
    const e = c.evidence || {};
    for (const call of e.apiCalls || []) calls.push(call);
    for (const call of e.webhookCalls || []) calls.push(call);
  }
  if (calls.length === 0) return h('p', {class: 'empty', id: 'api-calls-none'}, 'No API calls recorded (the adapter did not run, or made none).');
  return h('div', {class: 'table-wrap'}, h('table', {id: 'api-calls'},
    h('thead', {}, h('tr', {}, ['Time', 'Operation', 'Authorized', 'Status', 'Time taken', 'Request', 'Response', 'Error']
      .map(t => h('th', {scope: 'col'}, t)))),
    h('tbody', {}, calls.map(call => h('tr', {},
      h('td', {}, call.time ? time(call.time) : '—'),
      h('td', {}, h('code', {}, call.operation || ''),
        call.variables && Object.keys(call.variables).length
          ? h('details', {}, h('summary', {}, 'Variables'), value(call.variables, 0)) : null),
      h('td', {}, call.status === 401 ? h('span', {class: 'chip chip-failed'}, 'no') : h('span', {class: 'chip chip-passed'}, 'yes')),
      h('td', {}, call.status === undefined ? '—' : String(call.status)),
      h('td', {}, call.millis === undefined ? '—' : call.millis + ' ms'),
      h('td', {}, call.requestBytes === undefined ? '—' : bytes(call.requestBytes)),
      h('td', {}, call.responseBytes === undefined ? '—' : bytes(call.responseBytes)),
      h('td', {}, call.error || ''))))));
}

/** The build's moves, oldest first. */
export function history(entries) {
  if (!entries || entries.length === 0) return h('p', {class: 'empty'}, 'No history.');
  return h('ol', {class: 'timeline', id: 'history'}, entries.map(e => h('li', {'data-action': e.action},
    h('strong', {}, e.action), ' ',
    h('span', {class: 'move'}, (e.from ? e.from : '—') + ' → ' + e.to), ' ',
    h('span', {class: 'muted'}, 'by '), e.actor || 'Drydock', ' ', time(e.at),
    e.reason ? h('p', {class: 'reason'}, e.reason) : null)));
}
