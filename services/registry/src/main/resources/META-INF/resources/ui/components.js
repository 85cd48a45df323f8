// Pieces several pages share: links to adapters and versions, breadcrumbs, alias chips.

import * as api from './api.js';
import {h} from './dom.js';

/** The UI link of an adapter (#/adapters/team/name). */
export function adapterHref(team, name) {
  return `#${api.path('adapters', team, name)}`;
}

/** The UI link of a version (number or alias). */
export function versionHref(team, name, version) {
  return `${adapterHref(team, name)}/versions/${encodeURIComponent(version)}`;
}

/** Breadcrumb trail: items [label, href]; the last is the current page. */
export function breadcrumb(...items) {
  return h('nav', {'aria-label': 'Breadcrumb', class: 'breadcrumb'}, h('ol', {}, items.map((item, i) =>
    h('li', {}, i === items.length - 1 ? h('span', {'aria-current': 'page'}, item[0])
      : h('a', {href: item[1]}, item[0])))));
}

/** The aliases a version holds, as chips. */
export function aliasChips(aliases) {
  return (aliases ?? []).length
    ? h('ul', {class: 'chips'}, aliases.map(alias => h('li', {class: 'chip', 'data-alias': alias}, alias)))
    : h('span', {class: 'muted'}, '–');
}
