// The CFG grid's cells, in the page's worker pool (www/lib/pool.js). Chunk:
//   cell {name, w}   common: {model, n, steps, solver, seed, exact}
//     n samples of class `name` with CFG at scale w (the network, or with `exact` the data's exact
//     field), from the job's seed, and how they did: {xy (Float32Array, x, y pairs, transferred),
//     metrics (model.metrics)}.
import { pause, transferred } from '../../lib/rpc.js';
import { cfg } from '../../lib/method.js';

/** Work between looks at the message queue (a cancellation). */
const SLICE_MS = 20;

export function prepare(wasm, common) {
  return { ...common, model: wasm.Model.fromJson(common.model) };
}

export function release(s) {
  s.model.free();
}

export async function cell({ name, w }, s, ctx, wasm) {
  const flow = new wasm.Flow(s.model, name, s.n, s.steps, s.solver, s.seed, false);
  try {
    while (!flow.done) {
      flow.advanceFor(cfg(wasm, w, s.exact), s.model, SLICE_MS);
      await pause();
      if (ctx.cancelled) return null;
    }
    const xy = flow.positions().slice();
    return transferred({ xy, metrics: s.model.metrics(flow) }, [xy.buffer]);
  } finally {
    flow.free();
  }
}
