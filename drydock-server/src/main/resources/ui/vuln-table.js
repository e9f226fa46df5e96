// A build's vulnerabilities as Harbor users read them: a severity summary bar, then a table that sorts, filters and
// exports what it shows as CSV. Findings are the report's Clair-shaped objects (dev.drydock.scanner.match.Finding).
import {h, fill} from './dom.js';

/** Severities from the most to the least severe (the scanner's Severity, reversed). */
export const SEVERITIES = ['Defcon1', 'Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'];

function rank(severity) {
  const i = SEVERITIES.indexOf(severity);
  return i < 0 ? SEVERITIES.length : i;
}

export function severityChip(severity) {
  return h('span', {class: 'chip sev-' + severity, 'data-severity': severity}, severity);
}

/** CVSS v3 score, else v2, else null. */
function cvss(f) {
  const nvd = f.Metadata && f.Metadata.NVD;
  if (!nvd) return null;
  if (nvd.CVSSv3 && typeof nvd.CVSSv3.Score === 'number') return nvd.CVSSv3.Score;
  if (nvd.CVSSv2 && typeof nvd.CVSSv2.Score === 'number') return nvd.CVSSv2.Score;
  return null;
}

/** The Dockerfile step that added the package, else the layer's short digest. */
function layer(f) {
  if (f.AddedByStep) return f.AddedByStep;
  if (!f.AddedBy) return '';
  const i = f.AddedBy.indexOf(':');
  return i < 0 ? f.AddedBy : f.AddedBy.slice(0, i + 13);
}

function fixedIn(f) {
  return f.FixedBy ? f.FixedBy : 'not fixed';
}

function allowlisted(f) {
  if (!f.Allowlisted) return '';
  return f.Allowlisted.reason + (f.Allowlisted.expires ? ' (until ' + f.Allowlisted.expires + ')' : '');
}

/** The columns: header, how a row sorts, and the cell. */
const COLUMNS = [
  {key: 'name', label: 'CVE', sort: f => f.Name || ''},
  {key: 'severity', label: 'Severity', sort: f => SEVERITIES.length - rank(f.Severity)}, // higher is more severe
  {key: 'cvss', label: 'CVSS', num: true, sort: f => cvss(f) ?? -1},
  {key: 'package', label: 'Package', sort: f => f.FeatureName || ''},
  {key: 'version', label: 'Installed', sort: f => f.FeatureVersion || ''},
  {key: 'fixed', label: 'Fixed in', sort: f => f.FixedBy || ''},
  {key: 'layer', label: 'Layer / Dockerfile step', sort: layer},
  {key: 'allowlisted', label: 'Allowlisted', sort: allowlisted},
];

/** The severity summary: a bar of coloured segments sized by count, and the counts written out. */
export function summaryBar(counts) {
  const entries = Object.entries(counts || {}).filter(([, n]) => n > 0).sort((a, b) => rank(a[0]) - rank(b[0]));
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  const bar = h('div', {class: 'summary-bar', 'aria-hidden': 'true'});
  for (const [severity, n] of entries) {
    const segment = h('span', {class: 'sev-' + severity, title: severity + ': ' + n});
    segment.style.flexGrow = String(n); // CSSOM: the CSP blocks style attributes, not style properties
    bar.append(segment);
  }
  const legend = h('ul', {class: 'sev-legend', 'aria-label': 'Vulnerabilities by severity'},
    entries.map(([severity, n]) => h('li', {'data-severity': severity}, severityChip(severity), ' ', h('span', {class: 'count'}, String(n)))));
  return h('div', {class: 'sev-summary'},
    h('p', {class: 'total'}, total + ' known ' + (total === 1 ? 'vulnerability' : 'vulnerabilities')), bar, legend);
}

/**
 * The vulnerabilities section's body. {@code findings} null means the scan did not run; [] means it found nothing.
 */
export function vulnerabilities(report, buildId) {
  const findings = report.vulnerabilities;
  const data = report.vulnerabilityData ? h('p', {class: 'muted'}, 'Advisory data: ' + report.vulnerabilityData) : null;
  if (findings === null || findings === undefined) {
    return h('p', {class: 'empty', id: 'vulns-not-scanned'},
      'Not scanned: the vulnerability scan did not run for this build (a check it depends on did not pass).');
  }
  if (findings.length === 0) {
    // "none found" only means something when the scan had advisory data to match (the check says when it had not)
    const check = (report.checks || []).find(c => c.id === 'vulnerabilities');
    // a warning (e.g. no advisory data imported) reads as one, not as a failure next to the "Passed" verdict
    const caveat = check && check.verdict !== 'passed'
      ? h('p', {class: 'alert alert-' + check.verdict, id: 'vulns-caveat'}, h('strong', {}, check.verdict + ': '), check.message) : null;
    return h('div', {}, h('p', {class: 'empty', id: 'vulns-none'}, 'No known vulnerabilities found.'), caveat, data);
  }
  return h('div', {}, summaryBar(report.vulnerabilityCounts), data, table(findings, buildId));
}

function table(findings, buildId) {
  const state = {key: 'severity', dir: 'descending', severity: '', text: ''};
  const severities = SEVERITIES.filter(s => findings.some(f => f.Severity === s));
  const severitySelect = h('select', {id: 'vuln-severity'},
    h('option', {value: ''}, 'All severities'), severities.map(s => h('option', {value: s}, s)));
  const search = h('input', {id: 'vuln-search', type: 'search', placeholder: 'CVE, package or description'});
  const shown = h('span', {class: 'muted', id: 'vuln-shown', 'aria-live': 'polite'});
  const exportButton = h('button', {type: 'button', id: 'vuln-export'}, 'Export CSV');
  const headers = COLUMNS.map(c => {
    const button = h('button', {type: 'button', class: 'sort'}, c.label);
    const th = h('th', {scope: 'col', class: c.num ? 'num' : null, 'data-column': c.key}, button);
    button.addEventListener('click', () => {
      state.dir = state.key === c.key && state.dir === 'ascending' ? 'descending' : 'ascending';
      state.key = c.key;
      draw();
    });
    return th;
  });
  const body = h('tbody');
  let rows = [];

  function visible() {
    const text = state.text.trim().toLowerCase();
    const column = COLUMNS.find(c => c.key === state.key);
    const sign = state.dir === 'ascending' ? 1 : -1;
    return findings
      .filter(f => !state.severity || f.Severity === state.severity)
      .filter(f => !text || [f.Name, f.FeatureName, f.Description, f.Advisory].some(v => v && v.toLowerCase().includes(text)))
      .map((f, i) => ({f, i}))
      .sort((a, b) => {
        const x = column.sort(a.f), y = column.sort(b.f);
        const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
        return c !== 0 ? sign * c : a.i - b.i;
      })
      .map(r => r.f);
  }

  function draw() {
    rows = visible();
    for (const th of headers) {
      if (th.dataset.column === state.key) th.setAttribute('aria-sort', state.dir);
      else th.removeAttribute('aria-sort');
    }
    fill(body, rows.length ? rows.map(row) : h('tr', {}, h('td', {colspan: String(COLUMNS.length), class: 'muted'}, 'No vulnerability matches the filter.')));
    fill(shown, 'Showing ' + rows.length + ' of ' + findings.length);
  }

  severitySelect.addEventListener('change', () => { state.severity = severitySelect.value; draw(); });
  search.addEventListener('input', () => { state.text = search.value; draw(); });
  exportButton.addEventListener('click', () => download(toCsv(rows), 'build-' + buildId + '-vulnerabilities.csv'));
  draw();
  return h('div', {},
    h('div', {class: 'toolbar'},
      h('label', {for: 'vuln-severity'}, 'Severity'), severitySelect,
      h('label', {for: 'vuln-search'}, 'Search'), search,
      shown, h('span', {class: 'spacer'}), exportButton),
    h('div', {class: 'table-wrap'}, h('table', {id: 'vuln-table'}, h('thead', {}, h('tr', {}, headers)), body)));
}

function row(f) {
  const score = cvss(f);
  const details = f.Description || f.Path || f.Advisory
    ? h('details', {class: 'vuln-desc'}, h('summary', {}, 'Description'),
      f.Description ? h('p', {}, f.Description) : null,
      f.Path ? h('p', {class: 'muted'}, 'Found in ', h('code', {}, f.Path)) : null,
      f.Advisory ? h('p', {class: 'muted'}, 'Advisory ', f.Advisory) : null)
    : null;
  return h('tr', {'data-cve': f.Name},
    h('td', {}, f.Link ? h('a', {href: f.Link, rel: 'noopener noreferrer', target: '_blank'}, f.Name) : f.Name, details),
    h('td', {}, severityChip(f.Severity)),
    h('td', {class: 'num'}, score === null ? '—' : score.toFixed(1)),
    h('td', {}, f.FeatureName || ''),
    h('td', {}, h('code', {}, f.FeatureVersion || '')),
    h('td', {}, f.FixedBy ? h('code', {}, f.FixedBy) : h('span', {class: 'muted'}, 'not fixed')),
    h('td', {title: f.AddedBy || ''}, f.AddedByStep ? h('code', {}, f.AddedByStep) : layer(f)),
    h('td', {}, f.Allowlisted
      ? [h('span', {class: 'chip chip-allowlisted'}, 'allowlisted'), ' ', f.Allowlisted.reason,
        f.Allowlisted.expires ? h('span', {class: 'muted'}, ' (until ' + f.Allowlisted.expires + ')') : null]
      : ''));
}

/** RFC 4180 CSV (every field quoted, quotes doubled, CRLF), with spreadsheet formulas neutralised. */
export function toCsv(findings) {
  const header = ['CVE', 'Severity', 'CVSS', 'Package', 'Installed version', 'Fixed in', 'Layer / Dockerfile step',
    'Allowlisted', 'Link', 'Description'];
  const lines = [header, ...findings.map(f => {
    const score = cvss(f);
    return [f.Name, f.Severity, score === null ? '' : score.toFixed(1), f.FeatureName, f.FeatureVersion, fixedIn(f),
      layer(f), allowlisted(f), f.Link, f.Description];
  })];
  return lines.map(cells => cells.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function csvField(value) {
  let s = value === null || value === undefined ? '' : String(value);
  // a cell a spreadsheet would run as a formula is kept as text
  if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
  return '"' + s.replace(/"/g, '""') + '"';
}

function download(text, name) {
  const url = URL.createObjectURL(new Blob([text], {type: 'text/csv;charset=utf-8'}));
  const a = h('a', {class: 'offscreen'});
  a.href = url; // a blob: URL, which safeUrl (rightly) refuses for links from data
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
