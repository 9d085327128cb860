// The guidance lab's measurements, off the main thread. Requests (rpc.js):
//   frontier {model, guide, cls, exact, n, steps, seed, methods, ws}
//     for each strength and each method, a batch of samples of one class from the same noise,
//     measured (hit rate, diversity, off-support, sliced W2 to the class, network calls) with the
//     noise band of each number (bands: standard deviations over bootstrap resamples).
//     model, guide: model file texts (guide: autoguidance's guide network, or null on the exact
//     field); progress {method, w, metrics, bands} for each point as soon as it is measured, the
//     strengths in order (every curve grows together); the result is null. Cancel to stop.
//   bands {model, cls, xy, seed}
//     the noise bands of samples xy (a panel's, x, y pairs) of class cls: {hitRate, diversity,
//     offSupport, slicedW2}.
// The last bands request's Model is kept for the next (the three panels share it); a frontier
// reads its own copy, so that neither frees a model the other is using.
import { loadBindings } from '../../lib/wasm.js';
import { serve, pause } from '../../lib/rpc.js';
import { labMethod, needsGuide, RESAMPLES } from './methods.js';

const ready = loadBindings();
/** Work between looks at the message queue (a cancellation). */
const SLICE_MS = 20;

let kept = { text: null, model: null };
/** The Model of model file text `text` (the last one's, kept). */
function modelOf(wasm, text) {
  if (kept.text !== text) {
    kept.model?.free();
    kept = { text, model: wasm.Model.fromJson(text) };
  }
  return kept.model;
}

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
            const metrics = model.metrics(flow);
            const bands = model.bands(m.cls, flow.positions(), RESAMPLES, m.seed);
            ctx.progress({ method: name, w, metrics, bands });
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
  async bands(m) {
    const wasm = await ready;
    return modelOf(wasm, m.model).bands(m.cls, m.xy, RESAMPLES, m.seed);
  },
});
