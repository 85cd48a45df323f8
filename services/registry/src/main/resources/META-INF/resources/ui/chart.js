// Line charts as inline SVG: loss curves (train and validation loss over steps). Each series is a polyline with a
// marker per point (hover: the exact values); the same numbers are in a table under the chart for screen readers.

import {h, s, table} from './dom.js';
import {number} from './format.js';

const WIDTH = 640;
const HEIGHT = 300;
const MARGIN = {top: 16, right: 16, bottom: 44, left: 60};

/** About `count` round tick values covering [min, max] (1, 2 or 5 times a power of ten apart). */
export function ticks(min, max, count = 5) {
  if (!(max > min)) {
    return [min];
  }
  const rough = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map(f => f * power).find(candidate => candidate >= rough);
  const values = [];
  for (let value = Math.ceil(min / step) * step; value <= max + step * 1e-9; value += step) {
    values.push(Number(value.toPrecision(12)));
  }
  return values;
}

let chartIds = 0;

/**
 * @param title   the chart's accessible name (also shown as its heading by the caller)
 * @param series  [{name, className, points: [{x, y}]}]; points without a finite y are skipped
 * @param xLabel  axis label, e.g. 'step'
 * @param yLabel  axis label, e.g. 'loss'
 */
export function lineChart({title, series, xLabel, yLabel}) {
  const drawn = series.map(line => ({...line, points: line.points.filter(p => Number.isFinite(p.x)
    && Number.isFinite(p.y))})).filter(line => line.points.length > 0);
  const all = drawn.flatMap(line => line.points);
  if (all.length === 0) {
    return h('p', {class: 'muted'}, `No ${yLabel} values recorded.`);
  }
  let [xMin, xMax] = [Math.min(...all.map(p => p.x)), Math.max(...all.map(p => p.x))];
  let [yMin, yMax] = [Math.min(...all.map(p => p.y)), Math.max(...all.map(p => p.y))];
  if (xMin === xMax) {
    xMin -= 1;
    xMax += 1;
  }
  const pad = (yMax - yMin) * 0.08 || Math.abs(yMax) * 0.1 || 1;
  yMin = yMin >= 0 ? Math.max(0, yMin - pad) : yMin - pad; // losses are never negative: keep 0 as the floor
  yMax += pad;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = value => MARGIN.left + (value - xMin) / (xMax - xMin) * plotWidth;
  const y = value => MARGIN.top + (1 - (value - yMin) / (yMax - yMin)) * plotHeight;

  const id = `chart-${++chartIds}`;
  const xTicks = ticks(xMin, xMax, 6).filter(t => Number.isInteger(t));
  const yTicks = ticks(yMin, yMax, 5);
  const svg = s('svg', {viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-labelledby': `${id}-title`,
    class: 'chart', 'data-chart': yLabel},
  s('title', {id: `${id}-title`}, title),
  // grid and axes
  yTicks.map(t => s('g', {class: 'tick'},
    s('line', {x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(t), y2: y(t), class: 'gridline'}),
    s('text', {x: MARGIN.left - 8, y: y(t), 'text-anchor': 'end', 'dominant-baseline': 'middle'}, number(t)))),
  xTicks.map(t => s('g', {class: 'tick'},
    s('line', {x1: x(t), x2: x(t), y1: HEIGHT - MARGIN.bottom, y2: HEIGHT - MARGIN.bottom + 5, class: 'axis'}),
    s('text', {x: x(t), y: HEIGHT - MARGIN.bottom + 18, 'text-anchor': 'middle'}, number(t)))),
  s('line', {x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: HEIGHT - MARGIN.bottom, y2: HEIGHT - MARGIN.bottom,
    class: 'axis'}),
  s('line', {x1: MARGIN.left, x2: MARGIN.left, y1: MARGIN.top, y2: HEIGHT - MARGIN.bottom, class: 'axis'}),
  s('text', {x: MARGIN.left + plotWidth / 2, y: HEIGHT - 6, 'text-anchor': 'middle', class: 'axis-label'}, xLabel),
  s('text', {x: 14, y: MARGIN.top + plotHeight / 2, 'text-anchor': 'middle', class: 'axis-label',
    transform: `rotate(-90 14 ${MARGIN.top + plotHeight / 2})`}, yLabel),
  // series
  drawn.map(line => s('g', {class: `series ${line.className}`, 'data-series': line.name},
    s('polyline', {points: line.points.map(p => `${x(p.x)},${y(p.y)}`).join(' '), fill: 'none'}),
    line.points.map(p => s('circle', {cx: x(p.x), cy: y(p.y), r: 3.5, class: 'point'},
      s('title', {}, `${line.name}: ${number(p.y)} at ${xLabel} ${number(p.x)}`))))));

  const legend = h('ul', {class: 'legend', 'aria-hidden': 'true'},
    drawn.map(line => h('li', {class: line.className}, h('span', {class: 'swatch'}), line.name)));
  const steps = [...new Set(all.map(p => p.x))].sort((a, b) => a - b);
  const data = h('details', {class: 'chart-data'}, h('summary', {}, 'Show the numbers'),
    table(null, [{label: xLabel, numeric: true}, ...drawn.map(line => ({label: line.name, numeric: true}))],
      steps.map(step => [number(step), ...drawn.map(line => number(line.points.find(p => p.x === step)?.y))])));
  return h('figure', {class: 'chart-figure'}, svg, legend, data);
}

/** The loss curve of a version: CurvePoint[] ({step, loss, validationLoss}) as train and validation series. */
export function lossCurve(curve, title, prefix = '') {
  const points = curve ?? [];
  return lineChart({
    title,
    xLabel: 'step',
    yLabel: 'loss',
    series: [
      {name: `${prefix}train loss`, className: 'train', points: points.map(p => ({x: Number(p.step ?? 0), y: p.loss}))},
      {name: `${prefix}validation loss`, className: 'validation',
        points: points.map(p => ({x: Number(p.step ?? 0), y: p.validationLoss}))},
    ],
  });
}
