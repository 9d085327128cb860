// "Is CFG temperature tuning?", live: five panels at one guidance scale w, sampled from the same
// noise. (a) CFG at w; (b) the tilted density p(x)^(1−w)·p(x|c)^w and (c) the tempered class
// p(x|c)^(1/T), T = 1/w, both computed exactly on a grid, with exact samples; (d) the conditional
// model from narrower noise x0 ~ N(0, τ²I), τ² = T; (e) the conditional velocity multiplied by T
// ("v ← T·v"), which is a time rescaling: the samples stop at t = T, short of the data. Under the
// sampling panels: sliced W2 to exact samples of the tilted density (b), next to its noise floor;
// under (c): the noise-scaled samples (d) against the tempered class, next to its own floor.
import { el, fmt, cfgFormula } from '../../lib/dom.js';
import { fx, P } from '../../shell/figure.js';
import { cfg, method } from '../../lib/method.js';
import * as Panels from '../shared/sample-panels.js';
import { TiltedPanels } from '../shared/tilted.js';

export default {
  id: 'temperature',
  title: 'Is CFG temperature tuning?',
  post: 'Temperature Tuning',
  styles: ['style.css'],
  wide: true,
  // the exact densities are (b) and (c)
  params: Panels.params(
    'The guidance scale of CFG (a) and of the tilted density (b); the tempered class (c), the noise scaling (d) and v ← T·v (e) use the temperature T = 1/w.',
    ...fx('flows', P.steps(40, 200)),
  ),
  effects: Panels.EFFECTS,
  controls: ['dataset', 'class', 'w', 'steps', 'n', 'seed', 'exact'],
  caption: () => [
    'Is CFG (a) a lower temperature? (b) is the tilted density its score suggests, (c) the class at temperature T = 1/w; the distances show CFG is neither.',
  ],
  howToRead: () => [
    'The post answers “is CFG temperature tuning?” with “yes and no”: a guidance scale above 1 “can be interpreted as a way to reduce the temperature”. ',
    'The panels test that reading, all at the same w and from the same noise. ',
    el('b', {}, '(a)'),
    ' is CFG, ',
    ...cfgFormula(),
    '. ',
    el('b', {}, '(b)'),
    ' is the density that CFG’s formula would be the score of at t = 1, the tilted density p(x)',
    el('sup', {}, '1−w'),
    '·p(x|c)',
    el('sup', {}, 'w'),
    ' ∝ p(x|c)·p(c|x)',
    el('sup', {}, 'w−1'),
    '; ',
    el('b', {}, '(c)'),
    ' is the class at temperature T = 1/w, p(x|c)',
    el('sup', {}, '1/T'),
    ' = p(x|c)',
    el('sup', {}, 'w'),
    ' (normalised): what “lower temperature” means. ',
    'Both are computed exactly on a grid from the data’s Gaussian mixture (heatmap) and sampled exactly (dots). ',
    'They differ: the tilted density reweights the class by how sure the classifier p(c|x) is, so where the classes do not overlap it is the class itself, unchanged, ',
    'and where they overlap it moves away from the other class; the tempered class keeps its mean and only narrows. ',
    el('b', {}, '(d)'),
    ' lowers the temperature the usual way: the conditional model started from narrower noise, x',
    el('sub', {}, '0'),
    ' ~ N(0, τ²I) with τ² = T. ',
    'For a Gaussian class this is exactly the tempered class (c), and the number under (c) checks it: the distance of (d)’s samples to (c) sits at the noise floor with ground truth ticked. ',
    el('b', {}, '(e)'),
    ' multiplies the velocity by T (v ← T·v). That is not a temperature but a change of clock: ',
    'integrating T·v(x, T·t) over t from 0 to 1 is following v only up to time T, so the samples stop on the path between noise and data, a blurred mix of the two. ',
    'Under (a), (d) and (e), the ',
    el('b', {}, 'sliced Wasserstein-2 distance'),
    ' of the panel’s samples to exact samples of the tilted density (b), next to the ',
    el('b', {}, 'noise floor'),
    ' (the same distance between two independent exact sample sets of the same size); the readout adds each distance to the tempered class (c). CFG lands several times above both floors: ',
    'its samples are drawn neither from the tilted density, even with the exact velocity (tick ground truth), because guiding every step of the path is not the same as tilting its end, ',
    'nor from the class at temperature 1/w. So CFG is neither a temperature nor the tilted density; it is its own distribution, which this figure measures rather than names.',
  ],
  async create(fig) {
    const { wasm } = fig;
    const KINDS = [
      { kind: 'cfg', label: 'CFG samples' },
      { kind: 'tilted', label: 'tilted density and its exact samples' },
      { kind: 'tempered', label: 'tempered class density and its exact samples' },
      { kind: 'noise', label: 'noise-scaled samples' },
      { kind: 'scaled', label: 'samples of the velocity scaled by T' },
    ];
    const panels = Panels.row(fig, 'tp', KINDS, { dist: null, temp: null });
    const [pa, pb, pc, pd, pe] = panels;
    /** The sampling panels and the exact-density panels. */
    const flows = [pa, pd, pe];
    const exact = [pb, pc];
    // per density panel: its results (`exact`, from the worker pool) and the noise floor of its distances
    for (const p of exact) p.floor = null;
    const densities = new TiltedPanels(fig, exact, (p) => {
      p.floor = p.exact.floor;
      p.dirty = true;
      if (densities.ready) for (const q of flows) if (q.flow?.done && !q.dist) measure(q);
      for (const q of exact) note(q);
      readout();
      fig.request();
    });
    let gen = 0;

    const color = () => fig.classes.indexOf(fig.state.class);
    const T = () => 1 / fig.state.w;

    function titles() {
      const { w } = fig.state;
      pa.plot.setTitle(el('b', {}, '(a) CFG'), ` w = ${fmt(w, 1)}`);
      pb.plot.setTitle(el('b', {}, '(b) tilted'), ' p', el('sup', {}, '1−w'), '·p(x|c)', el('sup', {}, 'w'));
      pc.plot.setTitle(el('b', {}, '(c) tempered'), ' p(x|c)', el('sup', {}, '1/T'));
      pd.plot.setTitle(el('b', {}, '(d) noise'), ` τ = √T = ${fmt(Math.sqrt(T()), 2)}`);
      pe.plot.setTitle(el('b', {}, '(e) v ← T·v'), `, T = ${fmt(T(), 2)}`);
    }

    const line = (...nodes) => el('span', {}, ...nodes);
    const times = (d) => `${fmt(d.distance / d.floor, 1)}× floor`;

    /** Two lines under each panel: what it is measured against, and how far that is. */
    function note(p) {
      const d = p === pc ? pd.temp : p.dist;
      if (p === pb) {
        p.note.replaceChildren(
          line('exact samples'),
          line('floor ', el('b', {}, p.floor === null ? '…' : fmt(p.floor, 3))),
        );
        return;
      }
      const to = p === pc ? '(d) to (c): W2 ' : 'to (b): W2 ';
      p.note.replaceChildren(
        line(to, el('b', {}, d ? fmt(d.distance, 3) : '…')),
        line(d ? times(d) : 'sampling…'),
      );
    }

    // (d) CFG at w = 1 from x0 ~ N(0, τ²I), τ = √T; (e) T·v(x, T·t) at w = 1
    const noiseScale = () =>
      method(wasm, 'noise-scale', { w: 1, tau: Math.sqrt(T()), exact: fig.state.exact });
    const velocityScale = () =>
      method(wasm, 'velocity-scale', { w: 1, temperature: T(), clock: 'rescaled', exact: fig.state.exact });

    // (b) and (c) in the worker pool, exact samples drawn with the settings' seed
    function buildDensities() {
      const { state } = fig;
      const t = T();
      densities.build((p) =>
        p === pb
          ? { kind: 'tilted', value: state.w, sampleSeed: state.seed }
          : { kind: 'tempered', value: t, sampleSeed: state.seed },
      );
      for (const p of exact) {
        p.floor = null;
        p.dirty = true;
      }
      for (const p of flows) {
        p.dist = null;
        p.temp = null;
      }
    }

    const unmeasured = { dist: null, temp: null };

    function buildFlows() {
      Panels.newFlows(fig, flows, () => 'euler', unmeasured);
      // zero steps: the flow takes the method's start noise
      pd.flow.advanceFor(noiseScale(), fig.model, Infinity, 0);
    }

    function restartFlows() {
      Panels.rewindFlows(flows, unmeasured);
      pd.flow.advanceFor(noiseScale(), fig.model, Infinity, 0);
    }

    function readout() {
      const { state } = fig;
      const d = (x) => (x ? fmt(x.distance, 3) : '…');
      const f = (p) => (p.floor === null ? '…' : fmt(p.floor, 3));
      fig.readout(
        Panels.keyLine(fig, color(), `${state.n} samples per panel, ${state.steps} Euler steps, same noise`),
        el(
          'span',
          {},
          'sliced W2 to the tempered class (c): CFG ',
          el('b', {}, d(pa.temp)),
          ', noise scaling ',
          el('b', {}, d(pd.temp)),
          ', T·v ',
          el('b', {}, d(pe.temp)),
          '; noise floor ',
          el('b', {}, f(pc)),
        ),
        Panels.fieldLine(fig),
      );
    }

    function layout() {
      const width = fig.width();
      Panels.layout(fig, panels, width >= 700 ? 5 : width >= 480 ? 3 : 2, 260);
    }

    const draw = (p) => Panels.draw(fig, p, color(), `${fig.model.dataset}|${gen}`);

    // a flow that ends before the densities are there is measured when they arrive
    function measure(p) {
      if (!densities.ready) return;
      p.dist = densities.distance(pb, p.flow);
      p.temp = densities.distance(pc, p.flow);
      note(p);
      for (const q of exact) note(q);
    }

    return {
      layout,
      data() {
        gen++;
        // a new data set may have another view square
        layout();
      },
      densities: buildDensities,
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
      frame(now, budget) {
        const { state } = fig;
        const methodOf = (p) =>
          p === pa ? cfg(wasm, state.w, state.exact) : p === pd ? noiseScale() : velocityScale();
        const done = (p) => {
          measure(p);
          readout();
        };
        return Panels.frame(fig, panels, budget, methodOf, done, draw);
      },
    };
  },
};
