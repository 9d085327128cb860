// The probability path's exact densities, in the page's worker pool (exact.js is the page's side).
// Chunk:
//   density {name, w, t}   common: {model, exact, side, steps}
//     log p_t of class `name` under guidance w at time t, on a side × side grid over the model's
//     view (a wasm DensityPath of that one time: each time is integrated on its own, so the
//     numbers are those of a path of all times); {logP (Float64Array, transferred), mass, massError}.
import { pause, transferred } from '../../lib/rpc.js';

/** Work between looks at the message queue (a cancellation). */
const SLICE_MS = 25;

export { prepare, release } from '../shared/model-chunks.js';

export async function density({ name, w, t }, s, ctx, wasm) {
  const path = new wasm.DensityPath(s.model, name, w, !!s.exact, s.side, Float64Array.from([t]), s.steps);
  try {
    while (!path.done) {
      path.advanceFor(s.model, SLICE_MS, 0);
      if (path.done) break;
      await pause();
      if (ctx.cancelled) return null;
    }
    const logP = path.logDensity(0);
    return transferred({ logP, mass: path.mass(0), massError: path.massError(0) }, [logP.buffer]);
  } finally {
    path.free();
  }
}
