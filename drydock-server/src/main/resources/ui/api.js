// The REST API as the Developer App calls it: same origin, the session cookie, and the session's CSRF token on every
// change. Errors come back as ApiError with the API's stable code and its message (which names the fix).

let csrfToken = null;

export function setCsrfToken(token) {
  csrfToken = token;
}

export class ApiError extends Error {
  constructor(status, code, message, detail) {
    super(message);
    this.status = status;
    this.code = code;
    this.detail = detail || {};
  }
}

/** Calls the API; resolves to the parsed JSON body (null for 204). Signed-out callers are sent to the sign-in page. */
export async function api(method, path, body) {
  const response = await call(method, path, body);
  if (response.status === 204) return null;
  return response.json();
}

/** As api(), resolving to the Response itself (headers such as Link, or a body that is not JSON). */
export async function call(method, path, body) {
  const headers = {Accept: 'application/json'};
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken || '';
  let payload;
  if (body instanceof FormData || body instanceof Blob || body instanceof File) {
    payload = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const response = await fetch(path, {method, headers, body: payload, credentials: 'same-origin'});
  if (response.ok) return response;
  let error = {code: 'HTTP_' + response.status, message: response.statusText || 'request failed', detail: {}};
  try {
    const json = await response.json();
    if (json && json.error) error = json.error;
  } catch {
    // not the API's JSON envelope: keep the status line
  }
  if (response.status === 401 && path !== '/api/v1/session') {
    location.assign('/login?next=' + encodeURIComponent(location.pathname + location.search));
  }
  throw new ApiError(response.status, error.code, error.message, error.detail);
}
