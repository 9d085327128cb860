// The exact densities of a figure of sample panels (temperature, which-distribution), computed off
// the main thread in the page's worker pool (tilted-chunks.js): one chunk per density panel, each
// a wasm Tilted in a worker giving the panel its heatmap (log-density on a grid over the view), its
// exact samples, the reference samples its distances are measured against and their noise floor.
// The page measures its flows against the reference itself (slicedW2, the same function as
// Tilted.distanceTo), so the numbers are those the handle would give on the main thread.
import { GRID, PROJECTIONS } from './sample-panels.js';

const CHUNKS = new URL('./tilted-chunks.js', import.meta.url).href;

export class TiltedPanels {
  /**
   * `panels`: the figure's density panels; `onResult(p)` hears each that arrives (its `exact` set),
   * `fig.fail` of a failure.
   */
  constructor(fig, panels, onResult) {
    this.fig = fig;
    this.panels = panels;
    this.onResult = onResult;
    this.job = null;
    for (const p of panels) Object.assign(p, { isDensity: true, exact: null });
  }

  /**
   * Starts the densities of the current settings, in place of any under way: `targetOf(p)` is
   * `{kind: 'tilted' | 'tempered', value, sampleSeed}` (value: w or T). Each panel's `exact` is
   * null until its chunk arrives, then `{logP, xy, reference, floor}`.
   */
  build(targetOf) {
    const { fig, panels } = this;
    const { class: cls, n, seed } = fig.state;
    this.job?.cancel();
    for (const p of panels) p.exact = null;
    this.seed = seed;
    const job = fig.pool.run({
      url: CHUNKS,
      method: 'density',
      common: { model: fig.model.toJson('f32'), side: GRID, seed },
      chunks: panels.map((p) => ({ cls, n, projections: PROJECTIONS, ...targetOf(p) })),
      onChunk: (k, r) => {
        if (this.job !== job) return;
        panels[k].exact = r;
        this.onResult(panels[k]);
      },
    });
    this.job = job;
    job.done.catch((e) => {
      if (this.job === job && !e.cancelled) fig.fail(new Error(`exact densities failed: ${e.message}`));
    });
  }

  /** Whether every density panel has its results. */
  get ready() {
    return this.panels.every((p) => p.exact);
  }

  /**
   * `{distance, floor, n}` of `flow`'s samples to density panel `p` (which has its results): the
   * sliced W2 to its reference samples, next to their noise floor (Tilted.distanceTo's numbers).
   */
  distance(p, flow) {
    const xy = flow.positions().slice();
    const n = xy.length / 2;
    const { reference, floor } = p.exact;
    const finite = reference.length === xy.length && xy.every(Number.isFinite);
    const distance = finite ? this.fig.wasm.slicedW2(xy, reference, PROJECTIONS, this.seed) : NaN;
    return { distance, floor, n };
  }

  /** Stops the job under way. */
  cancel() {
    this.job?.cancel();
    this.job = null;
  }
}
