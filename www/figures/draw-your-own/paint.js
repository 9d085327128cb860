// The draw-your-own figure's canvas: the drawing (faded under samples) and the sample set shown,
// painted in wasm (the plot's painter), and the overlay of the brush outline and the keyboard
// cursor's crosshair.
import { LIMIT } from './sketch.js';

/**
 * The painting of figure `fig`'s sketch `s` on `plot`: `sm` its sampler (sampler.js), `inp` its
 * input (input.js), `active()` the brush, `colorIdx(name)` a class's colour, `dirty()` asks for a
 * repaint, `describe(set)` puts the shown set into words.
 */
export function painter(fig, s, plot, sm, inp, { active, colorIdx, dirty, describe }) {
  const css = (name, fallback) => getComputedStyle(plot.el).getPropertyValue(name).trim() || fallback;
  // the axes take their colours from the stylesheet (the shell has waited for it): redraw
  // them when the colour scheme changes
  let axesBg = '';
  const restyle = () => {
    axesBg = '';
    dirty();
  };
  window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener?.('change', restyle);

  function drawPix() {
    const bg = css('--cfg-plot-bg', '');
    if (bg !== axesBg) {
      axesBg = bg;
      plot.drawAxes();
    }
    const p = plot.painter;
    const dpr = plot.dpr;
    const set = sm.shown();
    p.clear();
    s.brushes.forEach((b, i) => {
      if (b.pts.length) p.points(s.xyOf(i), i, set ? 0.25 : 0.8, (set ? 1.8 : 1.6) * dpr);
    });
    if (set) p.points(set.xy, set.cls === 'null' ? -1 : colorIdx(set.cls), 0.85, 1.3 * dpr);
    plot.put();
    describe(set);
  }

  function drawOverlay() {
    const ctx = plot.overlay();
    const { keyCursor, hover, focused } = inp;
    const at = keyCursor ?? hover;
    if (!at) return;
    const [px, py] = plot.painter.toPixel(at[0], at[1]);
    const rPx = (fig.state.brush / (2 * LIMIT)) * plot.side * plot.dpr;
    const color = fig.colorOf(active());
    ctx.beginPath();
    ctx.arc(px, py, rPx, 0, 2 * Math.PI);
    ctx.lineWidth = 1.5 * plot.dpr;
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.globalAlpha = 0.12;
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.stroke();
    if (keyCursor && focused) {
      // a crosshair marks the keyboard cursor
      const a = rPx + 5 * plot.dpr;
      const b = rPx + 11 * plot.dpr;
      plot.segments(
        ctx,
        [px - b, py, px - a, py, px + a, py, px + b, py, px, py - b, px, py - a, px, py + a, px, py + b],
        css('--cfg-fg', '#000'),
        1.5,
      );
    }
  }

  return { drawPix, drawOverlay };
}
