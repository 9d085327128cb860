// Exact densities for the probability-path squares, computed off the main thread: for each panel
// a wasm DensityPath in density-worker.js computes log p_t on a grid over the view at about TIMES
// evenly spaced frames of the flow, each grid point carried back to t = 0 by the reverse ODE with
// the divergence from the exact 2x2 Jacobian (network, or the mixture's analytic one with ground
// truth), the time on screen first. The page keeps each finished time's log densities and paints
// them; a time not computed yet shows the sample histogram instead.
import { WorkerClient } from '../../lib/rpc.js';

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

// One worker for the page: the figures in view take turns by rank (see `rank` below), so that
// the densities never take more than one core from the page's frames. Where the page has less
// than that (a busy machine), its frames slip; then the worker paces itself (works a share of
// the time only) until they keep up again.
let shared = null;
const pacer = { duty: 1, sent: 1, last: 0, gaps: [], at: 0 };

/** Feeds the pacer one animation frame at `now`: every half second, a new duty for the worker. */
function paceFrame(now) {
  const p = pacer;
  if (now === p.last) return; // another figure's call in the same frame
  if (now - p.last > 2000) {
    // a new run after a pause starts at full speed
    p.duty = 1;
    p.gaps.length = 0;
    p.at = now;
  } else if (p.last) p.gaps.push(now - p.last);
  p.last = now;
  if (now - p.at >= 500 && p.gaps.length >= 10) {
    p.gaps.sort((a, b) => a - b);
    const median = p.gaps[p.gaps.length >> 1];
    p.gaps.length = 0;
    p.at = now;
    // a 60 Hz frame is 16.7 ms: a median above 20 ms means frames are being dropped
    if (median > 20) p.duty = Math.max(0.2, p.duty * 0.6);
    else if (median < 18) p.duty = Math.min(1, p.duty + 0.2);
  }
  if (shared?.worker && Math.abs(p.duty - p.sent) > 0.01) {
    p.sent = p.duty;
    shared.call('pace', { duty: p.duty }).catch(() => {});
  }
}

let owners = 0;
const listeners = new Set();
function sharedWorker() {
  if (!shared) {
    pacer.sent = 1; // a new worker works all the time
    shared = new WorkerClient(new URL('./density-worker.js', import.meta.url), {
      onFail: (m) => {
        shared = null;
        for (const f of listeners) f(`the density worker stopped: ${m}`);
      },
    });
  }
  return shared;
}

/**
 * One figure's exact densities: its panels' results (`panel.dens`: {w, exact, times: [{logP,
 * mass} | undefined], count, done, serial}), computed by the page's density worker. `onResult()`
 * hears of each time that arrives; `onError(message)` of a failure; `rank()` says how much the
 * figure is looked at (its distance in px from the middle of the window: the worker computes
 * the lowest rank's densities first).
 */
export class ExactDensities {
  constructor({ onResult, onError, rank = () => 0 }) {
    this.onResult = onResult;
    this.onError = onError;
    this.rank = rank;
    this.owner = ++owners; // this figure's models and paths in the worker
    this.client = null;
    this.model = null; // the page's model the worker holds a copy of
    this.job = null; // the running request
    this.want = null; // the request to send on the next `send()`
    this.focusK = 0;
    this.sentRank = 0;
    listeners.add(onError);
  }

  /** The worker, started on first use. */
  worker() {
    if (!this.client?.worker) {
      try {
        this.client = sharedWorker();
        this.model = null; // a new worker has no copy yet
      } catch (e) {
        this.onError(`the density worker could not start: ${e.message}`);
      }
    }
    return this.client;
  }

  /**
   * Panels `cells` ({name, w, dens}) show `model`'s densities along the network or (`exact`)
   * the exact field at the flow times `times` (frames `frames`). Panels whose class, scale,
   * field, times or model changed start again (all of them with `newWeights`). The model goes
   * to the worker now (which starts it, so that it is ready when the figure comes into view);
   * the request goes out at the next `send()` (the figure calls it from its frames, so only a
   * figure in view computes).
   */
  sync(cells, model, exact, frames, times, newWeights = false) {
    if (model !== this.model) newWeights = true;
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
    this.want = {
      cells: [...cells],
      args: { panels: cells.map((c) => ({ name: c.name, w: c.w })), exact, side: DENS.side, steps, times },
    };
    this.cancel();
    const client = this.worker();
    if (!client) return;
    const owner = this.owner;
    if (model !== this.model) {
      this.model = model;
      client.call('model', { owner, json: model.toJson('f32') }).catch(() => {});
    } else if (newWeights) {
      const params = model.params();
      client
        .call('params', { owner, params, stepsDone: model.stepsDone }, { transfer: [params.buffer] })
        .catch(() => {});
    }
  }

  /**
   * Called every animation frame at `now`, in exact mode: sends the request `sync` prepared, if
   * any, the time with index `focus` first.
   */
  send(focus, now = performance.now()) {
    if (this.job) paceFrame(now);
    this.focus(focus);
    const want = this.want;
    if (!want) return;
    this.want = null;
    const client = this.client;
    if (!client?.worker) return;
    const owner = this.owner;
    const { cells } = want;
    const dens = cells.map((c) => c.dens);
    this.sentRank = this.rank();
    const job = client.call(
      'densities',
      { ...want.args, owner, focus: this.focusK, rank: this.sentRank },
      {
        onProgress: ({ panel, k, logP, mass, massError }) => {
          const d = dens[panel];
          // a panel reset since: its results belong to the request that replaced this one
          if (d !== cells[panel].dens || d.times[k]) return;
          d.times[k] = { logP, mass, massError };
          d.count += 1;
          d.done = d.count === d.times.length;
          this.onResult();
        },
      },
    );
    this.job = job;
    job
      .then(
        () => {},
        (e) => {
          if (!e.cancelled && this.job === job) this.onError(`exact densities failed: ${e.message}`);
        },
      )
      .finally(() => {
        if (this.job === job) this.job = null;
      });
  }

  /**
   * The reader moved to time index `k` (the worker computes it next), or scrolled (the
   * figure's rank changed).
   */
  focus(k) {
    const rank = this.job ? this.rank() : this.sentRank;
    if (k === this.focusK && Math.abs(rank - this.sentRank) < 40) return;
    this.focusK = k;
    this.sentRank = rank;
    if (this.job) this.client?.call('focus', { owner: this.owner, k, rank }).catch(() => {});
  }

  /** Stops the running request (the panels keep what they have). */
  cancel() {
    if (this.job) this.client?.cancel(this.job);
    this.job = null;
  }

  /** Whether a request is out or waiting to go out. */
  get busy() {
    return !!(this.job || this.want);
  }

  /** Stops and forgets this figure's work in the worker. */
  free() {
    this.cancel();
    this.client?.call('forget', { owner: this.owner }).catch(() => {});
    this.model = null;
    listeners.delete(this.onError);
  }
}
