// The guidance lab's measurements, in the page's worker pool (www/lib/pool.js). Chunks:
//   point {method, w}   common: {model, guide, cls, exact, n, steps, seed, schedule}
//     a batch of n samples of class cls by `method` at strength w from the job's noise (its seed:
//     every point starts from the same noise), measured (hit rate, diversity, off-support, sliced
//     W2 to the class, network calls) with the noise band of each number (standard deviations over
//     bootstrap resamples); null for a method that needs a guide the job does not have.
//     model, guide: model file texts (guide: autoguidance's guide network, or null).
//   bands {xy}          common: {model, cls, seed}
//     the noise bands of samples xy (a panel's, x, y pairs): {hitRate, diversity, offSupport, slicedW2}.
import { pause } from '../../lib/rpc.js';
import { labMethod, needsGuide, RESAMPLES } from './methods.js';

/** Work between looks at the message queue (a cancellation). */
const SLICE_MS = 20;

export function prepare(wasm, common) {
  return {
    ...common,
    model: wasm.Model.fromJson(common.model),
    guide: common.guide ? wasm.Model.fromJson(common.guide) : null,
  };
}

export function release(s) {
  s.model.free();
  s.guide?.free();
}

export async function point({ method: name, w }, s, ctx, wasm) {
  if (needsGuide(wasm, name) && !s.exact && !s.guide) return null;
  const flow = new wasm.Flow(s.model, s.cls, s.n, s.steps, 'euler', s.seed, false);
  try {
    while (!flow.done) {
      flow.advanceFor(labMethod(wasm, name, w, s.exact, s.guide, s.schedule), s.model, SLICE_MS);
      await pause();
      if (ctx.cancelled) return null;
    }
    const metrics = s.model.metrics(flow);
    const bands = s.model.bands(s.cls, flow.positions(), RESAMPLES, s.seed);
    return { method: name, w, metrics, bands };
  } finally {
    flow.free();
  }
}

export function bands({ xy }, s) {
  return s.model.bands(s.cls, xy, RESAMPLES, s.seed);
}
