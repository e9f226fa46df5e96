// The signed-in user's pending invitations, shown by the frame above every page: membership of an organization begins
// only when its invitee accepts (an org admin cannot enrol an account without its owner's consent).
import {h, fill} from './dom.js';
import {api} from './api.js';
import {time, notify, errorText} from './ui.js';

/** Fills {@code area} with the user's invitations, each with Accept and Decline; leaves it empty when there are none. */
export async function drawInvitations(area) {
  let invitations;
  try {
    invitations = await api('GET', '/api/v1/invitations');
  } catch (err) {
    fill(area, h('div', {class: 'alert', role: 'alert'}, 'Could not load your invitations: ' + errorText(err)));
    return;
  }
  fill(area, invitations.length ? h('section', {class: 'invitations card', 'aria-labelledby': 'invitations-title'},
    h('h2', {id: 'invitations-title'}, invitations.length === 1 ? 'An invitation for you' : 'Invitations for you'),
    h('ul', {}, invitations.map(i => invitationItem(area, i)))) : null);
}

function invitationItem(area, invitation) {
  const org = invitation.orgName + ' (' + invitation.orgId + ')';
  const accept = h('button', {type: 'button', class: 'primary', 'aria-label': 'Accept the invitation to ' + org}, 'Accept');
  const decline = h('button', {type: 'button', 'aria-label': 'Decline the invitation to ' + org}, 'Decline');
  const path = '/api/v1/invitations/' + encodeURIComponent(invitation.id);
  accept.addEventListener('click', () => answer(accept, async () => {
    await api('POST', path + '/accept');
    // a new membership changes the organizations the frame offers: open the organization afresh
    location.assign('/orgs/' + encodeURIComponent(invitation.orgId));
  }));
  decline.addEventListener('click', () => answer(decline, async () => {
    await api('POST', path + '/decline');
    notify('Declined the invitation to ' + org + '.', 'ok');
    await drawInvitations(area);
  }));
  return h('li', {'data-invitation-id': invitation.id},
    h('p', {}, h('strong', {}, invitation.invitedBy), ' invites you to join ', h('strong', {}, org), ' as ',
      h('span', {class: 'chip chip-role-' + invitation.role}, invitation.role), '. ',
      h('span', {class: 'muted'}, 'Open until ', time(invitation.expires), '.')),
    h('div', {class: 'actions'}, accept, decline));
}

async function answer(button, send) {
  button.disabled = true;
  try {
    await send();
  } catch (err) {
    notify(errorText(err), 'error');
    button.disabled = false;
  }
}
