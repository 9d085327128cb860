// The trade-off chart of the tradeoff figure: hit rate against diversity, one curve per class over
// the guidance scales, the class itself as a cross, labels placed where they fit, a legend and the
// progress note, drawn with the page's chart module (www/lib/chart.js: SVG, axes, read-outs).
// Drawing only: the measurements come from wasm. What is the chart's own: its axes (diversity
// from 0, or on a log scale when a scale spreads the samples far more than the class; hit rate
// from a little below chance) and the label placement (each w label tries several spots around
// its point and takes the first that overlaps nothing).
import { fmt } from '../../lib/dom.js';
import { linearTicks, logTicks, niceLog } from '../../lib/chart.js';

export const PAD = { l: 46, r: 14, t: 14, b: 44 };
export const NARROW = 480; // px: below, the legend goes under the chart
const LH = 16; // legend line height
const LABELLED = [1, 0, 3, 10]; // scales labelled first (then the largest, then the others)

export const wText = (w) => (Number.isInteger(w) ? String(w) : fmt(w, 1));
const key = (ci, w) => `${ci}|${w}`;

/** The height of the legend under a chart `width` px wide with `k` classes (0: it is inside). */
export const legendHeight = (width, k) => (width < NARROW ? Math.ceil((k + 2) / 2) * LH + 6 : 0);

function niceMax(x) {
  const m = Math.max(1.25, x * 1.06);
  const step = m <= 1.5 ? 0.25 : 0.5;
  return Math.min(3.5, Math.ceil(m / step) * step);
}

/**
 * The two axes (for Chart.frame) of the measurements `results` (Map → { metrics }) of `k`
 * classes: diversity on a linear scale from 0 (labelled every 0.5, ticks 0.25 or 0.5
 * apart) or, when a scale spreads the samples over far more than the class (the unconditional
 * model on well-separated classes), on a log scale; hit rate from a little below chance (one
 * class in k) to just above 1, so that the points at 1 sit clear of the frame, lower only if a
 * measurement needs it.
 */
export function axesOf(results, k) {
  const all = [...results.values()].map((r) => r.metrics.diversity).filter(Number.isFinite);
  const dmax = all.length ? Math.max(...all) : 1;
  const log = dmax > 3;
  const xmax = log ? niceLog(dmax, 1) : niceMax(Math.max(dmax, 1));
  const xmin = log ? niceLog(Math.min(0.1, ...all.filter((d) => d > 0)), -1) : 0;
  const xstep = xmax <= 1.5 ? 0.25 : 0.5; // between ticks
  const hits = [...results.values()].map((r) => r.metrics.hitRate).filter(Number.isFinite);
  const chance = 1 / Math.max(1, k);
  const ymin = Math.max(
    0,
    Math.min(Math.floor((chance - 0.1) * 10 + 1e-9) / 10, ...hits.map((h) => Math.floor(h * 10 - 1e-9) / 10)),
  );
  const title = 'diversity: sample spread / class spread'; // (the spread: the trace of the covariance)
  return {
    x: {
      scale: log ? 'log' : 'linear',
      domain: [xmin, xmax],
      // labelled every 0.5, with unlabelled ticks between when they are 0.25 apart
      ticks: log ? logTicks(xmin, xmax, [1, 2, 5]) : linearTicks(0, xmax, 0, 0.5),
      minor: log
        ? []
        : linearTicks(0, xmax, 0, xstep).filter((v) => Math.abs(v * 2 - Math.round(v * 2)) > 1e-9),
      format: log ? String : (v) => fmt(v, 1),
      title: log ? `${title} (log scale)` : title,
      titleGap: PAD.b - 5,
    },
    y: {
      domain: [ymin, 1 + 0.05 * (1 - ymin)],
      ticks: linearTicks(ymin, 1, 0, 1 - ymin <= 0.7 ? 0.1 : 0.2),
      format: (v) => fmt(v, 1),
      title: 'hit rate',
    },
  };
}

/**
 * Draws the chart with `chart` (a Chart). view: { width, height (px), classes (names), ws
 * (scales, ascending), results (Map `ci|w` or `ci|ref` → { metrics, fresh }), exact (ground
 * truth: no reference crosses), colorOf(ci), progress (text or null) }.
 */
export function drawChart(chart, view) {
  const { width, height, classes, ws, results, colorOf } = view;
  const narrow = width < NARROW;
  const { x: ax, y: ay } = axesOf(results, classes.length);
  chart.frame({
    width,
    height,
    pad: { ...PAD, b: PAD.b + legendHeight(width, classes.length) },
    x: ax,
    y: ay,
  });
  const { x: X, y: Y, plot: p } = chart;
  chart.add('rect', { class: 'bg', x: p.l, y: p.t, width: p.r - p.l, height: p.b - p.t });
  chart.axes({ box: true });
  // diversity 1: as wide as the class
  const x1 = X(1);
  chart.add('line', { class: 'wide', x1, x2: x1, y1: p.t, y2: p.b });
  const wide = 'as wide as the class';
  const right = x1 + 4 + chart.textWidth(wide, 10) <= p.r - 2;
  chart.text(right ? x1 + 4 : x1 - 4, p.b - 5, wide, {
    class: 'wide-label',
    'text-anchor': right ? 'start' : 'end',
  });

  // the curves, lowest w first: a polyline for each run of fresh (or of stale) segments, which
  // run to their true ends, clipped at the frame
  const pts = classes.map((name, ci) =>
    ws
      .map((w) => {
        const r = results.get(key(ci, w));
        if (!r) return null;
        const q = { ci, name, w, r, x: X(r.metrics.diversity), y: Y(r.metrics.hitRate) };
        return Number.isFinite(q.x) && Number.isFinite(q.y) ? q : null;
      })
      .filter(Boolean),
  );
  const curves = chart.add('g', { class: 'curves', 'clip-path': chart.clip() });
  pts.forEach((list, ci) => {
    for (let i = 1, start = 0; i < list.length; i++) {
      const fresh = list[i - 1].r.fresh && list[i].r.fresh;
      if (i + 1 < list.length && (list[i].r.fresh && list[i + 1].r.fresh) === fresh) continue;
      chart.line(
        list.slice(start, i + 1).map((q) => [q.r.metrics.diversity, q.r.metrics.hitRate]),
        { class: 'curve', stroke: colorOf(ci), opacity: fresh ? 0.9 : 0.3 },
        curves,
      );
      start = i;
    }
  });
  // the class itself (a cross), under the points; its read-out follows its class's points
  const boxes = []; // taken label and marker rectangles
  const refs = classes.map((name, ci) => {
    const r = results.get(`${ci}|ref`);
    if (!r) return null;
    const [x, y] = [X(r.metrics.diversity), Y(r.metrics.hitRate)];
    if (!Number.isFinite(x) || !Number.isFinite(y)) return null;
    chart.mark('cross', x, y, 5, { class: 'ref', stroke: colorOf(ci), opacity: r.fresh ? 1 : 0.35 });
    boxes.push([x - 6, y - 6, x + 6, y + 6]);
    return {
      x,
      y,
      readout: [
        `${name}: the class itself`,
        'exact velocity, w = 1',
        `hit rate ${fmt(r.metrics.hitRate, 3)}, diversity ${fmt(r.metrics.diversity, 2)}`,
      ],
    };
  });
  pts.forEach((list, ci) => {
    for (const q of list.filter((q) => q.w === 1))
      chart.mark('circle', q.x, q.y, 7.5, { class: 'ring', opacity: q.r.fresh ? 1 : 0.35 });
    chart.points(
      list.map((q) => ({
        x: q.r.metrics.diversity,
        y: q.r.metrics.hitRate,
        attrs: { fill: colorOf(ci), opacity: q.r.fresh ? 1 : 0.35 },
        readout: [
          `${q.name}, w = ${wText(q.w)}`,
          `hit rate ${fmt(q.r.metrics.hitRate, 3)}, diversity ${fmt(q.r.metrics.diversity, 2)}`,
        ],
      })),
      { class: 'pt' },
      4,
    );
    for (const q of list) boxes.push([q.x - 5, q.y - 5, q.x + 5, q.y + 5]);
    if (refs[ci]) chart.target(refs[ci].x, refs[ci].y, refs[ci].readout);
  });

  // the legend goes in the empty lower left (low diversity and low hit rate are never
  // measured), or under the chart when narrow; its place is reserved before the labels
  const items = [
    ...classes.map((name, ci) => ({ kind: 'line', color: colorOf(ci), text: name })),
    { kind: 'ring', text: 'w = 1 (conditional)' },
    ...(view.exact
      ? []
      : [{ kind: 'cross', text: narrow ? 'the class itself' : 'the class itself (exact)' }]),
  ];
  const lw = Math.max(...items.map((it) => chart.textWidth(it.text, 11))) + 34;
  const lx = p.l + 8;
  const ly = p.b - 8 - items.length * LH;
  const spot = (i) =>
    narrow ? [6 + (i % 2) * ((width - 12) / 2), p.b + PAD.b + 4 + Math.floor(i / 2) * LH] : [lx, ly + i * LH];
  if (!narrow) boxes.push([lx - 4, ly - 4, lx - 4 + lw, ly + items.length * LH + 2]);

  // labels: w = 1, 0, 3, 10 first, then the largest, then the others, wherever they fit
  const order = [...new Set([...LABELLED.filter((w) => ws.includes(w)), ws[ws.length - 1], ...ws])];
  const overlaps = (a) => boxes.some((b) => a[0] < b[2] && a[2] > b[0] && a[1] < b[3] && a[3] > b[1]);
  const all = pts.flat();
  let placed = 0;
  for (const w of order) {
    const labelled = [];
    for (const q of all.filter((o) => o.w === w)) {
      if (placed >= 7) break; // (the words a reader sees stay few: tests/words.test.js)
      // one label per scale, unless the classes' points are far apart; scales other than the
      // chosen few only where their point stands alone
      if (labelled.some((o) => Math.hypot(o.x - q.x, o.y - q.y) < 30)) continue;
      const chosen = LABELLED.includes(w) || w === ws[ws.length - 1];
      if (!chosen && all.some((o) => o.w !== w && Math.hypot(o.x - q.x, o.y - q.y) < 16)) continue;
      const text = `w = ${wText(w)}`;
      const tw = chart.textWidth(text, 11);
      const spots = [
        [-tw / 2, 14],
        [8, -11],
        [8, 11],
        [-8 - tw, -11],
        [-8 - tw, 11],
        [-tw / 2, -14],
      ];
      for (const [dx, dy] of spots) {
        const x = q.x + dx;
        const y = q.y + dy;
        const r = [x - 2, y - 6, x + tw + 2, y + 6];
        if (r[0] < p.l || r[2] > p.r || r[1] < 0 || r[3] > p.b || overlaps(r)) continue;
        boxes.push(r);
        chart.text(x, y, text, {
          class: 'wlabel',
          'dominant-baseline': 'central',
          opacity: q.r.fresh ? 1 : 0.5,
        });
        placed += 1;
        labelled.push(q);
        break;
      }
    }
  }

  // the legend
  const legend = chart.add('g', { class: 'legend' });
  if (!narrow)
    chart.add(
      'rect',
      { class: 'legend-bg', x: lx - 4, y: ly - 4, width: lw, height: items.length * LH + 6 },
      null,
      legend,
    );
  items.forEach((it, i) => {
    const [x0, y0] = spot(i);
    const y = y0 + LH / 2;
    const cx = x0 + 11;
    if (it.kind === 'line') {
      chart.add(
        'line',
        { class: 'key-line', x1: x0, x2: x0 + 22, y1: y, y2: y, stroke: it.color },
        null,
        legend,
      );
      chart.mark('circle', cx, y, 3.5, { fill: it.color }, legend);
    } else if (it.kind === 'ring') chart.mark('circle', cx, y, 6, { class: 'ring' }, legend);
    else chart.mark('cross', cx, y, 4, { class: 'key-cross' }, legend);
    chart.text(x0 + 28, y, it.text, { 'dominant-baseline': 'central' }, legend);
  });

  if (view.progress) chart.text(p.r - 6, p.t + 15, view.progress, { class: 'note', 'text-anchor': 'end' });
}
