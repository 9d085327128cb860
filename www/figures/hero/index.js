// The hero figure: the CFG vector field. Drag the probes: at each, the unconditional velocity
// v_u, the conditional v_c and the guided v = v_u + w·(v_c − v_u), and the path the guided field
// takes from there to t = 1.
import { el, fmt, cfgFormula, inkWord } from '../../lib/dom.js';
import { P, fx, trainParams } from '../../shell/figure.js';
import { Plot, arrowMove } from '../../lib/plot.js';
import { cfg } from '../../lib/method.js';

const START = [
  [-1.6, 1.3],
  [1.7, -1.4],
  [0.3, 2.1],
];

export default {
  id: 'hero',
  title: 'How guidance steers the flow',
  post: 'the CFG vector field',
  // every setting, and new weights, only redraw: the figure computes its probes' paths per frame
  params: [
    ...fx(
      'redraw',
      P.dataset('face'),
      P.cls('mouth'),
      P.w(3),
      P.t(0.3),
      P.steps(40, 200),
      P.solver(),
      P.exact(),
    ),
    ...trainParams(),
  ],
  on: { model: 'redraw' },
  controls: ['dataset', 'class', 'w', 't', 'steps', 'solver', 'exact'],
  caption: () => [
    'Drag the white probes. At each, ',
    el('b', {}, 'grey'),
    ' is the unconditional velocity v',
    el('sub', {}, 'u'),
    ', ',
    el('b', {}, 'coloured'),
    ' the conditional v',
    el('sub', {}, 'c'),
    ', and ',
    ...inkWord(),
    ' the guided ',
    ...cfgFormula(),
    ': w times their difference, added to v',
    el('sub', {}, 'u'),
    ', points toward the class and past it when w > 1.',
  ],
  howToRead: () => [
    'Drag the white probes (or focus the plot and use the arrow keys; 1, 2, 3 pick a probe). At each probe, ',
    el('b', {}, 'grey'),
    ' is the unconditional velocity v',
    el('sub', {}, 'u'),
    ', ',
    el('b', {}, 'coloured'),
    ' the conditional velocity v',
    el('sub', {}, 'c'),
    ' for the chosen class, and ',
    ...inkWord(),
    ' the guided velocity ',
    ...cfgFormula(),
    '. ',
    'The faint arrows are the guided field everywhere at time t, and each curve is the path the guided field takes from its probe to t = 1. ',
    'Guidance adds w times the difference between the two velocities: it points away from the unconditional direction, toward the class, and overshoots it when w > 1.',
  ],
  async create(fig) {
    const { wasm } = fig;
    const plot = new Plot(wasm, { extent: 3, label: 'vector field' });
    fig.addPlot(plot);
    plot.over.classList.add('draggable');
    plot.interactive(
      'Probe points: drag them, or use the arrow keys to move the selected probe; 1, 2 and 3 select a probe.',
      'probe picker',
    );
    const probes = START.map((p) => p.slice());
    let active = 0;
    let flow = null;
    let drag = -1;

    function ensureFlow() {
      const key = `${fig.model.dataset}|${fig.state.class}|${fig.state.steps}|${fig.state.solver}`;
      if (flow && flow.__key === key) return;
      flow?.free();
      flow = new wasm.Flow(
        fig.model,
        fig.state.class,
        probes.length,
        fig.state.steps,
        fig.state.solver,
        0,
        true,
      );
      flow.__key = key;
    }

    function draw() {
      const { state, model } = fig;
      ensureFlow();
      const p = plot.painter;
      const dpr = plot.dpr;
      p.clear();
      p.data(model, 0.22, 1.2 * dpr);
      plot.put();
      const ctx = plot.overlay();
      const muted = getComputedStyle(plot.el).getPropertyValue('--cfg-muted').trim() || '#888';
      const fg = getComputedStyle(plot.el).getPropertyValue('--cfg-fg').trim() || '#000';
      const classIdx = fig.classes.indexOf(state.class);
      const color = fig.colorOf(classIdx);
      // the guided field at time t
      const cell = (plot.side * dpr) / 17;
      ctx.globalAlpha = 0.45;
      plot.segments(
        ctx,
        p.arrows(model, state.t, state.class, state.w, state.exact, 'cfg', 17, 0.8 * cell, 0),
        muted,
        1,
      );
      ctx.globalAlpha = 1;
      // paths from each probe to t = 1
      const xy = new Float32Array(probes.flat());
      flow.startFrom(xy, Math.min(state.t, 0.99));
      flow.advanceFor(cfg(fig.wasm, state.w, state.exact), model, Infinity, state.steps);
      for (let i = 0; i < probes.length; i++) {
        plot.polyline(ctx, p.path(flow, i, flow.steps), color, 2);
      }
      const end = flow.positions();
      for (let i = 0; i < probes.length; i++) plot.disc(ctx, end[2 * i], end[2 * i + 1], 3.5, color, fg);
      // the three velocities at each probe, on one scale
      const v = model.velocities(xy, state.t, state.class, state.w, state.exact);
      const pick = (k) => {
        const out = new Float32Array(probes.length * 2);
        for (let i = 0; i < probes.length; i++) {
          out[2 * i] = v[6 * i + 2 * k];
          out[2 * i + 1] = v[6 * i + 2 * k + 1];
        }
        return out;
      };
      const scale =
        (0.11 * plot.side * dpr) /
        Math.max(1, ...[0, 1, 2].map((k) => Math.hypot(v[6 * active + 2 * k], v[6 * active + 2 * k + 1])));
      plot.segments(ctx, p.vectors(xy, pick(0), 200, scale), muted, 2.2);
      plot.segments(ctx, p.vectors(xy, pick(1), 200, scale), color, 2.2);
      plot.segments(ctx, p.vectors(xy, pick(2), 200, scale), fg, 2.6);
      probes.forEach(([x, y], i) =>
        plot.disc(ctx, x, y, i === active ? 7 : 5.5, '#ffffff', i === active ? color : fg),
      );
      const a = active;
      const speed = (k) => fmt(Math.hypot(v[6 * a + 2 * k], v[6 * a + 2 * k + 1]), 2);
      fig.readout(
        el(
          'div',
          {},
          el('span', { class: 'line-key', style: `border-color:${muted}` }),
          `|v`,
          el('sub', {}, 'u'),
          `| = ${speed(0)}`,
        ),
        el(
          'div',
          {},
          el('span', { class: 'line-key', style: `border-color:${color}` }),
          `|v`,
          el('sub', {}, 'c'),
          `| = ${speed(1)} (class ${state.class})`,
        ),
        el(
          'div',
          {},
          el('span', { class: 'line-key', style: `border-color:${fg}` }),
          `|v| = ${speed(2)} at w = ${fmt(state.w, 1)}`,
        ),
        el('div', {}, `probe ${a + 1} at (${fmt(probes[a][0])}, ${fmt(probes[a][1])}), t = ${fmt(state.t)}`),
        el('div', {}, `its path ends at (${fmt(end[2 * a])}, ${fmt(end[2 * a + 1])})`),
      );
      plot.setLabel(
        `Vector field of ${state.dataset} at t = ${fmt(state.t)}, class ${state.class}, w = ${fmt(state.w, 1)}; three probes with their velocities and paths.`,
      );
    }

    function nearest(x, y) {
      let best = -1;
      let bestD = Infinity;
      probes.forEach(([px, py], i) => {
        const d = Math.hypot(px - x, py - y);
        if (d < bestD) {
          bestD = d;
          best = i;
        }
      });
      return bestD < 0.08 * 2 * plot.extent ? best : -1;
    }
    const clampXY = (x, y) => [
      Math.max(-plot.extent, Math.min(plot.extent, x)),
      Math.max(-plot.extent, Math.min(plot.extent, y)),
    ];
    plot.over.addEventListener('pointerdown', (ev) => {
      const [x, y] = plot.eventToData(ev);
      const i = nearest(x, y);
      active = i >= 0 ? i : active;
      probes[active] = clampXY(x, y);
      drag = active;
      plot.over.setPointerCapture(ev.pointerId);
      draw();
    });
    plot.over.addEventListener('pointermove', (ev) => {
      if (drag < 0) return;
      probes[drag] = clampXY(...plot.eventToData(ev));
      draw();
    });
    const end = () => {
      drag = -1;
    };
    plot.over.addEventListener('pointerup', end);
    plot.over.addEventListener('pointercancel', end);
    plot.over.addEventListener('keydown', (ev) => {
      const move = arrowMove(ev, 0.05, 0.25);
      if (move) {
        const [dx, dy] = move;
        probes[active] = clampXY(probes[active][0] + dx, probes[active][1] + dy);
      } else if (['1', '2', '3'].includes(ev.key)) {
        active = Number(ev.key) - 1;
      } else return;
      ev.preventDefault();
      draw();
    });

    let pending = true;
    return {
      layout() {
        plot.resize(Plot.sideFor(fig.width(), 1, { max: 440 }));
        pending = true;
        fig.request();
      },
      redraw() {
        if (plot.extent !== fig.model.extent) plot.setExtent(fig.model.extent);
        pending = true;
      },
      frame() {
        if (pending) {
          pending = false;
          draw();
        }
        return false;
      },
    };
  },
};
