// What the figures of side-by-side sample panels share (temperature, which-distribution): their
// settings, a row of compact plots, each with a note under it, showing either a flow's particles over the data or
// an exact density with its exact samples (computed in the worker pool: tilted.js); their layout; one frame of their flows; and the
// read-out's line on the field followed.
import { el } from '../../lib/dom.js';
import { Plot } from '../../lib/plot.js';
import { P, fx, trainParams } from '../../shell/figure.js';

/** Projections of the sliced W2 distance under every panel. */
export const PROJECTIONS = 64;
/** Cells per side of the grid the exact densities are computed on (over the plot's square). */
export const GRID = 200;

/**
 * The settings of a figure of sample panels at one w from the same noise, with what a change
 * invalidates (www/shell/effects.js), in three parts: the view (another data set); the exact
 * densities, which new weights leave as they are; the flows (new ones, new weights, or the same
 * noise restarted under another w). `wHelp` is w's help; `own` are the figure's own settings,
 * after w.
 */
export function params(wHelp, ...own) {
  return [
    ...fx(['data', 'densities', 'flows'], P.dataset('overlapping', ['non-overlapping', 'overlapping'])),
    ...fx(['densities', 'flows'], {
      ...P.cls('upper-right'),
      help: 'The class to sample, and to guide toward.',
    }),
    ...fx(['densities', 'restart'], { ...P.w(3, 8), min: 1, help: wHelp }),
    ...own,
    ...fx(['densities', 'flows'], P.n(1000, 3000), P.seed()),
    ...fx('restart', P.exact()),
    ...trainParams(),
  ];
}

/** The effects of [`params`], strongest first in each chain. */
export const EFFECTS = [['data'], ['densities'], ['weights', 'flows', 'restart']];

/**
 * A row of panels appended to `fig.plots`, one per `{ kind, label }` of `kinds` (label: the
 * plot's accessible name), with CSS classes `<prefix>-row`, `<prefix>-panel` (with data-panel =
 * kind) and `<prefix>-note`. Each panel is `{ kind, plot, note, box, flow: null, dirty: true }`
 * and the figure's own `fields`.
 */
export function row(fig, prefix, kinds, fields) {
  const panels = kinds.map(({ kind, label }) => {
    const plot = new Plot(fig.wasm, { extent: fig.model.extent, compact: true, title: '…', label });
    const note = el('div', { class: `${prefix}-note` }, '…');
    const box = el('div', { class: `${prefix}-panel`, 'data-panel': kind }, plot.el, note);
    return { kind, plot, note, box, flow: null, ...fields, dirty: true };
  });
  fig.plots.append(el('div', { class: `${prefix}-row` }, ...panels.map((p) => p.box)));
  return panels;
}

/**
 * New flows for the panels `flows` (not recording; the solver `solverOf(p)`) from the settings'
 * class, particles, steps and seed, in place of their old ones; each panel's `fields` reset.
 */
export function newFlows(fig, flows, solverOf, fields) {
  const { class: cls, n, steps, seed } = fig.state;
  for (const p of flows) {
    p.flow?.free();
    p.flow = new fig.wasm.Flow(fig.model, cls, n, steps, solverOf(p), seed, false);
    Object.assign(p, fields, { dirty: true });
  }
}

/** The panels' flows back to their start noise, each panel's `fields` reset. */
export function rewindFlows(flows, fields) {
  for (const p of flows) {
    p.flow.rewind();
    Object.assign(p, fields, { dirty: true });
  }
}

/** Sizes the panels for `cols` columns (plots of at most `max` CSS pixels) on the data's view. */
export function layout(fig, panels, cols, max) {
  const side = Plot.sideFor(fig.width(), cols, { compact: true, gap: 14, min: 110, max });
  for (const p of panels) {
    if (p.plot.resize(side)) p.dirty = true;
    p.plot.setExtent(fig.model.extent);
    p.box.style.width = `${Plot.widthFor(side, true)}px`;
  }
}

/**
 * Paints panel `p` in palette colour `color`: a density panel's (`p.isDensity`) exact density and
 * samples (`p.exact`, from tilted.js; empty while they are computed), or its flow's particles over the
 * data (the backdrop cached under `backdrop`).
 */
export function draw(fig, p, color, backdrop) {
  const pt = p.plot.painter;
  const r = Math.min(1.1 * p.plot.dpr, 2);
  if (p.isDensity) {
    pt.clear();
    if (p.exact) {
      pt.logDensity(p.exact.logP, fig.model.extent, color);
      pt.points(p.exact.xy, -1, 0.45, r);
    }
  } else {
    p.plot.backdrop(backdrop, (q) => q.data(fig.model, 0.14, r));
    pt.particles(p.flow, -1, color, 0.7, r);
  }
  p.plot.put();
  p.dirty = false;
}

/**
 * One frame of the panels: the unfinished flows move by `methodOf(p)` within `budget` ms, shared
 * between them, with `done(p)` called in the frame a flow ends; then every changed panel is
 * drawn by `draw(p)` (a flow's only once it is done, under reduced motion). Returns whether a
 * flow is still running.
 */
export function frame(fig, panels, budget, methodOf, done, draw) {
  const t0 = performance.now();
  const open = panels.filter((p) => p.flow && !p.flow.done);
  for (const p of open) {
    const left = budget - (performance.now() - t0);
    if (left <= 0) break;
    p.flow.advanceFor(methodOf(p), fig.model, Math.max(0.3, left / open.length));
    p.dirty = true;
    if (p.flow.done) done(p);
  }
  let busy = false;
  for (const p of panels) {
    if (p.flow && !p.flow.done) busy = true;
    if (p.dirty && (p.isDensity || !fig.reducedMotion || p.flow.done)) draw(p);
  }
  return busy;
}

/** The read-out's line on the field the flows follow. */
export function fieldLine(fig) {
  const src = fig.state.exact
    ? 'the exact velocity of the data (ground truth)'
    : fig.pretrained
      ? 'the pretrained network'
      : `the network after ${fig.model.stepsDone} training steps`;
  return el('span', {}, `field: ${src}`);
}

/** The read-out's first line: the key of colour `color` and `text`. */
export function keyLine(fig, color, text) {
  return el('span', {}, el('span', { class: 'key', style: `background:${fig.colorOf(color)}` }), text);
}
