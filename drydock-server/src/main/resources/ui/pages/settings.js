// An organization's settings: members (everyone sees them; org admins add), and for org admins and platform admins
// robot tokens, webhooks and the vulnerability allowlist (the API refuses those to developers with 403; a developer who
// opens such a tab by its URL sees the API's message).
import {h, fill} from '../dom.js';
import {api} from '../api.js';
import {heading, time, confirmAction, notify, errorText, copyButton} from '../ui.js';
import {apiForm, tabLinks, currentTab, oncePanel, table} from '../forms.js';
import {renderWebhooks, renderAllowlist} from './settings-admin.js';

const TABS = [['members', 'Members and roles'], ['robots', 'Robot tokens'], ['webhooks', 'Webhooks'],
  ['allowlist', 'Vulnerability allowlist']];
const ADMIN_ONLY = new Set(['robots', 'webhooks', 'allowlist']);

export async function render(main, ctx) {
  const orgId = ctx.params.orgId;
  const org = ctx.orgs.find(o => String(o.id) === String(orgId));
  const isAdmin = ctx.role === 'admin'
    || (ctx.me.memberships || []).some(m => String(m.orgId) === String(orgId) && m.role === 'admin');
  heading(main, 'Settings of ' + (org ? org.name : 'organization ' + orgId));
  const visible = isAdmin ? TABS : TABS.filter(([name]) => !ADMIN_ONLY.has(name));
  // a tab asked for by URL is shown even when hidden from the tab bar: the API then says why it is refused
  const asked = new URLSearchParams(location.search).get('tab');
  const tab = TABS.some(([name]) => name === asked) ? asked : currentTab(visible);
  const base = '/orgs/' + encodeURIComponent(orgId) + '/settings';
  const panel = h('div', {id: 'tab-' + tab, class: 'tab-panel'});
  main.append(tabLinks(base, visible, tab, 'Settings sections'), panel);
  const draw = {members: renderMembers, robots: renderRobots, webhooks: renderWebhooks, allowlist: renderAllowlist}[tab];
  try {
    await draw(panel, orgId, isAdmin);
  } catch (err) {
    fill(panel, h('div', {class: 'alert', role: 'alert', id: 'tab-error'}, errorText(err)));
  }
}

// ---------------------------------------------------------------- members

async function renderMembers(panel, orgId, isAdmin) {
  const base = '/api/v1/orgs/' + encodeURIComponent(orgId);
  const list = h('div', {id: 'members'});
  const pending = h('div', {id: 'invitations-pending'});
  const load = async () => {
    const members = await api('GET', base + '/members');
    fill(list, table('members-table', ['E-mail', 'Role'],
      members.map(m => [m.email, h('span', {class: 'chip chip-role-' + m.role}, m.role)]), 'No members yet.'));
    if (isAdmin) await loadInvitations();
  };
  // invitations are for org admins (the API refuses them to developers)
  const loadInvitations = async () => {
    const invitations = await api('GET', base + '/invitations');
    const now = Date.now();
    fill(pending, table('invitations-table', ['E-mail', 'Role', 'Invited by', 'Open until', ''], invitations.map(i => [
      i.email, h('span', {class: 'chip chip-role-' + i.role}, i.role), i.invitedBy,
      Date.parse(i.expires) <= now ? h('span', {class: 'chip chip-expired'}, 'expired') : time(i.expires),
      revokeButton(i)]), 'No pending invitations.'));
  };
  const revokeButton = invitation => {
    const button = h('button', {type: 'button', class: 'danger', 'aria-label': 'Revoke the invitation of ' + invitation.email}, 'Revoke');
    button.addEventListener('click', async () => {
      const ok = await confirmAction('Revoke the invitation of ' + invitation.email + '?',
        'They can no longer accept it. You can invite them again later.', {confirmLabel: 'Revoke', danger: true});
      if (!ok) return;
      try {
        await api('DELETE', base + '/invitations/' + encodeURIComponent(invitation.id));
        notify('Revoked the invitation of ' + invitation.email + '.', 'ok');
        await loadInvitations();
      } catch (err) {
        notify(errorText(err), 'error');
      }
    });
    return button;
  };
  await load();
  fill(panel, h('h2', {}, 'Members'), list);
  if (!isAdmin) return;
  panel.append(h('p', {class: 'muted'}, 'Roles cannot be changed and members cannot be removed here yet: the API has no way to do it.'),
    h('h2', {}, 'Pending invitations'), pending);
  const email = h('input', {type: 'email', autocomplete: 'off', required: true});
  const role = h('select', {}, h('option', {value: 'developer'}, 'developer'), h('option', {value: 'admin'}, 'admin'));
  const password = h('input', {type: 'password', autocomplete: 'new-password'});
  const form = apiForm('add-member', [
    {name: 'email', label: 'E-mail', input: email},
    {name: 'role', label: 'Role', input: role, hint: 'Admins manage members, robots, webhooks and the allowlist.'},
    {name: 'password', label: 'Starting password', input: password,
      hint: 'Optional, at least 12 characters. Used only if the e-mail has no Drydock account yet: one is created with it '
        + '(tell them). An existing account keeps its own password.'},
  ], 'Invite', async () => {
    const invited = await api('POST', base + '/members', {email: email.value, role: role.value, password: password.value || null});
    notify('Invited ' + invited.email + ' as ' + invited.role + '. They become a member when they accept.', 'ok');
    await load();
  });
  panel.append(h('h2', {}, 'Invite a member'),
    h('div', {class: 'card'},
      h('p', {id: 'invite-explained'}, 'The person becomes a member only after accepting the invitation: it appears at the top '
        + 'of every page when they sign in, and can be accepted for 7 days. You will not be told whether the e-mail already '
        + 'has an account.'),
      form));
}

// ---------------------------------------------------------------- robots

async function renderRobots(panel, orgId) {
  const path = '/api/v1/orgs/' + encodeURIComponent(orgId) + '/robots';
  const list = h('div', {id: 'robots'});
  const shown = h('div', {id: 'robot-token-area'});
  const load = async () => {
    const robots = await api('GET', path);
    fill(list, table('robots-table', ['Name', 'Login', 'Created by', 'Created', ''], robots.map(r => [
      r.name, h('code', {}, r.login), r.createdBy, time(r.created), revokeButton(r)]), 'No robots yet.'));
  };
  const revokeButton = robot => {
    const button = h('button', {type: 'button', class: 'danger', 'aria-label': 'Revoke robot ' + robot.name}, 'Revoke');
    button.addEventListener('click', async () => {
      const ok = await confirmAction('Revoke robot ' + robot.name + '?',
        'Its token stops working at once: pushes and API calls with it are refused. This cannot be undone.',
        {confirmLabel: 'Revoke', danger: true});
      if (!ok) return;
      try {
        await api('DELETE', path + '/' + encodeURIComponent(robot.name));
        notify('Revoked robot ' + robot.login + '.', 'ok');
        await load();
      } catch (err) {
        notify(errorText(err), 'error');
      }
    });
    return button;
  };
  await load();
  const name = h('input', {type: 'text', autocomplete: 'off', required: true, pattern: '[a-z0-9][a-z0-9_-]{0,63}'});
  const form = apiForm('create-robot', [
    {name: 'name', label: 'Name', input: name, hint: 'Lowercase letters, digits, _ or -, e.g. ci. Its login is ' + orgId + '+<name>.'},
  ], 'Create robot', async () => {
    const robot = await api('POST', path, {name: name.value});
    const command = 'docker login -u ' + robot.login + ' --password-stdin ' + location.host;
    const token = oncePanel('robot-token', 'Token of robot ' + robot.login, robot.token,
      h('p', {}, 'Log in with it (paste the token on standard input):'),
      h('div', {class: 'command'}, h('pre', {id: 'robot-login-command'}, command), copyButton(command)));
    fill(shown, token);
    token.focus();
    await load();
  });
  fill(panel, h('h2', {}, 'Robot tokens'),
    h('p', {class: 'muted'}, 'Robots push images and call the API for CI. Revoke a robot to stop its token; create it again to rotate.'),
    shown, list, h('h2', {}, 'Create a robot'), h('div', {class: 'card'}, form));
}
