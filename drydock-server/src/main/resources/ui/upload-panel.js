// The adapter page's "Upload a build" panel, as Veritone's Developer App has it: build, log in, tag, push, each with
// the exact docker command for this adapter (the API's `commands`: real registry host, org id and name) and a Copy
// button; the tag is the reader's, edited in place.
import {h, fill} from './dom.js';
import {copyButton} from './ui.js';

/** A tag as the OCI distribution spec allows it: 1 to 128 of letters, digits, _ . -, not starting with . or -. */
export const TAG_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

const SAMPLE_DOCKERFILE = `FROM debian:bookworm-slim
COPY adapter.sh /adapter.sh
# Drydock (like Veritone) reads the manifest at /var/manifest.json.
COPY manifest.json /var/manifest.json
# ENTRYPOINT in exec form (a JSON array), not CMD and not shell form.
ENTRYPOINT ["/bin/sh", "/adapter.sh"]
`;

const EXAMPLES = [
  {name: 'busybox-pull-adapter', path: '/examples/busybox-pull-adapter/README.md', what: 'a batch pull adapter in plain shell'},
  {name: 'java-pull-adapter', path: '/examples/java-pull-adapter/README.md', what: 'the same in one Java class, packaged with Jib'},
  {name: 'text-keyword-engine', path: '/examples/text-keyword-engine/README.md', what: 'a keyword-extraction engine in shell'},
];

/** The panel; open when the adapter has no builds yet, folded away (a <details>) once it has some. */
export function uploadPanel(adapter, hasBuilds) {
  const tagInput = h('input', {id: 'upload-tag', value: '1.0', autocomplete: 'off', spellcheck: 'false', maxlength: 128,
    'aria-describedby': 'upload-tag-error'});
  const tagError = h('p', {class: 'field-error', id: 'upload-tag-error', role: 'alert'});
  const currentTag = () => (TAG_PATTERN.test(tagInput.value) ? tagInput.value : '<tag>');
  const withTag = command => command.split('<tag>').join(currentTag());

  const steps = [
    {title: 'Package your adapter', text: 'In the directory with your Dockerfile:', command: () => adapter.commands.build},
    {title: 'Log in to the registry', text: 'With your Drydock e-mail and password, or a robot account of the organization:',
      command: () => adapter.commands.login},
    {title: 'Tag your adapter', text: 'Give the image this adapter\'s name in the registry, with a tag:',
      command: () => withTag(adapter.commands.tag), tag: true},
    {title: 'Upload your build', text: 'Each push of a new tag becomes a build here, tested at once:',
      command: () => withTag(adapter.commands.push)},
  ];
  const codes = steps.map(s => h('code', {}, s.command()));
  const list = h('ol', {class: 'steps'}, steps.map((s, i) => h('li', {'data-step': s.title},
    h('h3', {}, s.title),
    h('p', {}, s.text),
    s.tag ? h('div', {class: 'tag-field'}, h('label', {for: 'upload-tag'}, 'Tag'), tagInput, tagError) : null,
    h('div', {class: 'command'}, h('pre', {}, codes[i]), copyButton(() => s.command(), 'Copy')))));
  tagInput.addEventListener('input', () => {
    const ok = TAG_PATTERN.test(tagInput.value);
    tagInput.setAttribute('aria-invalid', ok ? 'false' : 'true');
    fill(tagError, ok ? '' : 'A tag is 1 to 128 letters, digits, _ . or -, and does not start with . or -.');
    steps.forEach((s, i) => (codes[i].textContent = s.command()));
  });

  const body = h('div', {class: 'upload-body'},
    list,
    h('h3', {}, 'A sample Dockerfile'),
    h('div', {class: 'command'}, h('pre', {id: 'sample-dockerfile'}, h('code', {}, SAMPLE_DOCKERFILE)),
      copyButton(SAMPLE_DOCKERFILE, 'Copy')),
    h('p', {}, 'Examples to start from: ', EXAMPLES.map((e, i) => [i ? '; ' : '', h('a', {href: e.path}, e.name), ' (' + e.what + ')']),
      '. Your manifest.json is checked against the ', h('a', {href: '/api/v1/schemas/manifest.json'}, 'manifest schema'), '.'));
  return h('details', {class: 'card upload', id: 'upload', open: !hasBuilds},
    h('summary', {}, h('h2', {}, 'Upload a build')), body);
}
