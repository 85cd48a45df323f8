// Messages to the reader: the API's errors (code and message, as sent) and confirmations of what just happened.

import {h} from './dom.js';

/** An error box: the API's code and message (role=alert, so screen readers announce it). */
export function problem(error, context) {
  const code = error?.code ?? 'ERROR';
  const message = error?.message ?? String(error);
  return h('div', {class: 'problem', role: 'alert', 'data-code': code},
    h('strong', {}, context ? `${context}: ` : ''),
    h('code', {class: 'problem-code'}, code), ' ', h('span', {class: 'problem-message'}, message));
}

/** A confirmation (role=status: announced politely). */
export function notice(text) {
  return h('p', {class: 'notice', role: 'status'}, text);
}

/** Shown while a page loads its data. */
export function loading(what) {
  return h('p', {class: 'loading', role: 'status'}, `Loading ${what}…`);
}
