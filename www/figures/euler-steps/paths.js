// The euler-steps figure's plot: the faint data, the Euler paths (straight steps, a dot at each)
// over the dashed reference paths, their starts and end points, up to the play head's time.
import { REF_STEPS } from './run.js';

/** Particles whose paths are drawn. */
export const TRACKED = 12;

/** Draws the shown run of `runs` on `plot` of figure `fig` at play head `head`'s time. */
export function pathsDrawer(fig, plot, head, runs) {
  // a number per weights snapshot, for the key of the plot's backdrop
  const serials = new WeakMap();
  let serial = 0;
  const serialOf = (snap) => {
    if (!serials.has(snap)) serials.set(snap, ++serial);
    return serials.get(snap);
  };

  const classIdx = () => fig.classes.indexOf(fig.state.class);
  const css = (name, fallback) => getComputedStyle(plot.el).getPropertyValue(name).trim() || fallback;
  const dark = () => window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;

  function draw() {
    const p = plot.painter;
    const dpr = plot.dpr;
    const { snap, ref, coarse } = runs.cur;
    const ci = classIdx();
    // time t of the play head (1 unless the recorder moves it): the reference to t, Euler's
    // last step before t and the straight line from it towards the next
    const t = Math.min(1, head.pos / REF_STEPS);
    const whole = t >= 1;
    const eu = Math.floor(t * coarse.steps);
    // the faint data: painted once per weights, size and colour scheme, then restored
    const isDark = dark();
    plot.backdrop(`${serialOf(snap)}|${isDark}`, (q) => q.data(snap, isDark ? 0.24 : 0.17, 1.1 * dpr));
    // with reduced motion, the runs appear when they are finished
    const show = !fig.reducedMotion || (coarse.done && ref.done);
    if (show) p.particles(coarse, whole ? -1 : Math.min(eu, coarse.step), ci, 0.9, 1.35 * dpr);
    plot.put();
    const ctx = plot.overlay();
    if (!show) return;
    const fg = css('--cfg-fg', '#1d1d1f');
    const muted = css('--cfg-muted', '#5f6368');
    const bg = css('--cfg-plot-bg', '#ffffff');
    const k = Math.min(TRACKED, runs.cur.n);
    const dot = (x, y, r, fill, stroke, lw = 1.2) => {
      ctx.beginPath();
      ctx.arc(x, y, r * dpr, 0, 2 * Math.PI);
      if (fill) {
        ctx.fillStyle = fill;
        ctx.fill();
      }
      if (stroke) {
        ctx.strokeStyle = stroke;
        ctx.lineWidth = lw * dpr;
        ctx.stroke();
      }
    };
    // reference paths, thin and dashed, under the Euler ones
    const refPaths = [];
    for (let i = 0; i < k; i++) {
      const buf = p.path(ref, i, whole ? ref.step : Math.min(ref.step, Math.round(t * REF_STEPS)));
      refPaths.push(buf);
      plot.polyline(ctx, buf, muted, 1.2, [4, 3]);
    }
    // Euler paths: straight segments, a marker at every step
    const r = coarse.steps <= 8 ? 2.6 : coarse.steps <= 20 ? 2 : coarse.steps <= 50 ? 1.4 : 0;
    const coarsePaths = [];
    for (let i = 0; i < k; i++) {
      const buf = whole ? p.path(coarse, i, coarse.step) : partial(p, coarse, i, t);
      coarsePaths.push(buf);
      plot.polyline(ctx, buf, bg, 3.4);
      plot.polyline(ctx, buf, fg, 1.6);
    }
    for (const buf of coarsePaths) {
      if (r > 0) for (let j = 2; j + 1 < buf.length - 2; j += 2) dot(buf[j], buf[j + 1], r, fg, bg, 0.8);
      // the start (the same noise for both runs)
      dot(buf[0], buf[1], 2.4, muted, bg, 1);
    }
    // end points: Euler's as a filled disc, the reference's as a ring on top
    if (coarse.done && whole)
      for (const buf of coarsePaths) dot(buf[buf.length - 2], buf[buf.length - 1], 3.6, fg, bg, 1.2);
    if (ref.done && whole)
      for (const buf of refPaths) dot(buf[buf.length - 2], buf[buf.length - 1], 5, null, muted, 1.8);
  }

  /** Euler path `i` of `flow` up to time t < 1: its steps before t, then straight on to t. */
  function partial(p, flow, i, t) {
    const f = t * flow.steps;
    const j = Math.min(Math.floor(f), flow.step);
    if (j >= flow.step) return p.path(flow, i, j);
    const buf = p.path(flow, i, j + 1);
    const n = buf.length;
    const a = f - j;
    buf[n - 2] = buf[n - 4] + a * (buf[n - 2] - buf[n - 4]);
    buf[n - 1] = buf[n - 3] + a * (buf[n - 1] - buf[n - 3]);
    return buf;
  }

  return draw;
}
