// The registry's REST API, as the UI calls it: bearer token on every request, errors as ApiError({status, code,
// message}) taken from the API's {code, message} body, never swallowed.

import * as session from './session.js';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Listeners told when the API refuses the token (401), so the page can ask the user to sign in again. */
const unauthorizedListeners = [];

export function onUnauthorized(listener) {
  unauthorizedListeners.push(listener);
}

function headers(extra = {}) {
  const value = session.token();
  if (!value) {
    throw new ApiError(401, 'NOT_SIGNED_IN', 'Sign in with a bearer token first (./foundry token prints one).');
  }
  return {Authorization: `Bearer ${value}`, ...extra};
}

async function problem(response) {
  let code = `HTTP_${response.status}`;
  let message = response.statusText || 'request failed';
  try {
    const body = await response.json();
    code = body.code ?? code;
    message = body.message ?? message;
  } catch {
    // not JSON (the security layer answers 401 without a body): keep the status line
  }
  if (response.status === 401) {
    unauthorizedListeners.forEach(listener => listener());
    return new ApiError(401, 'UNAUTHORIZED', 'The API refused the token (expired, or signed by another key). '
      + 'Sign in again with a fresh one.');
  }
  return new ApiError(response.status, code, message);
}

async function call(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: headers(body === undefined ? {Accept: 'application/json'}
        : {Accept: 'application/json', 'Content-Type': 'application/json'}),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    if (error instanceof ApiError) {
      throw error;
    }
    throw new ApiError(0, 'NETWORK', `The registry did not answer (${error.message}).`);
  }
  if (!response.ok) {
    throw await problem(response);
  }
  return response.status === 204 ? null : response.json();
}

/** Path segments are encoded one by one: team and adapter names are plain, but never trust that in a URL. */
export function path(...segments) {
  return '/' + segments.map(segment => encodeURIComponent(String(segment))).join('/');
}

/** A query string from an object; empty values are left out, arrays repeat the key. */
export function query(parameters) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null && String(item).trim() !== '') {
        search.append(name, String(item).trim());
      }
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const get = p => call('GET', p);
export const put = (p, body) => call('PUT', p, body);
export const del = p => call('DELETE', p);

/**
 * Downloads a file the API serves behind the bearer token (a plain link cannot send it): fetches it, then saves the
 * blob under the name of its Content-Disposition. Returns {fileName, size, manifestSha256}.
 */
export async function download(p) {
  let response;
  try {
    response = await fetch(p, {headers: headers()});
  } catch (error) {
    if (error instanceof ApiError) {
      throw error;
    }
    throw new ApiError(0, 'NETWORK', `The registry did not answer (${error.message}).`);
  }
  if (!response.ok) {
    throw await problem(response);
  }
  const blob = await response.blob();
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const fileName = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'download.zip';
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return {fileName, size: blob.size, manifestSha256: response.headers.get('X-Manifest-Sha256')};
}
