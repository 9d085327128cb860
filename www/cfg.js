// Loads the wasm module once (relative to this file, so it works under any sub-path) and
// offers the small DOM helpers the figures share. No math here: all of it lives in Rust.
import init, * as wasm from '../cfg-playground.js';

let ready = null;

/** The initialised wasm bindings (a Playground class, datasets(), ...). */
export function loadWasm() {
  if (!ready) {
    ready = init({ module_or_path: new URL('../cfg-playground_bg.wasm', import.meta.url) }).then(() => wasm);
  }
  return ready;
}

/** Creates an element with attributes and children (text is always set as text, never HTML). */
export function el(tag, attrs = {}, ...children) {
  const svg = ['svg', 'g', 'line', 'text', 'path', 'rect', 'circle', 'polyline'].includes(tag);
  const node = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** Class colours (Okabe–Ito), matching render.rs. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

/**
 * Axes for a square plot of [-e, e]²: an SVG overlay with ticks and labels, in CSS pixels.
 * Returns the SVG element; `size` is the plot's side in CSS pixels.
 */
export function axes(extent, size, pad) {
  const svg = el('svg', { class: 'cfg-axes', width: size + pad.left + pad.right, height: size + pad.top + pad.bottom, 'aria-hidden': 'true' });
  const sx = (x) => pad.left + ((x + extent) / (2 * extent)) * size;
  const sy = (y) => pad.top + ((extent - y) / (2 * extent)) * size;
  svg.append(el('rect', { x: pad.left, y: pad.top, width: size, height: size, class: 'frame' }));
  const step = extent > 2.5 ? 1 : 0.5;
  for (let v = -Math.floor(extent / step) * step; v <= extent + 1e-9; v += step) {
    const label = Number.isInteger(v) ? String(v) : v.toFixed(1);
    svg.append(el('line', { x1: sx(v), x2: sx(v), y1: pad.top + size, y2: pad.top + size + 4, class: 'tick' }));
    svg.append(el('text', { x: sx(v), y: pad.top + size + 16, 'text-anchor': 'middle' }, label.replace('-', '−')));
    svg.append(el('line', { x1: pad.left - 4, x2: pad.left, y1: sy(v), y2: sy(v), class: 'tick' }));
    svg.append(el('text', { x: pad.left - 7, y: sy(v) + 4, 'text-anchor': 'end' }, label.replace('-', '−')));
  }
  return svg;
}

/** Formats a number with `digits` decimals, using a real minus sign. */
export function fmt(x, digits = 2) {
  return Number.isFinite(x) ? x.toFixed(digits).replace('-', '−') : '–';
}
