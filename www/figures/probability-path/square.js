// A square of the probability-path figure: one panel's class at one time, either its exact
// density p_t (from the panel's DensityPath, once that time is computed) or the histogram of its
// samples, with a note in the corner saying which numbers stand behind it.
import { fmt, pixelRatio } from '../../lib/dom.js';
import { wText } from './refs.js';

const HIST_BINS = 64; // histogram grid of the squares
const HIST_BLUR = 2; // cells of smoothing

/**
 * A small note in the square's corner: `top` left, or bottom left. `texts`: the note from longest
 * to shortest; the first that fits the square is drawn (the last, smaller, if none does).
 */
function note(ctx, texts, col, top) {
  const d = pixelRatio();
  const pad = 3 * d;
  const room = ctx.canvas.width - 4 * d;
  let size = 10 * d;
  ctx.font = `${size}px system-ui, sans-serif`;
  const text = texts.find((t) => ctx.measureText(t).width + 2 * pad <= room) ?? texts[texts.length - 1];
  const fit = ctx.measureText(text).width + 2 * pad;
  if (fit > room) {
    size = Math.max(7 * d, (size * (room - 2 * pad)) / (fit - 2 * pad));
    ctx.font = `${size}px system-ui, sans-serif`;
  }
  const w = Math.min(room, ctx.measureText(text).width + 2 * pad);
  const h = 14 * d;
  const y = top ? 2 * d : ctx.canvas.height - h - 2 * d;
  ctx.globalAlpha = 0.8;
  ctx.fillStyle = col.bg;
  ctx.fillRect(2 * d, y, w, h);
  ctx.globalAlpha = 1;
  ctx.fillStyle = col.fg;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  ctx.fillText(text, 2 * d + pad, y + h / 2, room - 2 * pad);
}

/**
 * Draws panel `c`'s square at flow frame `k`: in exact mode (`exact`) the density of time `j` of
 * `c.dens` (exact.js) if it has arrived, else (and in histogram mode) the histogram of the
 * samples. `densP` paints at a small size into `densCanvas`, scaled up smoothly; `times` is the
 * number of times.
 */
export function drawSquare(c, k, j, { densP, densCanvas, exact, fig, col, times }) {
  const { plot } = c;
  const ctx = plot.pix.getContext('2d');
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, plot.pix.width, plot.pix.height);
  densP.clear();
  const t = c.shown.timeAt(k);
  const res = exact ? c.dens?.times[j] : undefined;
  const ready = !!res;
  if (ready) densP.logDensity(res.logP, fig.model.extent, c.ci);
  else densP.density(c.shown, k, HIST_BINS, HIST_BLUR, c.ci);
  densP.put(densCanvas.getContext('2d'));
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(densCanvas, 0, 0, plot.pix.width, plot.pix.height);
  const field = fig.state.exact ? 'the exact field' : 'the network';
  if (ready) {
    // the integral with its estimated error: a mass above 1 is the integration's error, said so
    const { mass, massError } = res;
    const massText = `${fmt(mass, 3)} ± ${fmt(massError, 3)}`;
    note(ctx, [`mass in view ${massText}`, `mass ${massText}`, massText], col, false);
    plot.setLabel(
      `Exact density p_t of class ${c.name} at t = ${fmt(t)} with guidance w = ${wText(c.dens.w)} along ${field}, by the change of variables; its integral over the view is ${massText} (the ± is the integration's estimated error); dashed circles: where 86% of each class's data lie.`,
    );
  } else {
    if (exact) {
      const count = `${c.dens?.count ?? 0}/${times}`;
      note(
        ctx,
        [`exact density: ${count} · histogram`, `exact ${count} · histogram`, `exact ${count}`],
        col,
        true,
      );
    }
    plot.setLabel(
      `Histogram of the ${c.shown.n} samples of class ${c.name} at t = ${fmt(t)} with guidance w = ${wText(c.shown.__w)}; dashed circles: where 86% of each class's data lie.`,
    );
  }
}
