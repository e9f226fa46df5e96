// The org-admin tabs of the settings page that are not about people: webhooks with their delivery logs, and the
// vulnerability allowlist. URLs and reasons come from users: they are shown as text, never as links or markup.
import {h, fill} from '../dom.js';
import {api} from '../api.js';
import {time, confirmAction, notify, errorText, duration} from '../ui.js';
import {apiForm, oncePanel, table, orDash} from '../forms.js';

// ---------------------------------------------------------------- webhooks

export async function renderWebhooks(panel, orgId) {
  const path = '/api/v1/orgs/' + encodeURIComponent(orgId) + '/webhooks';
  const list = h('div', {id: 'webhooks'});
  const shown = h('div', {id: 'webhook-secret-area'});
  const load = async () => {
    const hooks = await api('GET', path);
    if (!hooks.length) {
      fill(list, h('p', {class: 'muted', id: 'webhooks-table-empty'}, 'No webhooks yet.'));
      return;
    }
    const body = h('tbody', {});
    for (const hook of hooks) webhookRows(body, hook, path, load);
    fill(list, h('div', {class: 'table-wrap'}, h('table', {id: 'webhooks-table'},
      h('thead', {}, h('tr', {}, ['URL', 'Created by', 'Created', 'Deliveries', ''].map(t => h('th', {scope: 'col'}, t)))),
      body)));
  };
  await load();
  const url = h('input', {type: 'url', autocomplete: 'off', required: true, placeholder: 'https://ci.example.com/drydock-events'});
  const secret = h('input', {type: 'text', autocomplete: 'off'});
  const form = apiForm('create-webhook', [
    {name: 'url', label: 'URL', input: url, hint: 'Drydock POSTs every build change of this organization here as a CloudEvent.'},
    {name: 'secret', label: 'Signing secret', input: secret,
      hint: 'Optional: 16-200 printable characters. Left empty, Drydock generates one.'},
  ], 'Create webhook', async () => {
    const created = await api('POST', path, {url: url.value, secret: secret.value || null});
    const once = oncePanel('webhook-secret', 'Signing secret of the webhook to ' + created.url, created.secret,
      h('p', {}, 'Receivers check the Drydock-Signature header: sha256= and the HMAC-SHA256 of the body with this secret.'));
    fill(shown, once);
    once.focus();
    await load();
  });
  fill(panel, h('h2', {}, 'Webhooks'),
    h('p', {class: 'muted'}, 'Every build state change is delivered to each webhook, signed, and retried when the receiver fails.'),
    shown, list, h('h2', {}, 'Create a webhook'), h('div', {class: 'card'}, form));
}

/** The webhook's row and, below it, its delivery log (opened with the Deliveries button). */
function webhookRows(body, hook, path, reload) {
  const logId = 'deliveries-' + hook.id;
  const toggle = h('button', {type: 'button', 'aria-expanded': 'false', 'aria-controls': logId}, 'Show deliveries');
  const remove = h('button', {type: 'button', class: 'danger', 'aria-label': 'Delete webhook to ' + hook.url}, 'Delete');
  const log = h('td', {colspan: '5'});
  const logRow = h('tr', {id: logId, class: 'sub-row', hidden: true}, log);
  const row = h('tr', {'data-webhook': hook.id},
    h('td', {}, h('code', {class: 'url'}, hook.url)), h('td', {}, hook.createdBy), h('td', {}, time(hook.created)),
    h('td', {}, toggle), h('td', {}, remove));
  toggle.addEventListener('click', async () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    fill(toggle, open ? 'Hide deliveries' : 'Show deliveries');
    logRow.hidden = !open;
    if (open) await drawDeliveries(log, path + '/' + encodeURIComponent(hook.id) + '/deliveries', logId + '-table');
  });
  remove.addEventListener('click', async () => {
    const ok = await confirmAction('Delete this webhook?',
      'Deliveries to ' + hook.url + ' stop; events not yet delivered and the delivery log are deleted with it.',
      {confirmLabel: 'Delete', danger: true});
    if (!ok) return;
    try {
      await api('DELETE', path + '/' + encodeURIComponent(hook.id));
      notify('Deleted the webhook.', 'ok');
      await reload();
    } catch (err) {
      notify(errorText(err), 'error');
    }
  });
  body.append(row, logRow);
}

async function drawDeliveries(cell, path, tableId) {
  const refresh = h('button', {type: 'button', class: 'link'}, 'Refresh');
  refresh.addEventListener('click', () => drawDeliveries(cell, path, tableId));
  fill(cell, h('p', {class: 'muted', 'aria-busy': 'true'}, 'Loading deliveries…'));
  try {
    const deliveries = await api('GET', path + '?limit=50');
    fill(cell, h('div', {class: 'toolbar'}, h('strong', {}, 'Latest deliveries'), refresh),
      table(tableId, ['Time', 'Event', 'Status', 'Attempt', 'Took', 'Error'], deliveries.map(d => [
        time(d.at), h('code', {title: d.eventId}, d.eventId.slice(0, 8)),
        h('span', {class: 'chip ' + (d.success ? 'chip-pass' : 'chip-fail')},
          (d.success ? 'delivered' : 'failed') + (d.statusCode === null ? '' : ' · ' + d.statusCode)),
        String(d.attempt), d.durationMs < 1000 ? d.durationMs + ' ms' : duration(d.durationMs), orDash(d.error)]),
      'No deliveries yet: they come with the next build change.'));
  } catch (err) {
    fill(cell, h('div', {class: 'alert', role: 'alert'}, errorText(err)));
  }
}

// ---------------------------------------------------------------- vulnerability allowlist

export async function renderAllowlist(panel, orgId) {
  const path = '/api/v1/orgs/' + encodeURIComponent(orgId) + '/vulnerability-allowlist';
  const list = h('div', {id: 'allowlist'});
  const load = async () => {
    const entries = await api('GET', path);
    fill(list, table('allowlist-table', ['Vulnerability', 'Reason', 'Expires', 'Added by', 'Added', ''], entries.map(e => [
      h('code', {}, e.cveId), h('span', {class: 'reason'}, e.reason), expiry(e.expires), e.createdBy, time(e.created),
      removeButton(e)]), 'Nothing is allowed: every vulnerability at or above the threshold fails a build.'));
  };
  const removeButton = entry => {
    const button = h('button', {type: 'button', class: 'danger', 'aria-label': 'Remove ' + entry.cveId}, 'Remove');
    button.addEventListener('click', async () => {
      const ok = await confirmAction('Remove ' + entry.cveId + ' from the allowlist?',
        'Builds tested from now on fail on it again.', {confirmLabel: 'Remove', danger: true});
      if (!ok) return;
      try {
        await api('DELETE', path + '/' + encodeURIComponent(entry.cveId));
        notify('Removed ' + entry.cveId + '.', 'ok');
        await load();
      } catch (err) {
        notify(errorText(err), 'error');
      }
    });
    return button;
  };
  await load();
  const id = h('input', {type: 'text', autocomplete: 'off', required: true, placeholder: 'CVE-2021-44228'});
  const reason = h('textarea', {rows: 3, required: true, maxlength: 2000});
  const expires = h('input', {type: 'date', required: true});
  const form = apiForm('allow-vulnerability', [
    {name: 'id', label: 'CVE or advisory id', input: id},
    {name: 'reason', label: 'Reason', input: reason, hint: 'Why it is acceptable (reviewers and developers read it).'},
    {name: 'expires', label: 'Expires', input: expires, hint: 'The last day (UTC) the entry applies; a future date.'},
  ], 'Add to allowlist', async () => {
    const added = await api('POST', path, {id: id.value.trim(), reason: reason.value, expires: expires.value || null});
    notify('Allowed ' + added.cveId + ' until ' + added.expires + '.', 'ok');
    await load();
  });
  fill(panel, h('h2', {}, 'Vulnerability allowlist'),
    h('p', {class: 'muted'}, 'Vulnerabilities listed here do not fail this organization\'s builds until they expire.'),
    list, h('h2', {}, 'Allow a vulnerability'), h('div', {class: 'card'}, form),
    await monitoringSetting(orgId));
}

/**
 * Continuous monitoring: what happens to a released build found vulnerable after an advisory import. Saved as soon as
 * the box changes (PATCH on the organization); on failure the box shows the stored value again.
 */
async function monitoringSetting(orgId) {
  const path = '/api/v1/orgs/' + encodeURIComponent(orgId);
  const org = await api('GET', path);
  const box = h('input', {type: 'checkbox', id: 'invalidate-vulnerable-builds'});
  box.checked = Boolean(org.invalidateVulnerableBuilds);
  box.addEventListener('change', async () => {
    const wanted = box.checked;
    box.disabled = true;
    try {
      const saved = await api('PATCH', path, {invalidateVulnerableBuilds: wanted});
      box.checked = Boolean(saved.invalidateVulnerableBuilds);
      notify(box.checked ? 'Builds found vulnerable after release are now invalidated.'
        : 'Builds found vulnerable after release are now only reported.', 'ok');
    } catch (err) {
      box.checked = !wanted;
      notify(errorText(err), 'error');
    } finally {
      box.disabled = false;
    }
  });
  return h('section', {id: 'monitoring-setting'}, h('h2', {}, 'Continuous monitoring'),
    h('p', {class: 'muted'}, 'After every advisory import, approved, deployed and paused builds are matched again. '
      + 'A new vulnerability at or above the threshold is reported to webhooks and shown on the build.'),
    h('div', {class: 'card'}, h('p', {}, box, ' ', h('label', {for: 'invalidate-vulnerable-builds'},
      'Also invalidate such builds (a deployed build stops being deployed)'))));
}

/** The last day an entry applies, marked when it has passed (expired entries cover nothing). */
function expiry(day) {
  const expired = day < new Date().toISOString().slice(0, 10);
  return h('span', {}, day, expired ? h('span', {class: 'chip chip-fail expired'}, 'expired') : null);
}
