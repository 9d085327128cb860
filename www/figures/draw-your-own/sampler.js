// The draw-your-own figure's sampler: its own worker (worker.js), the flow the view wants (the
// network's samples of the drawing it was trained on, or the exact field of the current drawing),
// the requests and their results, and which sample set is shown. The painting and the words read
// the sets; `dirty()` asks for a repaint.
import { WorkerClient } from '../../lib/rpc.js';

/** The sampler of figure `fig` drawing on sketch `s`; `isDrawing()`: a stroke is under way. */
export function sampler(fig, s, { dirty, isDrawing }) {
  let worker = null;
  let modelRef = null;
  let modelId = 0;
  let req = 0;
  let inflight = null;
  let lastKey = '';
  let samples = null;
  let live = null;
  // while training, the sampler rests as long as its last flow took, to leave the trainer CPU
  let restUntil = 0;
  let restTimer = 0;
  let sentDrawing = -1;
  try {
    worker = new WorkerClient(new URL('./worker.js', import.meta.url), {
      onFail: (m) => fig.message(`The sampler stopped: ${m}`),
    });
  } catch (e) {
    fig.message(`The sampler could not start: ${e.message}`);
  }
  const failed = (e) => {
    if (!e.cancelled) fig.message(`Sampling failed: ${e.message}`);
  };

  /** Sends flow `job` ({req, ...wanted()}) to the worker; its positions and metrics come back. */
  function sample(job) {
    const onProgress = (m) => {
      if (inflight !== job) return;
      if (!m.final) {
        // the first set of a model moves on screen; later ones replace the shown set when done
        if (!fig.reducedMotion && !usable(samples)) {
          live = { ...job, xy: m.xy };
          dirty();
        }
        return;
      }
      const now = performance.now();
      restUntil = now + Math.min(1500, now - job.t0);
      samples = {
        ...job,
        xy: m.xy,
        weights: job.exact ? -1 : m.stepsDone,
        metrics: null,
        measuring: job.metrics,
      };
      inflight = null;
      live = null;
      dirty();
      request();
    };
    const { t0, ...args } = job;
    job.call = worker.call('sample', args, { onProgress });
    job.call.then(
      ({ metrics }) => {
        if (metrics && samples && samples.req === job.req) {
          samples.metrics = metrics;
          samples.measuring = false;
          dirty();
        }
      },
      (e) => {
        if (inflight === job) inflight = null;
        failed(e);
      },
    );
  }

  const matches = () => s.modelVersion === s.version;
  /** Brushes with enough points to be classes of the drawing's exact field. */
  const drawnClasses = () => s.brushes.filter((b) => b.pts.length >= 3).map((b) => b.name);
  /**
   * The flow the view asks for now, or null (nothing to sample). The network samples the
   * drawing it was trained on; the exact field always samples the current drawing.
   */
  function wanted() {
    if (!worker) return null;
    const st = fig.state;
    const common = { cls: st.class, w: st.w, n: st.n, steps: st.steps, seed: st.seed, exact: st.exact };
    if (st.exact) {
      const names = drawnClasses();
      if (!names.length || (st.class !== 'null' && !names.includes(st.class))) return null;
      return { source: 'drawing', version: s.version, ...common, metrics: true };
    }
    const m = fig.model;
    if (!m || !matches() || m.stepsDone === 0) return null;
    return { source: 'model', id: modelId, ...common, weights: m.stepsDone, metrics: !fig.isTraining() };
  }
  /** Asks the worker for the wanted flow; while training, lets a running flow finish first. */
  function request(force = false) {
    const want = wanted();
    if (!want) return;
    const key = JSON.stringify(want);
    if (key === lastKey) return;
    if (fig.isTraining() && !force && !want.exact) {
      if (inflight) return;
      const wait = restUntil - performance.now();
      if (wait > 0) {
        if (!restTimer)
          restTimer = setTimeout(() => {
            restTimer = 0;
            request();
          }, wait);
        return;
      }
    }
    if (want.source === 'drawing' && sentDrawing !== s.version) {
      const d = s.drawn();
      d.classes = d.classes.filter((c) => c.points.length >= 3);
      worker.call('drawing', { version: s.version, json: JSON.stringify(d) }).catch(failed);
      sentDrawing = s.version;
    }
    lastKey = key;
    req += 1;
    // a flow still under way is replaced (one that is scoring its samples finishes)
    if (inflight) worker.cancel(inflight.call);
    inflight = { ...want, req, t0: performance.now() };
    sample(inflight);
  }

  function syncModel() {
    const m = fig.model;
    if (!m || !worker) return;
    if (m !== modelRef) {
      modelRef = m;
      modelId += 1;
      s.modelVersion = s.pendingVersion;
      samples = null;
      live = null;
      if (inflight) worker.cancel(inflight.call);
      inflight = null;
      lastKey = '';
      worker.call('model', { id: modelId, json: m.toJson('f32') }).catch(failed);
    } else {
      const p = m.params();
      worker
        .call('params', { id: modelId, params: p, stepsDone: m.stepsDone }, { transfer: [p.buffer] })
        .catch(failed);
    }
  }

  /** Whether a sample set belongs to what is on screen (or may stand in while its replacement is computed). */
  function current(x) {
    return x.source === 'drawing' ? x.version === s.version : x.id === modelId && matches();
  }
  function usable(x) {
    if (!x || isDrawing()) return false;
    if (current(x) && x.exact === fig.state.exact) return true;
    // a set stands in while the set for the current view is on its way
    if (!inflight || !current(inflight)) return false;
    return current(x) || (x.source === 'drawing' && inflight.source === 'drawing');
  }
  /** The sample set to show: the last finished one, or the first one still moving. */
  function shown() {
    if (usable(samples)) return samples;
    if (live && current(live)) return live;
    return null;
  }

  return {
    get samples() {
      return samples;
    },
    get live() {
      return live;
    },
    matches,
    drawnClasses,
    request,
    syncModel,
    current,
    shown,
  };
}
