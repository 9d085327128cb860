// The sampler of the draw-your-own figure, off the main thread. A drawn data set's exact field
// is a kernel mixture with one component per drawn point, and scoring samples against it (hit
// rate, and the support threshold the metrics compute once per model) costs from a few hundred
// milliseconds to several seconds for the larger drawings: too much for a frame budget. So the
// flows run here, on a copy of the figure's model, and the page only paints the positions.
//
// Messages in:
//   {type: 'model', id, json}                 a model file (network + drawn points): the new model
//   {type: 'params', id, params, stepsDone}   new weights for model `id` (used from the next flow)
//   {type: 'drawing', version, json}          drawn data (JSON): its exact field, for sources 'drawing'
//   {type: 'sample', req, source, id | version, cls, w, n, steps, seed, exact, metrics}
//                                             a flow on the model ('model', id) or on the exact
//                                             field of drawing `version` ('drawing'); replaces any
//                                             flow still running
// Messages out:
//   {type: 'progress', req, step, steps, xy}  particles part-way (xy: Float32Array, transferred)
//   {type: 'done', req, id, xy, stepsDone}    final positions and the weights' training steps
//   {type: 'metrics', req, metrics}           model.metrics of the finished flow
//   {type: 'error', req, message}
import { loadBindings } from '../wasm.js';
import { cfg } from '../method.js';

const ready = loadBindings();
let Model = null;
let Flow = null;
let bindings = null;

let model = null;
let modelId = -1;
let drawModel = null;
let drawVersion = -1;
let params = null;
let job = null;
let queued = null;
let scheduled = false;

function schedule() {
  if (!scheduled) {
    scheduled = true;
    setTimeout(tick, 0);
  }
}

function drop() {
  job?.flow.free();
  job = null;
}

function start(m) {
  drop();
  if (m.source === 'drawing') {
    if (!drawModel || m.version !== drawVersion) return;
    try {
      job = { m, model: drawModel, flow: new Flow(drawModel, m.cls, m.n, m.steps, 'euler', m.seed, false) };
    } catch (e) {
      self.postMessage({ type: 'error', req: m.req, message: e.message });
    }
    return;
  }
  if (!model || m.id !== modelId) return;
  if (params) {
    try {
      model.setParams(params.params, params.stepsDone);
    } catch {
      // non-finite weights: keep the previous ones
    }
    params = null;
  }
  try {
    const flow = new Flow(model, m.cls, m.n, m.steps, 'euler', m.seed, false);
    job = { m, model, flow };
  } catch (e) {
    self.postMessage({ type: 'error', req: m.req, message: e.message });
  }
}

function tick() {
  scheduled = false;
  if (queued) {
    const m = queued;
    queued = null;
    start(m);
  }
  if (!job) return;
  const { m, flow } = job;
  const model = job.model;
  const t0 = performance.now();
  try {
    // about 20 ms of steps between looks at the message queue
    while (!flow.done && performance.now() - t0 < 20) flow.advanceFor(cfg(bindings, m.w, m.exact), model, Infinity, 1);
  } catch (e) {
    self.postMessage({ type: 'error', req: m.req, message: e.message });
    drop();
    return;
  }
  if (!flow.done) {
    const xy = flow.positions().slice();
    self.postMessage({ type: 'progress', req: m.req, step: flow.step, steps: flow.steps, xy }, [xy.buffer]);
    schedule();
    return;
  }
  const xy = flow.positions().slice();
  self.postMessage({ type: 'done', req: m.req, id: modelId, xy, stepsDone: model.stepsDone }, [xy.buffer]);
  if (m.metrics) {
    try {
      self.postMessage({ type: 'metrics', req: m.req, metrics: model.metrics(flow) });
    } catch (e) {
      self.postMessage({ type: 'error', req: m.req, message: e.message });
    }
  }
  drop();
  if (queued) schedule();
}

self.onmessage = async (e) => {
  const m = e.data;
  bindings = await ready;
  ({ Model, Flow } = bindings);
  if (m.type === 'model') {
    drop();
    queued = null;
    params = null;
    model?.free();
    model = null;
    try {
      model = Model.fromJson(m.json);
      modelId = m.id;
    } catch (err) {
      self.postMessage({ type: 'error', req: -1, message: err.message });
    }
  } else if (m.type === 'drawing') {
    drop();
    drawModel?.free();
    drawModel = null;
    try {
      drawModel = Model.untrained('custom', '', m.json);
      drawVersion = m.version;
    } catch (err) {
      self.postMessage({ type: 'error', req: -1, message: err.message });
    }
  } else if (m.type === 'params') {
    if (m.id === modelId) params = m;
  } else if (m.type === 'sample') {
    queued = m;
    schedule();
  }
};
