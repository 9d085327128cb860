// The guidance lab's methods (each a method of crate/src/method.rs, run through the one `Method`
// handle), their labels and colours, the strengths of the frontier, and the handle of one at a
// strength: shared by the figure (index.js) and its frontier chunks (frontier-chunks.js).
import { method, methodTable, needs } from '../../lib/method.js';

/** The methods, in the order of the legend. */
export const LAB_METHODS = [
  'cfg',
  'guidance-interval',
  'apg',
  'cfg-zero-star',
  'autoguidance',
  'cfg-plus-plus',
  'cfg-rescale',
];

/**
 * Short labels (panels, legend) and colours: Okabe–Ito, none the ink colour, and for the seventh
 * (guidance rescale) a violet outside that palette, #8B5CF6, of contrast 3.9:1 against the figure's
 * light backgrounds and 3.8:1 against its dark ones (WCAG 1.4.11 asks 3:1).
 */
export const LABEL = {
  cfg: 'CFG',
  'guidance-interval': 'interval',
  apg: 'APG',
  'cfg-zero-star': 'CFG-Zero*',
  autoguidance: 'autoguidance',
  'cfg-plus-plus': 'CFG++',
  'cfg-rescale': 'rescale',
};
export const COLOR = {
  cfg: '#D55E00',
  'guidance-interval': '#009E73',
  apg: '#CC79A7',
  'cfg-zero-star': '#56B4E9',
  autoguidance: '#E69F00',
  'cfg-plus-plus': '#0072B2',
  'cfg-rescale': '#8B5CF6',
};

/**
 * The methods told apart by more than their colour (a reader who does not see hues tells the
 * seventh from CFG's and APG's curves): a dashed curve and legend key, and diamond points.
 */
export const DASHED = new Set(['cfg-rescale']);

/** The strengths each frontier curve is traced over. */
export const FRONTIER_WS = [1, 2, 3, 4, 5, 6, 7, 8, 9];

/** Whether method `name` needs a guide network (on the network; the method table says so). */
export const needsGuide = (wasm, name) => needs(wasm, name) === 'guide';

/** On the exact field, autoguidance's guide is the mixture with every covariance times this. */
export const GUIDE_WIDEN = 1.5;

/**
 * The guidance schedules w(t) (the choices of the method table's `schedule` parameter,
 * crate/src/method/schedule.rs, in its order; tests/guidance-lab.test.js checks them against it).
 */
export const SCHEDULES = [
  'constant',
  'linear-up',
  'linear-down',
  'cosine',
  'triangle',
  'early',
  'late',
  'interval',
];

/** Whether method `name` takes a schedule (its row of the method table has the parameter). */
export const takesSchedule = (wasm, name) =>
  methodTable(wasm)
    .get(name)
    .params.some((p) => p.js === 'schedule');

/**
 * CFG++ (Chung et al. 2025) is CFG at w_eff = λ·(t+h)(1−t)/h on each Euler step of size h
 * (crate/src/method/cfg_plus_plus.rs), whose mean over N steps grows with N. The lab gives it the λ
 * whose mean at 40 steps is w (the facade's `cfgPlusPlusLambda`), so that at the lab's default 40
 * steps its mean strength is the panels' w, and at 10 or 100 steps the reader sees it change.
 */
export const CFGPP_STEPS = 40;
export const cfgppLambda = (wasm, w) => wasm.cfgPlusPlusLambda(w, CFGPP_STEPS);

/** Guidance rescale's φ in the lab: its default, from its row of the method table. */
export const rescalePhi = (wasm) =>
  methodTable(wasm)
    .get('cfg-rescale')
    .params.find((p) => p.js === 'phi').default;

/**
 * The `Method` handle of `name` at strength `w` (each method at its defaults: interval [0.15,
 * 0.8], APG η = 0, CFG-Zero* K = 1, guidance rescale φ = 0.7 (its row's default, rescalePhi);
 * CFG++ at λ = cfgppLambda(wasm, w)), with w(t) by `schedule` for the methods that take one (not
 * the interval, CFG++ or guidance rescale), on the exact field or the network; a method that needs
 * a guide (autoguidance) is guided on the network by `guide` (a Model), on the exact field by the
 * widened mixture.
 */
export function labMethod(wasm, name, w, exact, guide, schedule = 'constant') {
  const opts = takesSchedule(wasm, name) && schedule !== 'constant' ? { schedule } : {};
  if (name === 'cfg-plus-plus') return method(wasm, name, { w: cfgppLambda(wasm, w), exact });
  if (needsGuide(wasm, name)) {
    return exact
      ? method(wasm, name, { w, exact, guideWiden: GUIDE_WIDEN, ...opts })
      : method(wasm, name, { w, ...opts }, null, guide);
  }
  return method(wasm, name, { w, exact, ...opts });
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
