// The page's one chart module: small SVG charts with linear or log scales, nice ticks, axes and
// grid, polylines and points, a hover read-out and an aria description. The training loss, the
// Euler error, the rectified-flow, the distillation gap and the trade-off charts draw with it.
// Colours come from the theme's CSS variables (classes below, or `stroke`/`fill` given as
// var(--...)); `toCanvas` rasterises a chart for the PNG export.
//
// Own code rather than a vendored library: the charts need about a tenth of what d3-scale and
// d3-axis offer (two scale types, 1-2-5 ticks, one axis style), and those would bring their
// dependencies (d3-array, d3-format, d3-interpolate, d3-time) for it.
import { el, fmt, pixelRatio } from './dom.js';

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
  for (let i = Math.ceil(lo / step - 1e-9); i * step <= hi + step * 1e-9; i++)
    out.push(Number((i * step).toPrecision(12)));
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
  return dir > 0 ? c.find((v) => v >= x * 0.999) : ([...c].reverse().find((v) => v <= x * 1.001) ?? 10 ** e);
}

/** A tick label: `digits` decimals for linear ticks, the shortest exact form for log ticks. */
export function tickText(v, digits) {
  if (digits !== undefined) return fmt(v, digits);
  if (v >= 1) return String(v);
  return v.toFixed(Math.max(0, -Math.floor(Math.log10(v) + 1e-9)));
}

let clips = 0; // clip-path ids, unique on the page
let measurer = null; // an offscreen 2D context, for text widths

/** The width in px of `str` set in `font` (a CSS font shorthand). */
export function textWidth(str, font) {
  measurer ??= document.createElement('canvas').getContext('2d');
  measurer.font = font;
  return measurer.measureText(str).width;
}

// the computed styles that draw an SVG chart, written into a copy as presentation attributes
// (not style attributes: a strict Content-Security-Policy may refuse those)
const PAINT = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-dasharray',
  'stroke-linecap',
  'stroke-linejoin',
  'stroke-opacity',
  'opacity',
  'font-family',
  'font-size',
  'font-style',
  'font-weight',
  'text-anchor',
  'dominant-baseline',
  'visibility',
  'display',
];

/**
 * One SVG chart. `new Chart({ className, label, focusable, controls })`; then per draw: `frame({ width,
 * height, pad, x, y })` with axes `{ scale: 'linear' | 'log', domain, ticks, minor, format(v),
 * title, titleGap, grid }`, then `axes()`, `line()`, `points()`, `text()`..., and `describe(text)`.
 * Points given a `readout` (a line of text or an array of lines) show it when hovered (pointer
 * within 12 px) or touched; a `focusable` chart is one tab stop whose arrow keys step through
 * them, and its `status` element (to be placed after the chart) says each to screen readers.
 * A chart whose marks are controls of their own (focusable buttons: `controls`) is a labelled
 * group rather than an image, whose content would be presentational, and is not focusable itself.
 * `toCanvas(dpr)` rasterises the chart, for the PNG export.
 */
export class Chart {
  constructor({ className = 'chart', label = 'chart', focusable = false, controls = false } = {}) {
    if (focusable && controls) throw new Error('a chart whose marks are controls is not focusable itself');
    this.svg = el('svg', {
      class: `cfg-chart ${className}`,
      role: controls ? 'group' : 'img',
      'aria-label': label,
    });
    this.svg.__chart = this; // for the PNG export (www/shell/export.js)
    this.controls = controls;
    this.targets = [];
    this.tip = null;
    this.active = null; // what the read-out follows: { px, py } (pointer) or { index } (keys)
    this.svg.addEventListener('pointermove', (e) => this.hover(e));
    this.svg.addEventListener('pointerdown', (e) => this.hover(e));
    this.svg.addEventListener('pointerleave', () => this.hover(null));
    this.status = null;
    if (focusable) {
      this.svg.setAttribute('tabindex', '0');
      this.status = el('div', { class: 'cfg-sr', role: 'status' });
      this.svg.addEventListener('keydown', (e) => this.key(e));
      this.svg.addEventListener('focus', () => {
        if (!this.active) this.select(0);
      });
      this.svg.addEventListener('blur', () => {
        if (this.active && 'index' in this.active) this.select(null);
      });
    }
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
    this.clipUrl = null;
    this.font = null; // the chart's font (for textWidth), read once a drawing
    const make = (a, range) => (a.scale === 'log' ? log(a.domain, range) : linear(a.domain, range));
    this.x = make(x, [pad.l, width - pad.r]);
    this.y = make(y, [height - pad.b, pad.t]);
    this.plot = { l: pad.l, r: width - pad.r, t: pad.t, b: height - pad.b };
    // a read-out on screen stays through the redraw: shown again once this drawing is done
    if (this.active) queueMicrotask(() => this.show());
    return this;
  }

  /** Appends an SVG element `tag` with `attrs` (and text) to the chart, or to `parent`. */
  add(tag, attrs = {}, text, parent = this.svg) {
    const node = el(tag, attrs, text ?? null);
    parent.append(node);
    return node;
  }

  /**
   * The plot area as a clip path, for an attribute `clip-path` (marks that run off the scales end
   * at the frame).
   */
  clip() {
    if (!this.clipUrl) {
      const id = `cfg-chart-clip-${++clips}`;
      const { l, r, t, b } = this.plot;
      const c = this.add('clipPath', { id });
      this.add('rect', { x: l, y: t, width: r - l, height: b - t }, null, c);
      this.clipUrl = `url(#${id})`;
    }
    return this.clipUrl;
  }

  /**
   * Grid lines, ticks and tick labels of both axes (`ticks`: the values; `minor`: unlabelled
   * ticks; `format(v)`: a label), the frame's left and bottom lines or, with `box`, all four,
   * and the axis titles (the x title's baseline `titleGap` px under the plot: by default at the
   * chart's foot).
   */
  axes({ box = false } = {}) {
    const { plot: p, x, y, xAxis: ax, yAxis: ay } = this;
    // (in a group of controls, read by their labels: the axes' text is not read out)
    const hide = this.controls ? { 'aria-hidden': 'true' } : {};
    const grid = this.add('g', { class: 'grid', ...hide });
    const axes = this.add('g', { class: 'axes', ...hide });
    for (const v of ax.minor ?? [])
      this.add('line', { x1: x(v), x2: x(v), y1: p.b, y2: p.b + 3 }, null, axes);
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
    if (box)
      this.add('rect', { class: 'box', x: p.l, y: p.t, width: p.r - p.l, height: p.b - p.t }, null, axes);
    else {
      this.add('line', { x1: p.l, x2: p.r, y1: p.b, y2: p.b }, null, axes);
      this.add('line', { x1: p.l, x2: p.l, y1: p.t, y2: p.b }, null, axes);
    }
    if (ax.title)
      this.add(
        'text',
        {
          class: 'label',
          x: (p.l + p.r) / 2,
          y: p.b + (ax.titleGap ?? this.pad.b - 3),
          'text-anchor': 'middle',
        },
        ax.title,
        axes,
      );
    if (ay.title)
      this.add(
        'text',
        {
          class: 'label',
          x: 0,
          y: 0,
          'text-anchor': 'middle',
          transform: `translate(11 ${(p.t + p.b) / 2}) rotate(-90)`,
        },
        ay.title,
        axes,
      );
    return this;
  }

  /** A polyline through data points `pts` ([x, y] pairs), with SVG `attrs` (class, stroke...). */
  line(pts, attrs = {}, parent = this.svg) {
    const at = pts
      .map(([a, b]) => [this.x(a), this.y(b)])
      .filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
    if (at.length < 2) return null;
    return this.add(
      'polyline',
      { fill: 'none', ...attrs, points: at.map(([a, b]) => `${a},${b}`).join(' ') },
      null,
      parent,
    );
  }

  /**
   * A marker of `shape` at pixel (cx, cy): a circle of radius `r`, a cross (×) of half-width
   * `r`, or a diamond (◇) of the circle's area, with SVG `attrs`.
   */
  mark(shape, cx, cy, r, attrs = {}, parent = this.svg) {
    if (shape === 'cross') {
      const d = `M${cx - r},${cy - r}L${cx + r},${cy + r}M${cx - r},${cy + r}L${cx + r},${cy - r}`;
      return this.add('path', { fill: 'none', ...attrs, d }, null, parent);
    }
    if (shape === 'diamond') {
      const h = r * Math.sqrt(Math.PI / 2);
      return this.add(
        'path',
        { ...attrs, d: `M${cx},${cy - h}L${cx + h},${cy}L${cx},${cy + h}L${cx - h},${cy}Z` },
        null,
        parent,
      );
    }
    return this.add('circle', { ...attrs, cx, cy, r }, null, parent);
  }

  /**
   * A marker at each data point of `pts` ({x, y, attrs?, readout?}): by default a circle of
   * radius `r`; with SVG `attrs` (and the point's own on top, an opacity say). A point's
   * `readout` shows when the pointer is near it. Points off the scales (not finite) are left out.
   */
  points(pts, attrs = {}, r = 3, { shape = 'circle', parent = this.svg } = {}) {
    return pts
      .map((p) => {
        const cx = this.x(p.x);
        const cy = this.y(p.y);
        if (!Number.isFinite(cx) || !Number.isFinite(cy)) return null;
        if (p.readout) this.target(cx, cy, p.readout);
        return this.mark(shape, cx, cy, r, { ...attrs, ...p.attrs }, parent);
      })
      .filter(Boolean);
  }

  /** A read-out (a line or an array of lines) for the pointer or keys at pixel (cx, cy). */
  target(cx, cy, text) {
    this.targets.push({ cx, cy, text });
  }

  /** A text at pixel (px, py) with SVG `attrs`. */
  text(px, py, str, attrs = {}, parent = this.svg) {
    return this.add('text', { ...attrs, x: px, y: py }, str, parent);
  }

  /** The width in px of `str` in the chart's font at `size` px. */
  textWidth(str, size) {
    if (!this.font) {
      const cs = getComputedStyle(this.svg);
      this.font = `${cs.fontStyle} ${cs.fontWeight} SIZEpx ${cs.fontFamily || 'sans-serif'}`;
    }
    return textWidth(str, this.font.replace('SIZE', size));
  }

  /** The chart's description for screen readers. */
  describe(text) {
    this.svg.setAttribute('aria-label', text);
  }

  /** Follows the pointer event `e`: the read-out of the point nearest it, or none (`e` null). */
  hover(e) {
    if (!e) {
      if (this.active && 'px' in this.active) this.select(null);
      return;
    }
    const box = this.svg.getBoundingClientRect();
    this.active = {
      px: ((e.clientX - box.left) * this.width) / Math.max(1, box.width),
      py: ((e.clientY - box.top) * this.height) / Math.max(1, box.height),
    };
    this.show();
  }

  /** Arrow keys step through the read-outs; Home and End go to the first and last; Escape hides. */
  key(e) {
    const n = this.targets.length;
    const i = this.active && 'index' in this.active ? this.active.index : -1;
    const to = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: n - 1 }[
      e.key
    ];
    if (e.key === 'Escape') this.select(null);
    else if (to !== undefined && n) this.select((to + n) % n);
    else return;
    e.preventDefault();
  }

  /** Shows the read-out of target `index` (or, null, none), as the keys do. */
  select(index) {
    this.active = index === null ? null : { index };
    this.show();
  }

  /** Draws the read-out that `this.active` asks for (a ring, and the text in a box), or none. */
  show() {
    this.tip?.remove();
    this.tip = null;
    const a = this.active;
    let best = null;
    if (a && 'index' in a) best = this.targets[Math.min(a.index, this.targets.length - 1)] ?? null;
    else if (a) {
      let bd = 12;
      for (const t of this.targets) {
        const d = Math.hypot(t.cx - a.px, t.cy - a.py);
        if (d < bd) {
          bd = d;
          best = t;
        }
      }
    }
    const lines = best ? [best.text].flat() : [];
    // (said once: a redraw that shows the same read-out again does not repeat it)
    if (this.status && a && 'index' in a && this.status.textContent !== lines.join(', '))
      this.status.textContent = lines.join(', ');
    if (!best) return;
    const g = this.add('g', { class: 'tip', 'aria-hidden': 'true' });
    this.add('circle', { class: 'tip-ring', cx: best.cx, cy: best.cy, r: 6 }, null, g);
    const lh = 14;
    const labels = lines.map((s) => this.add('text', { x: 0, y: 0, 'dominant-baseline': 'central' }, s, g));
    const w = Math.max(...labels.map((t, k) => t.getComputedTextLength?.() || lines[k].length * 6)) + 8;
    const h = lines.length * lh + 4;
    let tx = best.cx + 10;
    if (tx + w > this.width) tx = Math.max(2, best.cx - 10 - w);
    const ty = Math.max(2, Math.min(this.height - h - 2, best.cy - 10 - h));
    g.insertBefore(el('rect', { class: 'tip-box', x: tx, y: ty, width: w, height: h, rx: 2 }), labels[0]);
    labels.forEach((t, k) => {
      t.setAttribute('x', tx + 4);
      t.setAttribute('y', ty + 2 + lh * (k + 0.5));
    });
    this.tip = g;
  }

  /**
   * The chart drawn on a canvas of `dpr` device pixels per px, without its read-out: a copy of
   * the SVG with its computed styles written in, loaded as an image (from a blob: URL).
   */
  async toCanvas(dpr = pixelRatio()) {
    if (!this.width) return null;
    const copy = this.svg.cloneNode(true);
    const from = [this.svg, ...this.svg.querySelectorAll('*')];
    const to = [copy, ...copy.querySelectorAll('*')];
    from.forEach((node, k) => {
      const cs = getComputedStyle(node);
      for (const p of PAINT) to[k].setAttribute(p, cs.getPropertyValue(p));
      to[k].removeAttribute('style');
      to[k].removeAttribute('class');
    });
    from.forEach((node, k) => {
      if (node.classList.contains('tip')) to[k].remove();
    }); // the read-out
    const [w, h] = [Math.round(this.width * dpr), Math.round(this.height * dpr)];
    copy.setAttribute('width', w);
    copy.setAttribute('height', h);
    const url = URL.createObjectURL(
      new Blob([new XMLSerializer().serializeToString(copy)], { type: 'image/svg+xml' }),
    );
    try {
      const img = new Image(w, h);
      img.src = url;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      canvas.getContext('2d').drawImage(img, 0, 0, w, h);
      return canvas;
    } finally {
      URL.revokeObjectURL(url);
    }
  }
}
