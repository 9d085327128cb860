// "Which distribution does CFG sample?", live (issue 23): four panels at one guidance scale w, from
// the same noise. (a) CFG with the ODE (Euler); (b) CFG with the SDE at noise level η (η = 0 is the
// ODE); (c) Feynman–Kac-corrected CFG (method fkc: the SDE of (b) with weights and resampling);
// (d) exact samples of the tilted density p(x)^(1−w)·p(x|c)^w over its heatmap. Under each panel:
// sliced W2 to exact samples of the tilted density, next to the noise floor, computed in wasm once a
// panel's flow is done (the density and its samples in the worker pool: tilted.js); under (c) FKC's
// smallest ESS and resamplings.
import { el, fmt, cfgFormula } from '../../lib/dom.js';
import { fx, P } from '../../shell/figure.js';
import { cfg, method } from '../../lib/method.js';
import * as Panels from '../shared/sample-panels.js';
import { TiltedPanels } from '../shared/tilted.js';

export default {
  id: 'which-distribution',
  title: 'Which distribution does CFG sample?',
  post: 'Temperature Tuning',
  wide: true,
  styles: ['style.css'],
  // the exact density is the tilted one (d)
  params: Panels.params(
    'The guidance scale of every sampler and of the tilted density (d).',
    ...fx('restart', {
      key: 'eta',
      label: 'SDE noise η',
      type: 'number',
      default: 1,
      min: 0,
      max: 3,
      step: 0.1,
      help: 'The noise level η of the SDE that (b) and (c) follow: g² = 2η(1−t); η = 0 is the ODE.',
    }),
    ...fx('flows', P.steps(100, 200)),
  ),
  effects: Panels.EFFECTS,
  controls: ['dataset', 'class', 'w', 'eta', 'steps', 'n', 'seed', 'exact'],
  caption: () => [
    'Which distribution does CFG sample? The same guidance, followed by (a) the ODE, (b) an SDE, (c) an SDE corrected by weights and resampling, against (d) the tilted density. Only (c) lands on it.',
  ],
  howToRead: () => [
    'CFG’s velocity, ',
    ...cfgFormula(),
    ', is at every time the velocity of the tilted density p',
    el('sub', {}, 't'),
    '(x)',
    el('sup', {}, '1−w'),
    '·p',
    el('sub', {}, 't'),
    '(x|c)',
    el('sup', {}, 'w'),
    ', but following it does not sample the tilted density at t = 1 ',
    '(the temperature figure above measures how far it lands). What it samples depends on the sampler (Bradley & Nakkiran, 2024). ',
    el('b', {}, '(a)'),
    ' follows the ODE with Euler steps. ',
    el('b', {}, '(b)'),
    ' follows the SDE dx = [v + (g²/2)·s] dt + g dW, with the score s = (t·v − x)/(1−t) and g² = 2η(1−t): for an exact velocity it has the same marginals as the ODE, but with guidance it lands elsewhere; η = 0 is the ODE. ',
    el('b', {}, '(c)'),
    ' is Feynman–Kac-corrected CFG (Skreta et al., 2025): the particles of (b) each carry a weight that grows by w(w−1)·t/(1−t)·‖v',
    el('sub', {}, 'c'),
    ' − v',
    el('sub', {}, 'u'),
    '‖² dt, ',
    'and are resampled when the effective sample size (ESS) falls below half of them, and once at the end. In the limit of many particles and steps it samples the tilted density. ',
    'Under it: the smallest ESS of the run (as a share of the particles) and how often it resampled. With η = 0 resampling only copies particles, so keep η above 0. ',
    el('b', {}, '(d)'),
    ' is the tilted density at t = 1, computed exactly on a grid from the data’s Gaussian mixture (heatmap), with exact samples (dots). ',
    'Under each panel, the ',
    el('b', {}, 'sliced Wasserstein-2 distance'),
    ' of its samples to exact samples of (d), next to the ',
    el('b', {}, 'noise floor'),
    ' (the distance between two independent exact sample sets of the same size). ',
    'Tick ground truth to use the exact velocity instead of the network, so that what remains is the sampler’s doing.',
  ],
  async create(fig) {
    const { wasm } = fig;
    const KINDS = [
      { kind: 'ode', label: 'CFG samples with the ODE' },
      { kind: 'sde', label: 'CFG samples with the SDE' },
      { kind: 'fkc', label: 'Feynman–Kac-corrected CFG samples' },
      { kind: 'tilted', label: 'tilted density and its exact samples' },
    ];
    const panels = Panels.row(fig, 'wd', KINDS, { dist: null, stats: null });
    const [pa, pb, pc, pd] = panels;
    const flows = [pa, pb, pc];
    pd.floor = null;
    // (d) in the worker pool; a flow that ended before it arrived is measured then
    const densities = new TiltedPanels(fig, [pd], () => {
      pd.floor = pd.exact.floor;
      pd.dirty = true;
      note(pd);
      for (const p of flows) if (p.flow?.done && !p.dist) measure(p);
      fig.request();
    });
    let gen = 0;

    const color = () => fig.classes.indexOf(fig.state.class);
    const methodOf = (p) => {
      const { w, eta, exact } = fig.state;
      if (p === pa) return cfg(wasm, w, exact);
      return method(wasm, p === pb ? 'cfg' : 'fkc', { w, exact, sdeNoise: eta });
    };

    function titles() {
      const { w, eta } = fig.state;
      pa.plot.setTitle(el('b', {}, '(a) ODE'), ` w = ${fmt(w, 1)}`);
      pb.plot.setTitle(el('b', {}, '(b) SDE'), ` η = ${fmt(eta, 1)}`);
      pc.plot.setTitle(el('b', {}, '(c) FKC'), ` η = ${fmt(eta, 1)}`);
      const sup = (t) => el('sup', { class: 'wd-sup' }, t);
      pd.plot.setTitle(el('b', {}, '(d) tilted'), ' p', sup('1−w'), '·p(x|c)', sup('w'));
    }

    const line = (...nodes) => el('span', { class: 'wd-line' }, ...nodes);
    const floorText = () => (pd.floor === null ? '…' : fmt(pd.floor, 3));

    /** The lines under a panel: its distance to (d) and the floor; FKC's ESS and resamplings. */
    function note(p) {
      if (p === pd) {
        p.note.replaceChildren(
          line('exact samples'),
          line('W2 floor ', el('b', { 'data-w2': '' }, floorText())),
        );
        return;
      }
      const d = p.dist;
      const lines = [
        line('W2 to (d) ', el('b', { 'data-w2': '' }, d ? fmt(d.distance, 3) : '…')),
        line(d ? `${fmt(d.distance / d.floor, 1)}× floor` : 'sampling…'),
      ];
      if (p === pc) {
        const s = p.stats;
        const ess = s && s.minEss !== undefined ? `${fmt(s.minEss / fig.state.n, 2)}` : '…';
        lines.push(
          line(
            'min ESS ',
            el('b', { 'data-ess': '' }, ess),
            ', resampled ',
            el('b', { 'data-resamples': '' }, s ? `${s.resamples ?? 0}` : '…'),
          ),
        );
      }
      p.note.replaceChildren(...lines);
    }

    function buildDensity() {
      const { state } = fig;
      densities.build(() => ({ kind: 'tilted', value: state.w, sampleSeed: state.seed + 1 }));
      pd.floor = null;
      pd.dirty = true;
      for (const p of flows) {
        p.dist = null;
        p.stats = null;
      }
    }

    const unmeasured = { dist: null, stats: null };
    const buildFlows = () => Panels.newFlows(fig, flows, (p) => (p === pa ? 'euler' : 'sde'), unmeasured);
    const restartFlows = () => Panels.rewindFlows(flows, unmeasured);

    function readout() {
      const { state } = fig;
      fig.readout(
        Panels.keyLine(fig, color(), `${state.n} samples per panel, ${state.steps} steps, same noise`),
        Panels.fieldLine(fig),
      );
    }

    const layout = () => Panels.layout(fig, panels, fig.width() >= 600 ? 4 : 2, 300);

    const draw = (p) => Panels.draw(fig, p, color(), `${fig.model.dataset}|${gen}`);

    function measure(p) {
      if (!densities.ready) return;
      p.dist = densities.distance(pd, p.flow);
      if (p === pc) p.stats = p.flow.stats();
      note(p);
    }

    return {
      layout,
      data() {
        gen++;
        layout();
      },
      densities: buildDensity,
      weights() {
        gen++;
        buildFlows();
      },
      flows: buildFlows,
      restart: restartFlows,
      changed() {
        titles();
        for (const p of panels) note(p);
        readout();
      },
      // the distance (sliced W2 in wasm, a few ms) once per run, in the frame that ends it
      frame: (now, budget) => Panels.frame(fig, panels, budget, methodOf, measure, draw),
    };
  },
};
