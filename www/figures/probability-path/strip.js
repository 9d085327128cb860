// The strip under each square of the probability-path figure: the whole path of one panel at
// once, time left to right and, upward, the position along the diagonal (x + y)/√2, as a
// histogram of the samples in each time column (scaled to its own peak), with the class means
// dashed and the playhead.
import { fmt } from '../../lib/dom.js';
import { classesOf, along } from './refs.js';
import { FULL, stripAxes } from '../../lib/path-strip.js';

export const STRIP_BINS = 96; // projection bins of the strips
export const SPAD = FULL; // the strip's frame: as Plot's, left and right

/**
 * Paints panel `c`'s path (its flow `c.shown`) into `c.stripImg` through the shared painter
 * `stripP`, over (x + y)/√2 in [−r, r]; `wText` formats w for the label.
 */
export function paintStrip(c, stripP, r, model, wText) {
  const f = c.shown;
  const frames = f.steps + 1;
  const w = Math.min(1024, frames * Math.max(2, Math.ceil(256 / frames)));
  if (stripP.width !== w) stripP.resize(w, STRIP_BINS * 2);
  stripP.clear();
  stripP.projection(f, 1, 1, -r, r, STRIP_BINS, 1, c.ci);
  if (c.stripImg.width !== w) c.stripImg.width = w;
  if (c.stripImg.height !== STRIP_BINS * 2) c.stripImg.height = STRIP_BINS * 2;
  stripP.put(c.stripImg.getContext('2d'));
  const means = classesOf(model)?.means.map(along);
  c.strip.setAttribute(
    'aria-label',
    `Probability path of class ${c.name} at w = ${wText(f.__w)}: a histogram of the samples along (x + y)/√2 (upward, ${fmt(-r, 1)} to ${fmt(r, 1)}) against time t (left to right)${means ? `, with the class means at ${means.map((m) => fmt(m)).join(' and ')}` : ''}.`,
  );
}

/** Draws panel `c`'s strip canvas: the painted path, the means, the frame, ticks and the playhead at frame `k`. */
export function drawStrip(c, k, col, { dpr, r, model, colorOf }) {
  const cv = c.strip;
  const ctx = cv.getContext('2d');
  const W = cv.width / dpr;
  const H = cv.height / dpr;
  const pw = W - SPAD.left - SPAD.right;
  const ph = H - SPAD.top - SPAD.bottom;
  const L = SPAD.left;
  const T = SPAD.top;
  const steps = c.shown.steps;
  const xOfFrame = (kk) => L + ((kk + 0.5) / (steps + 1)) * pw;
  const yOf = (v) => T + ((r - v) / (2 * r)) * ph;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, W, H);
  ctx.fillStyle = col.bg;
  ctx.fillRect(L, T, pw, ph);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  if (c.stripImg.width) ctx.drawImage(c.stripImg, L, T, pw, ph);
  // the class means, dashed, in their colours
  const means = classesOf(model)?.means.map(along) ?? [];
  ctx.lineWidth = 1;
  ctx.setLineDash([4, 3]);
  means.forEach((m, i) => {
    const y = Math.round(yOf(m)) + 0.5;
    ctx.strokeStyle = colorOf(i);
    ctx.beginPath();
    ctx.moveTo(L, y);
    ctx.lineTo(L + pw, y);
    ctx.stroke();
  });
  ctx.setLineDash([]);
  ctx.strokeStyle = col.rule;
  ctx.strokeRect(L + 0.5, T + 0.5, pw - 1, ph - 1);
  // the playhead
  const x = xOfFrame(k);
  ctx.strokeStyle = col.fg;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.moveTo(x, T);
  ctx.lineTo(x, T + ph);
  ctx.stroke();
  ctx.fillStyle = col.fg;
  ctx.beginPath();
  ctx.moveTo(x - 4, T + ph + 5);
  ctx.lineTo(x + 4, T + ph + 5);
  ctx.lineTo(x, T + ph);
  ctx.closePath();
  ctx.fill();
  stripAxes(ctx, {
    L,
    T,
    ph,
    r,
    xOf: (t) => xOfFrame(t * steps),
    yOf,
    name: '(x+y)/√2',
    color: col.muted,
    labelGap: 6,
    avoidX: x,
  });
}
