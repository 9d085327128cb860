// What the figures about a model made from the shipped one (the teacher) share: the rectified-flow
// figure's reflowed model and the distillation figure's student. Loading the teacher and the
// derived model, "train in your browser" (a worker job that starts from the shipped weights), the
// Model button, two square panels side by side over a chart, how a panel paints its paths, and
// how a frame advances the figure's runs and redraws while they go on.
import { pretrainedModel, pretrainedText } from '../../lib/models.js';
import { datasetsOf } from '../../shell/load.js';
import { Plot } from '../../lib/plot.js';

/**
 * Figure-definition fields for a derived model kept in `fig[key]`: the shipped one is
 * `www/models/<file>-<data set>.json`; the worker job `kind` starts from `startFrom(fig)`'s model
 * file text; `check(model, dataset)` may throw if the file is not what it should be. A loaded file
 * (Load, a drop, data-model) replaces the derived model when `check` passes and its data set is
 * offered; `fig.subjectFrom` then names the file, for the read-outs.
 */
export function derivedModel({
  key,
  file,
  kind,
  startFrom,
  check = () => {},
  resetLabel,
  trainLabel,
  trainNote,
}) {
  return {
    trainNote,
    trainLabel,
    resetLabel,
    training: {
      kind,
      spec: (fig) => ({ teacher: fig.teacherText }),
      begin(fig) {
        const m = fig.wasm.Model.fromJson(startFrom(fig));
        fig.subjectFrom = null;
        fig[key]?.free();
        fig[key] = m;
      },
      setParams(fig, params, step) {
        fig[key].setParams(params, step);
      },
    },
    // the Model button saves the derived model (shipped, or made here)
    exportModel: (fig) => fig[key]?.toJson('f32'),
    async loadModel(fig) {
      const ds = fig.state.dataset;
      const [model, text, teacher] = await Promise.all([
        pretrainedModel(ds),
        pretrainedText(`${file}-${ds}`),
        pretrainedText(ds),
      ]);
      fig.teacherText = teacher;
      fig[`${key}Text`] = text;
      fig[key]?.free();
      fig[key] = fig.wasm.Model.fromJson(text);
      fig.subjectFrom = null;
      check(fig[key], ds);
      return model;
    },
    async loadSubject(fig, text, name) {
      const m = fig.wasm.Model.fromJson(text);
      try {
        const offered = datasetsOf(fig);
        if (!offered.includes(m.dataset))
          throw new Error(`the model was trained on ${m.dataset}; this figure shows ${offered.join(', ')}`);
        check(m, m.dataset);
      } catch (e) {
        m.free();
        throw e;
      }
      // another offered data set: switch to it (its shipped teacher) first
      if (m.dataset !== fig.state.dataset) await fig.set('dataset', m.dataset);
      fig.stopTraining();
      fig[key]?.free();
      fig[key] = m;
      fig[`${key}Text`] = text;
      fig.trainedModelText = null;
      fig.subjectFrom = name;
      fig.changed('model');
      return `it replaces the ${key} model; the teacher stays the shipped ${m.dataset} model`;
    },
  };
}

/**
 * Sizes two square plots side by side when both fit at a useful size, else one above the other
 * (long titles wrap instead of widening a plot); returns the side and the width of a chart under
 * both.
 */
export function twoPanels(fig, plots) {
  // (read once: a read after the plots' resize would make the browser lay the page out again)
  const width = fig.width();
  const two = Plot.sideFor(width - 8, 2, { max: 330, min: 0 });
  const side = two >= 150 ? two : Plot.sideFor(width, 1, { max: 330, min: 120 });
  for (const plot of plots) {
    plot.resize(side);
    plot.el.style.width = `${Plot.widthFor(side)}px`;
  }
  const chartWidth = Math.max(260, Math.min(2 * Plot.widthFor(side) + 14, width));
  return { side, chartWidth };
}

// a number per model object, for the key of a plot's backdrop (a new model: a new number)
const serials = new WeakMap();
let serial = 0;
const modelKey = (m) => {
  if (!serials.has(m)) serials.set(m, ++serial);
  return serials.get(m);
};

/**
 * Paints one panel of `flow` on `plot`: the data faint (painted once per model and size, then
 * restored from the plot's backdrop), where the samples are in class colour `ci` (with `noise`,
 * also where they started), and `lines` of their paths in `color`.
 */
export function paintPaths(fig, plot, flow, ci, { lines, color, noise = false }) {
  const pa = plot.painter;
  const dpr = plot.dpr;
  plot.backdrop(modelKey(fig.model), (q) => q.data(fig.model, 0.12, 0.9 * dpr));
  if (noise) pa.particles(flow, 0, -1, 0.25, 0.8 * dpr);
  pa.particles(flow, -1, ci, 0.75, 1.2 * dpr);
  plot.put();
  const ctx = plot.overlay();
  ctx.globalAlpha = 0.55;
  const m = Math.min(lines, flow.n);
  for (let i = 0; i < m; i++)
    plot.polyline(ctx, pa.path(flow, Math.floor((i * flow.n) / m), flow.step), color, 0.9);
  ctx.globalAlpha = 1;
}

/**
 * One animation frame of a figure's runs ({flow, ...}, in the order they should finish): advances
 * the unfinished ones within `budget` ms of wasm work (`advance(run, ms)`), and tells
 * `finished(run)` of one that completes. Its measures take the rest of the frame: once a run
 * completes, no other advances in this frame, and `ended` says the figure should draw nothing
 * more in it (on a slow phone, no frame adds up a run's measures and a redraw). Returns whether
 * any run is still going, whether any moved, and `ended`.
 */
export function advanceRuns(runs, budget, advance, finished) {
  const t0 = performance.now();
  let moved = false;
  let ended = false;
  for (const r of runs) {
    if (r.flow.done) continue;
    const left = budget - (performance.now() - t0);
    if (left <= 0) break;
    advance(r, Math.max(0.5, left));
    moved = true;
    if (r.flow.done) {
      finished(r);
      ended = true;
      break;
    }
  }
  return { busy: runs.some((r) => !r.flow.done), moved, ended };
}

/**
 * Redraws the parts of a figure (`parts`: name → draw function, say the panels and the chart)
 * that changed: a part is marked (`mark(name)`, or every part with `mark()`) when what it shows
 * changed, and drawn at most every 100 ms while the runs go on and once more when they are done.
 * A frame draws one part: on a slow phone, no frame adds up the panels, the strips and the chart.
 * The figure is whole once each part has been drawn (`first` until then): the shell shows it then
 * (the figure's `whole()`, www/shell/contract.js), so its first draw is spread over frames unseen.
 */
export class Redraw {
  constructor(parts) {
    this.parts = Object.entries(parts).map(([name, draw]) => ({ name, draw, dirty: true, last: -Infinity }));
  }

  /** Whether some part has never been drawn. */
  get first() {
    return this.parts.some((p) => p.last === -Infinity);
  }

  /** The named parts (none: all) must be drawn again. */
  mark(...names) {
    for (const p of this.parts) if (!names.length || names.includes(p.name)) p.dirty = true;
  }

  /** `ready`: the panels have something to show. Returns whether a draw is still owed. */
  frame(now, busy, ready) {
    if (ready) {
      for (const p of this.parts) {
        if (!p.dirty || (busy && now - p.last <= 100)) continue;
        p.draw();
        p.dirty = false;
        p.last = now;
        break;
      }
    }
    return this.parts.some((p) => p.dirty);
  }
}
