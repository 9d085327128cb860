// One square plot of a data window: a pixel canvas (filled by the wasm Painter), an overlay
// canvas for strokes (arrows, paths, probes) and an axes canvas with ticks and labels. Canvases
// are sized in device pixels, so the figure stays crisp on high-DPI screens.
import { el, pixelRatio } from './dom.js';
import { htmlPieces, piecesBox, drawPieces } from './html-raster.js';

const FULL = { left: 30, right: 6, top: 6, bottom: 22 };
const COMPACT = { left: 2, right: 2, top: 2, bottom: 2 };
let firstPaint = false;

/**
 * The data-space move of an arrow key on a plot the reader steers with the keys (a probe, a point,
 * a brush's cursor): `step` per press, `big` with Shift held; null for any other key.
 */
export function arrowMove(ev, step, big) {
  const d = ev.shiftKey ? big : step;
  return { ArrowLeft: [-d, 0], ArrowRight: [d, 0], ArrowUp: [0, d], ArrowDown: [0, -d] }[ev.key] ?? null;
}

export class Plot {
  /**
   * @param wasm   the wasm bindings
   * @param opts   { extent, label (screen-reader text), title (shown above, optional),
   *                 compact (a frame without tick labels, for small multiples) }
   */
  constructor(wasm, opts) {
    this.extent = opts.extent;
    this.pad = opts.compact ? COMPACT : FULL;
    this.compact = !!opts.compact;
    this.side = 0;
    this.dpr = 1;
    this.pix = el('canvas', { class: 'pix', role: 'img', 'aria-label': opts.label ?? 'plot' });
    this.over = el('canvas', { class: 'over', 'aria-hidden': 'true' });
    this.axes = el('canvas', { class: 'axes', 'aria-hidden': 'true' });
    this.titleEl =
      opts.title !== undefined
        ? el('div', { class: `plot-title${opts.compact ? ' compact' : ''}` }, opts.title)
        : null;
    this.box = el('div', { class: 'plot-box' }, this.axes, this.pix, this.over);
    this.el = el('div', { class: 'plot' }, this.titleEl, this.box);
    this.painter = new wasm.Painter(1, 1, this.extent);
    this.el.__plot = this;
  }

  /**
   * Makes the overlay the reader's control: focusable, named `label` (what the keys do), not
   * hidden from screen readers, with its keys its own (role application); `what` describes it.
   */
  interactive(label, what) {
    const o = this.over;
    o.tabIndex = 0;
    o.removeAttribute('aria-hidden');
    o.setAttribute('role', 'application');
    if (what) o.setAttribute('aria-roledescription', what);
    o.setAttribute('aria-label', label);
    return o;
  }

  /** Replaces the title text. */
  setTitle(...nodes) {
    this.titleEl?.replaceChildren(...nodes);
  }

  /** Sets the plotting square's side in CSS pixels (the whole plot adds room for the axes). */
  resize(side) {
    const dpr = pixelRatio();
    side = Math.max(this.compact ? 24 : 80, Math.round(side));
    if (side === this.side && dpr === this.dpr) return false;
    this.side = side;
    this.dpr = dpr;
    const PAD = this.pad;
    const w = side + PAD.left + PAD.right;
    const h = side + PAD.top + PAD.bottom;
    Object.assign(this.box.style, { width: `${w}px`, height: `${h}px` });
    for (const c of [this.pix, this.over]) {
      c.width = Math.round(side * dpr);
      c.height = Math.round(side * dpr);
      Object.assign(c.style, {
        width: `${side}px`,
        height: `${side}px`,
        left: `${PAD.left}px`,
        top: `${PAD.top}px`,
      });
    }
    this.axes.width = Math.round(w * dpr);
    this.axes.height = Math.round(h * dpr);
    Object.assign(this.axes.style, { width: `${w}px`, height: `${h}px` });
    this.painter.resize(this.pix.width, this.pix.height);
    this.drawAxes();
    return true;
  }

  /**
   * Paints the plot's backdrop (say the faint data) with `paint(painter)` once per `key` and size,
   * then restores it from the painter's snapshot: what goes over it is redrawn every frame.
   */
  backdrop(key, paint) {
    const k = `${this.side}|${this.dpr}|${key}`;
    if (k === this.backdropKey) {
      this.painter.restore();
      return;
    }
    this.painter.clear();
    paint(this.painter);
    this.painter.snapshot();
    this.backdropKey = k;
  }

  /** Total width in CSS pixels for a plotting square of `side`. */
  static widthFor(side, compact = false) {
    const PAD = compact ? COMPACT : FULL;
    return side + PAD.left + PAD.right;
  }

  /** The largest plotting side so that `count` plots fit in `width` CSS pixels with `gap`. */
  static sideFor(width, count, { compact = false, gap = 14, min = 90, max = 420 } = {}) {
    const PAD = compact ? COMPACT : FULL;
    const s = Math.floor((width - gap * (count - 1)) / count) - PAD.left - PAD.right;
    return Math.max(min, Math.min(max, s));
  }

  /** Shows [−extent, extent]². */
  setExtent(extent) {
    this.extent = extent;
    this.painter.square(extent);
    this.drawAxes();
  }

  setLabel(text) {
    this.pix.setAttribute('aria-label', text);
  }

  /** Copies the painter's pixels to the screen. */
  put() {
    this.painter.put(this.pix.getContext('2d'));
    // the first figure painted on the page, for the load-time benchmark
    if (!firstPaint) {
      firstPaint = true;
      performance.mark('cfg-first-figure-painted');
    }
  }

  /** The overlay's context, cleared, in device pixels. */
  overlay() {
    const ctx = this.over.getContext('2d');
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.over.width, this.over.height);
    return ctx;
  }

  /** Strokes segments x0, y0, x1, y1, ... (device pixels) as one path. */
  segments(ctx, buf, color, width = 1.2) {
    ctx.beginPath();
    for (let i = 0; i + 3 < buf.length; i += 4) {
      ctx.moveTo(buf[i], buf[i + 1]);
      ctx.lineTo(buf[i + 2], buf[i + 3]);
    }
    ctx.strokeStyle = color;
    ctx.lineWidth = width * this.dpr;
    ctx.lineCap = 'round';
    ctx.stroke();
  }

  /** Strokes a polyline x, y, ... (device pixels). */
  polyline(ctx, buf, color, width = 1.5, dash = null) {
    if (buf.length < 4) return;
    ctx.beginPath();
    ctx.moveTo(buf[0], buf[1]);
    for (let i = 2; i + 1 < buf.length; i += 2) ctx.lineTo(buf[i], buf[i + 1]);
    ctx.strokeStyle = color;
    ctx.lineWidth = width * this.dpr;
    ctx.lineJoin = 'round';
    ctx.setLineDash(dash ? dash.map((d) => d * this.dpr) : []);
    ctx.stroke();
    ctx.setLineDash([]);
  }

  /** A filled circle at data point (x, y), radius in CSS pixels. */
  disc(ctx, x, y, r, fill, stroke = null) {
    const [px, py] = this.painter.toPixel(x, y);
    ctx.beginPath();
    ctx.arc(px, py, r * this.dpr, 0, 2 * Math.PI);
    ctx.fillStyle = fill;
    ctx.fill();
    if (stroke) {
      ctx.strokeStyle = stroke;
      ctx.lineWidth = 1.5 * this.dpr;
      ctx.stroke();
    }
  }

  /** Data coordinates of a pointer event on the plot. */
  eventToData(ev) {
    const r = this.pix.getBoundingClientRect();
    const [x, y] = this.painter.toData((ev.clientX - r.left) * this.dpr, (ev.clientY - r.top) * this.dpr);
    return [x, y];
  }

  drawAxes() {
    const PAD = this.pad;
    const ctx = this.axes.getContext('2d');
    const dpr = this.dpr;
    const style = getComputedStyle(this.el);
    const fg = style.getPropertyValue('--cfg-muted').trim() || '#666';
    const rule = style.getPropertyValue('--cfg-rule').trim() || '#ccc';
    const bg = style.getPropertyValue('--cfg-plot-bg').trim() || '#fff';
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this.axes.width, this.axes.height);
    const s = this.side;
    ctx.fillStyle = bg;
    ctx.fillRect(PAD.left, PAD.top, s, s);
    ctx.strokeStyle = rule;
    ctx.lineWidth = 1;
    ctx.strokeRect(PAD.left + 0.5, PAD.top + 0.5, s - 1, s - 1);
    if (this.compact) return;
    const e = this.extent;
    const step = e > 2.5 ? 1 : e > 1.2 ? 0.5 : 0.25;
    ctx.fillStyle = fg;
    ctx.strokeStyle = fg;
    ctx.font = '10px system-ui, sans-serif';
    for (let v = Math.ceil(-e / step) * step; v <= e + 1e-9; v += step) {
      const label = (Number.isInteger(v) ? String(v) : v.toFixed(step < 0.5 ? 2 : 1)).replace('-', '−');
      const px = PAD.left + ((v + e) / (2 * e)) * s;
      const py = PAD.top + ((e - v) / (2 * e)) * s;
      ctx.beginPath();
      ctx.moveTo(px, PAD.top + s);
      ctx.lineTo(px, PAD.top + s + 4);
      ctx.moveTo(PAD.left - 4, py);
      ctx.lineTo(PAD.left, py);
      ctx.stroke();
      ctx.textAlign = 'center';
      ctx.textBaseline = 'top';
      ctx.fillText(label, px, PAD.top + s + 6);
      ctx.textAlign = 'right';
      ctx.textBaseline = 'middle';
      ctx.fillText(label, PAD.left - 6, py);
    }
  }

  /**
   * The plot as one canvas (axes, pixels, overlay), for PNG export, under its title as shown (each
   * word where the page lays it out, in its colour and weight: html-raster.js) when it has one.
   */
  composite() {
    const PAD = this.pad;
    const d = this.dpr;
    const br = this.box.getBoundingClientRect();
    const tr = this.titleEl?.getBoundingClientRect();
    const pieces = tr?.height > 0 ? htmlPieces(this.titleEl) : null;
    const tb = pieces && piecesBox(pieces);
    // the canvas's origin on screen: the plot's box, or up and left to take the title in
    let [ox, oy] = [br.left, br.top];
    let [w, h] = [this.axes.width, this.axes.height];
    let clip = null;
    if (tb) {
      // within the title's box (a title an ellipsis cuts short on screen is cut there too)
      clip = { left: Math.max(tb.left, tr.left), right: Math.min(tb.right, tr.right) };
      ox = Math.min(br.left, clip.left);
      oy = Math.min(br.top, tr.top);
      w = Math.max(Math.round((br.left - ox) * d) + w, Math.ceil((clip.right - ox) * d));
      h += Math.round((br.top - oy) * d);
    }
    const [x0, y0] = [Math.round((br.left - ox) * d), Math.round((br.top - oy) * d)];
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    const ctx = c.getContext('2d');
    ctx.drawImage(this.axes, x0, y0);
    ctx.drawImage(this.pix, x0 + PAD.left * d, y0 + PAD.top * d);
    ctx.drawImage(this.over, x0 + PAD.left * d, y0 + PAD.top * d);
    if (tb) {
      ctx.save();
      ctx.beginPath();
      ctx.rect((clip.left - ox) * d, (tr.top - oy) * d, (clip.right - clip.left) * d, tr.height * d);
      ctx.clip();
      drawPieces(ctx, pieces, ox, oy, d);
      ctx.restore();
    }
    return c;
  }
}
