// Platform administration. Platform admins: organizations, users and their platform roles, advisory data. Operators
// manage only the advisory data the vulnerability scan uses, so they see only that tab.
import {h, fill} from '../dom.js';
import {api, call} from '../api.js';
import {heading, time, notify, errorText} from '../ui.js';
import {apiForm, tabLinks, currentTab, table, orDash} from '../forms.js';

const PAGE_SIZE = 50;

export async function render(main, ctx) {
  heading(main, 'Administration');
  const tabs = ctx.role === 'admin'
    ? [['orgs', 'Organizations'], ['users', 'Users and roles'], ['vulndb', 'Advisory data']]
    : [['vulndb', 'Advisory data']];
  const tab = currentTab(tabs);
  const panel = h('div', {id: 'tab-' + tab, class: 'tab-panel'});
  main.append(tabLinks('/admin', tabs, tab, 'Administration sections'), panel);
  try {
    await {orgs: renderOrgs, users: renderUsers, vulndb: renderVulnDb}[tab](panel);
  } catch (err) {
    fill(panel, h('div', {class: 'alert', role: 'alert', id: 'tab-error'}, errorText(err)));
  }
}

// ---------------------------------------------------------------- organizations

async function renderOrgs(panel) {
  const list = h('div', {id: 'orgs'});
  const load = async () => {
    const orgs = await api('GET', '/api/v1/orgs');
    fill(list, table('orgs-table', ['Id', 'Name', 'Created'], orgs.map(o => [
      h('a', {href: '/orgs/' + o.id + '/settings'}, String(o.id)), o.name, time(o.created)]), 'No organizations yet.'));
  };
  await load();
  const id = h('input', {type: 'text', inputmode: 'numeric', autocomplete: 'off', required: true, placeholder: '17532'});
  const name = h('input', {type: 'text', autocomplete: 'off', required: true, maxlength: 200});
  const form = apiForm('create-org', [
    {name: 'id', label: 'Id', input: id, hint: 'The Veritone organization id: a positive number of at most 18 digits.'},
    {name: 'name', label: 'Name', input: name},
  ], 'Create organization', async () => {
    // ids have up to 18 digits, more than a JavaScript number holds exactly: the digits go into the JSON as they are
    const digits = id.value.trim();
    const body = /^[0-9]{1,18}$/.test(digits)
      ? '{"id":' + digits + ',"name":' + JSON.stringify(name.value) + '}'
      : JSON.stringify({id: digits, name: name.value}); // the API names what is wrong with the id
    const created = await api('POST', '/api/v1/orgs', new Blob([body], {type: 'application/json'}));
    notify('Created organization ' + created.id + '. Add its first admin on its settings page.', 'ok');
    await load();
  });
  fill(panel, h('h2', {}, 'Organizations'), list, h('h2', {}, 'Create an organization'), h('div', {class: 'card'}, form));
}

// ---------------------------------------------------------------- users

async function renderUsers(panel) {
  const list = h('div', {id: 'users'});
  const pager = h('div', {class: 'pager'});
  let offset = 0;
  const email = h('input', {type: 'email', autocomplete: 'off', required: true});
  const role = h('select', {},
    ['admin', 'reviewer', 'operator'].map(r => h('option', {value: r}, r)), h('option', {value: ''}, 'none'));
  const load = async () => {
    const users = await api('GET', '/api/v1/users?limit=' + PAGE_SIZE + '&offset=' + offset);
    fill(list, table('users-table', ['E-mail', 'Platform role', 'Organizations', 'Created', ''], users.map(u => [
      u.email,
      u.platformRole ? h('span', {class: 'chip chip-role-' + u.platformRole}, u.platformRole) : orDash(null),
      u.memberships.length ? u.memberships.map(m => h('span', {class: 'membership'}, m.orgId + ' (' + m.role + ')')) : orDash(null),
      time(u.created),
      editButton(u)]), 'No users on this page.'));
    const previous = h('button', {type: 'button', disabled: offset === 0}, 'Previous');
    const next = h('button', {type: 'button', disabled: users.length < PAGE_SIZE}, 'Next');
    previous.addEventListener('click', () => turn(-PAGE_SIZE));
    next.addEventListener('click', () => turn(PAGE_SIZE));
    fill(pager, previous, h('span', {class: 'muted'}, users.length ? (offset + 1) + '–' + (offset + users.length) : ''), next);
  };
  const turn = async delta => {
    offset = Math.max(0, offset + delta);
    try {
      await load();
    } catch (err) {
      notify(errorText(err), 'error');
    }
  };
  const editButton = user => {
    const button = h('button', {type: 'button', 'aria-label': 'Change the platform role of ' + user.email}, 'Change role');
    button.addEventListener('click', () => {
      email.value = user.email;
      role.value = user.platformRole || '';
      role.focus();
    });
    return button;
  };
  await load();
  const form = apiForm('set-role', [
    {name: 'email', label: 'E-mail', input: email, hint: 'A user who exists (added to an organization).'},
    {name: 'role', label: 'Platform role', input: role,
      hint: 'admin: everything; reviewer: the review queue; operator: advisory data and the audit log.'},
  ], 'Set role', async () => {
    const set = await api('PUT', '/api/v1/users/' + encodeURIComponent(email.value.trim()) + '/platform-role',
      {role: role.value || null});
    notify(set.email + ' now has ' + (set.platformRole ? 'the platform role ' + set.platformRole : 'no platform role') + '.', 'ok');
    await load();
  });
  fill(panel, h('h2', {}, 'Users'), list, pager, h('h2', {}, 'Set a platform role'), h('div', {class: 'card'}, form));
}

// ---------------------------------------------------------------- advisory data

async function renderVulnDb(panel) {
  const status = h('div', {id: 'vulndb-status'});
  const load = async () => {
    const s = await api('GET', '/api/v1/vulndb');
    fill(status,
      h('dl', {class: 'facts'},
        h('dt', {}, 'Advisories'), h('dd', {id: 'vulndb-advisories'}, String(s.advisories)),
        h('dt', {}, 'Data version'), h('dd', {}, h('code', {}, orDash(s.dataVersion))),
        h('dt', {}, 'Builds fail at'), h('dd', {}, s.failAt)),
      table('sources-table', ['Source', 'Kind', 'Location', 'Imported', 'Records', 'Failed', 'Newest record', 'Advisories'],
        s.sources.map(src => [h('code', {}, src.name), src.kind, h('span', {class: 'location'}, orDash(src.location)),
          time(src.importedAt), String(src.records), String(src.failed), time(src.newestRecord), String(src.advisories)]),
        'No advisory data yet: import a file below, or configure the scheduled update.'),
      h('h3', {}, 'Scheduled update'),
      feedsView(s.feeds || []));
  };
  await load();

  const file = h('input', {type: 'file', required: true, accept: '.json,.zip,application/json,application/zip'});
  const format = h('select', {},
    h('option', {value: 'osv'}, 'OSV (one JSON advisory, or an all.zip)'),
    h('option', {value: 'alpine'}, 'Alpine secdb JSON'),
    h('option', {value: 'debian'}, 'Debian security tracker JSON'));
  const source = h('input', {type: 'text', autocomplete: 'off', placeholder: 'e.g. osv-debian'});
  const progress = h('progress', {class: 'busy', hidden: true, 'aria-label': 'Importing'});
  const result = h('div', {id: 'import-result', 'aria-live': 'polite'});
  const form = apiForm('import-advisories', [
    {name: 'file', label: 'Advisory file', input: file},
    {name: 'format', label: 'Format', input: format},
    {name: 'source', label: 'Source name', input: source,
      hint: 'Optional: where the data comes from, shown in the status (letters, digits or . _ / : -); default upload-<format>.'},
  ], 'Import', async () => {
    const chosen = file.files[0];
    if (!chosen) throw {message: 'Choose the advisory file to import.', detail: {field: 'file'}};
    const query = new URLSearchParams({format: format.value});
    if (source.value.trim()) query.set('source', source.value.trim());
    fill(result);
    progress.hidden = false;
    try {
      // the API reads the file as the raw request body (a zip is told by its content type or its first bytes)
      const response = await call('POST', '/api/v1/vulndb/imports?' + query, chosen);
      showImport(result, await response.json());
    } finally {
      progress.hidden = true;
    }
    await load();
  });
  form.querySelector('.actions').prepend(progress);
  fill(panel, h('h2', {}, 'Advisory data'), status, h('h2', {}, 'Import advisories'), h('div', {class: 'card'}, form), result);
}

// The feeds the server fetches on its schedule (vulndb.feeds, vulndb.urls) and how each last went; without any, how
// to turn the public data on, or import it by hand where the server cannot reach the internet.
function feedsView(feeds) {
  if (!feeds.length) {
    return h('div', {class: 'card', id: 'vulndb-feeds-hint'},
      h('p', {}, 'No feed is configured: advisory data changes only when someone imports it. Start the server with ',
        h('code', {}, 'vulndb.feeds=osv'), ' (environment ', h('code', {}, 'DRYDOCK_VULNDB_FEEDS=osv'),
        ') to fetch osv.dev\'s public data for every ecosystem the scanner reads, daily; ',
        h('code', {}, 'vulndb.osv-base-url'), ' points it at a mirror.'),
      h('p', {}, 'Air-gapped: copy the osv.dev all.zip files in and run ', h('code', {}, './drydock vulndb import'),
        ', or upload them below.'));
  }
  return table('feeds-table', ['Feed', 'URL', 'Last fetched', 'Last changed', 'Advisories', 'Last error'],
    feeds.map(f => h('tr', {class: f.error ? 'feed-failed' : null},
      h('td', {}, h('code', {}, f.name)), h('td', {}, h('span', {class: 'location'}, f.url)),
      h('td', {}, time(f.lastChecked)), h('td', {}, time(f.lastChanged)), h('td', {}, String(f.advisories)),
      h('td', {}, f.error ? h('span', {class: 'feed-error'}, f.error, ' (', time(f.lastFailure), ')') : orDash(null)))),
    '');
}

function showImport(area, r) {
  fill(area, h('section', {class: 'card', 'aria-labelledby': 'import-result-title'},
    h('h3', {id: 'import-result-title'}, 'Imported ' + r.source),
    h('p', {id: 'import-counts'}, r.read + ' read, ' + r.inserted + ' new, ' + r.updated + ' updated, ' + r.unchanged
      + ' unchanged, ' + r.failed + ' failed'),
    r.errors && r.errors.length
      ? h('ul', {class: 'import-errors'}, r.errors.map(e => h('li', {}, h('code', {}, e.location), ': ' + e.message)))
      : null));
}
