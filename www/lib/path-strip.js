// A probability-path strip for any recorded flow: how the density of the samples evolves from
// t = 0 (noise, left) to t = 1 (data, right), upward the position along the line through the
// class means. The wasm Painter bins and smooths it (`Painter.pathStrip`, crate/src/strip.rs: a
// histogram per pixel column, each particle on the straight line between its recorded steps, each
// column scaled to its own peak, columns not computed yet left empty, so the strip fills as the
// flow advances); this module only frames it: axes, ticks, the class means (dashed, in their
// colours), the front of the computation, and a screen-reader description.
import { el, fmt, colorOf, pixelRatio } from './dom.js';

/** The full frame leaves Plot's left margin for tick labels, so a strip lines up under a plot. */
export const FULL = { left: 30, right: 6, top: 4, bottom: 18 };
const COMPACT = { left: 2, right: 2, top: 2, bottom: 2 };

/**
 * The axis of the strips for `model`'s data: the unit direction from the first class mean to the
 * second, the class means' positions along it, and its name ("(x+y)/√2" for the diagonal).
 */
export function meanAxis(model) {
  const means = model.classMoments().map((c) => c.mean);
  let u = means.length >= 2 ? [means[1][0] - means[0][0], means[1][1] - means[0][1]] : [1, 1];
  const norm = Math.hypot(u[0], u[1]);
  u = norm > 1e-9 ? [u[0] / norm, u[1] / norm] : [Math.SQRT1_2, Math.SQRT1_2];
  const diagonal = Math.abs(u[0] - Math.SQRT1_2) < 1e-3 && Math.abs(u[1] - Math.SQRT1_2) < 1e-3;
  return {
    u,
    means: means.map(([x, y]) => u[0] * x + u[1] * y),
    name: diagonal ? '(x+y)/√2' : `${fmt(u[0])}·x + ${fmt(u[1])}·y`,
    range: 1.1 * model.extent,
  };
}

export class PathStrip {
  /**
   * @param wasm  the wasm bindings
   * @param opts  { compact (no tick labels, for small multiples), bins (histogram bins along the
   *               axis), blur (bins of smoothing), title (shown above, optional) }
   */
  constructor(wasm, opts = {}) {
    this.compact = !!opts.compact;
    this.pad = this.compact ? COMPACT : FULL;
    this.bins = opts.bins ?? (this.compact ? 40 : 96);
    this.blur = opts.blur ?? 1;
    // time columns: column c is at t = c / (cols − 1)
    this.cols = this.compact ? 97 : 257;
    this.painter = new wasm.Painter(this.cols, this.bins, 1);
    this.img = document.createElement('canvas');
    this.canvas = el('canvas', {
      class: 'strip path-strip',
      role: 'img',
      'aria-label': 'probability path (computing)',
    });
    this.titleEl =
      opts.title !== undefined
        ? el('div', { class: `plot-title strip-title${this.compact ? ' compact' : ''}` }, opts.title)
        : null;
    this.el = el('div', { class: 'path-strip-box' }, this.titleEl, this.canvas);
    this.width = 0;
    this.height = 0;
    this.dpr = 1;
    this.axis = null;
    this.flow = null;
    this.key = '';
  }

  setTitle(...nodes) {
    this.titleEl?.replaceChildren(...nodes);
  }

  /** Total width and height in CSS pixels (frame included); returns whether they changed. */
  resize(width, height) {
    const dpr = pixelRatio();
    width = Math.max(40, Math.round(width));
    height = Math.max(24, Math.round(height));
    if (width === this.width && height === this.height && dpr === this.dpr) return false;
    Object.assign(this, { width, height, dpr });
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(height * dpr);
    Object.assign(this.canvas.style, { width: `${width}px`, height: `${height}px` });
    this.key = '';
    return true;
  }

  /**
   * Shows `flow` (which must record its trajectory) in palette colour `color`, with `axis` from
   * `meanAxis`; `what` names it for screen readers ("rectified CFG, class upper-right"). Repaints
   * only when the flow, its step or the size changed, unless `force`.
   */
  show(flow, color, axis, what, force = false) {
    const key = `${this.width}|${this.dpr}|${flow.step}|${color}|${axis.name}|${axis.range}`;
    if (!force && flow === this.flow && key === this.key) return;
    this.flow = flow;
    this.key = key;
    this.axis = axis;
    const w = this.cols;
    this.painter.clear();
    const r = axis.range;
    this.painter.pathStrip(flow, axis.u[0], axis.u[1], -r, r, this.bins, this.blur, color);
    if (this.img.width !== w) this.img.width = w;
    if (this.img.height !== this.bins) this.img.height = this.bins;
    this.painter.put(this.img.getContext('2d'));
    this.draw(flow);
    const upTo = flow.done ? 'from t = 0 to 1' : `from t = 0 to ${fmt(flow.timeAt(flow.step), 2)} so far`;
    this.canvas.setAttribute(
      'aria-label',
      `Probability path of ${what}: the density of the ${flow.n} samples along ${axis.name} (upward, ${fmt(-r, 1)} to ${fmt(r, 1)}) against time t (left to right) ${upTo}, ${flow.steps} steps; dashed: the class means at ${axis.means.map((m) => fmt(m)).join(' and ')}.`,
    );
  }

  draw(flow) {
    const ctx = this.canvas.getContext('2d');
    const st = getComputedStyle(this.canvas);
    const col = (name, fallback) => st.getPropertyValue(name).trim() || fallback;
    const fg = col('--cfg-fg', '#111');
    const muted = col('--cfg-muted', '#666');
    const { width: W, height: H, pad, axis } = this;
    const pw = W - pad.left - pad.right;
    const ph = H - pad.top - pad.bottom;
    const L = pad.left;
    const T = pad.top;
    const r = axis.range;
    const xOf = (t) => L + t * pw;
    const yOf = (v) => T + ((r - v) / (2 * r)) * ph;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    ctx.fillStyle = col('--cfg-plot-bg', '#fff');
    ctx.fillRect(L, T, pw, ph);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    // column centres at their times: the first at t = 0 (x = L), the last at t = 1 (x = L + pw)
    const half = pw / (2 * (this.cols - 1));
    ctx.save();
    ctx.beginPath();
    ctx.rect(L, T, pw, ph);
    ctx.clip();
    ctx.drawImage(this.img, L - half, T, pw + 2 * half, ph);
    ctx.restore();
    // the class means, dashed, in their colours, over a faint line of the background (a mean
    // stays visible on a density of its own colour)
    const bg = col('--cfg-plot-bg', '#fff');
    axis.means.forEach((m, i) => {
      const y = Math.round(yOf(m)) + 0.5;
      for (const [stroke, width, dash, alpha] of [
        [bg, 3, [], 0.55],
        [colorOf(i), 1.2, this.compact ? [3, 2] : [4, 3], 1],
      ]) {
        ctx.strokeStyle = stroke;
        ctx.lineWidth = width;
        ctx.globalAlpha = alpha;
        ctx.setLineDash(dash);
        ctx.beginPath();
        ctx.moveTo(L, y);
        ctx.lineTo(L + pw, y);
        ctx.stroke();
      }
    });
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;
    ctx.lineWidth = 1;
    ctx.strokeStyle = col('--cfg-rule', '#ccc');
    ctx.strokeRect(L + 0.5, T + 0.5, pw - 1, ph - 1);
    // the front of the computation, while it runs
    if (!flow.done && flow.step > 0) {
      const x = xOf(flow.timeAt(flow.step));
      ctx.strokeStyle = fg;
      ctx.globalAlpha = 0.6;
      ctx.beginPath();
      ctx.moveTo(x, T);
      ctx.lineTo(x, T + ph);
      ctx.stroke();
      ctx.globalAlpha = 1;
    }
    if (this.compact) return;
    stripAxes(ctx, { L, T, ph, r, xOf, yOf, name: axis.name, color: muted, labelGap: 5 });
  }
}

/**
 * A strip's ticks and labels in `color`: t = 0, 0.5, 1 along the bottom (`xOf(t)`), the projected
 * coordinate over [−r, r] on the left (`yOf(v)`), and the axis `name` along the left edge. Labels
 * sit `labelGap` px under the frame; the t labels at 0 and 1 give way to a playhead at `avoidX`.
 */
export function stripAxes(ctx, { L, T, ph, r, xOf, yOf, name, color, labelGap, avoidX = null }) {
  ctx.fillStyle = color;
  ctx.strokeStyle = color;
  ctx.lineWidth = 1;
  ctx.font = '10px system-ui, sans-serif';
  ctx.textBaseline = 'top';
  for (const t of [0, 0.5, 1]) {
    const tx = xOf(t);
    ctx.beginPath();
    ctx.moveTo(tx, T + ph);
    ctx.lineTo(tx, T + ph + 3);
    ctx.stroke();
    ctx.textAlign = t === 0 ? 'left' : t === 1 ? 'right' : 'center';
    if (avoidX !== null && Math.abs(tx - avoidX) <= 14 && t !== 0.5) continue;
    ctx.fillText(t === 0 ? 't = 0' : String(t), t === 0 ? tx - 2 : t === 1 ? tx + 2 : tx, T + ph + labelGap);
  }
  const unit = ph / (2 * r);
  const step = [0.5, 1, 2, 4].find((s) => s * unit >= 14 && (2 * r) / s <= 5) ?? 4;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let v = Math.ceil(-r / step) * step; v <= r + 1e-9; v += step) {
    const y = yOf(v);
    ctx.beginPath();
    ctx.moveTo(L - 3, y);
    ctx.lineTo(L, y);
    ctx.stroke();
    ctx.fillText((Number.isInteger(v) ? String(v) : v.toFixed(1)).replace('-', '−'), L - 5, y);
  }
  // the axis name, along the left edge
  ctx.save();
  ctx.translate(7, T + ph / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.font = '9px system-ui, sans-serif';
  ctx.fillText(name, 0, 0);
  ctx.restore();
}

/** A plot with its strip under it as one exported picture: wrap both in a `.plot` node. */
export function stackForExport(node, ...parts) {
  for (const p of parts) p.el.classList.replace('plot', 'ps-part');
  node.classList.add('plot');
  node.__plot = {
    composite() {
      const cs = parts.map((p) => (p.composite ? p.composite() : p.canvas));
      const out = document.createElement('canvas');
      out.width = Math.max(...cs.map((c) => c.width));
      out.height = cs.reduce((s, c) => s + c.height, 0);
      const ctx = out.getContext('2d');
      let y = 0;
      for (const c of cs) {
        ctx.drawImage(c, 0, y);
        y += c.height;
      }
      return out;
    },
  };
  return node;
}
