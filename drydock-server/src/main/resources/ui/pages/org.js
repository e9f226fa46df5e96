// An organization's adapters: the list with each adapter's actions, and registering a new one.
import {h, fill} from '../dom.js';
import {api, ApiError} from '../api.js';
import {stateChip, time, notify, errorText, confirmAction, actionMenu, section, heading} from '../ui.js';

/** How the adapter actions read, and which ask first (the API says which the caller may take: allowedActions). */
const ADAPTER_ACTIONS = {
  disable: {label: 'Disable', danger: true,
    confirm: a => `Disable ${a.name}? Its deployed build is paused until you enable the adapter again.`},
  enable: {label: 'Enable'},
  delete: {label: 'Delete', danger: true,
    confirm: a => `Delete ${a.name} and all its builds? Their reports and history are kept; the name becomes free again.`},
};

export async function render(main, ctx) {
  const orgId = ctx.params.orgId;
  const org = ctx.orgs.find(o => String(o.id) === String(orgId));
  heading(main, org ? org.name : 'Organization ' + orgId);
  const listArea = h('div', {id: 'adapters'});
  const formArea = h('div', {class: 'card', id: 'register'});
  main.append(section('Adapters', listArea), section('Register adapter', formArea));
  const [schema] = await Promise.all([registrationSchema(), refresh()]);
  drawForm(formArea, orgId, schema);

  async function refresh() {
    let adapters;
    try {
      adapters = await api('GET', '/api/v1/orgs/' + encodeURIComponent(orgId) + '/adapters');
    } catch (e) {
      fill(listArea, h('div', {class: 'alert', role: 'alert'}, errorText(e)));
      return;
    }
    fill(listArea, adapters.length ? table(adapters) : emptyState());
  }

  function table(adapters) {
    return h('div', {class: 'table-wrap with-menus'}, h('table', {},
      h('thead', {}, h('tr', {}, ['Name', 'Category', 'Engine mode', 'Deployment model', 'State', 'Created']
        .map(t => h('th', {scope: 'col'}, t)), h('th', {scope: 'col'}, h('span', {class: 'offscreen'}, 'Actions')))),
      h('tbody', {}, adapters.map(a => h('tr', {'data-engine-id': a.engineId},
        h('td', {}, h('a', {href: '/adapters/' + encodeURIComponent(a.engineId)}, a.name)),
        h('td', {}, a.category),
        h('td', {}, a.engineMode),
        h('td', {}, a.deploymentModel),
        h('td', {}, stateChip(a.state)),
        h('td', {}, time(a.created)),
        h('td', {class: 'num'}, actionMenu('Actions for ' + a.name, (a.allowedActions || [])
          .filter(name => ADAPTER_ACTIONS[name])
          .map(name => ({label: ADAPTER_ACTIONS[name].label, danger: ADAPTER_ACTIONS[name].danger,
            onSelect: () => act(a, name)})))))))));
  }

  async function act(adapter, name) {
    const action = ADAPTER_ACTIONS[name];
    if (action.confirm) {
      const ok = await confirmAction(action.label + ' ' + adapter.name + '?', action.confirm(adapter),
        {confirmLabel: action.label, danger: action.danger});
      if (!ok) return;
    }
    try {
      await api('POST', '/api/v1/adapters/' + encodeURIComponent(adapter.engineId) + '/actions', {action: name});
      notify(adapter.name + ': ' + action.label.toLowerCase() + 'd', 'ok');
    } catch (e) {
      notify(errorText(e), 'error');
    }
    await refresh();
  }
}

function emptyState() {
  return h('div', {class: 'card empty'},
    h('p', {}, h('strong', {}, 'No adapters yet.')),
    h('p', {}, 'Register your adapter or engine below: give it a name and category. Its page then shows the docker ',
      'commands to push your first build, which Drydock tests at once.'),
    h('p', {}, 'New to Veritone adapters? Start from an ', h('a', {href: '/examples/busybox-pull-adapter/README.md'}, 'example adapter'),
      ' and the ', h('a', {href: '/api/v1/schemas/manifest.json'}, 'manifest schema'), '.'));
}

/** The allowed values of a registration, as the API documents them (one source: the OpenAPI document). */
async function registrationSchema() {
  const response = await fetch('/api/v1/openapi.json', {credentials: 'same-origin'});
  const doc = await response.json();
  return doc.components.schemas.AdapterCreate.properties;
}

function drawForm(area, orgId, schema) {
  const fields = [
    {name: 'name', label: 'Name', hint: 'lowercase letters, digits and . _ - (e.g. my-adapter)'},
    {name: 'category', label: 'Category', values: schema.category.enum, value: 'pull'},
    {name: 'engineMode', label: 'Engine mode', values: schema.engineMode.enum, value: 'batch',
      hint: 'pull and push adapters run in batch or stream mode'},
    {name: 'deploymentModel', label: 'Deployment model', values: schema.deploymentModel.enum, value: 'FullyNetworkIsolated'},
  ];
  const errors = {};
  const inputs = {};
  const general = h('div', {class: 'alert', role: 'alert', hidden: true});
  const submit = h('button', {type: 'submit', class: 'primary'}, 'Register adapter');
  const rows = fields.map(f => {
    const id = 'register-' + f.name;
    errors[f.name] = h('p', {class: 'field-error', id: id + '-error', role: 'alert'});
    inputs[f.name] = f.values
      ? h('select', {id, name: f.name, 'aria-describedby': id + '-error'},
        f.values.map(v => h('option', {value: v, selected: v === f.value}, v)))
      : h('input', {id, name: f.name, required: true, autocomplete: 'off', maxlength: 200,
        'aria-describedby': id + '-error ' + id + '-hint'});
    return [h('label', {for: id}, f.label),
      h('div', {}, inputs[f.name], f.hint ? h('p', {class: 'muted hint', id: id + '-hint'}, f.hint) : null, errors[f.name])];
  });
  const form = h('form', {class: 'grid', novalidate: true}, rows, h('div', {class: 'full'}, general),
    h('div', {class: 'full actions'}, submit));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    Object.values(errors).forEach(el => fill(el));
    Object.values(inputs).forEach(el => el.removeAttribute('aria-invalid'));
    general.hidden = true;
    submit.disabled = true;
    try {
      const body = Object.fromEntries(fields.map(f => [f.name, inputs[f.name].value.trim()]));
      const adapter = await api('POST', '/api/v1/orgs/' + encodeURIComponent(orgId) + '/adapters', body);
      location.assign('/adapters/' + encodeURIComponent(adapter.engineId));
    } catch (err) {
      submit.disabled = false;
      // the API names the field at fault (VALIDATION_FAILED detail.field); a taken name is the name's fault too
      const field = err instanceof ApiError ? (err.detail.field || (err.code === 'ADAPTER_EXISTS' ? 'name' : null)) : null;
      if (field && errors[field]) {
        fill(errors[field], err.message);
        inputs[field].setAttribute('aria-invalid', 'true');
        inputs[field].focus();
      } else {
        fill(general, errorText(err));
        general.hidden = false;
      }
    }
  });
  fill(area, form);
}
