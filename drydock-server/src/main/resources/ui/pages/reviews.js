// The reviewer's queue (/reviews): builds submitted for review across organizations, oldest first, each with its
// report summary, what changed since the adapter's previous build, and Approve / Disapprove.
import {h, fill} from '../dom.js';
import {api} from '../api.js';
import {heading, time, shortDigest, notify, errorText, confirmAction} from '../ui.js';
import {changesSection} from '../changes.js';

const SEVERITIES = ['Defcon1', 'Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'];

export async function render(main, ctx) {
  const count = h('span', {class: 'muted', id: 'review-count'});
  heading(main, 'Reviews', count);
  const list = h('div', {id: 'review-queue', 'aria-live': 'polite'});
  main.append(h('p', {class: 'muted'}, 'Builds submitted for review, oldest first. Approving lets the developer deploy the '
    + 'build; disapproving sends it back with your reason.'), list);
  const orgNames = new Map(ctx.orgs.map(o => [String(o.id), o.name]));

  async function load() {
    let queue;
    try {
      queue = await api('GET', '/api/v1/reviews');
    } catch (e) {
      notify(errorText(e), 'error');
      fill(list, h('p', {class: 'alert', role: 'alert'}, 'The review queue could not be loaded: ' + errorText(e)));
      return;
    }
    fill(count, queue.length ? queue.length + ' waiting' : '');
    fill(list, queue.length
      ? queue.map(build => item(build, orgNames, load))
      : h('p', {class: 'card empty', id: 'review-empty'}, 'No builds waiting for review.'));
  }
  await load();
}

/** One submitted build: what it is, its verdict summary, its changes (on demand), and the reviewer's two actions. */
function item(build, orgNames, reload) {
  const name = build.adapter + ':' + (build.tag || build.digest);
  const titleId = 'review-' + build.id;
  const org = orgNames.get(String(build.orgId));
  // each button is described by its item's title, so "Approve" in a list of many says which build it approves
  const approve = h('button', {type: 'button', class: 'primary', 'aria-describedby': titleId}, 'Approve');
  const disapprove = h('button', {type: 'button', class: 'danger', 'aria-describedby': titleId}, 'Disapprove');
  const act = async (action, reason, done) => {
    approve.disabled = disapprove.disabled = true;
    try {
      await api('POST', '/api/v1/builds/' + encodeURIComponent(build.id) + '/actions', {action, reason});
      notify(done, 'ok');
      await reload();
    } catch (e) {
      notify(errorText(e), 'error');
      approve.disabled = disapprove.disabled = false;
    }
  };
  approve.addEventListener('click', async () => {
    const ok = await confirmAction('Approve ' + name + '?',
      'Organization ' + (org || build.orgId) + ' can then deploy this build.', {confirmLabel: 'Approve'});
    if (ok) await act('approve', undefined, 'Approved ' + name);
  });
  disapprove.addEventListener('click', async () => {
    const answer = await confirmAction('Disapprove ' + name + '?',
      'The build goes back to its developers with your reason; they cannot deploy it.',
      {confirmLabel: 'Disapprove', danger: true, reasonLabel: 'Reason (the developer reads it: say what to fix)'});
    if (answer) await act('disapprove', answer.reason, 'Disapproved ' + name);
  });

  const changes = h('details', {class: 'review-changes'}, h('summary', {}, 'What changed since the adapter\'s last build'));
  let loaded = false;
  changes.addEventListener('toggle', async () => {
    if (!changes.open || loaded) return;
    loaded = true;
    changes.append(await changesSection(build.id, null, {level: 3}));
  });

  return h('article', {class: 'card review-item', 'aria-labelledby': titleId, 'data-build': build.id},
    h('div', {class: 'review-head'},
      h('h2', {id: titleId}, h('a', {href: '/builds/' + encodeURIComponent(build.id)}, name)),
      h('span', {class: 'review-org'}, 'Organization ', org ? org + ' (' + build.orgId + ')' : String(build.orgId))),
    h('p', {class: 'review-meta'}, 'Uploaded by ', h('span', {class: 'review-user'}, build.user || 'unknown'), ' on ',
      time(build.uploadTime), ' · ', shortDigest(build.digest), ' · ',
      build.reportAvailable
        ? h('a', {href: '/api/v1/builds/' + encodeURIComponent(build.id) + '/report', download: 'build-' + build.id + '-report.json'},
          'Download report')
        : h('span', {class: 'muted'}, 'no report')),
    summary(build.summary),
    changes,
    h('div', {class: 'actions'}, disapprove, approve));
}

/** The report at a glance: passes or fails, failing checks, vulnerabilities by severity. */
function summary(s) {
  if (!s) return h('p', {class: 'review-summary muted'}, 'No report summary.');
  const counts = SEVERITIES.filter(sev => s.vulnerabilityCounts && s.vulnerabilityCounts[sev])
    .map(sev => h('span', {class: 'chip sev-' + sev, 'data-severity': sev}, s.vulnerabilityCounts[sev] + ' ' + sev));
  return h('p', {class: 'review-summary'},
    h('span', {class: 'chip ' + (s.success ? 'chip-pass' : 'chip-fail')}, s.success ? 'tests passed' : 'tests failed'), ' ',
    h('span', {class: 'failing-checks'}, s.failingChecks === 1 ? '1 failing check' : s.failingChecks + ' failing checks'), ' · ',
    h('span', {class: 'vuln-counts'}, !s.vulnerabilityCounts ? 'vulnerabilities not scanned'
      : counts.length ? ['Vulnerabilities: ', counts] : 'no vulnerabilities found'));
}
