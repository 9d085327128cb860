// The euler-steps figure's runs: a private copy of the model (so it keeps one set of weights while
// training goes on), the fine reference, the coarse Euler run and the error chart's runs, all from
// the same noise, and their work a few steps per frame.
import { cfg } from '../../lib/method.js';

/** The reference: Heun (second order) with this many steps; its own error is ~1% of Euler's at 100. */
export const REF_STEPS = 100;
/** Step counts of the error chart, computed in this order (the extremes first, so the axes settle). */
export const CHART_ORDER = [1, 100, 4, 16, 2, 8, 32, 64];

/** A run is done when its coarse run and its reference are. */
export const runsDone = (r) => r.coarse.done && r.ref.done;
/** A run is complete when the chart's errors are measured too. */
export const complete = (r) => runsDone(r) && r.entries.every((e) => e.err !== null);

/** Makes, frees and advances the runs of figure `fig` (its settings, model and wasm). */
export function runMaker(fig) {
  const { wasm } = fig;
  function newCoarse(r) {
    r.coarse?.free();
    r.coarse = new wasm.Flow(r.snap, r.cls, r.n, fig.state.steps, 'euler', r.seed, true);
    r.coarseErr = null;
  }

  function makeRun() {
    const { state } = fig;
    const r = {
      cls: state.class,
      w: state.w,
      exact: state.exact,
      n: state.n,
      seed: state.seed,
      coarse: null,
      coarseErr: null,
    };
    r.snap = wasm.Model.fromJson(fig.model.toJson('f32'));
    r.ref = new wasm.Flow(r.snap, r.cls, r.n, REF_STEPS, 'heun', r.seed, true);
    r.entries = CHART_ORDER.map((s) => ({ s, flow: null, err: null }));
    newCoarse(r);
    return r;
  }

  function freeRun(r) {
    if (!r) return;
    r.coarse.free();
    r.ref.free();
    for (const e of r.entries) e.flow?.free();
    r.snap.free();
  }

  // ---------- work, a few steps per frame ----------
  /** Advances run `r` within `budget` ms: the coarse run, then the reference, then the chart's runs. */
  function work(r, budget) {
    const t0 = performance.now();
    let moved = false;
    let paths = false;
    let chart = false;
    while (performance.now() - t0 < budget) {
      if (!r.coarse.done) {
        r.coarse.advanceFor(cfg(fig.wasm, r.w, r.exact), r.snap, Infinity, 1);
        paths = true;
      } else if (!r.ref.done) {
        r.ref.advanceFor(cfg(fig.wasm, r.w, r.exact), r.snap, Infinity, 1);
        paths = true;
      } else {
        const e = r.entries.find((q) => q.err === null);
        if (!e) break;
        if (e.s === r.coarse.steps) {
          // the chart's run at this step count is the coarse run itself (same noise, same field)
          e.err = r.coarse.meanDistance(r.ref);
        } else {
          e.flow ??= new wasm.Flow(r.snap, r.cls, r.n, e.s, 'euler', r.seed, false);
          e.flow.advanceFor(cfg(fig.wasm, r.w, r.exact), r.snap, Infinity, 1);
          if (e.flow.done) {
            e.err = e.flow.meanDistance(r.ref);
            e.flow.free();
            e.flow = null;
          }
        }
        chart = e.err !== null;
      }
      moved = true;
    }
    if (runsDone(r) && r.coarseErr === null) {
      r.coarseErr = r.coarse.meanDistance(r.ref);
      paths = chart = true;
    }
    return { moved, paths, chart };
  }

  return { newCoarse, makeRun, freeRun, work };
}
