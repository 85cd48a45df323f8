// Catalog: search adapter versions (GET /adapters) with the API's filters, sort and keyset paging ("More").

import * as api from '../api.js';
import {aliasChips, adapterHref, versionHref} from '../components.js';
import {h, append, table} from '../dom.js';
import {problem} from '../feedback.js';
import * as format from '../format.js';
import * as session from '../session.js';

/** Search parameters kept in the page's address, so a search can be bookmarked, shared and gone back to. */
const FILTERS = ['q', 'team', 'baseModel', 'alias', 'verdict', 'tag', 'versions', 'sort', 'order', 'metric', 'limit'];
/** Hits per page ("More" fetches the next); the address may ask for another size (limit=50). */
const PAGE_SIZE = 20;

/** The metrics shown per hit: the searched metric first, then the version's own, at most three. */
function metrics(version, metric) {
  const names = Object.keys(version.metrics ?? {}).sort();
  const shown = metric && names.includes(metric) ? [metric, ...names.filter(n => n !== metric)] : names;
  return h('ul', {class: 'inline-list'}, shown.slice(0, 3).map(name =>
    h('li', {}, h('span', {class: 'muted'}, `${name} `), format.number(version.metrics[name]))));
}

function hitRow(hit, metric) {
  const v = hit.version;
  const adapterLink = adapterHref(v.team, v.name);
  return {
    attributes: {'data-ref': `${v.team}/${v.name}`, 'data-version': v.version},
    cells: [
      h('a', {href: adapterLink, class: 'adapter-link'}, `${v.team}/${v.name}`),
      h('a', {href: versionHref(v.team, v.name, v.version), class: 'version-link'}, `v${v.version}`,
        v.latest ? h('span', {class: 'muted'}, ' (latest)') : null),
      format.verdict(v.verdict),
      v.baseModel?.name ?? '–',
      metrics(v, metric),
      aliasChips(v.aliases),
      v.visibility === 'ORG' ? 'org-wide' : 'team',
      format.time(v.createdAt),
    ],
  };
}

function field(label, control, hint) {
  return h('div', {class: 'field'}, h('label', {for: control.id}, label), control,
    hint ? h('small', {class: 'hint', id: `${control.id}-hint`}, hint) : null);
}

function select(id, value, options) {
  return h('select', {id, name: id}, options.map(([optionValue, label]) =>
    h('option', {value: optionValue, selected: optionValue === (value ?? '')}, label)));
}

async function searchForm(query, navigate) {
  const value = name => query.get(name) ?? '';
  const who = session.caller();
  let baseModels = [];
  let baseModelProblem = null;
  try {
    baseModels = (await api.get('/base-models')).map(model => model.name);
  } catch (error) {
    baseModelProblem = problem(error, 'Base models for the filter');
  }
  if (value('baseModel') && !baseModels.includes(value('baseModel'))) {
    baseModels.push(value('baseModel'));
  }
  const form = h('form', {class: 'filters', role: 'search', 'aria-label': 'Search adapters'},
    field('Search', h('input', {id: 'q', name: 'q', type: 'search', value: value('q'),
      placeholder: 'adapter name or description', 'aria-describedby': 'q-hint'}), 'Text in the adapter name or '
      + 'the version description'),
    field('Team', h('input', {id: 'team', name: 'team', value: value('team'), list: 'team-options',
      autocomplete: 'off'})),
    h('datalist', {id: 'team-options'}, (who?.teams ?? []).map(team => h('option', {value: team}))),
    field('Base model', select('baseModel', value('baseModel'),
      [['', 'any'], ...baseModels.map(name => [name, name])])),
    field('Alias', h('input', {id: 'alias', name: 'alias', value: value('alias'), list: 'alias-options',
      autocomplete: 'off', 'aria-describedby': 'alias-hint'}), 'Versions holding it'),
    h('datalist', {id: 'alias-options'}, ['staging', 'production'].map(alias => h('option', {value: alias}))),
    field('Verdict', select('verdict', value('verdict'), [['', 'any'], ['passed', 'passed'], ['failed', 'failed']])),
    field('Tag', h('input', {id: 'tag', name: 'tag', value: value('tag'), placeholder: 'key or key:value',
      'aria-describedby': 'tag-hint'}), 'e.g. task:chat'),
    field('Versions', select('versions', value('versions'), [['', 'latest per adapter'], ['all', 'all']])),
    field('Sort by', select('sort', value('sort'), [['', 'newest'], ['name', 'name'], ['metric', 'metric']])),
    field('Order', select('order', value('order'), [['', 'default'], ['desc', 'descending'], ['asc', 'ascending']])),
    field('Metric', h('input', {id: 'metric', name: 'metric', value: value('metric'), placeholder: 'e.g. accuracy',
      'aria-describedby': 'metric-hint'}), 'Shown first; needed to sort by metric'),
    h('input', {type: 'hidden', name: 'limit', value: value('limit')}),
    h('div', {class: 'actions'},
      h('button', {type: 'submit', id: 'search-submit'}, 'Search'),
      h('a', {href: '#/', class: 'button secondary', id: 'search-reset'}, 'Clear')));
  form.addEventListener('submit', event => {
    event.preventDefault();
    const data = new FormData(form);
    navigate('/', Object.fromEntries(FILTERS.map(name => [name, data.get(name)])));
  });
  return [form, baseModelProblem];
}

export async function catalogPage({query, navigate}) {
  const parameters = Object.fromEntries(FILTERS.map(name => [name, query.get(name)]));
  const [form, baseModelProblem] = await searchForm(query, navigate);
  const results = h('section', {'aria-labelledby': 'results-title', id: 'results'});
  const page = h('section', {class: 'catalog'},
    h('h1', {}, 'Adapter catalog'),
    h('p', {class: 'lead'}, 'Adapters your teams trained, and those shared org-wide. Open one to see its versions, '
      + 'lineage, loss curves and evaluation, to compare versions and to promote them.'),
    form, baseModelProblem, results);

  const limit = parameters.limit || PAGE_SIZE;
  const first = await api.get(`/adapters${api.query({...parameters, limit})}`);
  const columns = [{label: 'Adapter'}, {label: 'Version'}, {label: 'Verdict'}, {label: 'Base model'},
    {label: 'Metrics'}, {label: 'Aliases'}, {label: 'Visible to'}, {label: 'Created'}];
  const hits = table(null, columns, first.items.map(hit => hitRow(hit, parameters.metric)), {id: 'catalog-results'});
  const count = h('p', {class: 'muted', id: 'result-count', role: 'status'});
  const more = h('button', {type: 'button', id: 'more', class: 'secondary'}, 'More');
  const moreProblem = h('div');
  let shown = first.items.length;
  let cursor = first.nextCursor;
  const update = () => {
    count.textContent = shown === 0 ? 'Nothing matches these filters.'
      : `${shown} ${parameters.versions === 'all' ? 'version' : 'adapter'}${shown === 1 ? '' : 's'} shown`
        + (cursor ? '; more match.' : '.');
    more.hidden = !cursor;
  };
  more.addEventListener('click', async () => {
    more.disabled = true;
    moreProblem.replaceChildren();
    try {
      const next = await api.get(`/adapters${api.query({...parameters, limit, cursor})}`);
      const rows = table(null, columns, next.items.map(hit => hitRow(hit, parameters.metric))).querySelector('tbody');
      hits.querySelector('tbody').append(...rows.children);
      shown += next.items.length;
      cursor = next.nextCursor;
      update();
    } catch (error) {
      moreProblem.replaceChildren(problem(error, 'Next page'));
    } finally {
      more.disabled = false;
    }
  });
  update();
  append(results, h('h2', {id: 'results-title'}, 'Results'), count, hits, h('div', {class: 'actions'}, more),
    moreProblem);
  return page;
}
