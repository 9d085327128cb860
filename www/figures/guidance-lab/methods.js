// The guidance lab's methods (each a method of crate/src/method.rs, run through the one `Method`
// handle), their labels and colours, the strengths of the frontier, and the handle of one at a
// strength: shared by the figure (index.js) and its frontier chunks (frontier-chunks.js).
import { method, needs } from '../../lib/method.js';

/** The methods, in the order of the legend. */
export const LAB_METHODS = ['cfg', 'guidance-interval', 'apg', 'cfg-zero-star', 'autoguidance'];

/** Short labels (panels, legend) and colours (Okabe–Ito, none the ink colour). */
export const LABEL = {
  cfg: 'CFG',
  'guidance-interval': 'interval',
  apg: 'APG',
  'cfg-zero-star': 'CFG-Zero*',
  autoguidance: 'autoguidance',
};
export const COLOR = {
  cfg: '#D55E00',
  'guidance-interval': '#009E73',
  apg: '#CC79A7',
  'cfg-zero-star': '#56B4E9',
  autoguidance: '#E69F00',
};

/** The strengths each frontier curve is traced over. */
export const FRONTIER_WS = [1, 2, 3, 4, 5, 6, 7, 8, 9];

/** Whether method `name` needs a guide network (on the network; the method table says so). */
export const needsGuide = (wasm, name) => needs(wasm, name) === 'guide';

/** On the exact field, autoguidance's guide is the mixture with every covariance times this. */
export const GUIDE_WIDEN = 1.5;

/**
 * The `Method` handle of `name` at strength `w` (each method at its defaults: interval [0.15,
 * 0.8], APG η = 0, CFG-Zero* K = 1), on the exact field or the network; a method that needs a
 * guide (autoguidance) is guided on the network by `guide` (a Model), on the exact field by the
 * widened mixture.
 */
export function labMethod(wasm, name, w, exact, guide) {
  if (needsGuide(wasm, name)) {
    return exact
      ? method(wasm, name, { w, exact, guideWiden: GUIDE_WIDEN })
      : method(wasm, name, { w }, null, guide);
  }
  return method(wasm, name, { w, exact });
}

/** Bootstrap resamples of each noise band (their spread is a standard deviation good to ~10%). */
export const RESAMPLES = 50;

/** A band's half-width shown as ±: two standard deviations (about 95%). */
export const BAND_SDS = 2;

/** The numbers each panel and each frontier point report: key in metrics and bands, label, digits. */
export const SCORES = [
  { key: 'hitRate', label: 'hit', digits: 3 },
  { key: 'diversity', label: 'div', digits: 2 },
  { key: 'offSupport', label: 'off', digits: 3 },
  { key: 'slicedW2', label: 'W2', digits: 3 },
];

/** The frontier's y axes (its `axis` setting): hit rate, off-support or W2, against diversity. */
export const AXES = {
  W2: { key: 'slicedW2', title: 'sliced W2 to the class' },
  hit: { key: 'hitRate', title: 'hit rate' },
  'off-support': { key: 'offSupport', title: 'off-support' },
};
