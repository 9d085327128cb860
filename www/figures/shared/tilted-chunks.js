// The exact densities of the sample-panel figures (temperature, which-distribution), in the page's
// worker pool (tilted.js is the page's side). Chunk:
//   density {kind, cls, value, n, sampleSeed, projections}   common: {model, side, seed}
//     the tilted density p(x)^(1−w)·p(x|c)^w (kind 'tilted', value w) or the tempered class
//     p(x|c)^(1/T) (kind 'tempered', value T) of class `cls` of the model's data set (a wasm
//     Tilted): its log-density on a side × side grid over the model's view, n exact samples drawn
//     with `sampleSeed`, the n reference samples that distances to it are measured against, and
//     their noise floor over `projections` directions: {logP, xy, reference, floor}.
//     A pure function of its arguments and the job's: the same numbers in any worker.
import { transferred } from '../../lib/rpc.js';

export { prepare, release } from './model-chunks.js';

export function density({ kind, cls, value, n, sampleSeed, projections }, s, ctx, wasm) {
  const t =
    kind === 'tilted'
      ? new wasm.Tilted(s.model, cls, value, s.side, s.seed)
      : wasm.Tilted.tempered(s.model, cls, value, s.side, s.seed);
  try {
    const logP = t.logDensity();
    const xy = t.sample(n, sampleSeed);
    const reference = t.reference(n);
    const floor = t.floor(n, projections);
    return transferred({ logP, xy, reference, floor }, [logP.buffer, xy.buffer, reference.buffer]);
  } finally {
    t.free();
  }
}
