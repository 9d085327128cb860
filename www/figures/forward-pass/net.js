// The forward-pass figure's drawing of the network: one strip of cells per layer, input on top and
// output at the bottom (two strips per layer in the CFG batch: the class row and the null row),
// each cell coloured by its unit's activation. Faint bands stand for the full connections between
// layers; the selected unit's own edges are drawn, coloured by their weights. Drawing only: the
// numbers are Model.forwardPass's and Model.unitWeights's.
import { el, fmt } from '../../lib/dom.js';

/** [r, g, b] of a #rrggbb colour (white when it is not one). */
export function rgbOf(hex) {
  const m = /^#?([\da-f]{2})([\da-f]{2})([\da-f]{2})$/i.exec(hex);
  return m ? [1, 2, 3].map((i) => parseInt(m[i], 16)) : [255, 255, 255];
}

/**
 * The colour of activation a, where |a| = scale is full colour: toward `pos` or `neg` from `bg`,
 * written into `out` ([r, g, b], reused: drawing allocates nothing per cell).
 */
export function shade(a, scale, { bg, pos, neg }, out) {
  const f = Math.min(1, Math.abs(a) / (scale || 1));
  const c = a >= 0 ? pos : neg;
  for (let i = 0; i < 3; i++) out[i] = Math.round(bg[i] + (c[i] - bg[i]) * f);
  return out;
}
const rgb = [0, 0, 0];

export class NetView {
  constructor() {
    this.canvas = el('canvas', {
      class: 'fp-net',
      tabindex: 0,
      role: 'application',
      'aria-roledescription': 'network diagram',
    });
    /** The drawn strips: { layer, row, y, h, x0, cw, n } in CSS pixels. */
    this.rows = [];
    this.sizes = [];
    this.names = [];
  }

  /** The layer sizes and input names of the network (Model.layerSizes, Model.inputLabels). */
  setNetwork(sizes, names) {
    this.sizes = sizes;
    this.names = names;
  }

  /** Values per row of a forward pass; the offset of layer l's first value in row `row`. */
  offset(row, l) {
    const sum = (xs) => xs.reduce((s, n) => s + n, 0);
    return row * sum(this.sizes) + sum(this.sizes.slice(0, l));
  }

  layerName(l) {
    return l === 0 ? 'input' : l === this.sizes.length - 1 ? 'output' : `layer ${l}`;
  }

  unitName(l, u) {
    if (l === 0) return this.names[u];
    return l === this.sizes.length - 1 ? (['vx', 'vy'][u] ?? `out ${u + 1}`) : `unit ${u + 1}`;
  }

  /** Lays the strips out in `width` CSS pixels; `batch`: two strips per layer. */
  layout(width, dpr, batch) {
    // room for the layer names, and in the batch for the rows' c and ∅
    const labelW = (width < 360 ? 46 : 56) + (batch ? 12 : 0);
    const strip = width - labelW - 6;
    const h = batch ? 11 : 15;
    let y = 4;
    this.batch = batch;
    this.rows = [];
    this.sizes.forEach((n, l) => {
      const max = l === 0 ? 20 : l === this.sizes.length - 1 ? 44 : 9;
      const cw = Math.min(max, strip / n);
      const x0 = labelW + (strip - cw * n) / 2;
      for (let r = 0; r < (batch ? 2 : 1); r++)
        this.rows.push({ layer: l, row: r, y: y + r * (h + 2), h, x0, cw, n });
      y += (batch ? 2 * h + 2 : h) + (l === 0 ? 30 : 22);
    });
    const height = y - 18;
    this.dpr = dpr;
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(height * dpr);
    Object.assign(this.canvas.style, { width: `${width}px`, height: `${height}px` });
  }

  /** The unit under CSS pixel (px, py) of the canvas, or null. */
  hit(px, py) {
    const r = this.rows.find(
      (q) => py >= q.y - 2 && py <= q.y + q.h + 2 && px >= q.x0 && px < q.x0 + q.cw * q.n,
    );
    return r ? { layer: r.layer, unit: Math.floor((px - r.x0) / r.cw) } : null;
  }

  /**
   * Draws a forward pass: `values` as Model.forwardPass gives them, `sel` the selected unit
   * { layer, unit, weights } (weights: Model.unitWeights), `colors` { bg, pos, neg } as [r, g, b]
   * and { fg, muted, rule } as CSS colours.
   */
  draw(values, sel, colors) {
    const { rows, batch } = this;
    const ctx = this.canvas.getContext('2d');
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    const { fg, muted, rule } = colors;
    // under the input row are its group labels
    const bottom = (r) => r.y + r.h + (r.layer === 0 ? 14 : 2);
    // faint bands: every unit of a layer feeds every unit of the next
    ctx.fillStyle = rule;
    ctx.globalAlpha = 0.35;
    for (let i = 0; i + 1 < rows.length; i++) {
      const [a, b] = [rows[i], rows[i + 1]];
      if (a.layer === b.layer) continue;
      ctx.beginPath();
      ctx.moveTo(a.x0, bottom(a));
      ctx.lineTo(a.x0 + a.cw * a.n, bottom(a));
      ctx.lineTo(b.x0 + b.cw * b.n, b.y - 2);
      ctx.lineTo(b.x0, b.y - 2);
      ctx.fill();
    }
    // the selected unit's edges, coloured by their weights: into it from the layer above, or for an
    // input out of it into the first hidden layer
    const mine = rows.filter((r) => r.layer === sel.layer);
    const cx = (r, u) => r.x0 + (u + 0.5) * r.cw;
    const input = sel.layer === 0;
    const other = input
      ? rows.find((r) => r.layer === 1)
      : rows.filter((r) => r.layer === sel.layer - 1).at(-1);
    const weights = sel.weights;
    if (other && weights?.length === other.n) {
      let max = 0;
      for (const w of weights) max = Math.max(max, Math.abs(w));
      const [p, n] = [colors.pos, colors.neg].map((c) => `rgb(${c[0]},${c[1]},${c[2]})`);
      const to = input ? mine.at(-1) : mine[0];
      for (let u = 0; u < other.n; u++) {
        const f = Math.abs(weights[u]) / (max || 1);
        ctx.globalAlpha = 0.12 + 0.8 * f;
        ctx.strokeStyle = weights[u] >= 0 ? p : n;
        ctx.lineWidth = 0.4 + 1.6 * f;
        ctx.beginPath();
        ctx.moveTo(cx(other, u), input ? other.y : bottom(other));
        ctx.lineTo(cx(to, sel.unit), input ? bottom(to) : to.y);
        ctx.stroke();
      }
    }
    ctx.globalAlpha = 1;
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    for (const r of rows) {
      const base = this.offset(r.row, r.layer);
      // one scale per layer, shared by the two rows of the batch so that they compare
      let scale = 0;
      for (let row = 0; row < (batch ? 2 : 1); row++) {
        const o = this.offset(row, r.layer);
        for (let u = 0; u < r.n; u++) scale = Math.max(scale, Math.abs(values[o + u]));
      }
      const gap = r.cw > 4 ? 1 : 0;
      for (let u = 0; u < r.n; u++) {
        shade(values[base + u], scale, colors, rgb);
        ctx.fillStyle = `rgb(${rgb[0]},${rgb[1]},${rgb[2]})`;
        ctx.fillRect(r.x0 + u * r.cw, r.y, Math.max(1, r.cw - gap), r.h);
      }
      ctx.strokeStyle = rule;
      ctx.lineWidth = 1;
      ctx.strokeRect(r.x0 - 0.5, r.y - 0.5, r.cw * r.n + 1, r.h + 1);
      ctx.fillStyle = muted;
      ctx.textAlign = 'right';
      if (r.row === 0)
        ctx.fillText(this.layerName(r.layer), r.x0 - (batch ? 14 : 5), r.y + (batch ? r.h + 1 : r.h / 2));
      if (batch) ctx.fillText(r.row === 0 ? 'c' : '∅', r.x0 - 3, r.y + r.h / 2);
      if (r.layer === this.sizes.length - 1) {
        ctx.textAlign = 'left';
        ctx.fillText(
          `(${fmt(values[base])}, ${fmt(values[base + 1])})`,
          r.x0 + r.cw * r.n + 6,
          r.y + r.h / 2,
        );
      }
    }
    this.drawGroups(muted);
    // the selected unit
    ctx.strokeStyle = fg;
    ctx.lineWidth = 2;
    for (const r of mine)
      ctx.strokeRect(
        r.x0 + sel.unit * r.cw - 1,
        r.y - 1,
        Math.max(2, r.cw - (r.cw > 4 ? 1 : 0)) + 2,
        r.h + 2,
      );
    const s = this.sizes;
    this.canvas.setAttribute(
      'aria-label',
      `The network: ${s[0]} inputs, ${s.length - 2} hidden layers of ${s[1]} units, output v. Selected: ${this.layerName(sel.layer)}, ${this.unitName(sel.layer, sel.unit)} = ${fmt(values[this.offset(0, sel.layer) + sel.unit])}. Arrow keys select another unit.`,
    );
  }

  /** Under the input row: x, y | t and its Fourier features | the class embedding. */
  drawGroups(muted) {
    const ctx = this.canvas.getContext('2d');
    const input = this.rows.filter((r) => r.layer === 0).at(-1);
    const n = input.n;
    const c1 = this.names.indexOf('c1');
    const groups = [
      [0, 2, 'x, y'],
      [2, c1 < 0 ? n : c1, 'Fourier features of t'],
      ...(c1 < 0 ? [] : [[c1, n, 'class c']]),
    ];
    ctx.textAlign = 'center';
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillStyle = muted;
    for (const [a, b, label] of groups) {
      ctx.fillRect(input.x0 + a * input.cw + 1, input.y + input.h + 3, (b - a) * input.cw - 2, 1);
      ctx.fillText(label, input.x0 + ((a + b) / 2) * input.cw, input.y + input.h + 10);
    }
  }
}
