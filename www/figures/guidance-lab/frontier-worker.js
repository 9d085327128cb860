// The guidance lab's frontier, off the main thread: for each strength and each method, a batch
// of samples of one class from the same noise, measured (hit rate, diversity, off-support,
// network calls). One request (rpc.js):
//   frontier {model, guide, cls, exact, n, steps, seed, methods, ws}
//     model, guide: model file texts (guide: autoguidance's guide network, or null on the exact
//     field); progress {method, w, metrics} for each point as soon as it is measured, the
//     strengths in order (every curve grows together); the result is null. Cancel to stop.
import { loadBindings } from '../../lib/wasm.js';
import { serve, pause } from '../../lib/rpc.js';
import { labMethod, needsGuide } from './methods.js';

const ready = loadBindings();
/** Work between looks at the message queue (a cancellation). */
const SLICE_MS = 20;

serve({
  async frontier(m, ctx) {
    const wasm = await ready;
    const model = wasm.Model.fromJson(m.model);
    const guide = m.guide ? wasm.Model.fromJson(m.guide) : null;
    try {
      for (const w of m.ws) {
        for (const name of m.methods) {
          if (needsGuide(wasm, name) && !m.exact && !guide) continue;
          const flow = new wasm.Flow(model, m.cls, m.n, m.steps, 'euler', m.seed, false);
          try {
            while (!flow.done) {
              flow.advanceFor(labMethod(wasm, name, w, m.exact, guide), model, SLICE_MS);
              await pause();
              if (ctx.cancelled) return null;
            }
            ctx.progress({ method: name, w, metrics: model.metrics(flow) });
          } finally {
            flow.free();
          }
        }
      }
      return null;
    } finally {
      model.free();
      guide?.free();
    }
  },
});
