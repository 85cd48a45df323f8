// Compare two versions (GET /adapters/{team}/{name}/compare): settings that differ, every metric with b - a, and both
// loss curves in one chart.

import * as api from '../api.js';
import {lineChart} from '../chart.js';
import {adapterHref, breadcrumb, versionHref} from '../components.js';
import {h, table} from '../dom.js';
import * as format from '../format.js';

function versionPicker(id, label, value, versions) {
  return h('div', {class: 'field'}, h('label', {for: id}, label),
    h('select', {id, name: id}, versions.map(v => h('option', {value: v.version, selected: String(v.version) === value},
      `v${v.version} (${v.verdict === 'PASSED' ? 'passed' : 'failed'})`))));
}

function curves(comparison) {
  const series = (curve, label, suffix) => [
    {name: `${label} train loss`, className: `train ${suffix}`,
      points: (curve ?? []).map(p => ({x: Number(p.step ?? 0), y: p.loss}))},
    {name: `${label} validation loss`, className: `validation ${suffix}`,
      points: (curve ?? []).map(p => ({x: Number(p.step ?? 0), y: p.validationLoss}))},
  ];
  const a = `v${comparison.a.version}`;
  const b = `v${comparison.b.version}`;
  return lineChart({title: `Loss curves of ${a} and ${b} over training steps`, xLabel: 'step', yLabel: 'loss',
    series: [...series(comparison.curves.a, a, 'first'), ...series(comparison.curves.b, b, 'second')]});
}

export async function comparePage({parameters: [team, name], query, navigate}) {
  const base = api.path('adapters', team, name);
  const adapter = await api.get(base);
  const versions = adapter.versions;
  const a = query.get('a') ?? String(versions[1]?.version ?? versions[0]?.version ?? 1);
  const b = query.get('b') ?? String(versions[0]?.version ?? 1);
  const comparison = await api.get(`${base}/compare${api.query({a, b})}`);
  const va = `v${comparison.a.version}`;
  const vb = `v${comparison.b.version}`;

  const picker = h('form', {class: 'filters', 'aria-label': 'Versions to compare'},
    versionPicker('compare-a', 'Compare', String(comparison.a.version), versions),
    versionPicker('compare-b', 'with', String(comparison.b.version), versions),
    h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Compare')));
  picker.addEventListener('submit', event => {
    event.preventDefault();
    navigate(`/adapters/${encodeURIComponent(team)}/${encodeURIComponent(name)}/compare`,
      {a: picker.elements['compare-a'].value, b: picker.elements['compare-b'].value});
  });

  return h('article', {class: 'compare'},
    breadcrumb(['Catalog', '#/'], [`${team}/${name}`, adapterHref(team, name)], [`${va} vs ${vb}`]),
    h('h1', {}, `${team}/${name}: ${va} vs ${vb}`),
    picker,
    h('p', {}, h('a', {href: versionHref(team, name, comparison.a.version)}, va), ' ',
      format.verdict(comparison.a.verdict), ' · ', h('a', {href: versionHref(team, name, comparison.b.version)}, vb),
      ' ', format.verdict(comparison.b.verdict)),
    h('section', {'aria-labelledby': 'settings-title'},
      h('h2', {id: 'settings-title'}, 'Settings that differ'),
      table(null, [{label: 'Setting'}, {label: va}, {label: vb}],
        comparison.settings.map(setting => [setting.path, format.value(setting.a), format.value(setting.b)]),
        {id: 'settings'})),
    h('section', {'aria-labelledby': 'compare-metrics-title'},
      h('h2', {id: 'compare-metrics-title'}, 'Metrics'),
      table(null, [{label: 'Metric'}, {label: va, numeric: true}, {label: vb, numeric: true},
        {label: `${vb} − ${va}`, numeric: true}, {label: 'Relative', numeric: true}],
      comparison.metrics.map(m => [m.metric, format.number(m.a), format.number(m.b), format.delta(m.delta),
        format.percent(m.relative)]), {id: 'compare-metrics'})),
    h('section', {'aria-labelledby': 'compare-curves-title'},
      h('h2', {id: 'compare-curves-title'}, 'Loss curves'), curves(comparison)));
}
