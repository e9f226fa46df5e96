// What changed since the adapter's previous build (GET /api/v1/builds/{id}/changes), as one section that the build
// page and the review queue append: verdicts that changed, vulnerabilities added and fixed, new network destinations,
// image size and layers, and test duration, each with its delta.
import {h} from './dom.js';
import {api} from './api.js';
import {errorText, time, duration} from './ui.js';

let sections = 0;

/**
 * Resolves to a <section> element. since: compare with this build instead of the adapter's previous one (optional).
 * options.level: the heading level of the section's title (2 on a page, 3 inside a list item).
 */
export async function changesSection(buildId, since, options = {}) {
  const level = options.level || 2;
  const id = 'changes-' + (++sections);
  const section = h('section', {class: 'changes', 'aria-labelledby': id, 'data-build': buildId},
    h('h' + level, {id}, 'Changes since the last build'));
  let changes;
  try {
    changes = await api('GET', '/api/v1/builds/' + encodeURIComponent(buildId) + '/changes'
      + (since ? '?since=' + encodeURIComponent(since) : ''));
  } catch (e) {
    section.append(e.code === 'REPORT_NOT_AVAILABLE'
      ? h('p', {class: 'muted'}, 'Changes are shown once testing has finished.')
      : h('p', {class: 'alert', role: 'alert'}, errorText(e)));
    return section;
  }
  if (!changes.previous) {
    section.append(h('p', {class: 'changes-first'}, 'First build of this adapter: there is nothing to compare it with.'),
      facts(changes, level));
    return section;
  }
  const previous = changes.previous;
  section.append(h('p', {class: 'changes-against'}, 'Compared with ',
    h('a', {href: '/builds/' + encodeURIComponent(previous.id)}, previous.tag || shortId(previous.digest)),
    ' (', time(previous.uploadTime), ')'));
  if (changes.nothingChanged) {
    section.append(h('p', {class: 'changes-nothing'}, 'Nothing changed: same verdicts, vulnerabilities, network destinations and image.'));
  }
  if (changes.checks.length) section.append(checks(changes.checks, level));
  const {added, fixed} = changes.vulnerabilities;
  if (added.length || fixed.length) section.append(vulnerabilities(added, fixed, level));
  if (changes.network.added.length || changes.network.removed.length) section.append(network(changes.network, level));
  section.append(facts(changes, level));
  return section;
}

function subheading(level, text) {
  return h('h' + Math.min(level + 1, 6), {}, text);
}

function shortId(digest) {
  return String(digest || '').slice(0, 19);
}

/** A check verdict as a chip (the verdict is written, so colour is not the only signal). */
function verdictChip(verdict) {
  if (!verdict) return h('span', {class: 'chip chip-none'}, 'absent');
  const kind = {passed: 'pass', failed: 'fail', error: 'fail', warning: 'warn', skipped: 'skip'}[verdict] || 'none';
  return h('span', {class: 'chip chip-' + kind, 'data-verdict': verdict}, verdict);
}

function checks(list, level) {
  return h('div', {class: 'changes-checks'}, subheading(level, 'Checks whose verdict changed'),
    h('div', {class: 'table-wrap'}, h('table', {},
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Check'), h('th', {scope: 'col'}, 'Verdict'),
        h('th', {scope: 'col'}, 'Message'))),
      h('tbody', {}, list.map(c => h('tr', {'data-check': c.id},
        h('td', {}, h('code', {}, c.id)),
        h('td', {class: 'verdict-change'}, verdictChip(c.before),
          h('span', {'aria-hidden': 'true'}, ' → '), h('span', {class: 'offscreen'}, ' became '), verdictChip(c.after)),
        h('td', {}, c.message || '')))))));
}

function vulnerability(v) {
  return h('li', {'data-cve': v.name},
    h('span', {class: 'chip sev-' + (v.severity || 'Unknown')}, v.severity || 'Unknown'), ' ',
    v.link ? h('a', {href: v.link, rel: 'noopener noreferrer', target: '_blank'}, v.name) : h('span', {}, v.name), ' in ',
    h('code', {}, v.package + (v.version ? ' ' + v.version : '')),
    v.fixedBy ? h('span', {class: 'muted'}, ' (fixed in ' + v.fixedBy + ')') : null);
}

function vulnerabilities(added, fixed, level) {
  return h('div', {class: 'changes-vulns'}, subheading(level, 'Vulnerabilities'),
    added.length ? [h('p', {}, added.length + ' added:'), h('ul', {class: 'vulns-added'}, added.map(vulnerability))] : null,
    fixed.length ? [h('p', {}, fixed.length + ' fixed:'), h('ul', {class: 'vulns-fixed'}, fixed.map(vulnerability))] : null);
}

function network(net, level) {
  return h('div', {class: 'changes-network'}, subheading(level, 'Network destinations'),
    net.added.length ? [h('p', {}, 'New in this build:'),
      h('ul', {class: 'network-added'}, net.added.map(d => h('li', {}, h('code', {}, d))))] : null,
    net.removed.length ? [h('p', {}, 'No longer reached:'),
      h('ul', {class: 'network-removed'}, net.removed.map(d => h('li', {}, h('code', {}, d))))] : null);
}

/** Image size, layer count and test duration: this build's value, and the change from the previous one. */
function facts(changes, level) {
  const img = changes.image;
  const compared = Boolean(changes.previous);
  const rows = [
    fact('Image size', img.sizeBefore, img.sizeAfter, bytes, 'image-size', compared),
    fact('Layers', img.layersBefore, img.layersAfter, n => String(n), 'image-layers', compared),
    fact('Test duration', changes.testDuration.before, changes.testDuration.after, millis, 'test-duration', compared),
  ];
  return h('div', {class: 'changes-facts'}, subheading(level, 'Image and test'),
    h('dl', {class: 'facts'}, rows));
}

function fact(label, before, after, format, name, compared) {
  const known = v => v !== null && v !== undefined;
  const value = known(after) ? format(after) : '—';
  let delta = null;
  if (compared && known(after) && !known(before)) {
    // e.g. the previous build's image could not be read: say so rather than show no change
    delta = h('span', {class: 'delta muted'}, ' (not measured in the build compared with)');
  } else if (known(before) && known(after)) {
    const d = after - before;
    delta = h('span', {class: 'delta ' + (d === 0 ? 'muted' : d > 0 ? 'delta-up' : 'delta-down')},
      d === 0 ? ' (no change)' : ' (' + (d > 0 ? '+' : '−') + format(Math.abs(d)) + ' since ' + format(before) + ')');
  }
  return [h('dt', {}, label), h('dd', {'data-fact': name}, value, delta)];
}

function bytes(n) {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return (unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)) + ' ' + units[unit];
}

function millis(ms) {
  return ms < 1000 ? ms + ' ms' : duration(ms);
}
