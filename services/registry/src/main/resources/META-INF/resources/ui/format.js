// How values read on screen. Raw values stay available (title attributes) where they are shortened.

import {h} from './dom.js';

/** A metric or loss: up to 4 significant decimals, no trailing noise; '–' when absent. */
export function number(value) {
  if (value === null || value === undefined || Number.isNaN(value)) {
    return '–';
  }
  if (typeof value !== 'number') {
    return String(value);
  }
  if (Number.isInteger(value)) {
    return value.toLocaleString('en');
  }
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-5 || magnitude >= 1e9)) {
    return value.toExponential(2);
  }
  // Below 1, significant digits (a learning rate of 0.00015 stays 0.00015); above, four decimals at most.
  return magnitude < 1 ? value.toLocaleString('en', {maximumSignificantDigits: 4})
    : value.toLocaleString('en', {maximumFractionDigits: 4});
}

/** A signed difference (+0.0123, −0.5). */
export function delta(value) {
  if (value === null || value === undefined || Number.isNaN(value)) {
    return '–';
  }
  return (value > 0 ? '+' : value < 0 ? '−' : '±') + number(Math.abs(value));
}

export function percent(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return '–';
  }
  return `${value > 0 ? '+' : value < 0 ? '−' : ''}${Math.abs(value * 100).toFixed(1)} %`;
}

export function bytes(count) {
  if (count === null || count === undefined) {
    return '–';
  }
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = count;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** A date and time in the reader's locale, with the exact instant as a tooltip. */
export function time(iso) {
  if (!iso) {
    return '–';
  }
  const date = new Date(iso);
  return h('time', {datetime: date.toISOString(), title: date.toISOString()},
    date.toLocaleString(undefined, {dateStyle: 'medium', timeStyle: 'short'}));
}

/** A SHA-256 as its first 12 characters; the whole checksum in the tooltip and for copying. */
export function checksum(sha256) {
  if (!sha256) {
    return '–';
  }
  return h('code', {class: 'checksum', title: sha256, 'data-full': sha256}, `${sha256.slice(0, 12)}…`);
}

/** A verdict badge: PASSED / FAILED. */
export function verdict(value) {
  const passed = value === 'PASSED';
  return h('span', {class: `badge ${passed ? 'passed' : 'failed'}`, 'data-verdict': value},
    passed ? '✓ passed' : '✗ failed');
}

/** Protobuf JSON duration ("12.5s") as "12.5 s". */
export function duration(value) {
  if (!value) {
    return null;
  }
  const seconds = Number.parseFloat(String(value));
  if (!Number.isFinite(seconds)) {
    return String(value);
  }
  return seconds >= 120 ? `${(seconds / 60).toFixed(1)} min` : `${seconds} s`;
}

/** Any JSON value as readable text: arrays joined, objects as compact JSON. */
export function value(any) {
  if (any === null || any === undefined) {
    return '–';
  }
  if (Array.isArray(any)) {
    return any.map(item => (typeof item === 'object' ? JSON.stringify(item) : String(item))).join(', ');
  }
  if (typeof any === 'object') {
    return JSON.stringify(any);
  }
  return typeof any === 'number' ? number(any) : String(any);
}
