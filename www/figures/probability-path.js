// Figs 6 and 7 of the post, live: the probability path of each class under guidance. For each
// class (columns) and guidance scale (plain conditional w = 1 next to the chosen w), the density
// of the samples at time t (the square) and the whole path at once (the strip under it: time left
// to right, upward the position along the diagonal (x + y)/√2, the line through both class means).
// All flows are recorded as they are computed, a step at a time, and played back together.
import { el, fmt, cfgFormula } from '../cfg.js';
import { P, trainParams } from '../figure.js';
import { Plot } from '../plot.js';

// The two data sets of Figs 6 and 7: two Gaussian classes whose means lie on the diagonal,
// drawn as references: a cross at each mean, a dashed circle of radius 2σ (86% of a class), and
// on the strips each mean's position along (x + y)/√2. Means and σ come from the model's data.
const DATASETS = ['non-overlapping', 'overlapping'];
const classRefs = new WeakMap();
function CLASSES_OF(model) {
  if (!model) return null;
  if (!classRefs.has(model)) {
    const m = model.classMoments();
    classRefs.set(model, { means: m.map((c) => c.mean), std: Math.sqrt(m[0].cov[0]) });
  }
  return classRefs.get(model);
}
const along = ([x, y]) => (x + y) / Math.SQRT2;

const SECONDS = 3.6; // playback from t = 0 to 1
const HOLD = 1.2; // pause at t = 1 before the loop starts again
const DENS_BINS = 64; // density grid of the squares
const DENS_BLUR = 2; // cells of smoothing
const DENS_PX = 128; // painted at this size, then scaled smoothly onto the square
const STRIP_BINS = 96; // projection bins of the strips
const SPAD = { left: 30, right: 6, top: 4, bottom: 18 }; // the strip's frame: as Plot's, left and right

const ICONS = {
  play: 'M4.5 2.5v11l9-5.5z',
  pause: 'M4 2.5h3v11H4zM9 2.5h3v11H9z',
  back: 'M3 3h2v10H3zM13 3v10L6 8z',
  forward: 'M11 3h2v10h-2zM3 3v10l7-5z',
};
const icon = (kind) => el('svg', { viewBox: '0 0 16 16', width: 14, height: 14, 'aria-hidden': 'true', focusable: 'false' },
  el('path', { d: ICONS[kind], fill: 'currentColor' }));

const wText = (w) => fmt(w, Number.isInteger(Math.round(w * 10) / 10) ? 0 : 1);
function wRole(w) {
  if (w === 0) return 'unconditional';
  if (w === 1) return 'plain conditional';
  return w > 1 ? 'guided' : 'weakened';
}

export default {
  id: 'probability-path',
  title: 'The probability path, class by class',
  post: 'Figs 6 and 7',
  wide: true,
  styles: true,
  params: [
    P.dataset('non-overlapping', DATASETS),
    P.w(3),
    { key: 'compare', label: 'with w = 1', type: 'bool', default: true, help: 'Also show plain conditional sampling (w = 1), from the same noise, next to the chosen scale.' },
    P.n(1500, 4000),
    P.steps(50, 200),
    P.solver(),
    P.seed(),
    P.exact(),
    ...trainParams(),
  ],
  controls: ['dataset', 'w', 'compare', 'n', 'steps', 'solver', 'seed', 'exact'],
  caption: () => [
    'Every panel follows one class from noise (t = 0) to data (t = 1) with ', ...cfgFormula(), '. ',
    'The ', el('b', {}, 'squares'), ' show where that class’s samples are at the time on the slider; ',
    'the ', el('b', {}, 'strip'), ' under each square shows the whole path at once: time runs left to right and, upward, ',
    'the position along the diagonal (x + y)/√2, the line through both class means (dashed). ',
    'Both scales start from the same noise. With guidance the mass splits from the middle and commits to its side of the diagonal early, ',
    'then keeps condensing; plain conditional sampling (w = 1) moves later and ends as wide as the class. ',
    'On overlapping classes guidance also shifts each class away from the other, past its own mean. ',
    'Play, pause, step or drag the time slider.',
  ],
  async create(fig) {
    const { wasm } = fig;
    const wrap = el('div', { class: 'pp' });
    const groupsEl = el('div', { class: 'pp-groups' });
    fig.plots.append(wrap);

    // shared painters: densities at a small size (scaled up smoothly), and the strips' projections
    const densP = new wasm.Painter(DENS_PX, DENS_PX, fig.model.extent);
    const densCanvas = el('canvas', { width: DENS_PX, height: DENS_PX });
    const stripP = new wasm.Painter(64, STRIP_BINS * 2, 1);

    let cells = [];
    let groups = [];
    let shape = '';
    let side = 0;
    let stripH = 0;
    let dpr = 1;
    let serial = 0;
    let layoutSerial = 0;
    let pos = fig.reducedMotion ? Infinity : 0; // playhead, in (fractional) steps
    let playing = !fig.reducedMotion;
    let holdUntil = 0;
    let last = 0;
    let stale = false; // new weights arrived while playing: recompute when the loop restarts
    let cost = 0; // ms per flow step, a running average
    let readoutKey = '';

    // ---------- the play bar ----------
    const button = (kind, label, onclick) => el('button', { type: 'button', class: 'pb-btn', 'aria-label': label, title: label, onclick }, icon(kind));
    const backBtn = button('back', 'one step back', () => stepBy(-1));
    const playBtn = button('play', 'play', () => (playing ? pause() : play()));
    const fwdBtn = button('forward', 'one step forward', () => stepBy(1));
    const slider = el('input', { type: 'range', min: 0, max: 1, step: 1, value: 0, 'aria-label': 'time step of all panels',
      oninput: () => seek(Number(slider.value)) });
    const timeOut = el('output', { class: 'pb-time', 'aria-hidden': 'true' }, 't = 0.00');
    const bar = el('div', { class: 'playbar pb' }, backBtn, playBtn, fwdBtn, slider, timeOut);
    wrap.append(groupsEl, bar);

    const steps = () => cells[0]?.shown?.steps ?? fig.state.steps;
    function syncButton() {
      const label = playing ? 'pause' : 'play';
      playBtn.replaceChildren(icon(label));
      playBtn.setAttribute('aria-label', label);
      playBtn.title = label;
      playBtn.classList.toggle('active', playing);
    }
    function play() {
      if (Math.floor(pos) >= steps()) pos = 0;
      playing = true;
      holdUntil = 0;
      last = 0;
      syncButton();
      fig.request();
    }
    function pause() {
      playing = false;
      holdUntil = 0;
      pos = Math.min(steps(), Math.floor(pos));
      syncButton();
      if (stale) {
        stale = false;
        rebuild('soft', true);
      }
      fig.request();
    }
    function seek(k) {
      if (playing) pause();
      pos = k;
      fig.request();
    }
    function stepBy(d) {
      if (playing) pause();
      seek(Math.max(0, Math.min(steps(), Math.floor(Math.min(pos, steps())) + d)));
    }
    syncButton();

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
      }
    }

    function create(c) {
      const s = fig.state;
      const f = new wasm.Flow(fig.model, c.name, s.n, s.steps, s.solver, s.seed, true);
      f.__w = c.w;
      f.__exact = s.exact;
      f.__id = ++serial;
      return f;
    }

    function makeCell(ci, name, w) {
      const plot = new Plot(wasm, { extent: fig.model.extent, title: '', label: '' });
      // the cell, not the square alone, is what the PNG export takes
      plot.el.classList.replace('plot', 'pp-square');
      const strip = el('canvas', { class: 'pp-strip', role: 'img', 'aria-label': '' });
      const stripImg = document.createElement('canvas');
      const node = el('div', { class: 'plot pp-cell' }, plot.el, strip);
      const c = { ci, name, w, plot, strip, stripImg, node, shown: null, next: null, again: false, drawn: '', stripKey: '', stripDrawn: '', stripAt: 0, metrics: null, metricsId: -1, titleKey: '' };
      node.__plot = { composite: () => composite(c) };
      return c;
    }

    function composite(c) {
      const a = c.plot.composite();
      const out = document.createElement('canvas');
      out.width = Math.max(a.width, c.strip.width);
      out.height = a.height + c.strip.height;
      const ctx = out.getContext('2d');
      ctx.drawImage(a, 0, 0);
      ctx.drawImage(c.strip, 0, a.height);
      return out;
    }

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
          const g = { w, head, row, node: el('div', { class: 'pp-group', role: 'group' }, head, row), cells: [] };
          classes.forEach((name, ci) => {
            const c = makeCell(ci, name, w);
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
      if (mode === 'weights' && playing && cells.every((c) => c.shown)) {
        stale = true;
        return;
      }
      for (const c of cells) {
        const fresh = !c.shown;
        const changed = all || mode === 'weights' || c.shown?.__w !== c.w || c.shown?.__exact !== fig.state.exact;
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
      fig.request();
    }

    function layout() {
      if (!cells.length) return;
      const width = fig.width() - 4;
      const G = groups.length;
      const cellGap = 10;
      const groupGap = 22;
      const fit = (count, gaps) => Math.floor((width - gaps) / count) - Plot.widthFor(0);
      let s = fit(2 * G, (2 * G - G) * cellGap + (G - 1) * groupGap);
      let across = true;
      if (G > 1 && s < 150) {
        s = fit(2, cellGap);
        across = false;
      }
      s = Math.max(90, Math.min(G > 1 && across ? 230 : 270, s));
      groupsEl.classList.toggle('stacked', !across);
      const newDpr = Math.min(3, window.devicePixelRatio || 1);
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
      bar.style.maxWidth = across ? '' : `${2 * w + cellGap}px`;
      paintReferences();
      layoutSerial += 1;
    }

    // the classes' references on every square: a cross at each mean and a dashed 2σ circle
    function paintReferences() {
      if (!fig.model) return;
      densP.square(fig.model.extent);
      const ref = CLASSES_OF(fig.model);
      for (const c of cells) {
        const { plot } = c;
        const ctx = plot.overlay();
        if (!ref) continue;
        const d = plot.dpr;
        const scale = plot.pix.width / (2 * plot.extent);
        ref.means.forEach(([mx, my], i) => {
          const [px, py] = plot.painter.toPixel(mx, my);
          const own = i === c.ci;
          ctx.strokeStyle = fig.colorOf(i);
          ctx.globalAlpha = own ? 0.95 : 0.6;
          ctx.lineWidth = (own ? 1.3 : 1) * d;
          ctx.setLineDash([4 * d, 3 * d]);
          ctx.beginPath();
          ctx.arc(px, py, 2 * ref.std * scale, 0, 2 * Math.PI);
          ctx.stroke();
          ctx.setLineDash([]);
          const a = 4 * d;
          ctx.beginPath();
          ctx.moveTo(px - a, py);
          ctx.lineTo(px + a, py);
          ctx.moveTo(px, py - a);
          ctx.lineTo(px, py + a);
          ctx.stroke();
        });
        ctx.globalAlpha = 1;
      }
    }

    // ---------- drawing ----------
    function colors() {
      const st = getComputedStyle(groupsEl);
      return {
        fg: st.getPropertyValue('--cfg-fg').trim() || '#111',
        muted: st.getPropertyValue('--cfg-muted').trim() || '#666',
        rule: st.getPropertyValue('--cfg-rule').trim() || '#ccc',
        bg: st.getPropertyValue('--cfg-plot-bg').trim() || '#fff',
      };
    }

    function drawSquare(c, k) {
      const { plot } = c;
      const ctx = plot.pix.getContext('2d');
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, plot.pix.width, plot.pix.height);
      densP.clear();
      densP.density(c.shown, k, DENS_BINS, DENS_BLUR, c.ci);
      densP.put(densCanvas.getContext('2d'));
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(densCanvas, 0, 0, plot.pix.width, plot.pix.height);
      const t = c.shown.timeAt(k);
      plot.setLabel(`Density of the ${c.shown.n} samples of class ${c.name} at t = ${fmt(t)} with guidance w = ${wText(c.shown.__w)}; dashed circles: where 86% of each class's data lie.`);
    }

    function paintStrip(c) {
      const f = c.shown;
      const frames = f.steps + 1;
      const w = Math.min(1024, frames * Math.max(2, Math.ceil(256 / frames)));
      if (stripP.width !== w) stripP.resize(w, STRIP_BINS * 2);
      stripP.clear();
      const r = range();
      stripP.projection(f, 1, 1, -r, r, STRIP_BINS, 1, c.ci);
      if (c.stripImg.width !== w) c.stripImg.width = w;
      if (c.stripImg.height !== STRIP_BINS * 2) c.stripImg.height = STRIP_BINS * 2;
      stripP.put(c.stripImg.getContext('2d'));
      const means = CLASSES_OF(fig.model)?.means.map(along);
      c.strip.setAttribute('aria-label', `Probability path of class ${c.name} at w = ${wText(f.__w)}: the density of the samples along (x + y)/√2 (upward, ${fmt(-r, 1)} to ${fmt(r, 1)}) against time t (left to right)${means ? `, with the class means at ${means.map((m) => fmt(m)).join(' and ')}` : ''}.`);
    }

    function drawStrip(c, k, col) {
      const cv = c.strip;
      const ctx = cv.getContext('2d');
      const W = cv.width / dpr;
      const H = cv.height / dpr;
      const pw = W - SPAD.left - SPAD.right;
      const ph = H - SPAD.top - SPAD.bottom;
      const L = SPAD.left;
      const T = SPAD.top;
      const r = range();
      const steps = c.shown.steps;
      const xOfFrame = (kk) => L + ((kk + 0.5) / (steps + 1)) * pw;
      const yOf = (v) => T + ((r - v) / (2 * r)) * ph;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, W, H);
      ctx.fillStyle = col.bg;
      ctx.fillRect(L, T, pw, ph);
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = 'high';
      if (c.stripImg.width) ctx.drawImage(c.stripImg, L, T, pw, ph);
      // the class means, dashed, in their colours
      const means = CLASSES_OF(fig.model)?.means.map(along) ?? [];
      ctx.lineWidth = 1;
      ctx.setLineDash([4, 3]);
      means.forEach((m, i) => {
        const y = Math.round(yOf(m)) + 0.5;
        ctx.strokeStyle = fig.colorOf(i);
        ctx.beginPath();
        ctx.moveTo(L, y);
        ctx.lineTo(L + pw, y);
        ctx.stroke();
      });
      ctx.setLineDash([]);
      ctx.strokeStyle = col.rule;
      ctx.strokeRect(L + 0.5, T + 0.5, pw - 1, ph - 1);
      // the playhead
      const x = xOfFrame(k);
      ctx.strokeStyle = col.fg;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(x, T);
      ctx.lineTo(x, T + ph);
      ctx.stroke();
      ctx.fillStyle = col.fg;
      ctx.beginPath();
      ctx.moveTo(x - 4, T + ph + 5);
      ctx.lineTo(x + 4, T + ph + 5);
      ctx.lineTo(x, T + ph);
      ctx.closePath();
      ctx.fill();
      // ticks: t along the bottom, (x + y)/√2 on the left
      ctx.fillStyle = col.muted;
      ctx.strokeStyle = col.muted;
      ctx.lineWidth = 1;
      ctx.font = '10px system-ui, sans-serif';
      ctx.textBaseline = 'top';
      for (const t of [0, 0.5, 1]) {
        const tx = xOfFrame(t * steps);
        ctx.beginPath();
        ctx.moveTo(tx, T + ph);
        ctx.lineTo(tx, T + ph + 3);
        ctx.stroke();
        ctx.textAlign = t === 0 ? 'left' : t === 1 ? 'right' : 'center';
        const label = t === 0 ? 't = 0' : String(t);
        if (Math.abs(tx - x) > 14 || t === 0.5) ctx.fillText(label, t === 0 ? tx - 2 : t === 1 ? tx + 2 : tx, T + ph + 6);
      }
      const unit = ph / (2 * r);
      const step = [0.5, 1, 2, 4].find((s) => s * unit >= 14 && (2 * r) / s <= 5) ?? 4;
      ctx.textAlign = 'right';
      ctx.textBaseline = 'middle';
      for (let v = Math.ceil(-r / step) * step; v <= r + 1e-9; v += step) {
        const y = yOf(v);
        ctx.beginPath();
        ctx.moveTo(L - 3, y);
        ctx.lineTo(L, y);
        ctx.stroke();
        ctx.fillText((Number.isInteger(v) ? String(v) : v.toFixed(1)).replace('-', '−'), L - 5, y);
      }
      // the axis name, along the left edge
      ctx.save();
      ctx.translate(7, T + ph / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.font = '9px system-ui, sans-serif';
      ctx.fillText('(x+y)/√2', 0, 0);
      ctx.restore();
    }

    function setTitle(c) {
      const busy = !c.shown.done || !!c.next;
      const key = `${c.name}|${busy}|${c.metricsId}`;
      if (key === c.titleKey) return;
      c.titleKey = key;
      c.plot.setTitle(
        el('span', { class: 'pp-key', style: `background:${fig.colorOf(c.ci)}` }),
        el('span', { class: 'pp-name' }, c.name),
        busy || !c.metrics ? el('span', { class: 'pp-hit busy' }, ' · computing…') : el('span', { class: 'pp-hit' }, ` · hit ${fmt(c.metrics.hitRate, 2)}`));
    }

    function updateReadout() {
      // the readout is a live region: it changes when a computation starts and when it ends
      const done = cells.every((c) => c.metrics && c.shown.done && !c.next && c.metricsId === c.shown.__id);
      const ws = groups.map((g) => g.w);
      const key = `${done}|${done ? cells.map((c) => c.metricsId).join(',') : ws.join(',')}|${fig.state.dataset}`;
      if (key === readoutKey) return;
      readoutKey = key;
      const s = fig.state;
      const n = cells[0]?.shown?.n ?? s.n;
      const how = s.solver === 'heun' ? 'Heun' : 'Euler';
      const source = s.exact ? 'exact velocity of the data' : fig.pretrained ? 'network velocity (pretrained)' : `network velocity after ${fig.model.stepsDone} training steps`;
      const means = CLASSES_OF(fig.model)?.means.map(along);
      const table = el('table', { class: 'pp-table' },
        el('thead', {},
          el('tr', {}, el('td', {}), ...ws.map((w) => el('th', { scope: 'colgroup', colspan: 2, class: 'pp-w' }, `w = ${wText(w)}`))),
          el('tr', {}, el('th', { scope: 'col' }, 'class'), ...ws.flatMap(() => [el('th', { scope: 'col' }, 'hit'), el('th', { scope: 'col' }, el('abbr', { title: 'diversity' }, 'div.'))]))),
        el('tbody', {}, ...fig.classes.map((name, ci) => el('tr', {},
          el('th', { scope: 'row' }, el('span', { class: 'key', style: `background:${fig.colorOf(ci)}` }), name),
          ...groups.flatMap((g) => {
            const c = g.cells[ci];
            const ok = c.metrics && !c.next && c.shown.done;
            return [el('td', {}, ok ? fmt(c.metrics.hitRate, 3) : '…'), el('td', {}, ok ? fmt(c.metrics.diversity, 2) : '…')];
          })))));
      fig.readout(
        el('div', {}, el('span', { class: 'pp-swatch' }, ...fig.classes.map((_, i) => el('span', { style: `background:${fig.colorOf(i)}` }))),
          'colour: how many samples are there (each square and each time column of a strip scaled to its own peak)'),
        el('div', {}, el('span', { class: 'line-key pp-dash' }), 'dashed: each class’s 2σ circle (86% of its data) around its mean (+); on the strips, the means along the diagonal', means ? ` (${means.map((m) => fmt(m)).join(' and ')})` : ''),
        el('div', { class: 'pp-hit-head' }, 'At t = 1, ', el('b', {}, 'hit rate'), `: the share of the ${n} samples of a panel whose most likely class under the data is their own; `,
          el('b', {}, 'diversity'), ': the spread of the samples (trace of their covariance) over the spread of the class (1: as wide as the data).'),
        table,
        el('div', { class: 'pp-note' }, `${n} samples per panel, ${steps()} ${how} steps, ${source}.`),
      );
    }

    const stripTimer = 120; // ms between strip repaints while a flow is computing

    return {
      layout() {
        layout();
        fig.request();
      },
      update(keys) {
        if (!fig.model) return;
        const has = (...k) => keys.some((x) => k.includes(x));
        if (has('dataset')) {
          build();
          paintReferences();
          for (const c of cells) c.plot.setExtent(fig.model.extent);
          rebuild('hard');
          readoutKey = '';
          return;
        }
        if (has('compare') || (has('w') && scales().length !== groups.length)) build();
        else if (has('w')) build();
        if (has('n', 'steps', 'solver', 'seed')) rebuild('hard');
        else if (has('w', 'compare', 'exact')) rebuild('soft');
        else if (has('model')) rebuild('weights');
        readoutKey = '';
      },
      frame(now, frameBudget) {
        // four density squares and their strips are drawn after the computing: leave them time
        const budget = 0.6 * frameBudget;
        if (!cells.length || !fig.model || cells.some((c) => !c.shown)) return false;
        const t0 = performance.now();
        const S = steps();
        const frontNow = () => Math.min(...cells.map((c) => c.shown.step));
        const front = frontNow();
        if (pos > S) pos = S;
        // while playing, the playhead never runs ahead of what every panel has computed
        if (playing && !holdUntil && pos > front) pos = front;
        if (playing) {
          const dt = last ? Math.min(100, now - last) : 0;
          if (holdUntil) {
            if (now >= holdUntil) {
              holdUntil = 0;
              pos = 0;
              if (stale) {
                // the loop restarts with the newest weights, from the same noise
                stale = false;
                for (const c of cells) {
                  c.shown.free();
                  c.next?.free();
                  c.next = null;
                  c.shown = create(c);
                }
              }
            }
          } else {
            // the playhead waits at frames not computed yet
            const cap = Math.max(pos, front);
            pos = Math.min(pos + (dt * S) / (SECONDS * 1000), S, cap);
            if (pos >= S) holdUntil = now + HOLD * 1000;
          }
        }
        last = now;

        // compute: first the flows catching up with the playhead, then ahead on the shown ones,
        // always the one furthest behind
        const target = Math.min(Math.floor(pos), S);
        let first = true;
        for (let guard = 0; guard < 100000; guard++) {
          for (const c of cells) {
            if (c.next && c.next.step >= target) {
              c.shown.free();
              c.shown = c.next;
              c.next = c.again ? create(c) : null;
              c.again = false;
              c.drawn = '';
            }
          }
          let pick = null;
          for (const c of cells) if (c.next && (!pick || c.next.step < pick.step)) pick = c.next;
          if (!pick) for (const c of cells) if (!c.shown.done && (!pick || c.shown.step < pick.step)) pick = c.shown;
          if (!pick) break;
          const left = budget - (performance.now() - t0);
          if (!first && left <= 0.5) break;
          // the wasm side splits a step by particles to keep within the time given
          pick.advanceFor(fig.model, pick.__w, pick.__exact, Math.max(0.5, left));
          first = false;
        }

        // draw: every panel at the same frame, the playhead's or, while the panels compute
        // towards it, the last frame all of them have
        const col = colors();
        const k = Math.min(target, frontNow());
        const caughtUp = k === target;
        let pending = false;
        for (const c of cells) {
          const f = c.shown;
          if (f.done && c.metricsId !== f.__id) {
            c.metrics = fig.model.metrics(f);
            c.metricsId = f.__id;
          }
          const key = `${f.__id}|${k}|${layoutSerial}`;
          if (key !== c.drawn && (caughtUp || !fig.reducedMotion)) {
            drawSquare(c, k);
            c.drawn = key;
          }
          const sKey = `${f.__id}|${f.step}|${layoutSerial}`;
          if (sKey !== c.stripKey) {
            if (f.done || now - c.stripAt > stripTimer || !c.stripKey.startsWith(`${f.__id}|`)) {
              paintStrip(c);
              c.stripKey = sKey;
              c.stripAt = now;
            } else pending = true;
          }
          const dKey = `${c.stripKey}|${k}|${col.fg}`;
          if (dKey !== c.stripDrawn) {
            drawStrip(c, k, col);
            c.stripDrawn = dKey;
          }
          setTitle(c);
        }
        // the play bar
        const head = Math.min(Math.floor(pos), S);
        const t = cells[0].shown.timeAt(head);
        if (slider.max !== String(S)) slider.max = String(S);
        if (slider.value !== String(head)) slider.value = String(head);
        const label = `t = ${fmt(cells[0].shown.timeAt(k), 2)}`;
        if (timeOut.textContent !== label) timeOut.textContent = label;
        slider.setAttribute('aria-valuetext', `t = ${fmt(t, 2)}, step ${head} of ${S}${caughtUp ? '' : ' (computing)'}`);
        updateReadout();
        const busy = cells.some((c) => c.next || !c.shown.done || c.shown.step < target);
        return playing || busy || pending || stale;
      },
    };
  },
};
