// The sampler of the draw-your-own figure, off the main thread. A drawn data set's exact field
// is a kernel mixture with one component per drawn point, and scoring samples against it (hit
// rate, and the support threshold the metrics compute once per model) costs from a few hundred
// milliseconds to several seconds for the larger drawings: too much for a frame budget. So the
// flows run here, on a copy of the figure's model, and the page only paints the positions.
//
// Requests (rpc.js):
//   model {id, json}                   a model file (network + drawn points): the new model
//   params {id, params, stepsDone}     new weights for model `id` (used from the next flow)
//   drawing {version, json}            drawn data (JSON): its exact field, for sources 'drawing'
//   sample {source, id | version, cls, w, n, steps, seed, exact, metrics}
//                                      a flow on the model ('model', id) or on the exact field
//                                      of drawing `version` ('drawing'); progress {step, steps,
//                                      xy} part-way, then {final: true, id, xy, stepsDone} at the
//                                      end (xy: Float32Array, transferred); the result is
//                                      {metrics} (model.metrics of the flow, or null)
// A new model or drawing stops the flows under way (they end as cancelled).
import { loadBindings } from '../../lib/wasm.js';
import { serve, pause } from '../../lib/rpc.js';
import { cfg } from '../../lib/method.js';

const ready = loadBindings();

let model = null;
let modelId = -1;
let drawModel = null;
let drawVersion = -1;
let params = null;
/** The sample requests under way. */
const running = new Set();

function stopAll() {
  for (const ctx of running) ctx.cancelled = true;
}

serve({
  async model({ id, json }) {
    const { Model } = await ready;
    stopAll();
    params = null;
    model?.free();
    model = null;
    model = Model.fromJson(json);
    modelId = id;
  },

  async drawing({ version, json }) {
    const { Model } = await ready;
    stopAll();
    drawModel?.free();
    drawModel = null;
    drawModel = Model.untrained('custom', '', json);
    drawVersion = version;
  },

  async params(m) {
    await ready;
    if (m.id === modelId) params = m;
  },

  async sample(m, ctx) {
    const bindings = await ready;
    const { Flow } = bindings;
    let on;
    if (m.source === 'drawing') {
      if (!drawModel || m.version !== drawVersion) throw new Error(`drawing ${m.version} is not here`);
      on = drawModel;
    } else {
      if (!model || m.id !== modelId) throw new Error(`model ${m.id} is not here`);
      if (params) {
        try {
          model.setParams(params.params, params.stepsDone);
        } catch {
          // non-finite weights: keep the previous ones
        }
        params = null;
      }
      on = model;
    }
    const flow = new Flow(on, m.cls, m.n, m.steps, 'euler', m.seed, false);
    running.add(ctx);
    try {
      for (;;) {
        const t0 = performance.now();
        // about 20 ms of steps between looks at the message queue
        while (!flow.done && performance.now() - t0 < 20)
          flow.advanceFor(cfg(bindings, m.w, m.exact), on, Infinity, 1);
        if (flow.done) break;
        const xy = flow.positions().slice();
        ctx.progress({ step: flow.step, steps: flow.steps, xy }, [xy.buffer]);
        await pause();
        // a new model or drawing freed `on`: stop before touching it
        if (ctx.cancelled) return null;
      }
      const xy = flow.positions().slice();
      ctx.progress({ final: true, id: m.id, xy, stepsDone: on.stepsDone }, [xy.buffer]);
      return { metrics: m.metrics ? on.metrics(flow) : null };
    } finally {
      running.delete(ctx);
      flow.free();
    }
  },
});
