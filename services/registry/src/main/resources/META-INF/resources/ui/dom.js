// Building DOM nodes from data. Text always goes in as text nodes (never innerHTML), so names, descriptions and
// messages from the API cannot inject markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(element, attributes, children) {
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, ...children);
  return element;
}

/** Appends children: nodes, strings and numbers (as text), arrays of them; null/undefined/false are skipped. */
export function append(parent, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** An HTML element: h('a', {href: '#/'}, 'Catalog'). Attributes named on* with a function become listeners. */
export function h(tag, attributes, ...children) {
  return build(document.createElement(tag), attributes, children);
}

/** An SVG element (same signature as h). */
export function s(tag, attributes, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attributes, children);
}

/** Replaces every child of the element. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, ...children);
}

/** A two-column table of name/value rows (values may be nodes); rows whose value is empty are left out. */
export function facts(caption, rows, attributes = {}) {
  const body = rows.filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(([name, value]) => h('tr', {}, h('th', {scope: 'row'}, name), h('td', {}, value)));
  return h('table', {class: 'facts', ...attributes},
    caption ? h('caption', {}, caption) : null,
    h('tbody', {}, body.length ? body : h('tr', {}, h('td', {colspan: 2, class: 'muted'}, 'none'))));
}

/**
 * A data table: columns [{label, numeric?}]; each row is an array of cells, or {cells, attributes} to give the row
 * attributes (e.g. data-version). The first cell of a row is its header cell.
 */
export function table(caption, columns, rows, attributes = {}) {
  const row = entry => {
    const cells = Array.isArray(entry) ? entry : entry.cells;
    return h('tr', Array.isArray(entry) ? {} : entry.attributes, cells.map((cell, i) =>
      h(i === 0 ? 'th' : 'td', {scope: i === 0 ? 'row' : null, class: columns[i]?.numeric ? 'num' : null}, cell)));
  };
  return h('table', {class: 'data', ...attributes},
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, columns.map(column =>
      h('th', {scope: 'col', class: column.numeric ? 'num' : null}, column.label)))),
    h('tbody', {}, rows.length ? rows.map(row)
      : h('tr', {}, h('td', {colspan: columns.length, class: 'muted'}, 'none'))));
}
