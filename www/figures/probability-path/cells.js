// A cell of the probability-path figure: one class under one guidance scale, its square (a Plot)
// over its strip, the flow shown and the next one computed in the background, its measures and
// its title; what the read-out and the frame ask of a cell (are its measures current?).
import { el, fmt } from '../../lib/dom.js';
import { Plot } from '../../lib/plot.js';
import { cfg } from '../../lib/method.js';

export function wRole(w) {
  if (w === 0) return 'unconditional';
  if (w === 1) return 'plain conditional';
  return w > 1 ? 'guided' : 'weakened';
}

/** Pixels between two cells of a group. */
export const CELL_GAP = 10;

/**
 * The side of a square for `G` groups of two cells in `width` pixels: all groups across, or
 * (when that makes them smaller than 150) stacked, two cells a row.
 */
export function cellSide(width, G) {
  const cellGap = CELL_GAP;
  const groupGap = 22;
  const fit = (count, gaps) => Math.floor((width - gaps) / count) - Plot.widthFor(0);
  let s = fit(2 * G, (2 * G - G) * cellGap + (G - 1) * groupGap);
  let across = true;
  if (G > 1 && s < 150) {
    s = fit(2, cellGap);
    across = false;
  }
  s = Math.max(90, Math.min(G > 1 && across ? 230 : 270, s));
  return { s, across };
}

/** Whether cell `c`'s measures are those of its shown flow, finished and not about to be replaced. */
export const metricsCurrent = (c) => !!c.metrics && c.shown.done && !c.next && c.metricsId === c.shown.__id;

/** The flows of figure `fig`'s cells: each a wasm Flow of its class and scale, with an id of its own. */
export function flowMaker(fig) {
  const { wasm } = fig;
  let serial = 0;
  function create(c) {
    const s = fig.state;
    const f = new wasm.Flow(fig.model, c.name, s.n, s.steps, s.solver, s.seed, true);
    f.__w = c.w;
    f.__exact = s.exact;
    f.__id = ++serial;
    return f;
  }
  return create;
}

/** A new cell of figure `fig`: class `name` (index `ci`) under guidance `w`. */
export function makeCell(fig, ci, name, w) {
  const { wasm } = fig;
  const plot = new Plot(wasm, { extent: fig.model.extent, title: '', label: '' });
  // the cell, not the square alone, is what the PNG export takes
  plot.el.classList.replace('plot', 'pp-square');
  const strip = el('canvas', { class: 'pp-strip', role: 'img', 'aria-label': '' });
  const stripImg = document.createElement('canvas');
  const node = el('div', { class: 'plot pp-cell' }, plot.el, strip);
  const c = {
    ci,
    name,
    w,
    plot,
    strip,
    stripImg,
    node,
    shown: null,
    next: null,
    again: false,
    drawn: '',
    stripKey: '',
    stripDrawn: '',
    stripAt: 0,
    metrics: null,
    metricsId: -1,
    titleKey: '',
    dens: null,
    densKey: '',
  };
  node.__plot = { composite: () => composite(c) };
  return c;
}

/** The cell's square over its strip, as one canvas (the PNG export). */
function composite(c) {
  const a = c.plot.composite();
  const out = document.createElement('canvas');
  out.width = Math.max(a.width, c.strip.width);
  out.height = a.height + c.strip.height;
  const ctx = out.getContext('2d');
  ctx.drawImage(a, 0, 0);
  ctx.drawImage(c.strip, 0, a.height);
  return out;
}

/** Sets cell `c`'s title: its class and hit rate, or "computing…". */
export function setTitle(fig, c) {
  // (a finished run waits a frame or two for its measures)
  const busy = !c.shown.done || !!c.next || c.metricsId !== c.shown.__id;
  const key = `${c.name}|${busy}|${c.metricsId}`;
  if (key === c.titleKey) return;
  c.titleKey = key;
  c.plot.setTitle(
    el('span', { class: 'pp-key', style: `background:${fig.colorOf(c.ci)}` }),
    el('span', { class: 'pp-name' }, c.name),
    busy || !c.metrics
      ? el('span', { class: 'pp-hit busy' }, ' · computing…')
      : el('span', { class: 'pp-hit' }, ` · hit ${fmt(c.metrics.hitRate, 2)}`),
  );
}

/**
 * Computes `cells`' flows within `budget` ms from `t0`: first the next flows catching up with the
 * playhead's step `target` (swapped in when they reach it), then ahead on the shown ones, always
 * the one furthest behind.
 */
export function advance(fig, cells, create, target, budget, t0) {
  let first = true;
  for (let guard = 0; guard < 100000; guard++) {
    for (const c of cells) {
      if (c.next && c.next.step >= target) {
        c.shown.free();
        c.shown = c.next;
        c.next = c.again ? create(c) : null;
        c.again = false;
        c.drawn = '';
      }
    }
    let pick = null;
    for (const c of cells) if (c.next && (!pick || c.next.step < pick.step)) pick = c.next;
    if (!pick)
      for (const c of cells) if (!c.shown.done && (!pick || c.shown.step < pick.step)) pick = c.shown;
    if (!pick) break;
    const left = budget - (performance.now() - t0);
    if (!first && left <= 0.5) break;
    // the wasm side splits a step by particles to keep within the time given
    pick.advanceFor(cfg(fig.wasm, pick.__w, pick.__exact), fig.model, Math.max(0.5, left));
    first = false;
  }
}
