// The guidance lab's frontier chart: for each method a curve over its strength w, hit rate
// (precision) against diversity, and beside it off-support against diversity. Drawn with the
// page's chart module (chart.js). Every measured point is a button (click, or Tab then Enter or
// Space) that sets the panels to its strength; the points grow with w, and those at the panels'
// strength are ringed.
import { el, fmt } from '../../lib/dom.js';
import { Chart, linearTicks, logTicks, niceLog } from '../../lib/chart.js';
import { LABEL, COLOR } from './methods.js';

/** Width below which the two charts stack. */
const STACK = 560;

const niceTop = (x, step) => Math.max(step, Math.ceil((x * 1.05) / step - 1e-9) * step);

export class Frontier {
  /** `onPick(w)`: a point was chosen. */
  constructor(onPick) {
    this.onPick = onPick;
    // (every point is a button: the charts are groups of them, not images)
    this.precision = new Chart({ className: 'gl-chart', label: 'hit rate against diversity', controls: true });
    this.support = new Chart({ className: 'gl-chart', label: 'off-support against diversity', controls: true });
    this.legend = el('div', { class: 'gl-legend' });
    this.note = el('div', { class: 'gl-note' });
    // the shell's PNG export takes both charts as they stand (Chart.toCanvas)
    this.el = el('div', { class: 'gl-frontier' },
      el('div', { class: 'gl-charts' }, this.precision.svg, this.support.svg),
      this.legend, this.note);
  }

  /**
   * Draws `results` (Map method → Map w → metrics) for `methods` at `width` px; `w`: the panels'
   * strength (ringed); `note`: the line under the legend.
   */
  draw(results, { methods, width, w, note }) {
    // a redraw replaces the points: keep the keyboard on the point it was on
    const focused = this.el.getRootNode().activeElement;
    const keep = focused?.dataset?.w ? `${focused.closest('svg') === this.support.svg}|${focused.dataset.method}|${focused.dataset.w}` : null;
    const stacked = width < STACK;
    const cw = Math.max(240, Math.min(460, stacked ? width : (width - 16) / 2));
    const ch = Math.round(Math.min(260, Math.max(190, cw * 0.62)));
    const all = [...results.values()].flatMap((m) => [...m.values()]);
    const divs = all.map((m) => m.diversity).filter((d) => Number.isFinite(d) && d > 0);
    // diversity on a linear scale, or on a log scale when a method blows the samples up (CFG at
    // large w with few Euler steps on a thin class) or collapses them
    const log = Math.max(1, ...divs) / Math.min(1, ...divs) > 5;
    const dmax = log ? niceLog(Math.max(1, ...divs), 1) : niceTop(Math.max(1, ...divs), 0.25);
    const dmin = log ? niceLog(Math.min(1, ...divs), -1) : Math.max(0, Math.floor(Math.min(dmax - 0.5, ...divs.map((d) => d - 0.05)) * 4) / 4);
    const hits = all.map((m) => m.hitRate).filter(Number.isFinite);
    // from a tenth below the lowest hit rate (at most 0.9) to just above 1
    const hmin = Math.max(0, Math.min(0.9, ...hits.map((h) => Math.floor(h * 10 - 1e-9) / 10)));
    const omax = niceTop(Math.max(0.01, ...all.map((m) => m.offSupport).filter(Number.isFinite)), 0.01);
    const pad = { l: 42, r: 10, t: 10, b: 32 };
    const short = (v) => String(Number(v.toFixed(3)));
    const x = log
      ? { scale: 'log', domain: [dmin, dmax], ticks: logTicks(dmin, dmax, [1, 2, 5]), format: short, title: 'diversity (log scale)' }
      : { domain: [dmin, dmax], ticks: linearTicks(dmin, dmax, 4), format: short, title: 'diversity' };
    this.precision.frame({ width: cw, height: ch, pad, x, y: { domain: [hmin, 1 + 0.04 * (1 - hmin)], ticks: linearTicks(hmin, 1, 4), format: short, title: 'hit rate' } }).axes();
    this.support.frame({ width: cw, height: ch, pad, x, y: { domain: [0, omax], ticks: linearTicks(0, omax, 4), format: short, title: 'off-support' } }).axes();
    for (const name of methods) {
      const pts = [...(results.get(name) ?? new Map()).entries()].sort((a, b) => a[0] - b[0]);
      const color = COLOR[name];
      this.curve(this.precision, name, pts, (m) => m.hitRate, color, w);
      this.curve(this.support, name, pts, (m) => m.offSupport, color, w);
    }
    const count = all.length;
    this.precision.describe(`Hit rate against diversity, one curve per method (${methods.map((m) => LABEL[m]).join(', ')}) over the strength w from 1 to 9; ${count} points measured. Each point is a button that sets the panels to its strength.`);
    this.support.describe(`Off-support against diversity for the same points.`);
    this.legend.replaceChildren(...methods.map((name) => el('span', { class: 'gl-key' },
      el('span', { class: 'gl-swatch', style: `background:${COLOR[name]}` }), LABEL[name])));
    this.note.textContent = note;
    if (keep) {
      const [support, name, s] = keep.split('|');
      const svg = support === 'true' ? this.support.svg : this.precision.svg;
      svg.querySelector(`[data-method="${name}"][data-w="${s}"]`)?.focus();
    }
  }

  /** One method's curve on `chart`: the line, then a button per point. */
  curve(chart, name, pts, y, color, w) {
    const xy = pts.filter(([, m]) => Number.isFinite(m.diversity) && Number.isFinite(y(m)));
    chart.line(xy.map(([, m]) => [m.diversity, y(m)]), { class: 'gl-curve', stroke: color });
    for (const [s, m] of xy) {
      const readout = `${LABEL[name]}, w = ${s}: hit ${fmt(m.hitRate, 3)}, diversity ${fmt(m.diversity, 2)}, off-support ${fmt(m.offSupport, 4)}`;
      // the points grow with w: the curve's direction without labels
      const r = 2 + 0.35 * s + (s === w ? 1.5 : 0);
      const [dot] = chart.points([{ x: m.diversity, y: y(m), readout }], { class: s === w ? 'gl-pt gl-now' : 'gl-pt', fill: color }, r);
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
