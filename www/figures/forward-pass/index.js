// Figs 2(a) and 3(a) of the post, live: one forward pass through the shipped network. Pick a
// point x_t (drag it, or the arrow keys), a time t and a class c; the network's every unit is
// coloured by its activation, its output v is drawn back on the plane at x_t, and the selected
// unit's activation over the whole plane is a small heat map. The CFG batch passes the class row
// and the null row together, giving v_c, v_u and v = v_u + w·(v_c − v_u). Every number comes from
// the Rust MLP (Model.forwardPass, Model.unitMap); this file only draws.
import { el, fmt, cfgFormula, inkWord } from '../../lib/dom.js';
import { P, fx, trainParams } from '../../shell/figure.js';
import { Plot, arrowMove } from '../../lib/plot.js';
import { NetView, rgbOf, shade } from './net.js';

/** Grid side of the selected unit's heat map. */
const MAP = 40;

const coord = (key, d) => ({
  key,
  label: key,
  type: 'number',
  default: d,
  min: -4,
  max: 4,
  step: 0.01,
  help: `The ${key} coordinate of the point x_t fed to the network (drag the point, or use the arrow keys).`,
});

export default {
  id: 'forward-pass',
  title: 'One forward pass through the network',
  post: 'Figs 2(a) and 3(a)',
  styles: ['style.css'],
  wide: true,
  // what a change invalidates (www/shell/effects.js), strongest first: a new network or data set
  // (the window, the layout, the heat map); the heat map (another t or class); the layout (one
  // row or the CFG batch's two); a redraw (the point, w)
  params: [
    ...fx('network', P.dataset('face')),
    ...fx('remap', P.cls('left-eye', true), P.t(0.5)),
    ...fx('relayout', {
      key: 'batch',
      label: 'CFG batch',
      type: 'bool',
      default: false,
      help: 'Pass the class row and the null row together, as guided sampling does: the network gives v_c and v_u in one batch, and v = v_u + w·(v_c − v_u).',
    }),
    ...fx(
      'redraw',
      {
        ...P.w(3),
        unused: (s) => !s.batch,
        help: 'Guidance scale of the CFG batch: v = v_u + w·(v_c − v_u). Used only when the CFG batch is shown.',
      },
      coord('x', 0.9),
      coord('y', 1.2),
    ),
    ...trainParams(),
  ],
  on: { model: 'network' },
  effects: ['network', 'remap', 'relayout', 'redraw'],
  controls: ['dataset', 'class', 't', 'batch', 'w'],
  caption: () => [
    'The network reads x',
    el('sub', {}, 't'),
    ', t and the class c, and each coloured cell is one unit’s activation (',
    el('b', { class: 'key-text fp-pos' }, 'blue'),
    ' positive, ',
    el('b', { class: 'key-text fp-neg' }, 'orange'),
    ' negative). Its output v is the arrow on the plane. Click a unit to see it over the whole plane.',
  ],
  howToRead: () => [
    'This is the actual network of the shipped model: 64 units in each of 3 hidden layers. Drag the point on the plane, or focus the plane and use the arrow keys (Shift for larger steps); focus the network and use the arrow keys to select a unit. ',
    'The input row holds x and y, the Fourier features of t (t, sin πt, cos πt, sin 2πt, …) and the learned embedding of the class c (null is its own learned row). ',
    'Each hidden layer multiplies the row above by its weights, adds a bias and applies SiLU; each cell is one unit’s value, ',
    el('b', { class: 'key-text fp-pos' }, 'blue'),
    ' positive and ',
    el('b', { class: 'key-text fp-neg' }, 'orange'),
    ' negative, scaled to the largest in its layer. The last row is the velocity v = (v',
    el('sub', {}, 'x'),
    ', v',
    el('sub', {}, 'y'),
    '), drawn as the arrow at x',
    el('sub', {}, 't'),
    '. ',
    'The lines are the selected unit’s weights, into it from the layer above (out of it, for an input): ',
    el('b', { class: 'key-text fp-pos' }, 'blue'),
    ' positive, ',
    el('b', { class: 'key-text fp-neg' }, 'orange'),
    ' negative, darker and thicker when larger. ',
    'The heat map is the selected unit at every point of the plane, at this t and c, the way TensorFlow Playground shows its neurons: early layers respond to broad regions, later ones to the shapes of the data. ',
    'With the CFG batch on, the class row and the null row pass together, as in guided sampling: the network gives v',
    el('sub', {}, 'c'),
    ' and v',
    el('sub', {}, 'u'),
    ' in one pass, and the ',
    ...inkWord(),
    ' arrow is ',
    ...cfgFormula(),
    '.',
  ],
  async create(fig) {
    const { wasm } = fig;
    const plot = new Plot(wasm, { extent: 3, label: 'the point x_t and the network output' });
    plot.over.classList.add('draggable');
    // keyboard-operated canvases: named, not hidden, and their arrow keys go to them (application)
    plot.interactive('The point x_t: drag it, or use the arrow keys (Shift: larger steps).', 'point picker');
    const view = new NetView();
    const net = view.canvas;
    const map = new Plot(wasm, {
      extent: 3,
      compact: true,
      title: '',
      label: 'the selected unit over the plane',
    });
    map.el.classList.add('fp-map');
    // the plane on the left; the network, and under it the selected unit's map, on the right
    fig.plots.append(plot.el, el('div', { class: 'fp-netbox' }, net, map.el));
    // the heat map's pixels, one per grid cell, scaled up when drawn
    const cells = el('canvas', { width: MAP, height: MAP });
    const cellsCtx = cells.getContext('2d');
    const image = cellsCtx.createImageData(MAP, MAP);

    let sizes = [];
    let values = new Float32Array(0); // a copy of the last forward pass (the wasm view is short-lived)
    let sel = null; // the selected unit { layer, unit }; at first the most active unit of the last hidden layer
    let drag = false;
    let pending = true;
    let remap = true;
    let relayout = true;
    let width = 300;
    // the point x_t: drawn from here while it is dragged, and written to the settings (and the
    // URL) when the drag ends or a key moves it
    const pt = [fig.state.x, fig.state.y];
    const xy = new Float32Array(2); // x_t, for Painter.vectors

    const css = (name, fallback) => getComputedStyle(plot.el).getPropertyValue(name).trim() || fallback;
    // activation colours (forward-pass.css): positive blue, negative orange, zero the plot's background
    const colors = () => ({
      bg: rgbOf(css('--cfg-plot-bg', '#ffffff')),
      pos: rgbOf(css('--fp-pos', '#0072B2')),
      neg: rgbOf(css('--fp-neg', '#E69F00')),
      fg: css('--cfg-fg', '#000'),
      muted: css('--cfg-muted', '#666'),
      rule: css('--cfg-rule', '#ccc'),
    });
    const name = () => `${view.layerName(sel.layer)}, ${view.unitName(sel.layer, sel.unit)}`;
    const offset = (row, l) => view.offset(row, l);

    function clampSelection() {
      sel.layer = Math.max(0, Math.min(sizes.length - 1, sel.layer));
      sel.unit = Math.max(0, Math.min(sizes[sel.layer] - 1, sel.unit));
    }

    function compute() {
      const { state, model } = fig;
      const pass = model.forwardPass(pt[0], pt[1], state.t, state.class, state.w);
      if (values.length !== pass.length) values = new Float32Array(pass.length);
      values.set(pass);
    }

    function drawMap() {
      const { state, model } = fig;
      const a = model.unitMap(sel.layer, sel.unit, state.t, state.class, MAP);
      let scale = 0;
      for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]));
      const c = colors();
      const d = image.data;
      const rgb = [0, 0, 0];
      for (let i = 0; i < a.length; i++) {
        shade(a[i], scale, c, rgb);
        d[4 * i] = rgb[0];
        d[4 * i + 1] = rgb[1];
        d[4 * i + 2] = rgb[2];
        d[4 * i + 3] = 255;
      }
      cellsCtx.putImageData(image, 0, 0);
      sel.weights = model.unitWeights(sel.layer, sel.unit);
      map.el.dataset.unit = `${sel.layer},${sel.unit}`;
      map.el.dataset.range = `${fmt(-scale)},${fmt(scale)}`;
      map.setTitle(`${name()}, over the plane (±${fmt(scale)})`);
      map.setLabel(
        `Heat map of ${name()} over the plane at t = ${fmt(state.t)}, class ${state.class}: from ${fmt(-scale)} (orange) to ${fmt(scale)} (blue).`,
      );
    }

    function drawPlanes() {
      const { state, model } = fig;
      const fg = css('--cfg-fg', '#000');
      const muted = css('--cfg-muted', '#666');
      const color = fig.colorOf(fig.classes.indexOf(state.class));
      const dpr = plot.dpr;
      plot.painter.clear();
      plot.painter.data(model, 0.22, 1.2 * dpr);
      plot.put();
      const ctx = plot.overlay();
      const per = offset(1, 0); // values per row: the two rows are followed by v
      const vc = values.subarray(per - 2, per);
      const vu = values.subarray(2 * per - 2, 2 * per);
      const v = values.subarray(values.length - 2);
      xy[0] = pt[0];
      xy[1] = pt[1];
      const arrows = state.batch
        ? [
            [vu, muted, 2.2],
            [vc, color, 2.2],
            [v, fg, 2.6],
          ]
        : [[vc, state.class === 'null' ? muted : color, 2.6]];
      const speed = Math.max(...arrows.map(([a]) => Math.hypot(a[0], a[1])), 1e-6);
      // pixels per unit of speed: the longest arrow at most 0.4 of the plot
      const scale = Math.min(0.15, 0.4 / speed) * plot.side * dpr;
      for (const [a, c, lw] of arrows) plot.segments(ctx, plot.painter.vectors(xy, a, 200, scale), c, lw);
      plot.disc(ctx, pt[0], pt[1], 6, '#ffffff', fg);
      // the heat map, with x_t on it
      map.painter.clear();
      map.put();
      const mctx = map.overlay();
      mctx.imageSmoothingEnabled = true;
      mctx.drawImage(cells, 0, 0, map.over.width, map.over.height);
      map.disc(mctx, pt[0], pt[1], 4, '#ffffff', fg);
      // the numbers a test compares with Model.velocities
      Object.assign(net.dataset, {
        selected: `${sel.layer},${sel.unit}`,
        x: pt[0],
        y: pt[1],
        t: state.t,
        class: state.class,
        batch: state.batch ? '1' : '0',
        v: `${vc[0]},${vc[1]}`,
        vu: `${vu[0]},${vu[1]}`,
        vc: `${vc[0]},${vc[1]}`,
        vcfg: `${v[0]},${v[1]}`,
      });
      const pair = (a) => `(${fmt(a[0])}, ${fmt(a[1])})`;
      const key = (c) => el('span', { class: 'line-key', style: `border-color:${c}` });
      fig.readout(
        el('div', {}, 'x', el('sub', {}, 't'), ` = ${pair(pt)}, t = ${fmt(state.t)}`),
        state.batch
          ? [
              el('div', {}, key(muted), 'v', el('sub', {}, 'u'), ` = ${pair(vu)}`),
              el('div', {}, key(color), 'v', el('sub', {}, 'c'), ` = ${pair(vc)}`),
              el('div', {}, key(fg), `v = ${pair(v)}, w = ${fmt(state.w, 1)}`),
            ]
          : el('div', {}, key(state.class === 'null' ? muted : color), `v = ${pair(vc)}`),
        el(
          'div',
          { class: 'fp-sel' },
          `${name()}: `,
          el('b', {}, fmt(values[offset(0, sel.layer) + sel.unit])),
        ),
      );
      plot.setLabel(
        `The data of ${state.dataset} with the point x_t = ${pair(pt)} and the network's velocity there, at t = ${fmt(state.t)}, class ${state.class}.`,
      );
    }

    function draw() {
      const { model } = fig;
      const s = [...model.layerSizes()];
      if (s.join() !== sizes.join() || relayout) {
        relayout = false;
        sizes = s;
        view.setNetwork(sizes, model.inputLabels());
        if (sel) clampSelection();
        view.layout(width, plot.dpr, fig.state.batch);
        remap = true;
      }
      if (remap && sel) {
        remap = false;
        drawMap();
      }
      compute();
      if (!sel) {
        const l = sizes.length - 2;
        const o = offset(0, l);
        let best = 0;
        for (let u = 1; u < sizes[l]; u++) if (Math.abs(values[o + u]) > Math.abs(values[o + best])) best = u;
        sel = { layer: l, unit: best };
        drawMap();
      }
      view.draw(values, sel, colors());
      drawPlanes();
    }

    const redraw = () => {
      pending = true;
      fig.request();
    };
    const clamp = (v) => Math.max(-plot.extent, Math.min(plot.extent, Math.round(v * 100) / 100));
    const commit = () => {
      fig.set('x', pt[0]);
      fig.set('y', pt[1]);
    };
    const moveTo = (x, y) => {
      pt[0] = clamp(x);
      pt[1] = clamp(y);
      redraw();
    };
    const select = (layer, unit) => {
      sel = { layer, unit };
      clampSelection();
      remap = true;
      redraw();
    };

    plot.over.addEventListener('pointerdown', (ev) => {
      drag = true;
      plot.over.setPointerCapture(ev.pointerId);
      moveTo(...plot.eventToData(ev));
    });
    plot.over.addEventListener('pointermove', (ev) => {
      if (drag) moveTo(...plot.eventToData(ev));
    });
    const end = () => {
      if (drag) commit();
      drag = false;
    };
    plot.over.addEventListener('pointerup', end);
    plot.over.addEventListener('pointercancel', end);
    plot.over.addEventListener('keydown', (ev) => {
      const move = arrowMove(ev, 0.05, 0.25);
      if (!move) return;
      ev.preventDefault();
      moveTo(pt[0] + move[0], pt[1] + move[1]);
      commit();
    });
    net.addEventListener('pointerdown', (ev) => {
      const r = net.getBoundingClientRect();
      const hit = view.hit(ev.clientX - r.left, ev.clientY - r.top);
      if (hit) select(hit.layer, hit.unit);
    });
    net.addEventListener('keydown', (ev) => {
      if (!sel) return;
      const { layer, unit } = sel;
      // up and down keep the unit's place along the row
      const across = (l) => Math.min(sizes[l] - 1, Math.floor(((unit + 0.5) / sizes[layer]) * sizes[l]));
      const keys = {
        ArrowLeft: () => [layer, unit - 1],
        ArrowRight: () => [layer, unit + 1],
        ArrowUp: () => [Math.max(0, layer - 1), across(Math.max(0, layer - 1))],
        ArrowDown: () => [
          Math.min(sizes.length - 1, layer + 1),
          across(Math.min(sizes.length - 1, layer + 1)),
        ],
        Home: () => [layer, 0],
        End: () => [layer, sizes[layer] - 1],
      };
      if (!keys[ev.key]) return;
      ev.preventDefault();
      select(...keys[ev.key]());
    });

    return {
      layout() {
        const w = fig.width();
        // side by side when there is room, else stacked (a phone): never wider than the figure
        const row = w >= 600;
        const planeSide = Math.min(300, Math.floor(row ? w * 0.38 : w) - Plot.widthFor(0));
        plot.resize(planeSide);
        width = Math.floor(row ? Math.min(540, w - Plot.widthFor(planeSide) - 14) : w);
        map.resize(row ? 140 : Math.min(180, Math.floor(w / 2)));
        relayout = true;
        redraw();
      },
      network() {
        // a new network or data set: a new window, and the map is stale
        if (plot.extent !== fig.model.extent) {
          plot.setExtent(fig.model.extent);
          map.setExtent(fig.model.extent);
        }
        relayout = true;
        remap = true;
      },
      remap() {
        remap = true;
      },
      relayout() {
        relayout = true;
      },
      redraw() {}, // changed() redraws after every change
      changed() {
        // the settings' x and y are the point's except while it is dragged
        if (!drag) [pt[0], pt[1]] = [fig.state.x, fig.state.y];
        redraw();
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
