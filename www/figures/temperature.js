// "Is CFG temperature tuning?", live: four ways to "sharpen" a class at one guidance scale w,
// side by side, from the same noise. (a) CFG at w; (b) the conditional model from narrower noise
// x0 ~ N(0, τ²I), τ² = T = 1/w; (c) the tilted density p(x)^(1−w)·p(x|c)^w, computed exactly on a
// grid, with exact samples; (d) the conditional velocity multiplied by T = 1/w ("v ← T·v"), which
// is a time rescaling: the samples stop at t = T, short of the data. Under each panel: sliced W2
// to exact samples of the tilted density, next to the noise floor of two exact sample sets.
import { el, fmt, cfgFormula } from '../cfg.js';
import { P, trainParams } from '../figure.js';
import { Plot } from '../plot.js';

const TWO = ['non-overlapping', 'overlapping'];
const PROJECTIONS = 64;
/** Cells per side of the grid the tilted density is computed on (over the plot's square). */
const GRID = 200;

export default {
  id: 'temperature',
  title: 'Is CFG temperature tuning?',
  post: 'Temperature Tuning',
  styles: true,
  wide: true,
  params: [
    P.dataset('overlapping', TWO),
    { ...P.cls('upper-right'), help: 'The class to sample, and to guide toward.' },
    { ...P.w(3, 8), min: 1, help: 'The guidance scale of panel (a) and of the tilted density (c); panels (b) and (d) use the temperature T = 1/w.' },
    P.steps(40, 200),
    P.n(1000, 3000),
    P.seed(),
    P.exact(),
    ...trainParams(),
  ],
  controls: ['dataset', 'class', 'w', 'steps', 'n', 'seed', 'exact'],
  caption: () => [
    'The post answers “is CFG temperature tuning?” with “yes and no”: a guidance scale above 1 “can be interpreted as a way to reduce the temperature”. ',
    'The panels test that reading. ', el('b', {}, '(a)'), ' is CFG, ', ...cfgFormula(), '. ',
    el('b', {}, '(b)'), ' lowers the temperature the usual way: the conditional model started from narrower noise, x', el('sub', {}, '0'), ' ~ N(0, τ²I) with τ² = T = 1/w; ',
    'for a Gaussian class this gives exactly p(x|c)', el('sup', {}, '1/T'), '. ',
    el('b', {}, '(c)'), ' is the density that CFG’s formula would be the score of at t = 1, p(x)', el('sup', {}, '1−w'), '·p(x|c)', el('sup', {}, 'w'), ' ∝ p(x|c)·p(c|x)', el('sup', {}, 'w−1'), ', ',
    'computed exactly on a grid (heatmap) with exact samples (dots). It is not a colder class either: it reweights the class by how sure the classifier p(c|x) is, ',
    'so where the classes do not overlap it is the class itself, unchanged, and where they overlap it moves away from the other class. ',
    el('b', {}, '(d)'), ' multiplies the velocity by T (v ← T·v). That is not a temperature but a change of clock: ',
    'integrating T·v(x, T·t) over t from 0 to 1 is following v only up to time T, so the samples stop on the path between noise and data, a blurred mix of the two. ',
    'Under each panel, the ', el('b', {}, 'sliced Wasserstein-2 distance'), ' of its samples to exact samples of the tilted density, next to the ', el('b', {}, 'noise floor'),
    ' (the same distance between two independent exact sample sets of the same size). CFG lands several times above the floor: ',
    'its samples are not drawn from the tilted density, even with the exact velocity (tick ground truth), because guiding every step of the path is not the same as tilting its end. ',
    'So CFG is neither a temperature nor the tilted density; it is its own distribution, which this figure measures rather than names.',
  ],
  async create(fig) {
    const { wasm } = fig;
    const KINDS = [
      { kind: 'cfg', label: 'CFG samples' },
      { kind: 'noise', label: 'noise-scaled samples' },
      { kind: 'tilted', label: 'tilted density and its exact samples' },
      { kind: 'scaled', label: 'samples of the velocity scaled by T' },
    ];
    const panels = KINDS.map(({ kind, label }) => {
      const plot = new Plot(wasm, { extent: fig.model.extent, compact: true, title: '…', label });
      const note = el('div', { class: 'tp-note' }, '…');
      const box = el('div', { class: 'tp-panel' }, plot.el, note);
      return { kind, plot, note, box, flow: null, dist: null, bgKey: '', dirty: true };
    });
    fig.plots.append(el('div', { class: 'tp-row' }, ...panels.map((p) => p.box)));
    const [pa, pb, pc, pd] = panels;
    let tilted = null;
    let tiltedXY = null;
    let floor = null;
    let gen = 0;

    const color = () => fig.classes.indexOf(fig.state.class);
    const T = () => 1 / fig.state.w;

    function titles() {
      const { w } = fig.state;
      pa.plot.setTitle(el('b', {}, '(a) CFG'), ` w = ${fmt(w, 1)}`);
      pb.plot.setTitle(el('b', {}, '(b) noise'), ` τ = 1/√w = ${fmt(Math.sqrt(T()), 2)}`);
      pc.plot.setTitle(el('b', {}, '(c) tilted'), ' p', el('sup', {}, '1−w'), '·p(x|c)', el('sup', {}, 'w'));
      pd.plot.setTitle(el('b', {}, '(d) v ← T·v'), `, stops at t = ${fmt(T(), 2)}`);
    }

    function note(p) {
      if (p.kind === 'tilted') {
        p.note.replaceChildren('exact · floor ', el('b', {}, floor === null ? '…' : fmt(floor, 3)));
        return;
      }
      if (!p.dist) { p.note.textContent = 'sampling…'; return; }
      p.note.replaceChildren('W2 ', el('b', {}, fmt(p.dist.distance, 3)), ` = ${fmt(p.dist.distance / p.dist.floor, 1)}× floor`);
    }

    function buildTilted() {
      tilted?.free();
      tilted = new wasm.Tilted(fig.model, fig.state.class, fig.state.w, GRID, fig.state.seed);
      tiltedXY = tilted.sample(fig.state.n, fig.state.seed);
      floor = null;
      pc.dirty = true;
      for (const p of [pa, pb, pd]) p.dist = null;
    }

    function buildFlows() {
      const { state } = fig;
      for (const p of [pa, pb, pd]) {
        p.flow?.free();
        p.flow = new wasm.Flow(fig.model, state.class, state.n, state.steps, 'euler', state.seed, false);
        p.dist = null;
        p.dirty = true;
      }
      pb.flow.restartScaled(state.seed, Math.sqrt(T()));
    }

    function restartFlows() {
      for (const p of [pa, pb, pd]) { p.flow.rewind(); p.dist = null; p.dirty = true; }
      pb.flow.restartScaled(fig.state.seed, Math.sqrt(T()));
    }

    function readout() {
      const { state } = fig;
      const d = (p) => (p.dist ? fmt(p.dist.distance, 3) : '…');
      const src = state.exact ? 'the exact velocity of the data (ground truth)'
        : (fig.pretrained ? 'the pretrained network' : `the network after ${fig.model.stepsDone} training steps`);
      fig.readout(
        el('span', {}, el('span', { class: 'key', style: `background:${fig.colorOf(color())}` }), `${state.n} samples of ${state.class} per panel, ${state.steps} Euler steps, same noise`),
        el('span', {}, 'sliced W2 to the tilted density (c): CFG ', el('b', {}, d(pa)), ', noise scaling ', el('b', {}, d(pb)), ', T·v ', el('b', {}, d(pd))),
        el('span', {}, 'noise floor (two exact sample sets of (c)): ', el('b', {}, floor === null ? '…' : fmt(floor, 3))),
        el('span', {}, `field: ${src}`));
    }

    function layout() {
      const width = fig.width();
      const cols = width >= 600 ? 4 : 2;
      const side = Plot.sideFor(width, cols, { compact: true, gap: 14, min: 110, max: 260 });
      for (const p of panels) {
        if (p.plot.resize(side)) p.dirty = true;
        p.plot.setExtent(fig.model.extent);
        p.box.style.width = `${Plot.widthFor(side, true)}px`;
      }
    }

    function draw(p) {
      const pt = p.plot.painter;
      const dpr = p.plot.dpr;
      const r = Math.min(1.1 * dpr, 2);
      const key = `${p.plot.side}|${dpr}|${fig.model.dataset}|${gen}`;
      if (p.kind === 'tilted') {
        pt.clear();
        tilted.paint(pt, color());
        pt.points(tiltedXY, -1, 0.45, r);
      } else {
        if (p.bgKey !== key) {
          pt.clear();
          pt.data(fig.model, 0.14, r);
          pt.snapshot();
          p.bgKey = key;
        } else {
          pt.restore();
        }
        pt.particles(p.flow, -1, color(), 0.7, r);
      }
      p.plot.put();
      p.dirty = false;
    }

    function measure(p) {
      p.dist = tilted.distanceTo(p.flow, PROJECTIONS);
      floor = p.dist.floor;
      note(p);
      note(pc);
    }

    return {
      layout,
      update(keys) {
        if (!fig.model) return;
        if (keys.includes('model') || keys.includes('dataset')) gen++;
        // a new data set may have another view square
        if (keys.includes('dataset')) layout();
        const all = ['model', 'dataset', 'class', 'steps', 'n', 'seed'];
        // the tilted density is exact: new weights (training in the browser) leave it as it is
        if (keys.some((k) => ['dataset', 'class', 'n', 'seed', 'w'].includes(k))) buildTilted();
        if (keys.some((k) => all.includes(k))) buildFlows();
        else if (keys.some((k) => ['w', 'exact'].includes(k))) restartFlows();
        titles();
        for (const p of panels) note(p);
        readout();
        fig.request();
      },
      frame(now, budget) {
        const t0 = performance.now();
        const { state } = fig;
        const open = [pa, pb, pd].filter((p) => !p.flow.done);
        for (const p of open) {
          const left = budget - (performance.now() - t0);
          if (left <= 0) break;
          const ms = Math.max(0.3, left / open.length);
          if (p === pa) p.flow.advanceFor(fig.model, state.w, state.exact, ms);
          else if (p === pb) p.flow.advanceFor(fig.model, 1, state.exact, ms);
          else p.flow.advanceScaledFor(fig.model, T(), 1, state.exact, ms);
          p.dirty = true;
          if (p.flow.done) { measure(p); readout(); }
        }
        let busy = false;
        for (const p of panels) {
          if (p.flow && !p.flow.done) busy = true;
          if (p.dirty && (p.kind === 'tilted' || !fig.reducedMotion || p.flow.done)) draw(p);
        }
        return busy;
      },
    };
  },
};
