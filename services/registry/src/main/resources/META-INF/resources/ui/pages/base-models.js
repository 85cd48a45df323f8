// Base models (GET /base-models): what adapters can be trained on, with the checksum jobs pin and the modules a LoRA
// can target. Registering one is an admin's REST call (POST /base-models); the page says how.

import * as api from '../api.js';
import {facts, h, table} from '../dom.js';
import {problem} from '../feedback.js';
import * as format from '../format.js';

function details(model) {
  const config = model.config ?? {};
  const history = h('div', {class: 'history'});
  const element = h('details', {class: 'base-model', 'data-base-model': model.name},
    h('summary', {}, `${model.name}: configuration, files and history`),
    h('div', {class: 'grid'},
      facts('Configuration', [['Model type', config.modelType], ['Layers', config.numHiddenLayers],
        ['Hidden size', config.hiddenSize], ['Intermediate size', config.intermediateSize],
        ['Attention heads', config.numAttentionHeads], ['Key/value heads', config.numKeyValueHeads],
        ['Vocabulary', config.vocabSize], ['Context', config.maxPositionEmbeddings], ['dtype', config.torchDtype],
        ['LoRA-targetable modules', (config.linearModuleNames ?? []).length]]),
      facts('Registration', [['Location', model.locationUri],
        ['sha256', h('code', {class: 'checksum full'}, model.sha256)], ['Registered by', model.registeredBy],
        ['Registered', format.time(model.createdAt)], ['Updated', format.time(model.updatedAt)],
        ['Description', model.description]])),
    table('Files', [{label: 'File'}, {label: 'Size', numeric: true}, {label: 'sha256'}],
      (model.files ?? []).map(file => [file.path, format.bytes(file.sizeBytes),
        h('code', {class: 'checksum full'}, file.sha256)])),
    history);
  // The registration history is fetched when the reader opens the details.
  element.addEventListener('toggle', async () => {
    if (!element.open || history.dataset.loaded) {
      return;
    }
    history.dataset.loaded = 'true';
    try {
      const detail = await api.get(api.path('base-models', model.name));
      history.replaceChildren(table('History', [{label: 'What'}, {label: 'Who'}, {label: 'When'}, {label: 'sha256'}],
        detail.history.map(entry => [entry.action, entry.actor, format.time(entry.at),
          h('span', {}, entry.fromSha256 ? [format.checksum(entry.fromSha256), ' → '] : null,
            format.checksum(entry.toSha256))])));
    } catch (error) {
      history.replaceChildren(problem(error, 'History'));
    }
  });
  return element;
}

export async function baseModelsPage() {
  const models = await api.get('/base-models');
  return h('section', {class: 'base-models'},
    h('h1', {}, 'Base models'),
    h('p', {class: 'lead'}, 'Hugging Face model directories adapters are trained on, validated by the LoRA engine '
      + 'when an admin registered them (POST /base-models). Jobs pin the checksum.'),
    table(null, [{label: 'Name'}, {label: 'Architecture'}, {label: 'Parameters', numeric: true},
      {label: 'Layers × width', numeric: true}, {label: 'dtype'}, {label: 'Size', numeric: true},
      {label: 'sha256'}, {label: 'Registered'}],
    models.map(model => ({
      attributes: {'data-base-model': model.name},
      cells: [model.name, model.architecture, format.number(model.parameterCount),
        `${model.config?.numHiddenLayers ?? '?'} × ${model.config?.hiddenSize ?? '?'}`, model.config?.torchDtype ?? '–',
        format.bytes(model.totalSizeBytes), format.checksum(model.sha256), format.time(model.createdAt)],
    })), {id: 'base-models'}),
    models.map(details));
}
