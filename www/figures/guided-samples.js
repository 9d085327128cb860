// Figure: guided samples from a model trained in your browser, with a guidance slider.
// DOM, events and timing only; training, sampling and pixels come from the wasm Playground.
import { loadWasm, el, axes, PALETTE, fmt } from '../cfg.js';

const PAD = { left: 34, right: 8, top: 8, bottom: 24 };
const TOTAL_STEPS = 3000;

export async function guidedSamples(root, opts = {}) {
  const wasm = await loadWasm();
  const names = wasm.datasets().map((d) => d.name);
  const extentOf = Object.fromEntries(wasm.datasets().map((d) => [d.name, d.extent]));
  const state = {
    dataset: names.includes(opts.dataset) ? opts.dataset : 'face',
    cls: opts.class ?? null,
    w: Number.isFinite(opts.w) ? opts.w : 3,
    seed: 1,
  };
  let pg = null;
  let training = false;
  let lastSample = 0;
  let frame = 0;

  const canvas = el('canvas', { class: 'cfg-canvas', role: 'img' });
  const plot = el('div', { class: 'cfg-plot' }, canvas);
  const datasetSel = el('select', { 'aria-label': 'data set', onchange: () => { state.dataset = datasetSel.value; state.cls = null; rebuild(); } },
    names.map((n) => el('option', { value: n }, n)));
  const classSel = el('select', { 'aria-label': 'class', onchange: () => { state.cls = classSel.value; resample(); } });
  const wOut = el('output', {}, fmt(state.w, 1));
  const wSlider = el('input', { type: 'range', min: 0, max: 9, step: 0.1, value: state.w, 'aria-label': 'guidance scale w',
    oninput: () => { state.w = Number(wSlider.value); wOut.textContent = fmt(state.w, 1); resample(); } });
  const trainBtn = el('button', { type: 'button', onclick: () => (training ? stop() : start()) }, 'Train in your browser');
  const resetBtn = el('button', { type: 'button', onclick: () => rebuild() }, 'Reset');
  const progress = el('progress', { max: TOTAL_STEPS, value: 0, 'aria-label': 'training progress' });
  const status = el('span', { class: 'cfg-status', 'aria-live': 'polite' });
  const hit = el('span', { class: 'cfg-readout' });

  root.append(
    el('div', { class: 'cfg-figure-body' },
      plot,
      el('div', { class: 'cfg-controls' },
        el('label', {}, 'data set ', datasetSel),
        el('label', {}, 'class ', classSel),
        el('label', { class: 'cfg-slider' }, 'guidance w ', wSlider, wOut),
        el('div', { class: 'cfg-buttons' }, trainBtn, resetBtn),
        el('div', {}, progress, ' ', status),
        el('div', {}, hit),
        el('p', { class: 'cfg-legend' }, 'Faint dots: the training data, coloured by class. Solid dots: samples of the chosen class, ',
          'following v = v', el('sub', {}, 'u'), ' + w·(v', el('sub', {}, 'c'), ' − v', el('sub', {}, 'u'), ') from noise in 25 Euler steps.'))));

  function size() {
    const avail = Math.max(200, Math.min(420, root.clientWidth - PAD.left - PAD.right - 4));
    return Math.round(avail);
  }

  function layout() {
    const s = size();
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(s * dpr);
    canvas.height = Math.round(s * dpr);
    canvas.style.width = `${s}px`;
    canvas.style.height = `${s}px`;
    canvas.style.left = `${PAD.left}px`;
    canvas.style.top = `${PAD.top}px`;
    plot.querySelector('svg')?.remove();
    plot.prepend(axes(extentOf[state.dataset], s, PAD));
    plot.style.width = `${s + PAD.left + PAD.right}px`;
    plot.style.height = `${s + PAD.top + PAD.bottom}px`;
    draw();
  }

  function rebuild() {
    stop();
    pg?.free();
    pg = new wasm.Playground(state.dataset, { width: 64, depth: 3, steps: TOTAL_STEPS, batch: 256, seed: state.seed });
    datasetSel.value = state.dataset;
    const classes = pg.classNames();
    classSel.replaceChildren(...classes.map((c, i) => el('option', { value: c, style: `color:${PALETTE[i]}` }, c)));
    if (!classes.includes(state.cls)) state.cls = classes[0];
    classSel.value = state.cls;
    progress.value = 0;
    layout();
    start();
  }

  function resample() {
    if (!pg) return;
    pg.sample(state.cls, state.w, 25, 'euler', 1000, state.seed, false);
    const rate = pg.hitRate();
    hit.textContent = `hit rate ${fmt(rate, 2)}: share of samples whose most likely class is “${state.cls}”`;
    lastSample = performance.now();
    draw();
  }

  function draw() {
    if (!pg || pg.stepsDone === 0 && !training) return;
    const ctx = canvas.getContext('2d');
    const dpr = window.devicePixelRatio || 1;
    pg.render(ctx, canvas.width, canvas.height, 1.6 * dpr);
    canvas.setAttribute('aria-label', `Samples of class ${state.cls} at guidance ${fmt(state.w, 1)} over the ${state.dataset} data`);
  }

  function tick() {
    if (!training) return;
    const t0 = performance.now();
    let loss = NaN;
    try {
      // train for about 8 ms per frame, so the page stays smooth
      while (performance.now() - t0 < 8 && pg.stepsDone < TOTAL_STEPS) loss = pg.train(2);
    } catch (e) {
      status.textContent = `training stopped: ${e.message}`;
      stop();
      return;
    }
    frame += 1;
    progress.value = pg.stepsDone;
    if (Number.isFinite(loss)) status.textContent = `step ${pg.stepsDone} · loss ${fmt(loss, 3)}`;
    if (performance.now() - lastSample > 400 || pg.stepsDone >= TOTAL_STEPS) resample();
    if (pg.stepsDone >= TOTAL_STEPS) { stop(); status.textContent = `trained ${pg.stepsDone} steps · loss ${fmt(loss, 3)}`; return; }
    requestAnimationFrame(tick);
  }

  function start() {
    if (training || !pg || pg.stepsDone >= TOTAL_STEPS) return;
    training = true;
    trainBtn.textContent = 'Stop training';
    requestAnimationFrame(tick);
  }

  function stop() {
    training = false;
    trainBtn.textContent = 'Train in your browser';
  }

  new ResizeObserver(() => layout()).observe(root);
  rebuild();
  return { get playground() { return pg; }, get frames() { return frame; } };
}
