// The euler-steps figure's error chart: the mean endpoint error against the number of Euler steps on
// log–log axes, a guide of slope −1, the current setting marked.
import { fmt } from '../../lib/dom.js';
import { logTicks } from '../../lib/chart.js';
import { CHART_ORDER } from './run.js';

/** Draws the error chart `chart` in `chartBox` for the shown run of `runs`. */
export function chartDrawer(chart, chartBox, runs) {
  function drawChart() {
    const { entries, coarseErr, ref } = runs.cur;
    const W = Math.max(200, Math.min(420, Math.round(chartBox.clientWidth || 250)));
    const pts = entries.filter((e) => e.err !== null && e.err > 0).sort((a, b) => a.s - b.s);
    const errs = pts.map((e) => e.err);
    if (coarseErr > 0) errs.push(coarseErr);
    // decades that hold every computed error (half decades, so the points fill the height;
    // ticks at whole decades)
    const lo = errs.length ? Math.floor(2 * Math.log10(Math.min(...errs))) / 2 : -2;
    const hi = errs.length ? Math.max(lo + 1, Math.ceil(2 * Math.log10(Math.max(...errs))) / 2) : 0.5;
    // x: log axis over 1..100, labelled decades, minor ticks at the computed step counts
    chart
      .frame({
        width: W,
        height: 168,
        pad: { l: 44, r: 10, t: 8, b: 34 },
        x: {
          scale: 'log',
          domain: [1, 100],
          ticks: [1, 10, 100],
          minor: [2, 4, 8, 16, 32, 64],
          title: 'Euler steps (log scale)',
        },
        y: {
          scale: 'log',
          domain: [10 ** lo, 10 ** hi],
          ticks: logTicks(10 ** lo, 10 ** hi),
          title: 'mean error (log)',
        },
      })
      .axes();
    const { x, y, plot: p } = chart;
    // a guide of slope −1 through the 100-step point: what first order predicts
    const last = pts.find((e) => e.s === 100);
    if (last) {
      const e1 = last.err * 100;
      const s0 = Math.max(1, e1 / 10 ** hi); // clip to the top of the plot
      chart.add('line', { class: 'guide', x1: x(s0), y1: y(e1 / s0), x2: x(100), y2: y(last.err) });
      const sl = 10 ** 1.45;
      chart.text(x(sl) + 4, y(e1 / sl) - 5, '∝ 1/steps', { class: 'guide-label' });
    }
    // the current setting
    const now = runs.cur.coarse.steps;
    chart.add('line', { class: 'now', x1: x(now), x2: x(now), y1: p.t, y2: p.b });
    // the measured errors
    chart.line(
      pts.map((e) => [e.s, e.err]),
      { class: 'curve' },
    );
    chart.points(
      pts.map((e) => ({
        x: e.s,
        y: e.err,
        readout: `${e.s} step${e.s === 1 ? '' : 's'}: mean error ${fmt(e.err, 3)}`,
      })),
      { class: 'pt' },
      2.6,
    );
    if (coarseErr > 0) {
      chart.points([{ x: now, y: coarseErr }], { class: 'now-pt' }, 4.2);
      // the label at the top, on the side of the line away from the curve's high end
      const left = now >= 30;
      chart.text(
        x(now) + (left ? -5 : 5),
        p.t + 10,
        `${now} step${now === 1 ? '' : 's'}: ${fmt(coarseErr, 3)}`,
        { class: 'now-label', 'text-anchor': left ? 'end' : 'start' },
      );
    }
    const done = pts.length;
    if (done < CHART_ORDER.length) {
      chart.text(
        p.l + 5,
        p.b - 5,
        ref.done ? `computing ${done} of ${CHART_ORDER.length}…` : 'waiting for the reference…',
        { class: 'pending', 'text-anchor': 'start' },
      );
    }
    chart.describe(
      `Mean distance between Euler and reference end points against the number of Euler steps, on log–log axes, over ${runs.cur.n} samples: ` +
        (pts.length ? pts.map((e) => `${e.s} steps ${fmt(e.err, 3)}`).join(', ') : 'computing') +
        '.',
    );
  }

  return drawChart;
}
