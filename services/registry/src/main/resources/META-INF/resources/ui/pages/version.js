// Version page: what the version is (verdict, aliases, download), how it came to be (lineage: job, base model and
// dataset with checksums, LoRA config, hyperparameters, loss curve) and how it was judged (every threshold, candidate
// vs baseline metrics, example generations); promote it to an alias.

import * as api from '../api.js';
import {lossCurve} from '../chart.js';
import {aliasChips, adapterHref, breadcrumb, versionHref} from '../components.js';
import {facts, h, replace, table} from '../dom.js';
import {notice, problem} from '../feedback.js';
import * as format from '../format.js';
import * as session from '../session.js';

/** Aliases offered in the promote form; any other valid alias can be typed. */
const COMMON_ALIASES = ['staging', 'production'];
/** Generations shown from the evaluation report (the report itself has them all). */
const MAX_EXAMPLES = 20;

// ------------------------------------------------------------------------------------------------ evaluation

/** What the threshold required, as the evaluator recorded it with the result. */
function requirement(result) {
  return [result.valueThreshold ? valueRequirement(result.valueThreshold) : null,
    result.changeThreshold ? changeRequirement(result.changeThreshold) : null].filter(Boolean).join('; ') || '–';
}

function changeRequirement(change) {
  const direction = change.direction === 'METRIC_DIRECTION_LOWER_IS_BETTER' ? 'lower is better' : 'higher is better';
  const slack = [change.absoluteSlack !== undefined ? `absolute slack ${format.number(change.absoluteSlack)}` : null,
    change.relativeSlack !== undefined ? `relative slack ${format.number(change.relativeSlack * 100)} %` : null]
    .filter(Boolean).join(', ');
  return `vs baseline, ${direction}${slack ? `, ${slack}` : ''}`;
}

function valueRequirement(bound) {
  return [bound.lowerBound !== undefined ? `≥ ${format.number(bound.lowerBound)}` : null,
    bound.upperBound !== undefined ? `≤ ${format.number(bound.upperBound)}` : null].filter(Boolean).join(' and ');
}

function outcome(result) {
  if (result.skipped) {
    return h('span', {class: 'badge skipped', title: result.skipReason ?? ''}, 'skipped');
  }
  return result.passed ? h('span', {class: 'badge passed'}, '✓ pass') : h('span', {class: 'badge failed'}, '✗ fail');
}

function thresholds(results) {
  return table(null, [{label: 'Metric'}, {label: 'Requirement'}, {label: 'Candidate', numeric: true},
    {label: 'Baseline', numeric: true}, {label: 'Result'}, {label: 'Message'}],
  (results ?? []).map(result => ({
    attributes: {'data-metric': result.metricName, 'data-passed': result.passed === true},
    cells: [result.metricName, requirement(result), format.number(result.candidateValue),
      format.number(result.baselineValue), outcome(result), result.message ?? result.skipReason ?? ''],
  })), {id: 'thresholds'});
}

function metricsVsBaseline(candidate, baseline) {
  const names = [...new Set([...Object.keys(candidate ?? {}), ...Object.keys(baseline ?? {})])].sort();
  return table(null, [{label: 'Metric'}, {label: 'Candidate', numeric: true}, {label: 'Baseline', numeric: true},
    {label: 'Change', numeric: true}],
  names.map(name => {
    const a = baseline?.[name];
    const b = candidate?.[name];
    return [name, format.number(b), format.number(a),
      a !== undefined && b !== undefined ? format.delta(b - a) : '–'];
  }), {id: 'metrics'});
}

/** Column titles of the evaluator's examples (foundry.evaluation-report.v1); other fields keep their names. */
const EXAMPLE_COLUMNS = {prompt: 'Prompt', reference: 'Reference', baseModelOutput: 'Base model output',
  adapterOutput: 'Adapter output'};

/** The report's example generations (`examples`: base model and adapter outputs for the same prompts). */
function examples(report) {
  const rows = report?.examples;
  if (!Array.isArray(rows) || rows.length === 0) {
    return null;
  }
  const shown = rows.slice(0, MAX_EXAMPLES);
  const columns = [...new Set(shown.flatMap(row => Object.keys(row ?? {})))];
  return h('section', {'aria-labelledby': 'examples-title'},
    h('h3', {id: 'examples-title'}, 'Example generations'),
    rows.length > shown.length ? h('p', {class: 'muted'}, `The first ${shown.length} of ${rows.length}.`) : null,
    table(null, columns.map(column => ({label: EXAMPLE_COLUMNS[column] ?? column})),
      shown.map(row => columns.map(column => h('span', {class: 'sample'}, format.value(row?.[column])))),
      {id: 'examples'}));
}

// ------------------------------------------------------------------------------------------------ lineage

/** An object's fields as facts, nested objects flattened to dotted names (lora.r, hyperparameters.learningRate). */
function objectFacts(caption, object, id) {
  const rows = [];
  const walk = (prefix, value) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      Object.entries(value).forEach(([key, inner]) => walk(prefix ? `${prefix}.${key}` : key, inner));
    } else {
      rows.push([prefix, format.value(value)]);
    }
  };
  walk('', object ?? {});
  return facts(caption, rows, {id});
}

function split(s) {
  if (!s) {
    return null;
  }
  return h('span', {}, `${format.number(Number(s.rowCount ?? 0))} rows, sha256 `, format.checksum(s.blob?.sha256));
}

function lineage(data) {
  const l = data.lineage ?? {};
  const base = l.baseModel ?? {};
  const dataset = l.dataset ?? {};
  return h('section', {'aria-labelledby': 'lineage-title'},
    h('h2', {id: 'lineage-title'}, 'Lineage'),
    h('div', {class: 'grid'},
      facts('Job', [['Job', l.jobId], ['Attempt', l.attemptId], ['Created by', data.version.createdBy],
        ['Submitted', format.time(l.submittedAt)], ['Trained', format.time(l.trainedAt)],
        ['Evaluated', format.time(l.evaluatedAt)]], {id: 'lineage-job'}),
      facts('Base model', [['Name', base.name], ['Architecture', base.architecture],
        ['sha256', h('code', {class: 'checksum full', id: 'base-model-sha256'}, base.sha256 ?? '–')],
        ['Location', base.locationUri]], {id: 'lineage-base-model'}),
      facts('Dataset', [['Dataset', dataset.datasetId], ['Name', dataset.name], ['Version', dataset.version],
        ['Format', dataset.format], ['Train split', split(dataset.train)],
        ['Validation split', split(dataset.validation)]], {id: 'lineage-dataset'}),
      objectFacts('LoRA config', data.lora, 'lineage-lora'),
      objectFacts('Hyperparameters', data.hyperparameters, 'lineage-hyperparameters'),
      facts('Training', [['Steps', format.number(Number(l.steps ?? 0))],
        ['Trainable parameters', format.number(Number(l.trainableParameters ?? 0))],
        ['Total parameters', format.number(Number(l.totalParameters ?? 0))],
        ['Duration', format.duration(l.trainingDuration)], ['Worker', l.workerId], ['Device', l.device],
        ['Engine', l.engineVersion],
        ...Object.entries(data.finalTrainingMetrics ?? {}).map(([k, v]) => [`final ${k}`, format.number(v)])],
      {id: 'lineage-training'})));
}

function files(data) {
  const artifact = data.artifact ?? {};
  return h('section', {'aria-labelledby': 'files-title'},
    h('h2', {id: 'files-title'}, 'Files'),
    h('p', {}, 'Manifest sha256 (the SHA-256 of SHA256SUMS in the download): ',
      h('code', {class: 'checksum full'}, artifact.manifestSha256 ?? '–')),
    table(null, [{label: 'File'}, {label: 'Size', numeric: true}, {label: 'sha256'}],
      (artifact.files ?? []).map(f => [f.relativePath, format.bytes(Number(f.sizeBytes ?? 0)),
        h('code', {class: 'checksum full'}, f.sha256)]), {id: 'files'}));
}

// ------------------------------------------------------------------------------------------------ actions

function downloadControl(base, v) {
  const result = h('div', {id: 'download-result'});
  const button = h('button', {type: 'button', id: 'download', disabled: !v.artifact?.downloadable},
    `Download v${v.version} (PEFT directory, zip)`);
  button.addEventListener('click', async () => {
    button.disabled = true;
    result.replaceChildren();
    try {
      const saved = await api.download(`${base}/versions/${v.version}/download`);
      result.replaceChildren(notice(`Saved ${saved.fileName} (${format.bytes(saved.size)}); `
        + `sha256 of its SHA256SUMS: ${saved.manifestSha256}.`));
    } catch (error) {
      result.replaceChildren(problem(error, 'Download failed'));
    } finally {
      button.disabled = false;
    }
  });
  return h('div', {class: 'inline-actions'}, button,
    v.artifact?.downloadable ? null : problem({code: 'ARTIFACT_UNAVAILABLE', message: v.artifact?.problem
      ?? 'The files could not be verified at registration.'}), result);
}

/**
 * Promote: point an alias at this version. The API enforces the rules (members: passed versions, not production;
 * maintainers: production, and a failed gate only with a reason); the form asks for a reason when the gate failed.
 */
function promoteForm(team, name, v, onPromoted) {
  const failed = v.verdict !== 'PASSED';
  const aliasSelect = h('select', {id: 'promote-alias', name: 'alias'},
    COMMON_ALIASES.map(alias => h('option', {value: alias}, alias)), h('option', {value: ''}, 'another alias…'));
  const customAlias = h('input', {id: 'promote-custom-alias', name: 'customAlias', pattern: '[a-z][a-z0-9._-]{0,62}',
    'aria-describedby': 'promote-custom-alias-hint'});
  const customField = h('div', {class: 'field', hidden: true},
    h('label', {for: 'promote-custom-alias'}, 'Alias name'), customAlias,
    h('small', {class: 'hint', id: 'promote-custom-alias-hint'}, 'Lower case: a letter, then letters, digits, . _ -'));
  aliasSelect.addEventListener('change', () => {
    customField.hidden = aliasSelect.value !== '';
  });
  const reason = h('textarea', {id: 'promote-reason', name: 'overrideReason', rows: 2,
    'aria-describedby': 'promote-reason-hint'});
  const reasonField = h('div', {class: 'field', hidden: !failed, id: 'promote-reason-field'},
    h('label', {for: 'promote-reason'}, 'Reason for overriding the failed gate'), reason,
    h('small', {class: 'hint', id: 'promote-reason-hint'}, 'Only maintainers may override; the reason is recorded '
      + 'in the audit trail and in the AliasChanged event.'));
  const result = h('div', {id: 'promote-result'});
  const submit = h('button', {type: 'submit', id: 'promote-submit'}, `Promote v${v.version}`);
  const form = h('form', {class: 'promote', id: 'promote-form', 'aria-labelledby': 'promote-title'},
    h('h2', {id: 'promote-title'}, 'Promote'),
    h('p', {class: 'muted'}, failed
      ? 'This version did not pass its evaluation gate. Members cannot point an alias at it; a maintainer can, '
        + 'with a reason.'
      : 'Members of the team can point any alias but production at a version that passed; production needs a '
        + 'maintainer.'),
    h('div', {class: 'field'}, h('label', {for: 'promote-alias'}, 'Alias'), aliasSelect), customField, reasonField,
    h('div', {class: 'actions'}, submit), result);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const alias = aliasSelect.value || customAlias.value.trim();
    result.replaceChildren();
    if (!alias) {
      result.replaceChildren(problem({code: 'INVALID_ALIAS', message: 'Choose or type an alias.'}));
      return;
    }
    submit.disabled = true;
    try {
      const change = await api.put(`${api.path('adapters', team, name, 'aliases', alias)}`,
        {version: v.version, overrideReason: reason.value.trim() || undefined});
      result.replaceChildren(notice(!change.changed ? `${alias} already pointed at v${v.version}; nothing changed.`
        : `${alias} now points at v${change.toVersion}`
          + (change.fromVersion ? ` (was v${change.fromVersion})` : '')
          + (change.overridden ? '; the failed gate was overridden and your reason recorded.' : '.')));
      await onPromoted();
    } catch (error) {
      if (error.code === 'VERDICT_NOT_PASSED') {
        reasonField.hidden = false;
      }
      result.replaceChildren(problem(error, 'Not promoted'));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

// ------------------------------------------------------------------------------------------------ page

export async function versionPage({parameters: [team, name, requested]}) {
  const base = api.path('adapters', team, name);
  const data = await api.get(`${base}/versions/${encodeURIComponent(requested)}`);
  const v = data.version;
  let report = null;
  let reportProblem = null;
  if (data.evaluationReport) {
    try {
      report = await api.get(`${base}/versions/${v.version}/report`);
    } catch (error) {
      reportProblem = problem(error, 'Evaluation report');
    }
  }

  const aliases = h('span', {id: 'version-aliases'}, aliasChips(v.aliases));
  const refreshAliases = async () => {
    const fresh = await api.get(`${base}/versions/${v.version}`);
    replace(aliases, aliasChips(fresh.version.aliases));
  };
  const promotion = data.promotion;
  const latest = v.latest ? ' (latest)' : h('span', {}, ' (latest is ',
    h('a', {href: versionHref(team, name, v.latestVersion)}, `v${v.latestVersion}`), ')');

  return h('article', {class: 'version', 'data-verdict': v.verdict},
    breadcrumb(['Catalog', '#/'], [`${team}/${name}`, adapterHref(team, name)], [`v${v.version}`]),
    h('h1', {}, `${team}/${name} v${v.version}`),
    h('p', {class: 'lead'}, format.verdict(v.verdict), ' ', data.evaluationSummary ?? '', latest),
    v.description ? h('p', {}, v.description) : null,
    facts(null, [['Aliases', aliases],
      ['Tags', Object.keys(v.tags ?? {}).length
        ? Object.entries(v.tags).map(([k, value]) => `${k}: ${value}`).join(', ') : null],
      ['Base model', v.baseModel?.name], ['Visible to', v.visibility === 'ORG' ? 'everyone (org-wide)' : 'the team'],
      ['Registered', format.time(v.createdAt)],
      ['Automatic promotion', promotion ? `${promotion.alias}: ${promotion.outcome}`
        + (promotion.message ? ` (${promotion.message})` : '') : null]], {id: 'version-facts'}),
    h('div', {class: 'inline-actions'}, downloadControl(base, v),
      v.latestVersion > 1 ? h('a', {class: 'button secondary', id: 'compare-link',
        href: `${adapterHref(team, name)}/compare?a=${v.version === v.latestVersion ? v.version - 1 : v.version}`
          + `&b=${v.latestVersion}`}, 'Compare with another version') : null),
    session.canActFor(team) && v.artifact?.downloadable ? promoteForm(team, name, v, refreshAliases) : null,
    h('section', {'aria-labelledby': 'curve-title'},
      h('h2', {id: 'curve-title'}, 'Loss curve'),
      lossCurve(data.lossCurve, `Train and validation loss of v${v.version} over training steps`)),
    h('section', {'aria-labelledby': 'evaluation-title'},
      h('h2', {id: 'evaluation-title'}, 'Evaluation'),
      h('p', {}, 'Verdict: ', format.verdict(v.verdict), '. Baseline: ',
        data.baseline?.description || data.baseline?.baseModelName || 'none (first version)', '.'),
      h('h3', {}, 'Thresholds'), thresholds(data.thresholdResults),
      h('h3', {}, 'Metrics: candidate vs baseline'), metricsVsBaseline(data.candidateMetrics, data.baselineMetrics),
      reportProblem, examples(report)),
    lineage(data),
    files(data));
}
