// The trade-off chart of the tradeoff figure: hit rate against diversity, one curve per class over
// the guidance scales, the class itself as a cross, labels placed where they fit, a legend, the
// progress note and the hover tooltip. Drawing only: the measurements come from wasm. A canvas
// (for its label placement), with the scales and ticks of the chart module (chart.js).
//
// Why about 340 lines: the label placement (each w label tries several spots around its point and
// takes the first that overlaps nothing) and the hover read-out are most of it; they are the
// chart's own and serve no other figure.
import { fmt } from '../lib/cfg.js';
import { linear, log as logScale, linearTicks, logTicks, niceLog } from '../lib/chart.js';

export const PAD = { left: 46, right: 14, top: 14, bottom: 44 };
export const NARROW = 480; // px: below, the legend goes under the chart
const LABELLED = [1, 0, 3, 10]; // scales labelled first (then the largest, then the others)

export const wText = (w) => (Number.isInteger(w) ? String(w) : fmt(w, 1));
const key = (ci, w) => `${ci}|${w}`;

function niceMax(x) {
  const m = Math.max(1.25, x * 1.06);
  const step = m <= 1.5 ? 0.25 : 0.5;
  return Math.min(3.5, Math.ceil(m / step) * step);
}

/**
 * Draws the chart on `canvas` and returns the points on screen ({ x, y, r, text }, for hovering).
 * view: { width, height, dpr (CSS px and ratio), col (theme colours), classes (names), ws (scales,
 * ascending), results (Map `ci|w` or `ci|ref` → { metrics, fresh }), exact (ground truth: no
 * reference crosses), colorOf(ci), hover (a point of the last call, or null), progress (text or
 * null) }.
 */
export function drawChart(canvas, view) {
  const { width, height, dpr, col, classes, ws, results, colorOf, hover } = view;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const L = PAD.left;
  const T = PAD.top;
  const pw = width - PAD.left - PAD.right;
  const narrow = width < NARROW;
  const items = [
    ...classes.map((name, ci) => ({ kind: 'line', color: colorOf(ci), text: name })),
    { kind: 'ring', text: 'w = 1 (conditional)' },
    ...(view.exact ? [] : [{ kind: 'cross', text: narrow ? 'the class itself' : 'the class itself (exact)' }]),
  ];
  const lh = 16;
  const legendH = narrow ? Math.ceil((classes.length + 2) / 2) * lh + 6 : 0;
  const ph = height - PAD.top - PAD.bottom - legendH;
  const all = [...results.values()].map((r) => r.metrics.diversity).filter(Number.isFinite);
  // diversity on a linear scale from 0, or, when a scale spreads the samples over far more
  // than the class (the unconditional model on well-separated classes), on a log scale
  const dmax = all.length ? Math.max(...all) : 1;
  const log = dmax > 3;
  const xmax = log ? niceLog(dmax, 1) : niceMax(Math.max(dmax, 1));
  const xmin = log ? niceLog(Math.min(0.1, ...all), -1) : 0;
  // hit rate from a little below chance (one class in k) to just above 1, so that the points
  // at 1 sit clear of the frame; lower only if a measurement needs it
  const hits = [...results.values()].map((r) => r.metrics.hitRate).filter(Number.isFinite);
  const chance = 1 / Math.max(1, classes.length);
  const ymin = Math.max(0, Math.min(Math.floor((chance - 0.1) * 10 + 1e-9) / 10, ...hits.map((h) => Math.floor(h * 10 - 1e-9) / 10)));
  const ymax = 1 + 0.05 * (1 - ymin);
  const X = (log ? logScale : linear)([xmin, xmax], [L, L + pw]);
  const Y = linear([ymin, ymax], [T + ph, T]);
  ctx.fillStyle = col.bg;
  ctx.fillRect(L, T, pw, ph);

  // grid and ticks
  ctx.font = '11px system-ui, sans-serif';
  ctx.lineWidth = 1;
  const xstep = xmax <= 1.5 ? 0.25 : 0.5;
  const xticks = log ? logTicks(xmin, xmax, [1, 2, 5]) : linearTicks(0, xmax, 0, xstep);
  for (const v of xticks) {
    const x = Math.round(X(v)) + 0.5;
    ctx.strokeStyle = col.rule;
    ctx.globalAlpha = 0.6;
    ctx.beginPath();
    ctx.moveTo(x, T);
    ctx.lineTo(x, T + ph);
    ctx.stroke();
    ctx.globalAlpha = 1;
    ctx.strokeStyle = col.muted;
    ctx.beginPath();
    ctx.moveTo(x, T + ph);
    ctx.lineTo(x, T + ph + 4);
    ctx.stroke();
    ctx.fillStyle = col.muted;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText(log ? String(v) : fmt(v, xstep < 0.5 ? 2 : 1), x, T + ph + 6);
  }
  const ystep = 1 - ymin <= 0.7 ? 0.1 : 0.2;
  for (const v of linearTicks(ymin, 1, 0, ystep)) {
    const y = Math.round(Y(v)) + 0.5;
    ctx.strokeStyle = col.rule;
    ctx.globalAlpha = 0.6;
    ctx.beginPath();
    ctx.moveTo(L, y);
    ctx.lineTo(L + pw, y);
    ctx.stroke();
    ctx.globalAlpha = 1;
    ctx.strokeStyle = col.muted;
    ctx.beginPath();
    ctx.moveTo(L - 4, y);
    ctx.lineTo(L, y);
    ctx.stroke();
    ctx.fillStyle = col.muted;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.fillText(fmt(v, 1), L - 6, y);
  }
  ctx.strokeStyle = col.rule;
  ctx.strokeRect(L + 0.5, T + 0.5, pw - 1, ph - 1);
  // diversity 1: as wide as the class
  const x1 = Math.round(X(1)) + 0.5;
  ctx.strokeStyle = col.muted;
  ctx.setLineDash([4, 4]);
  ctx.beginPath();
  ctx.moveTo(x1, T);
  ctx.lineTo(x1, T + ph);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = col.muted;
  ctx.font = '10px system-ui, sans-serif';
  ctx.textBaseline = 'top';
  const wide = 'as wide as the class';
  const right = x1 + 4 + ctx.measureText(wide).width <= L + pw - 2;
  ctx.textAlign = right ? 'left' : 'right';
  ctx.fillText(wide, right ? x1 + 4 : x1 - 4, T + ph - 14);
  // axis titles
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillStyle = col.fg;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  const title = 'diversity: sample spread / class spread'; // (the spread: the trace of the covariance)
  ctx.fillText(log ? `${title} (log scale)` : title, L + pw / 2, T + ph + PAD.bottom - 2);
  ctx.save();
  ctx.translate(12, T + ph / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = 'middle';
  ctx.fillText('hit rate', 0, 0);
  ctx.restore();

  // the curves, lowest w first
  const screen = [];
  const boxes = []; // taken label and marker rectangles
  const pts = classes.map((name, ci) => ws.map((w) => {
    const r = results.get(key(ci, w));
    if (!r) return null;
    const d = r.metrics.diversity;
    return { ci, name, w, r, x: X(d), y: Y(r.metrics.hitRate) };
  }).filter(Boolean));
  // segments run to their true ends, clipped at the frame (off-scale points sit at the edge)
  ctx.save();
  ctx.beginPath();
  ctx.rect(L, 0, pw, height);
  ctx.clip();
  pts.forEach((list, ci) => {
    const c = colorOf(ci);
    ctx.strokeStyle = c;
    ctx.lineWidth = 2;
    ctx.lineJoin = 'round';
    for (let i = 1; i < list.length; i++) {
      const a = list[i - 1];
      const b = list[i];
      ctx.globalAlpha = a.r.fresh && b.r.fresh ? 0.9 : 0.3;
      ctx.beginPath();
      ctx.moveTo(a.x, a.y);
      ctx.lineTo(b.x, b.y);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
  });
  ctx.restore();
  // the class itself
  classes.forEach((name, ci) => {
    const r = results.get(`${ci}|ref`);
    if (!r) return;
    const x = X(r.metrics.diversity);
    const y = Y(r.metrics.hitRate);
    ctx.globalAlpha = r.fresh ? 1 : 0.35;
    ctx.strokeStyle = colorOf(ci);
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x - 5, y - 5);
    ctx.lineTo(x + 5, y + 5);
    ctx.moveTo(x - 5, y + 5);
    ctx.lineTo(x + 5, y - 5);
    ctx.stroke();
    ctx.globalAlpha = 1;
    boxes.push([x - 6, y - 6, x + 6, y + 6]);
    screen.push({ x, y, r: 7, text: `${name}, the class itself (exact velocity, w = 1): hit rate ${fmt(r.metrics.hitRate, 3)}, diversity ${fmt(r.metrics.diversity, 2)}` });
  });
  pts.forEach((list) => {
    for (const p of list) {
      const c = colorOf(p.ci);
      ctx.globalAlpha = p.r.fresh ? 1 : 0.35;
      if (p.w === 1) {
        ctx.strokeStyle = col.fg;
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.arc(p.x, p.y, 7.5, 0, 2 * Math.PI);
        ctx.stroke();
      }
      ctx.fillStyle = c;
      ctx.strokeStyle = col.bg;
      ctx.lineWidth = 1.2;
      ctx.beginPath();
      ctx.arc(p.x, p.y, 4, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
      ctx.globalAlpha = 1;
      boxes.push([p.x - 5, p.y - 5, p.x + 5, p.y + 5]);
      const m = p.r.metrics;
      screen.push({ x: p.x, y: p.y, r: 6, text: `${p.name}, w = ${wText(p.w)}: hit rate ${fmt(m.hitRate, 3)}, diversity ${fmt(m.diversity, 2)}` });
    }
  });

  // the legend goes in the empty lower left (low diversity and low hit rate are never
  // measured); its place is reserved before the labels
  ctx.font = '11px system-ui, sans-serif';
  const lw = Math.max(...items.map((it) => ctx.measureText(it.text).width)) + 34;
  const lx = L + 8;
  const ly = T + ph - 8 - items.length * lh;
  const spot = (i) => (narrow
    ? [6 + (i % 2) * ((width - 12) / 2), T + ph + PAD.bottom + 4 + Math.floor(i / 2) * lh]
    : [lx, ly + i * lh]);
  if (!narrow) boxes.push([lx - 4, ly - 4, lx - 4 + lw, ly + items.length * lh + 2]);

  // labels: w = 1, 0, 3, 10 first, then the largest, then the others, wherever they fit
  const order = [...new Set([...LABELLED.filter((w) => ws.includes(w)), ws[ws.length - 1], ...ws])];
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  const overlaps = (a) => boxes.some((b) => a[0] < b[2] && a[2] > b[0] && a[1] < b[3] && a[3] > b[1]);
  let placed = 0;
  for (const w of order) {
    const labelled = [];
    for (const p of pts.flat().filter((q) => q.w === w)) {
      if (placed >= 9) break;
      // one label per scale, unless the classes' points are far apart; scales other than the
      // chosen few only where their point stands alone
      if (labelled.some((q) => Math.hypot(q.x - p.x, q.y - p.y) < 30)) continue;
      const chosen = LABELLED.includes(w) || w === ws[ws.length - 1];
      if (!chosen && pts.flat().some((q) => q.w !== w && Math.hypot(q.x - p.x, q.y - p.y) < 16)) continue;
      const text = `w = ${wText(w)}`;
      const tw = ctx.measureText(text).width;
      const spots = [[-tw / 2, 14], [8, -11], [8, 11], [-8 - tw, -11], [-8 - tw, 11], [-tw / 2, -14]];
      for (const [dx, dy] of spots) {
        const x = p.x + dx;
        const y = p.y + dy;
        const r = [x - 2, y - 6, x + tw + 2, y + 6];
        if (r[0] < L || r[2] > L + pw || r[1] < 0 || r[3] > T + ph) continue;
        if (overlaps(r)) continue;
        boxes.push(r);
        ctx.globalAlpha = p.r.fresh ? 1 : 0.5;
        ctx.fillStyle = col.fg;
        ctx.textAlign = 'left';
        ctx.fillText(text, x, y);
        ctx.globalAlpha = 1;
        placed += 1;
        labelled.push(p);
        break;
      }
    }
  }

  // the legend
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = col.bg;
  ctx.globalAlpha = 0.9;
  if (!narrow) ctx.fillRect(lx - 4, ly - 4, lw, items.length * lh + 6);
  ctx.globalAlpha = 1;
  items.forEach((it, i) => {
    const [x0, y0] = spot(i);
    const y = y0 + lh / 2;
    const cx = x0 + 11;
    if (it.kind === 'line') {
      ctx.strokeStyle = it.color;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(x0, y);
      ctx.lineTo(x0 + 22, y);
      ctx.stroke();
      ctx.fillStyle = it.color;
      ctx.beginPath();
      ctx.arc(cx, y, 3.5, 0, 2 * Math.PI);
      ctx.fill();
    } else if (it.kind === 'ring') {
      ctx.strokeStyle = col.fg;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.arc(cx, y, 6, 0, 2 * Math.PI);
      ctx.stroke();
    } else {
      ctx.strokeStyle = col.muted;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(cx - 4, y - 4);
      ctx.lineTo(cx + 4, y + 4);
      ctx.moveTo(cx - 4, y + 4);
      ctx.lineTo(cx + 4, y - 4);
      ctx.stroke();
    }
    ctx.fillStyle = col.fg;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillText(it.text, x0 + 28, y);
  });

  // progress
  if (view.progress) {
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = col.muted;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'top';
    ctx.fillText(view.progress, L + pw - 6, T + 6);
  }

  // hover
  if (hover) {
    ctx.strokeStyle = col.fg;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.arc(hover.x, hover.y, 9, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.font = '11px system-ui, sans-serif';
    const tw = ctx.measureText(hover.text).width + 12;
    let tx = hover.x + 12;
    if (tx + tw > width - 2) tx = Math.max(2, hover.x - 12 - tw);
    const ty = Math.max(2, hover.y - 30);
    ctx.fillStyle = col.panel;
    ctx.strokeStyle = col.rule;
    ctx.lineWidth = 1;
    ctx.fillRect(tx, ty, tw, 20);
    ctx.strokeRect(tx + 0.5, ty + 0.5, tw - 1, 19);
    ctx.fillStyle = col.fg;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillText(hover.text, tx + 6, ty + 10);
  }
  return screen;
}
