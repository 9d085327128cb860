// The distillation figure's gap chart: the mean endpoint gap between teacher and student against
// every w the student was trained on, and the current w's gap marked.
import { fmt } from '../../lib/dom.js';
import { linearTicks } from '../../lib/chart.js';

/** The student was distilled for w in [0, W_MAX] (scripts/pretrain.sh). */
export const W_MAX = 9;
export const GAP_WS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
/** The gap chart's height in CSS pixels (its width follows the panels). */
export const CHART_HEIGHT = 170;

/**
 * Draws `chart` of figure `fig` `width` pixels wide: the finished `gaps` ({w, gap}), and the gap
 * of the two `panels`' flows at the current w; `css(name, fallback)` reads the page's colours.
 */
export function drawGapChart(fig, chart, { gaps, panels, width, css }) {
  const done = gaps.filter((g) => g.gap !== null);
  const hi = Math.max(0.1, ...done.map((g) => g.gap)) * 1.15;
  const step = hi > 1 ? 0.5 : hi > 0.4 ? 0.1 : hi > 0.2 ? 0.05 : 0.02;
  chart
    .frame({
      width,
      height: CHART_HEIGHT,
      pad: { l: 46, r: 12, t: 14, b: 34 },
      x: { domain: [0, W_MAX], ticks: GAP_WS, format: String, grid: false, title: 'guidance w' },
      y: {
        domain: [0, hi],
        ticks: linearTicks(0, hi, 5, step),
        format: (v) => fmt(v, 2),
        title: 'endpoint gap',
      },
    })
    .axes();
  const { x, y } = chart;
  const fg = css('--cfg-fg', '#222');
  const accent = css('--cfg-accent', '#0072B2');
  chart.line(
    done.map((g) => [g.w, g.gap]),
    { stroke: accent, 'stroke-width': 2 },
  );
  chart.points(
    done.map((g) => ({ x: g.w, y: g.gap, readout: `w = ${g.w}: endpoint gap ${fmt(g.gap, 3)}` })),
    { fill: accent },
    3,
  );
  const cur =
    panels[0].flow?.done && panels[1].flow?.done ? panels[0].flow.meanDistance(panels[1].flow) : null;
  if (cur !== null) {
    const w = fig.state.w;
    const right = w > W_MAX - 1.5;
    chart.points([{ x: w, y: Math.min(cur, hi) }], { fill: 'none', stroke: fg, 'stroke-width': 1.5 }, 6);
    chart.text(x(w) + (right ? -9 : 9), y(Math.min(cur, hi)) - 8, `w = ${fmt(w, 1)}: ${fmt(cur, 3)}`, {
      'text-anchor': right ? 'end' : 'start',
      fill: fg,
    });
  }
  chart.describe(
    `endpoint gap between teacher and student against w: ${done.map((g) => `w ${g.w}: ${fmt(g.gap, 3)}`).join('; ')}`,
  );
}
