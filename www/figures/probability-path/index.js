// Figs 6 and 7 of the post, live: the probability path of each class under guidance. For each
// class (columns) and guidance scale (plain conditional w = 1 next to the chosen w), the density
// of the samples at time t (the square) and the whole path at once (the strip under it: time left
// to right, upward the position along the diagonal (x + y)/√2, the line through both class means).
// All flows are recorded as they are computed, a step at a time, and played back together.
//
// This file is the definition and the grid of cells (2 guidance scales × the classes) with their
// life cycle (build, rebuild after a change, free, layout, the frame), which share the cells and
// the one play head. A cell (cells.js) and each part of it have their own files in
// probability-path/ (the square, the strip, the exact densities and their pool chunks, the
// read-out, the reference circles).
import { el, fmt, cfgFormula, pixelRatio } from '../../lib/dom.js';
import { P, fx, trainParams } from '../../shell/figure.js';
import { Plot } from '../../lib/plot.js';
import { wRole, flowMaker, makeCell, advance, cellSide, CELL_GAP } from './cells.js';
import { cellPainters, colors, drawCells } from './draw-cells.js';
import { paintReferences, wText } from './refs.js';
import { SPAD } from './strip.js';
import { PlayHead } from '../../lib/playbar.js';
import { readoutWriter } from './readout.js';
import { DENS, densityFrames, frameIndex, ExactDensities } from './exact.js';

// The two data sets of Figs 6 and 7: two Gaussian classes whose means lie on the diagonal.
const DATASETS = ['non-overlapping', 'overlapping'];

export default {
  id: 'probability-path',
  title: 'The probability path, class by class',
  // it animates: the GIF/WebM recorder steps its play head, `playHead` (www/shell/record.js)
  animates: true,
  post: 'Figs 6 and 7',
  wide: true,
  styles: ['style.css'],
  // what a change invalidates (www/shell/effects.js), strongest first: another data set (new
  // panels, references, view); new noise; new panels under the same noise (w, the w = 1 column);
  // the same noise under another field; new weights. And independently what the squares show.
  params: [
    ...fx('data', P.dataset('non-overlapping', DATASETS)),
    ...fx('regroup', P.w(3), {
      key: 'compare',
      label: 'with w = 1',
      type: 'bool',
      default: true,
      help: 'Also show plain conditional sampling (w = 1), from the same noise, next to the chosen scale.',
    }),
    {
      effect: 'squares',
      key: 'squares',
      label: 'squares show',
      type: 'enum',
      default: 'exact',
      options: ['exact', 'histogram'],
      help: `exact: the density p_t of the flow itself, by the change of variables: each point of a ${DENS.side} × ${DENS.side} grid is carried back to t = 0 by the reverse ODE, adding up the divergence of the velocity from its exact Jacobian, at ${DENS.times + 1} times from t = 0 to 1. histogram: where the samples are, counted in cells and smoothed.`,
    },
    ...fx('restart', P.n(1500, 4000), P.steps(50, 200), P.solver(), P.seed()),
    ...fx('soft', P.exact()),
    ...trainParams(),
  ],
  effects: [['data', 'restart', 'regroup', 'soft', 'weights'], ['squares']],
  controls: ['dataset', 'w', 'compare', 'squares', 'n', 'steps', 'solver', 'seed', 'exact'],
  caption: () => [
    'Each class from noise (t = 0) to data (t = 1) under ',
    ...cfgFormula(),
    '; ',
    el('b', {}, 'strips'),
    ': the path along the line through both means. Guided mass commits to its side early.',
  ],
  howToRead: () => [
    'Every panel follows one class from noise (t = 0) to data (t = 1) with ',
    ...cfgFormula(),
    '. ',
    'The ',
    el('b', {}, 'squares'),
    ' show that class at the time on the slider. With “squares show: exact” (the default) they are ',
    el('b', {}, 'exact densities'),
    ' p_t of the flow, by the change of variables log p_t(x) = log N(x_0; 0, I) − ∫_0^t tr(∂v/∂x) ds: ',
    `each point x of a ${DENS.side} × ${DENS.side} grid is carried back to its noise x_0 by the reverse ODE (Heun, ${DENS.steps} steps per unit of time, ${DENS.exactSteps} with ground truth), `,
    'adding up the divergence tr(∂v/∂x) from the network’s exact 2×2 Jacobian (with guidance, J = (1 − w)·J_u + w·J_c; with ground truth, the mixture’s analytic Jacobian). ',
    `They are computed in a background worker, the time on screen first, at ${DENS.times + 1} times from t = 0 to 1, evenly spread to the nearest sampling step (the slider moves between them); `,
    'a time not computed yet shows the histogram, marked “exact density: k/K”. With “histogram” the squares are ',
    el('b', {}, 'histograms of the samples'),
    '. ',
    'The ',
    el('b', {}, 'strip'),
    ' under each square is always a histogram of the samples, the whole path at once: time runs left to right and, upward, ',
    'the position along the diagonal (x + y)/√2, the line through both class means (dashed). ',
    'Both scales start from the same noise. With guidance the mass splits from the middle and commits to its side of the diagonal early, ',
    'then keeps condensing; plain conditional sampling (w = 1) moves later and ends as wide as the class. ',
    'On overlapping classes guidance also shifts each class away from the other, past its own mean. ',
    'Play, pause, step or drag the time slider. ',
    el('b', {}, 'Read-out'),
    ': each square is scaled to its own peak; its “mass in view” is ∫ p_t over the square (below 1, the rest lies outside), ± the integration’s estimated error: the change from half the time steps, and a third of the change to a grid of twice the spacing. A mass above 1 is that error. ',
    'Each time column of a strip is scaled to its own peak, so the colour shows where the samples are, not how many. ',
    'The dashed circles hold 86% of each class’s data (2σ) around its mean (+); on the strips, the dashed lines are the means along the diagonal. ',
    el('b', {}, 'Hit rate'),
    ': the share of a panel’s samples at t = 1 whose most likely class under the data is their own; ',
    el('b', {}, 'diversity'),
    ': the spread of the samples (trace of their covariance) over the spread of the class (1: as wide as the data).',
  ],
  async create(fig) {
    const { wasm } = fig;
    const wrap = el('div', { class: 'pp' });
    const groupsEl = el('div', { class: 'pp-groups' });
    fig.plots.append(wrap);

    // shared painters: densities at a small size (scaled up smoothly), and the strips' projections
    const painters = cellPainters(wasm, fig.model.extent);

    let cells = [];
    let groups = [];
    let shape = '';
    let side = 0;
    let stripH = 0;
    let dpr = 1;
    let layoutSerial = 0;
    let stale = false; // new weights arrived while playing: recompute when the loop restarts
    let shownJ = 0; // the density frame drawn last
    let dens = densityFrames(fig.state.steps); // the frames with exact densities

    // the exact densities come from the page's worker pool; each time that arrives is drawn at
    // the next frame
    const densities = new ExactDensities({
      pool: fig.pool,
      onResult: () => fig.request(),
      onError: (m) => fig.message(m),
    });
    const steps = () => cells[0]?.shown?.steps ?? fig.state.steps;
    const exactMode = () => fig.state.squares === 'exact';
    const player = new PlayHead({
      reducedMotion: fig.reducedMotion,
      seconds: 3.6,
      hold: 1.2,
      label: 'all panels',
      clamp: true,
      steps,
      request: () => fig.request(),
      onPause: () => {
        if (stale) {
          stale = false;
          rebuild('soft', true);
        }
      },
    });
    wrap.append(groupsEl, player.el);

    // ---------- panels ----------
    const scales = () => {
      const w = fig.state.w;
      // the plain conditional reference stays on the left (or on top), whatever the chosen w
      return fig.state.compare && w !== 1 ? [1, w] : [w];
    };
    const range = () => 1.1 * fig.model.extent; // the strips show (x + y)/√2 in [−range, range]

    function freeAll() {
      for (const c of cells) {
        c.shown?.free();
        c.next?.free();
        c.shown = null;
        c.next = null;
        c.dens = null;
      }
      densities.cancel();
    }

    const create = flowMaker(fig);
    const readout = readoutWriter(fig);

    function build() {
      const classes = fig.classes;
      const ws = scales();
      const key = `${fig.model.dataset}|${classes.join(',')}|${ws.length}`;
      if (key !== shape) {
        shape = key;
        freeAll();
        cells = [];
        groups = ws.map((w) => {
          const head = el('div', { class: 'pp-group-head' });
          const row = el('div', { class: 'pp-row' });
          const g = {
            w,
            head,
            row,
            node: el('div', { class: 'pp-group', role: 'group' }, head, row),
            cells: [],
          };
          classes.forEach((name, ci) => {
            const c = makeCell(fig, ci, name, w);
            g.cells.push(c);
            cells.push(c);
            row.append(c.node);
          });
          return g;
        });
        groupsEl.replaceChildren(...groups.map((g) => g.node));
        side = 0;
        layout();
      }
      ws.forEach((w, i) => {
        const g = groups[i];
        g.w = w;
        g.head.replaceChildren(el('b', {}, `w = ${wText(w)}`), ` · ${wRole(w)}`);
        g.node.setAttribute('aria-label', `guidance scale w = ${wText(w)}`);
        for (const c of g.cells) c.w = w;
      });
    }

    /**
     * 'hard': new flows now (new noise, particles, steps or data set; the playhead keeps its time);
     * 'soft': the field changed (w, ground truth): the same noise, computed in the background and
     * swapped in once it reaches the playhead; 'weights': new weights from training.
     */
    function rebuild(mode, all = false) {
      if (!fig.model) return;
      if (mode === 'weights' && player.playing && cells.every((c) => c.shown)) {
        stale = true;
        return;
      }
      for (const c of cells) {
        const fresh = !c.shown;
        const changed =
          all || mode === 'weights' || c.shown?.__w !== c.w || c.shown?.__exact !== fig.state.exact;
        if (mode === 'hard' || fresh || (changed && !c.shown.done)) {
          c.shown?.free();
          c.next?.free();
          c.next = null;
          c.again = false;
          c.shown = create(c);
        } else if (changed) {
          if (c.next) c.again = true;
          else c.next = create(c);
        }
        c.drawn = '';
        c.stripDrawn = '';
      }
      syncDensities(mode === 'weights' || all);
      fig.request();
    }

    // the exact densities follow the panels' settings (not the flows: they need no samples)
    function syncDensities(newWeights = false) {
      if (!cells.length || !cells[0].shown) return;
      dens = densityFrames(cells[0].shown.steps);
      player.stops = exactMode() ? dens.frames : null;
      if (!exactMode()) {
        densities.cancel();
        return;
      }
      const times = dens.frames.map((k) => cells[0].shown.timeAt(k));
      densities.sync(cells, fig.model, fig.state.exact, dens.frames, times, newWeights);
    }

    function layout() {
      if (!cells.length) return;
      const width = fig.width() - 4;
      const G = groups.length;
      const { s, across } = cellSide(width, G);
      groupsEl.classList.toggle('stacked', !across);
      const newDpr = pixelRatio();
      if (s === side && newDpr === dpr) return;
      side = s;
      dpr = newDpr;
      stripH = Math.max(56, Math.min(120, Math.round(side * 0.52)));
      const w = Plot.widthFor(side);
      const h = stripH + SPAD.top + SPAD.bottom;
      for (const c of cells) {
        c.plot.resize(side);
        c.plot.setExtent(fig.model.extent);
        c.strip.width = Math.round(w * dpr);
        c.strip.height = Math.round(h * dpr);
        Object.assign(c.strip.style, { width: `${w}px`, height: `${h}px` });
        c.drawn = '';
        c.stripDrawn = '';
      }
      player.el.style.maxWidth = across ? '' : `${2 * w + CELL_GAP}px`;
      references();
      layoutSerial += 1;
    }

    function references() {
      if (!fig.model) return;
      painters.densP.square(fig.model.extent);
      paintReferences(cells, fig.model, fig.colorOf);
    }

    // ---------- drawing ----------

    return {
      playHead: player,
      // (for the recorder) an exact density still to arrive replaces a histogram on screen
      settling: () => exactMode() && cells.some((c) => !c.dens?.times[shownJ]),
      layout() {
        layout();
        fig.request();
      },
      data() {
        build();
        references();
        for (const c of cells) c.plot.setExtent(fig.model.extent);
        rebuild('hard');
      },
      restart: () => rebuild('hard'),
      regroup() {
        build();
        rebuild('soft');
      },
      soft: () => rebuild('soft'),
      weights: () => rebuild('weights'),
      squares() {
        syncDensities();
        for (const c of cells) c.drawn = '';
      },
      changed() {
        readout.reset();
      },
      frame(now, frameBudget) {
        // four density squares and their strips are drawn after the computing: leave them time
        const budget = 0.6 * frameBudget;
        if (!cells.length || !fig.model || cells.some((c) => !c.shown)) return false;
        const t0 = performance.now();
        const S = steps();
        const frontNow = () => Math.min(...cells.map((c) => c.shown.step));
        player.tick(now, frontNow(), S, () => {
          if (!stale) return;
          // the loop restarts with the newest weights, from the same noise
          stale = false;
          for (const c of cells) {
            c.shown.free();
            c.next?.free();
            c.next = null;
            c.shown = create(c);
          }
          syncDensities(true);
        });

        // compute: first the flows catching up with the playhead, then ahead on the shown ones,
        // always the one furthest behind
        const target = Math.min(Math.floor(player.pos), S);
        advance(fig, cells, create, target, budget, t0);

        // draw: every panel at the same frame, the playhead's or, while the panels compute
        // towards it, the last frame all of them have; in exact mode, the last density frame
        const exact = exactMode();
        let k = Math.min(target, frontNow());
        const caughtUp = k === target;
        const j = frameIndex(dens.frames, k);
        shownJ = j;
        if (exact) {
          k = dens.frames[j];
          // the worker computes the playhead's time first, even before the flows reach it (it
          // starts when the figure is in view)
          densities.send(frameIndex(dens.frames, target));
        }
        const pending = drawCells(fig, cells, {
          painters,
          col: colors(groupsEl),
          exact,
          k,
          j,
          caughtUp,
          now,
          layoutSerial,
          dpr,
          range: range(),
          times: dens.frames.length,
        });
        // the play bar
        const head = Math.min(Math.floor(player.pos), S);
        const t = cells[0].shown.timeAt(head);
        player.show(
          S,
          head,
          `t = ${fmt(cells[0].shown.timeAt(k), 2)}`,
          `t = ${fmt(t, 2)}, step ${head} of ${S}${caughtUp ? '' : ' (computing)'}`,
        );
        readout.update(cells, groups, {
          exact,
          times: dens.frames.length,
          steps: steps(),
          n: cells[0]?.shown?.n ?? fig.state.n,
        });
        const busy = cells.some((c) => c.next || !c.shown.done || c.shown.step < target);
        return player.playing || busy || pending || stale;
      },
    };
  },
};
