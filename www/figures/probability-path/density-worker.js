// The probability path's exact densities, off the main thread (exact.js is the page's side): one
// worker for the page, in the same wasm build. For each figure (`owner`) it holds a copy of the
// figure's model and one DensityPath per panel, and computes in slices of SLICE_MS: first the
// time on screen of every panel, then the times after it, the panel furthest behind first, so
// that all panels progress together. Of several figures' requests, the one of lowest rank (the
// figure nearest the middle of the window) is computed first. Each time is sent as soon as it
// is done: its log densities (side² values) and its mass in view.
//
// Requests (rpc.js), each with the figure's `owner` id:
//   model {json}                      a model file: the model from now on (every path starts again)
//   params {params, stepsDone}        new weights for it (every path starts again)
//   densities {panels: [{name, w}], exact, side, steps, times, focus, rank}
//                                     computes every panel's path; progress {panel, k, logP, mass, massError}
//                                     for each time done (logP: Float64Array, transferred);
//                                     paths of panels already computed are reused, their times
//                                     sent again
//   focus {k, rank}                   the time index on screen (computed next), the figure's rank
//   forget {}                         frees the figure's model and paths
//   pace {duty}                       (no owner) the share of the time to work, in (0, 1]: after
//                                     each slice the worker rests so long that it works `duty`
//                                     of the time (the page lowers it while its frames slip)
import { loadBindings } from '../../lib/wasm.js';
import { serve, pause } from '../../lib/rpc.js';

const SLICE_MS = 25; // work between looks at the message queue (cancellations, a new focus)

const ready = loadBindings();
/**
 * Per figure: {model, paths: Map(panel key → DensityPath of the current weights), job, focus,
 * rank} (focus and rank as last heard, whether or not a job runs).
 */
const owners = new Map();
/** The densities requests under way (their contexts, with focus and rank). */
const jobs = new Set();
let duty = 1;

const rest = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function of(owner) {
  let o = owners.get(owner);
  if (!o) {
    o = { model: null, paths: new Map(), job: null, focus: 0, rank: 0 };
    owners.set(owner, o);
  }
  return o;
}

function forget(o) {
  for (const p of o.paths.values()) p.free();
  o.paths.clear();
}

/** The job to work on now: its figure's rank the lowest, the oldest of equals. */
function first() {
  let best = null;
  for (const j of jobs) if (!j.cancelled && (!best || j.o.rank < best.o.rank)) best = j;
  return best;
}

/**
 * Spends about `budget` ms on `list`'s paths: first the time `focus` of every path, then the
 * times after it, the path furthest behind first, in slices of at most 2 ms so that all
 * progress together.
 */
function advance(model, list, budget, focus) {
  const t0 = performance.now();
  for (let guard = 0; guard < 10000; guard++) {
    const left = budget - (performance.now() - t0);
    if (left <= 0.3) break;
    let pick = null;
    for (const p of list) {
      if (p.done) continue;
      const behind = p.ready(focus) ? 1 + p.progress : p.progress;
      if (!pick || behind < pick.behind) pick = { p, behind };
    }
    if (!pick) break;
    pick.p.advanceFor(model, Math.min(left, 2), focus);
  }
}

serve({
  async model({ owner, json }) {
    const { Model } = await ready;
    const o = of(owner);
    const m = Model.fromJson(json);
    if (o.job) o.job.cancelled = true;
    forget(o);
    o.model?.free();
    o.model = m;
  },

  async params({ owner, params, stepsDone }) {
    await ready;
    const o = of(owner);
    if (!o.model) throw new Error('no model to set the weights of');
    if (o.job) o.job.cancelled = true;
    o.model.setParams(params, stepsDone);
    // new weights: every result is stale; the handles keep their buffers
    for (const p of o.paths.values()) p.restart(p.w, p.exact);
  },

  focus({ owner, k, rank }) {
    // heard even before the job starts (a job waits for the wasm and the model first)
    const o = of(owner);
    if (Number.isFinite(k)) o.focus = Math.max(0, Math.round(k));
    if (Number.isFinite(rank)) o.rank = rank;
  },

  pace({ duty: d }) {
    if (Number.isFinite(d)) duty = Math.max(0.05, Math.min(1, d));
  },

  async forget({ owner }) {
    const o = owners.get(owner);
    if (!o) return;
    if (o.job) o.job.cancelled = true;
    forget(o);
    o.model?.free();
    owners.delete(owner);
  },

  async densities({ owner, panels, exact, side, steps, times, focus = 0, rank = 0 }, ctx) {
    const o = of(owner);
    o.focus = focus;
    o.rank = rank;
    const { DensityPath } = await ready;
    const { model } = o;
    if (!model) throw new Error('no model to compute the densities of');
    if (!Array.isArray(panels) || !Array.isArray(times) || !times.length)
      throw new Error('densities need panels and times');
    const keys = panels.map((p) => `${p.name}|${p.w}|${!!exact}|${side}|${steps}|${times.join(',')}`);
    for (const [key, p] of o.paths) {
      if (!keys.includes(key)) {
        p.free();
        o.paths.delete(key);
      }
    }
    const list = panels.map((p, i) => {
      let h = o.paths.get(keys[i]);
      if (!h) {
        h = new DensityPath(model, p.name, p.w, !!exact, side, Float64Array.from(times), steps);
        o.paths.set(keys[i], h);
      }
      return h;
    });
    ctx.o = o;
    if (o.job) o.job.cancelled = true;
    o.job = ctx;
    jobs.add(ctx);
    const sent = list.map(() => new Set());
    const send = () => {
      list.forEach((p, panel) => {
        for (let k = 0; k < times.length; k++) {
          if (sent[panel].has(k) || !p.ready(k)) continue;
          const logP = p.logDensity(k);
          ctx.progress({ panel, k, logP, mass: p.mass(k), massError: p.massError(k) }, [logP.buffer]);
          sent[panel].add(k);
        }
      });
    };
    try {
      send();
      // a new model or weights for this figure cancel the job first: then `model` and `list`
      // may be freed, so the loop checks before touching them
      while (!ctx.cancelled && list.some((p) => !p.done)) {
        if (first() === ctx) {
          const t0 = performance.now();
          advance(model, list, SLICE_MS, Math.min(o.focus, times.length - 1));
          send();
          if (duty < 1) await rest(((performance.now() - t0) * (1 - duty)) / duty);
        }
        await pause();
      }
    } finally {
      jobs.delete(ctx);
      if (o.job === ctx) o.job = null;
    }
  },
});
