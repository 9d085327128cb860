// The probability-path figure's cells at one frame: each cell's measures once its flow is done
// (one a frame), its square (exact density or histogram), its strip (repainted at most every
// STRIP_MS while its flow computes) and its title; the painters they share and the page's colours.
import { el } from '../../lib/dom.js';
import { paintStrip, drawStrip, STRIP_BINS } from './strip.js';
import { drawSquare } from './square.js';
import { wText } from './refs.js';
import { setTitle } from './cells.js';

const DENS_PX = 128; // the squares are painted at this size, then scaled smoothly
const stripTimer = 120; // ms between strip repaints while a flow is computing

/** The shared painters: densities at a small size (scaled up smoothly), and the strips' projections. */
export function cellPainters(wasm, extent) {
  return {
    densP: new wasm.Painter(DENS_PX, DENS_PX, extent),
    densCanvas: el('canvas', { width: DENS_PX, height: DENS_PX }),
    stripP: new wasm.Painter(64, STRIP_BINS * 2, 1),
  };
}

/** The colours of the page's stylesheet, read on `node`. */
export function colors(node) {
  const st = getComputedStyle(node);
  return {
    fg: st.getPropertyValue('--cfg-fg').trim() || '#111',
    muted: st.getPropertyValue('--cfg-muted').trim() || '#666',
    rule: st.getPropertyValue('--cfg-rule').trim() || '#ccc',
    bg: st.getPropertyValue('--cfg-plot-bg').trim() || '#fff',
  };
}

/**
 * Draws figure `fig`'s `cells` at flow step `k` (density frame `j`): returns whether a cell waits
 * for a later frame (its measures or its strip).
 */
export function drawCells(
  fig,
  cells,
  { painters, col, exact, k, j, caughtUp, now, layoutSerial, dpr, range, times },
) {
  let pending = false;
  // a finished run's measures, one run a frame (on a slow phone, four in one frame add up
  // to a frame of more than 100 ms)
  let measured = false;
  for (const c of cells) {
    const f = c.shown;
    if (f.done && c.metricsId !== f.__id) {
      if (measured) pending = true;
      else {
        c.metrics = fig.model.metrics(f);
        c.metricsId = f.__id;
        measured = true;
      }
    }
    const ready = exact && c.dens ? `${c.dens.serial}|${!!c.dens.times[j]}|${c.dens.count}` : '-';
    const key = `${f.__id}|${k}|${layoutSerial}|${ready}`;
    if (key !== c.drawn && (caughtUp || !fig.reducedMotion)) {
      drawSquare(c, k, j, { densP: painters.densP, densCanvas: painters.densCanvas, exact, fig, col, times });
      c.drawn = key;
    }
    const sKey = `${f.__id}|${f.step}|${layoutSerial}`;
    if (sKey !== c.stripKey) {
      if (f.done || now - c.stripAt > stripTimer || !c.stripKey.startsWith(`${f.__id}|`)) {
        paintStrip(c, painters.stripP, range, fig.model, wText);
        c.stripKey = sKey;
        c.stripAt = now;
      } else pending = true;
    }
    const dKey = `${c.stripKey}|${k}|${col.fg}`;
    if (dKey !== c.stripDrawn) {
      drawStrip(c, k, col, { dpr, r: range, model: fig.model, colorOf: fig.colorOf });
      c.stripDrawn = dKey;
    }
    setTitle(fig, c);
  }
  return pending;
}
