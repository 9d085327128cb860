// The probability-path figure's references: the two data sets of Figs 6 and 7 are two Gaussian
// classes whose means lie on the diagonal, drawn as a cross at each mean and a dashed circle of
// radius 2σ (86% of a class), and on the strips each mean's position along (x + y)/√2. Means
// and σ come from the model's data.

import { fmt } from '../../lib/dom.js';

/** A guidance scale as text: whole numbers without decimals. */
export const wText = (w) => fmt(w, Number.isInteger(Math.round(w * 10) / 10) ? 0 : 1);

const classRefs = new WeakMap();

/** The classes' means and σ of `model` ({means, std}), or null without a model. */
export function classesOf(model) {
  if (!model) return null;
  if (!classRefs.has(model)) {
    const m = model.classMoments();
    classRefs.set(model, { means: m.map((c) => c.mean), std: Math.sqrt(m[0].cov[0]) });
  }
  return classRefs.get(model);
}

/** Position along the diagonal, (x + y)/√2. */
export const along = ([x, y]) => (x + y) / Math.SQRT2;

/** A cross at each class mean and a dashed 2σ circle on every square's overlay. */
export function paintReferences(cells, model, colorOf) {
  const ref = classesOf(model);
  for (const c of cells) {
    const { plot } = c;
    const ctx = plot.overlay();
    if (!ref) continue;
    const d = plot.dpr;
    const scale = plot.pix.width / (2 * plot.extent);
    ref.means.forEach(([mx, my], i) => {
      const [px, py] = plot.painter.toPixel(mx, my);
      const own = i === c.ci;
      ctx.strokeStyle = colorOf(i);
      ctx.globalAlpha = own ? 0.95 : 0.6;
      ctx.lineWidth = (own ? 1.3 : 1) * d;
      ctx.setLineDash([4 * d, 3 * d]);
      ctx.beginPath();
      ctx.arc(px, py, 2 * ref.std * scale, 0, 2 * Math.PI);
      ctx.stroke();
      ctx.setLineDash([]);
      const a = 4 * d;
      ctx.beginPath();
      ctx.moveTo(px - a, py);
      ctx.lineTo(px + a, py);
      ctx.moveTo(px, py - a);
      ctx.lineTo(px, py + a);
      ctx.stroke();
    });
    ctx.globalAlpha = 1;
  }
}
