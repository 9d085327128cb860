// The page's one chart module: small SVG charts with linear or log scales, nice ticks, axes and
// grid, polylines and points, a hover read-out and an aria description. The training loss, the
// Euler error, the rectified-flow and the distillation gap charts draw with it; the trade-off
// chart (a canvas, for its label placement) takes its scales and ticks from it. Colours come
// from the theme's CSS variables (classes below, or `stroke`/`fill` given as var(--...)).
//
// Own code rather than a vendored library: the charts need about a tenth of what d3-scale and
// d3-axis offer (two scale types, 1-2-5 ticks, one axis style), and those would bring their
// dependencies (d3-array, d3-format, d3-interpolate, d3-time) for it.
import { el, fmt } from './cfg.js';

/** A linear scale from `domain` [d0, d1] to `range` [r0, r1]. */
export function linear([d0, d1], [r0, r1]) {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  const s = (v) => r0 + (v - d0) * k;
  s.domain = [d0, d1];
  s.log = false;
  return s;
}

/** A base-10 log scale from `domain` (both > 0) to `range`; values ≤ 0 go to the low end. */
export function log([d0, d1], [r0, r1]) {
  const [l0, l1] = [Math.log10(d0), Math.log10(d1)];
  const k = l1 === l0 ? 0 : (r1 - r0) / (l1 - l0);
  const s = (v) => r0 + (Math.log10(Math.max(v, d0 * 1e-6)) - l0) * k;
  s.domain = [d0, d1];
  s.log = true;
  return s;
}

/** The step of about `count` ticks over [lo, hi]: 1, 2 or 5 × 10^k. */
export function niceStep(lo, hi, count = 5) {
  const raw = Math.abs(hi - lo) / Math.max(1, count);
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const e = 10 ** Math.floor(Math.log10(raw));
  const m = raw / e;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * e;
}

/** Ticks at multiples of `step` (default: `niceStep(lo, hi, count)`) within [lo, hi]. */
export function linearTicks(lo, hi, count = 5, step = niceStep(lo, hi, count)) {
  const out = [];
  for (let i = Math.ceil(lo / step - 1e-9); i * step <= hi + step * 1e-9; i++) out.push(Number((i * step).toPrecision(12)));
  return out;
}

/** Log ticks within [lo, hi]: whole decades, and with `mantissas` (say [1, 2, 5]) those too. */
export function logTicks(lo, hi, mantissas = [1]) {
  const out = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of mantissas) {
      const v = Number((m * 10 ** e).toPrecision(3));
      if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
    }
  }
  return out;
}

/** The nearest of 1, 2, 5 × 10^k at or above (dir 1) or at or below (dir −1) x > 0. */
export function niceLog(x, dir) {
  const e = Math.floor(Math.log10(x));
  const c = [1, 2, 5, 10].map((m) => m * 10 ** e);
  return dir > 0 ? c.find((v) => v >= x * 0.999) : [...c].reverse().find((v) => v <= x * 1.001) ?? 10 ** e;
}

/** A tick label: `digits` decimals for linear ticks, the shortest exact form for log ticks. */
export function tickText(v, digits) {
  if (digits !== undefined) return fmt(v, digits);
  if (v >= 1) return String(v);
  return v.toFixed(Math.max(0, -Math.floor(Math.log10(v) + 1e-9)));
}

/**
 * One SVG chart. `new Chart({ className, label })`; then per draw: `frame({ width, height, pad,
 * x, y })` with axes `{ scale: 'linear' | 'log', domain, ticks, format(v), title, grid }`, then
 * `axes()`, `line()`, `points()`, `text()`..., and `describe(text)`. Points given a `readout`
 * show it when hovered (pointer within 12 px) or focused by touch.
 */
export class Chart {
  constructor({ className = 'chart', label = 'chart' } = {}) {
    this.svg = el('svg', { class: `cfg-chart ${className}`, role: 'img', 'aria-label': label });
    this.targets = [];
    this.tip = null;
    this.svg.addEventListener('pointermove', (e) => this.hover(e));
    this.svg.addEventListener('pointerdown', (e) => this.hover(e));
    this.svg.addEventListener('pointerleave', () => this.hover(null));
  }

  /** Starts a drawing: size, padding and the two axes; clears the old one. */
  frame({ width, height, pad, x, y }) {
    this.width = width;
    this.height = height;
    this.pad = pad;
    this.xAxis = x;
    this.yAxis = y;
    this.svg.setAttribute('width', width);
    this.svg.setAttribute('height', height);
    this.svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    this.svg.replaceChildren();
    this.targets = [];
    this.tip = null;
    const make = (a, range) => (a.scale === 'log' ? log(a.domain, range) : linear(a.domain, range));
    this.x = make(x, [pad.l, width - pad.r]);
    this.y = make(y, [height - pad.b, pad.t]);
    this.plot = { l: pad.l, r: width - pad.r, t: pad.t, b: height - pad.b };
    return this;
  }

  /** Appends an SVG element `tag` with `attrs` (and text) to the chart, or to `parent`. */
  add(tag, attrs = {}, text, parent = this.svg) {
    const node = el(tag, attrs, text ?? null);
    parent.append(node);
    return node;
  }

  /**
   * Grid lines, ticks and tick labels of both axes (`ticks`: the values; `minor`: unlabelled
   * ticks; `format(v)`: a label), the frame's left and bottom lines or, with `box`, all four,
   * and the axis titles.
   */
  axes({ box = false } = {}) {
    const { plot: p, x, y, xAxis: ax, yAxis: ay } = this;
    const grid = this.add('g', { class: 'grid' });
    const axes = this.add('g', { class: 'axes' });
    for (const v of ax.minor ?? []) this.add('line', { x1: x(v), x2: x(v), y1: p.b, y2: p.b + 3 }, null, axes);
    for (const v of ax.ticks ?? []) {
      if (ax.grid !== false) this.add('line', { x1: x(v), x2: x(v), y1: p.t, y2: p.b }, null, grid);
      this.add('line', { x1: x(v), x2: x(v), y1: p.b, y2: p.b + 5 }, null, axes);
      this.add('text', { x: x(v), y: p.b + 16, 'text-anchor': 'middle' }, (ax.format ?? tickText)(v), axes);
    }
    for (const v of ay.ticks ?? []) {
      if (ay.grid !== false) this.add('line', { x1: p.l, x2: p.r, y1: y(v), y2: y(v) }, null, grid);
      this.add('line', { x1: p.l - 4, x2: p.l, y1: y(v), y2: y(v) }, null, axes);
      this.add('text', { x: p.l - 6, y: y(v) + 3.5, 'text-anchor': 'end' }, (ay.format ?? tickText)(v), axes);
    }
    if (box) this.add('rect', { class: 'box', x: p.l, y: p.t, width: p.r - p.l, height: p.b - p.t }, null, axes);
    else {
      this.add('line', { x1: p.l, x2: p.r, y1: p.b, y2: p.b }, null, axes);
      this.add('line', { x1: p.l, x2: p.l, y1: p.t, y2: p.b }, null, axes);
    }
    if (ax.title) this.add('text', { class: 'label', x: (p.l + p.r) / 2, y: this.height - 3, 'text-anchor': 'middle' }, ax.title, axes);
    if (ay.title) this.add('text', { class: 'label', x: 0, y: 0, 'text-anchor': 'middle', transform: `translate(11 ${(p.t + p.b) / 2}) rotate(-90)` }, ay.title, axes);
    return this;
  }

  /** A polyline through data points `pts` ([x, y] pairs), with SVG `attrs` (class, stroke...). */
  line(pts, attrs = {}) {
    if (pts.length < 2) return null;
    return this.add('polyline', { fill: 'none', ...attrs, points: pts.map(([a, b]) => `${this.x(a)},${this.y(b)}`).join(' ') });
  }

  /**
   * A circle at each data point of `pts` ({x, y, readout?}) of radius `r`, with SVG `attrs`;
   * a point's `readout` (text) shows when the pointer is near it.
   */
  points(pts, attrs = {}, r = 3) {
    return pts.map((p) => {
      const cx = this.x(p.x);
      const cy = this.y(p.y);
      if (p.readout) this.targets.push({ cx, cy, text: p.readout });
      return this.add('circle', { ...attrs, cx, cy, r });
    });
  }

  /** A text at pixel (px, py) with SVG `attrs`. */
  text(px, py, str, attrs = {}) {
    return this.add('text', { ...attrs, x: px, y: py }, str);
  }

  /** The chart's description for screen readers. */
  describe(text) {
    this.svg.setAttribute('aria-label', text);
  }

  /** Shows the read-out of the point nearest the pointer event `e` (within 12 px), or none. */
  hover(e) {
    this.tip?.remove();
    this.tip = null;
    if (!e || !this.targets.length) return;
    const box = this.svg.getBoundingClientRect();
    const px = ((e.clientX - box.left) * this.width) / Math.max(1, box.width);
    const py = ((e.clientY - box.top) * this.height) / Math.max(1, box.height);
    let best = null;
    for (const t of this.targets) {
      const d = Math.hypot(t.cx - px, t.cy - py);
      if (d < 12 && (!best || d < best.d)) best = { ...t, d };
    }
    if (!best) return;
    const g = this.add('g', { class: 'tip', 'aria-hidden': 'true' });
    this.add('circle', { class: 'tip-ring', cx: best.cx, cy: best.cy, r: 6 }, null, g);
    const label = this.add('text', { x: 0, y: 0, 'dominant-baseline': 'middle' }, best.text, g);
    const w = label.getComputedTextLength?.() || best.text.length * 6;
    let tx = best.cx + 10;
    if (tx + w + 8 > this.width) tx = Math.max(2, best.cx - 10 - w - 8);
    const ty = Math.max(2, best.cy - 24);
    const bg = el('rect', { class: 'tip-box', x: tx, y: ty, width: w + 8, height: 16, rx: 2 });
    g.insertBefore(bg, label);
    label.setAttribute('x', tx + 4);
    label.setAttribute('y', ty + 8);
    this.tip = g;
  }
}
