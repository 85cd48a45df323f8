// Adapter page: visibility, aliases, versions (verdicts and key metrics; pick two to compare) and the audit trail.

import * as api from '../api.js';
import {h, table} from '../dom.js';
import {problem} from '../feedback.js';
import * as format from '../format.js';
import * as session from '../session.js';
import {aliasChips, breadcrumb, versionHref} from '../components.js';

/** The metric names worth a column: those most versions have, at most four. */
function keyMetrics(versions) {
  const counts = new Map();
  versions.forEach(v => Object.keys(v.metrics ?? {}).forEach(name => counts.set(name, (counts.get(name) ?? 0) + 1)));
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 4)
    .map(([name]) => name);
}

function auditRow(entry) {
  const what = entry.action === 'VISIBILITY_CHANGED'
    ? `visibility ${entry.fromValue ?? '–'} → ${entry.toValue ?? '–'}`
    : `${entry.alias}: ${entry.fromVersion ? `v${entry.fromVersion}` : 'new'} → `
      + `${entry.toVersion ? `v${entry.toVersion}` : 'removed'}`;
  return {
    attributes: {'data-action': entry.action, 'data-alias': entry.alias ?? null},
    cells: [format.time(entry.at), entry.actor, what,
      entry.overridden ? h('span', {class: 'badge failed'}, 'gate overridden') : '–',
      entry.reason ?? entry.comment ?? '–'],
  };
}

function visibilityControl(adapter, refresh) {
  if (!session.canMaintain(adapter.team)) {
    return null;
  }
  const target = adapter.visibility === 'ORG' ? 'PRIVATE' : 'ORG';
  const result = h('div');
  const button = h('button', {type: 'button', class: 'secondary', id: 'visibility-toggle'},
    target === 'ORG' ? 'Share org-wide (read-only to other teams)' : 'Make private to the team');
  button.addEventListener('click', async () => {
    button.disabled = true;
    result.replaceChildren();
    try {
      await api.put(`${api.path('adapters', adapter.team, adapter.name)}/visibility`, {visibility: target});
      await refresh();
    } catch (error) {
      result.replaceChildren(problem(error, 'Visibility not changed'));
      button.disabled = false;
    }
  });
  return h('div', {class: 'inline-actions'}, button, result);
}

export async function adapterPage({parameters: [team, name], navigate, refresh}) {
  const base = api.path('adapters', team, name);
  const [adapter, audit] = await Promise.all([api.get(base), api.get(`${base}/audit?limit=50`)]);
  const metricNames = keyMetrics(adapter.versions);

  const compareButton = h('button', {type: 'button', id: 'compare-selected', disabled: true},
    'Compare the two selected versions');
  const selection = new Set();
  const checkbox = version => h('input', {type: 'checkbox', 'aria-label': `Select v${version.version} to compare`,
    'data-compare': version.version,
    onchange: event => {
      if (event.target.checked) {
        selection.add(version.version);
      } else {
        selection.delete(version.version);
      }
      compareButton.disabled = selection.size !== 2;
    }});
  compareButton.addEventListener('click', () => {
    const [a, b] = [...selection].sort((x, y) => x - y);
    navigate(`/adapters/${encodeURIComponent(team)}/${encodeURIComponent(name)}/compare`, {a, b});
  });

  const versions = table(`${adapter.versionCount} version${adapter.versionCount === 1 ? '' : 's'}`
    + (adapter.versionCount > adapter.versions.length ? ` (newest ${adapter.versions.length} shown)` : ''),
  [{label: 'Version'}, {label: 'Verdict'}, ...metricNames.map(n => ({label: n, numeric: true})),
    {label: 'Aliases'}, {label: 'Base model'}, {label: 'Created'}, {label: 'Compare'}],
  adapter.versions.map(v => ({
    attributes: {'data-version': v.version},
    cells: [h('a', {href: versionHref(team, name, v.version), class: 'version-link'}, `v${v.version}`),
      format.verdict(v.verdict), ...metricNames.map(n => format.number(v.metrics?.[n])), aliasChips(v.aliases),
      v.baseModel?.name ?? '–', format.time(v.createdAt), checkbox(v)],
  })), {id: 'versions'});

  const aliases = table(null, [{label: 'Alias'}, {label: 'Version'}, {label: 'Verdict'}, {label: 'Moved by'},
    {label: 'When'}], adapter.aliases.map(alias => ({
    attributes: {'data-alias': alias.alias, 'data-version': alias.version},
    cells: [alias.alias, h('a', {href: versionHref(team, name, alias.version)}, `v${alias.version}`),
      format.verdict(alias.verdict), alias.updatedBy, format.time(alias.updatedAt)],
  })), {id: 'aliases'});

  return h('article', {class: 'adapter'},
    breadcrumb(['Catalog', '#/'], [`${team}/${name}`]),
    h('h1', {}, `${team}/${name}`),
    h('p', {class: 'lead'},
      h('span', {class: `badge ${adapter.visibility === 'ORG' ? 'org' : 'private'}`, id: 'visibility'},
        adapter.visibility === 'ORG' ? 'shared org-wide' : 'private to the team'),
      ` Latest version v${adapter.latestVersion}; created `, format.time(adapter.createdAt), '.'),
    visibilityControl(adapter, refresh),
    h('section', {'aria-labelledby': 'aliases-title'}, h('h2', {id: 'aliases-title'}, 'Aliases'),
      adapter.aliases.length ? aliases
        : h('p', {class: 'muted'}, 'No alias yet. Open a version that passed its gate to promote it (e.g. to '
          + 'staging).')),
    h('section', {'aria-labelledby': 'versions-title'}, h('h2', {id: 'versions-title'}, 'Versions'), versions,
      h('div', {class: 'actions'}, compareButton)),
    h('section', {'aria-labelledby': 'audit-title'}, h('h2', {id: 'audit-title'}, 'Audit trail'),
      h('p', {class: 'muted'}, 'Every alias and visibility change, newest first.'),
      table(null, [{label: 'When'}, {label: 'Who'}, {label: 'Change'}, {label: 'Gate'}, {label: 'Reason / comment'}],
        audit.map(auditRow), {id: 'audit'})));
}
