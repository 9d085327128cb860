// The guidance lab's frontier chart: for each method a curve over its strength w, one number
// (the `axis` setting: hit rate, off-support or sliced W2 to the class) against diversity, each
// point with its noise bands as bars (± two bootstrap standard deviations, both ways). Drawn
// with the page's chart module (chart.js). Every measured point is a button (click, or Tab then
// Enter or Space) that sets the panels to its strength; the points grow with w, and those at the
// panels' strength are ringed. A method of DASHED (methods.js) has a dashed curve and key and
// diamond points: it is told apart by more than its colour.
import { el, fmt } from '../../lib/dom.js';
import { Chart, linearTicks, logTicks, niceLog } from '../../lib/chart.js';
import { LABEL, COLOR, DASHED, AXES, BAND_SDS, SCORES } from './methods.js';

const niceTop = (x, step) => Math.max(step, Math.ceil((x * 1.05) / step - 1e-9) * step);
const fin = (v) => (Number.isFinite(v) ? v : 0);

/** One point's numbers with their bands, as words: `hit 0.996 ± 0.006, …`. */
export function scoreText(m, bands, sep = ', ') {
  return SCORES.map(({ key, label, digits }) => {
    const b = bands?.[key];
    return `${label} ${fmt(m[key], digits)}${Number.isFinite(b) ? ` ± ${fmt(BAND_SDS * b, digits)}` : ''}`;
  }).join(sep);
}

export class Frontier {
  /** `onPick(w)`: a point was chosen. */
  constructor(onPick) {
    this.onPick = onPick;
    // (every point is a button: the chart is a group of them, not an image)
    this.chart = new Chart({
      className: 'gl-chart',
      label: 'the frontier against diversity',
      controls: true,
    });
    // (a `cfg-legend`: the PNG export draws it under the chart)
    this.legend = el('div', { class: 'gl-legend cfg-legend' });
    this.note = el('div', { class: 'gl-note' });
    // the shell's PNG export takes the chart as it stands (Chart.toCanvas)
    this.el = el(
      'div',
      { class: 'gl-frontier' },
      el('div', { class: 'gl-charts' }, this.chart.svg),
      this.legend,
      this.note,
    );
  }

  /**
   * Draws `results` (Map method → Map w → {metrics, bands}) for `methods` at `width` px with
   * `axis` (a key of AXES) up; `w`: the panels' strength (ringed); `note`: the line under the
   * legend.
   */
  draw(results, { methods, width, w, axis, note }) {
    // a redraw replaces the points: keep the keyboard on the point it was on
    const focused = this.el.getRootNode().activeElement;
    const keep = focused?.dataset?.w ? `${focused.dataset.method}|${focused.dataset.w}` : null;
    const { key, title } = AXES[axis] ?? AXES.W2;
    const cw = Math.max(240, Math.min(620, width));
    const ch = Math.round(Math.min(280, Math.max(190, cw * 0.45)));
    const all = [...results.values()].flatMap((m) => [...m.values()]);
    const divs = all.map((p) => p.metrics.diversity).filter((d) => Number.isFinite(d) && d > 0);
    // diversity on a linear scale, or on a log scale when a method blows the samples up (CFG at
    // large w with few Euler steps on a thin class) or collapses them
    const log = Math.max(1, ...divs) / Math.min(1, ...divs) > 5;
    const dmax = log ? niceLog(Math.max(1, ...divs), 1) : niceTop(Math.max(1, ...divs), 0.25);
    const dmin = log
      ? niceLog(Math.min(1, ...divs), -1)
      : Math.max(0, Math.floor(Math.min(dmax - 0.5, ...divs.map((d) => d - 0.05)) * 4) / 4);
    const ys = all.map((p) => p.metrics[key]).filter(Number.isFinite);
    const hi = all.map((p) => p.metrics[key] + BAND_SDS * fin(p.bands?.[key])).filter(Number.isFinite);
    let y;
    if (key === 'hitRate') {
      // from a tenth below the lowest hit rate (at most 0.9) to just above 1
      const hmin = Math.max(0, Math.min(0.9, ...ys.map((h) => Math.floor(h * 10 - 1e-9) / 10)));
      y = { domain: [hmin, 1 + 0.04 * (1 - hmin)], ticks: linearTicks(hmin, 1, 4) };
    } else {
      const step = key === 'offSupport' ? 0.01 : 0.05;
      const top = niceTop(Math.max(step, ...hi), step);
      y = { domain: [0, top], ticks: linearTicks(0, top, 4) };
    }
    const pad = { l: 46, r: 10, t: 10, b: 32 };
    const short = (v) => String(Number(v.toFixed(3)));
    const x = log
      ? {
          scale: 'log',
          domain: [dmin, dmax],
          ticks: logTicks(dmin, dmax, [1, 2, 5]),
          format: short,
          title: 'diversity (log scale)',
        }
      : { domain: [dmin, dmax], ticks: linearTicks(dmin, dmax, 4), format: short, title: 'diversity' };
    this.chart.frame({ width: cw, height: ch, pad, x, y: { ...y, format: short, title } }).axes();
    for (const name of methods) {
      const pts = [...(results.get(name) ?? new Map()).entries()].sort((a, b) => a[0] - b[0]);
      this.curve(name, pts, key, COLOR[name], w);
    }
    this.chart.describe(
      `${title[0].toUpperCase()}${title.slice(1)} against diversity, one curve per method (${methods.map((m) => LABEL[m]).join(', ')}) over the strength w from 1 to 9, each point with bars of ± two bootstrap standard deviations; ${all.length} points measured. Each point is a button that sets the panels to its strength.`,
    );
    this.legend.replaceChildren(
      ...methods.map((name) =>
        el(
          'span',
          { class: 'gl-key' },
          el('span', {
            class: DASHED.has(name) ? 'gl-swatch dashed' : 'gl-swatch',
            style: `--swatch:${COLOR[name]}`,
          }),
          LABEL[name],
        ),
      ),
    );
    this.note.textContent = note;
    if (keep) {
      const [name, s] = keep.split('|');
      this.chart.svg.querySelector(`[data-method="${name}"][data-w="${s}"]`)?.focus();
    }
  }

  /** One method's curve: the line, each point's bars, then a button per point. */
  curve(name, pts, key, color, w) {
    const chart = this.chart;
    const dashed = DASHED.has(name);
    const xy = pts.filter(([, p]) => Number.isFinite(p.metrics.diversity) && Number.isFinite(p.metrics[key]));
    chart.line(
      xy.map(([, p]) => [p.metrics.diversity, p.metrics[key]]),
      { class: dashed ? 'gl-curve dashed' : 'gl-curve', stroke: color },
    );
    for (const [, { metrics: m, bands: b }] of xy) {
      const [bx, by] = [BAND_SDS * fin(b?.diversity), BAND_SDS * fin(b?.[key])];
      chart.line(
        [
          [m.diversity, m[key] - by],
          [m.diversity, m[key] + by],
        ],
        { class: 'gl-band', stroke: color },
      );
      chart.line(
        [
          [Math.max(1e-6, m.diversity - bx), m[key]],
          [m.diversity + bx, m[key]],
        ],
        { class: 'gl-band', stroke: color },
      );
    }
    for (const [s, { metrics: m, bands }] of xy) {
      const readout = `${LABEL[name]}, w = ${s}: ${scoreText(m, bands)}`;
      // the points grow with w: the curve's direction without labels
      const r = 2 + 0.35 * s + (s === w ? 1.5 : 0);
      const [dot] = chart.points(
        [{ x: m.diversity, y: m[key], readout }],
        { class: s === w ? 'gl-pt gl-now' : 'gl-pt', fill: color },
        r,
        { shape: dashed ? 'diamond' : 'circle' },
      );
      if (!dot) continue;
      dot.setAttribute('tabindex', '0');
      dot.setAttribute('role', 'button');
      dot.setAttribute('aria-label', `${readout}. Set the panels to w = ${s}.`);
      dot.dataset.method = name;
      dot.dataset.w = String(s);
      const pick = () => this.onPick(s);
      dot.addEventListener('click', pick);
      dot.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          pick();
        }
      });
    }
  }
}
