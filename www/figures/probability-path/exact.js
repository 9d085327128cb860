// Exact densities for the probability-path squares, computed off the main thread in the page's
// worker pool (www/lib/pool.js): one chunk per panel and time, a wasm DensityPath in
// density-chunks.js computing log p_t on a grid over the view at one of about TIMES evenly spaced
// frames of the flow, each grid point carried back to t = 0 by the reverse ODE with
// the divergence from the exact 2x2 Jacobian (network, or the mixture's analytic one with ground
// truth), the time on screen first. The page keeps each finished time's log densities and paints
// them; a time not computed yet shows the sample histogram instead.

/**
 * Grid cells per side, Heun steps per unit time (network; the exact field's analytic Jacobian
 * is cheap enough for four times as many), and about how many times along the path.
 */
export const DENS = { side: 24, steps: 8, exactSteps: 32, times: 8 };

/**
 * The frames (flow steps) with exact densities: DENS.times + 1 frames evenly spread over the S
 * steps, t = 0 and t = 1 included (every frame when S is smaller).
 */
export function densityFrames(S) {
  const K = Math.min(S, DENS.times);
  const frames = [];
  for (let j = 0; j <= K; j++) frames.push(Math.round((j * S) / K));
  return { frames };
}

/** Index of the last density frame at or before frame k. */
export function frameIndex(frames, k) {
  let j = 0;
  while (j + 1 < frames.length && frames[j + 1] <= k) j += 1;
  return j;
}

/** The module of the densities' pool chunks. */
const CHUNKS = new URL('./density-chunks.js', import.meta.url).href;

/**
 * One figure's exact densities: its panels' results (`panel.dens`: {w, exact, times: [{logP,
 * mass, massError} | undefined], count, done, serial}), computed in the page's worker pool
 * (`pool`: the figure's side of it, fig.pool), one chunk per panel and time, the time on screen
 * first (then the times after it). `onResult()` hears of each time that arrives; `onError(message)`
 * of a failure.
 */
export class ExactDensities {
  constructor({ pool, onResult, onError }) {
    this.pool = pool;
    this.onResult = onResult;
    this.onError = onError;
    this.job = null; // the running job
    this.focusK = 0;
    this.count = 1; // times per panel in the running job
  }

  /**
   * Panels `cells` ({name, w, dens}) show `model`'s densities along the network or (`exact`)
   * the exact field at the flow times `times` (frames `frames`). Panels whose class, scale,
   * field, times or model changed start again (all of them with `newWeights`); a job computes
   * the times no panel has yet.
   */
  sync(cells, model, exact, frames, times, newWeights = false) {
    if (model !== this.model) newWeights = true;
    this.model = model;
    const steps = exact ? DENS.exactSteps : DENS.steps;
    const key = (c) => `${c.name}|${c.w}|${exact}|${frames.join(',')}|${times.join(',')}`;
    let changed = newWeights;
    for (const c of cells) {
      const k = key(c);
      if (newWeights || c.densKey !== k || !c.dens) {
        c.densKey = k;
        c.dens = {
          w: c.w,
          exact,
          times: frames.map(() => undefined),
          count: 0,
          done: false,
          serial: (c.dens?.serial ?? 0) + 1,
        };
        changed = true;
      }
    }
    if (!changed && (this.job || cells.every((c) => c.dens.done))) return;
    this.cancel();
    // chunk per panel and time not done yet, time-major: a pure function of the job
    const chunks = [];
    const where = [];
    times.forEach((t, k) =>
      cells.forEach((c, panel) => {
        if (c.dens.times[k]) return;
        chunks.push({ name: c.name, w: c.w, t });
        where.push({ panel, k });
      }),
    );
    if (!chunks.length) return;
    const dens = cells.map((c) => c.dens);
    const T = times.length;
    this.count = T;
    const job = this.pool.run({
      url: CHUNKS,
      method: 'density',
      common: { model: model.toJson('f32'), exact, side: DENS.side, steps },
      chunks,
      // the time on screen first, then the times after it, then those before
      priority: (i) => (where[i].k - this.focusK + T) % T,
      onChunk: (i, r) => {
        const { panel, k } = where[i];
        const d = dens[panel];
        // a panel reset since: its results belong to the job that replaced this one
        if (d !== cells[panel].dens || d.times[k]) return;
        d.times[k] = r;
        d.count += 1;
        d.done = d.count === d.times.length;
        this.onResult();
      },
    });
    this.job = job;
    job.done.then(
      () => {
        if (this.job === job) this.job = null;
      },
      (e) => {
        if (this.job !== job) return;
        this.job = null;
        if (!e.cancelled) this.onError(`exact densities failed: ${e.message}`);
      },
    );
  }

  /** Called every animation frame, in exact mode: the time index on screen (computed first). */
  send(focus) {
    this.focus(focus);
  }

  /** The reader moved to time index `k`: its chunks go next. */
  focus(k) {
    this.focusK = Math.max(0, Math.min(this.count - 1, Math.round(k) || 0));
  }

  /** Stops the running job (the panels keep what they have). */
  cancel() {
    this.job?.cancel();
    this.job = null;
  }

  /** Whether a job is under way. */
  get busy() {
    return !!this.job;
  }

  /** Stops this figure's work. */
  free() {
    this.cancel();
    this.model = null;
  }
}
