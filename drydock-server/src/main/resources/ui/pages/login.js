// Sign in with e-mail and password; back to the page that asked for it.
import {h, fill} from '../dom.js';
import {api} from '../api.js';
import {errorText} from '../ui.js';

export async function render(main) {
  document.title = 'Sign in · Drydock';
  const next = new URLSearchParams(location.search).get('next');
  const target = next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
  const email = h('input', {id: 'email', name: 'email', type: 'email', autocomplete: 'username', required: true});
  const password = h('input', {id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true});
  const error = h('p', {class: 'field-error', role: 'alert', id: 'login-error'});
  const submit = h('button', {type: 'submit', class: 'primary'}, 'Sign in');
  const form = h('form', {class: 'card narrow', novalidate: true},
    h('h1', {}, 'Sign in to Drydock'),
    h('label', {for: 'email'}, 'E-mail'), email,
    h('label', {for: 'password'}, 'Password'), password,
    error, submit,
    h('p', {class: 'muted'}, 'Robots push and call the API with their token; they do not sign in here.'));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    fill(error);
    if (!email.value || !password.value) {
      fill(error, 'Enter your e-mail and password.');
      (email.value ? password : email).focus();
      return;
    }
    submit.disabled = true;
    try {
      await api('POST', '/api/v1/session', {email: email.value, password: password.value});
      location.assign(target);
    } catch (err) {
      fill(error, err.code === 'INVALID_CREDENTIALS' ? 'Wrong e-mail or password.' : errorText(err));
      password.select();
      submit.disabled = false;
    }
  });
  main.append(form);
  email.focus();
}
