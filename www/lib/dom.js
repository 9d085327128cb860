// Shared by every figure and the shell: DOM helpers (el, headingLevel), the class palette and
// number formatting. No math here: it lives in Rust.
const SVG = new Set(['svg', 'g', 'line', 'text', 'path', 'rect', 'circle', 'polyline', 'clipPath']);

/** Creates an element with attributes and children. Text is always set as text, never HTML. */
export function el(tag, attrs = {}, ...children) {
  const node = SVG.has(tag)
    ? document.createElementNS('http://www.w3.org/2000/svg', tag)
    : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    // through the CSSOM, which a strict Content-Security-Policy allows (style attributes it does not)
    else if (k === 'style') node.style.cssText = String(v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/**
 * The level of a heading at `node`: one below the last heading before it in its document (an h2
 * right under the article's h1, an h3 in a section under an h2), or 3 with none; at most 6. A
 * figure's title so keeps the outline of whatever page it is embedded in, with no level skipped.
 */
export function headingLevel(node) {
  let level = 2;
  for (const h of node.getRootNode().querySelectorAll?.('h1, h2, h3, h4, h5, h6') ?? []) {
    if (!(h.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_FOLLOWING)) break;
    level = Number(h.tagName[1]);
  }
  return Math.min(6, level + 1);
}

/** Class colours (Okabe–Ito), in the order render.rs uses. Index −1 is the null grey. */
export const PALETTE = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#F0E442',
  '#000000',
];
export const NULL_COLOR = '#6e6e6e';
export const colorOf = (i) => (i >= 0 ? PALETTE[i % PALETTE.length] : NULL_COLOR);

/** A number with `digits` decimals and a real minus sign; '–' when not finite. */
export function fmt(x, digits = 2) {
  return Number.isFinite(x) ? x.toFixed(digits).replace('-', '−') : '–';
}

/**
 * Device pixels per CSS pixel for the canvases (plots, charts, strips, PNG export): the screen's,
 * at most 3, so that a canvas's memory stays bounded on very dense screens.
 */
export const pixelRatio = () => Math.min(3, window.devicePixelRatio || 1);

/** Whether the reader asked for less motion. */
export function reducedMotion() {
  return window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
}

/** The name of the page's ink colour (the guided arrows): black, or white in dark mode (CSS picks). */
export function inkWord() {
  return [el('b', { class: 'ink-light' }, 'black'), el('b', { class: 'ink-dark' }, 'white')];
}

/** v_u + w·(v_c − v_u), written out for labels. */
export function cfgFormula() {
  return ['v = v', el('sub', {}, 'u'), ' + w·(v', el('sub', {}, 'c'), ' − v', el('sub', {}, 'u'), ')'];
}
