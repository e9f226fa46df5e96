// Builds the page from data. Text is always set as text (textContent, attribute values), never parsed as markup, so
// adapter names, tags, log lines and advisory texts from users can only ever show as text. Nothing here uses
// innerHTML, and the Content-Security-Policy forbids inline scripts besides.

/**
 * h('a', {href: '/x', class: 'btn', onclick: fn}, 'text', child, [more children]) -> element.
 * Attributes that are null, undefined or false are left out; true sets an empty attribute.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'href' || name === 'src' || name === 'action') {
      el.setAttribute(name, safeUrl(value));
    } else if (name === 'value' && 'value' in el) {
      el.value = value;
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Links from data (advisory links, webhook URLs) only ever as http(s) or same-site paths: never javascript: or data:. */
export function safeUrl(url) {
  const s = String(url);
  if (s.startsWith('/') && !s.startsWith('//')) return s;
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : '#';
  } catch {
    return '#';
  }
}
