// The shell every figure lives in: a shadow root (no CSS leaks in or out), controls generated
// from the figure's settings table, a pretrained model for the chosen data set, "train in your
// browser" in a Web Worker, exports, and one shared animation loop that only runs visible figures.
//
// A figure definition: { id, title, post, caption(fig) -> nodes (about 50 words at most),
//   howToRead(fig) -> nodes (the full explanation, behind a 'How to read this figure' disclosure), params: [state entries],
//   controls: [keys shown, in order], create(fig) -> { layout(), update(keys), frame(now) -> bool } }
//   and optionally: trainLabel (the train button's text), trainNote, resetLabel, training,
//   loadModel(fig), exportModel(fig), styles, wide, trainable, and for files (www/load.js)
//   loadPoints(fig, drawn) and loadDrawnModel(fig, model), and, for figures whose subject is a model
//   made from the shipped one (definitions with `training`), loadSubject(fig, text, name).
import { loadWasm, pretrainedModel, el, fmt, reducedMotion, colorOf } from './cfg.js';
import { parseState, changedEntries } from './state.js';
import { Training } from './train.js';
import { Chart, linearTicks, logTicks, niceLog } from './chart.js';
import { loadControls, loadFromAttributes } from './load.js';

// ---------- settings shared by many figures ----------
const DATASETS = ['non-overlapping', 'overlapping', 'multimodal', 'face', 'two-moons', 'spirals', 'rings', 'three-blobs'];
export const P = {
  dataset: (d = 'face', options = DATASETS) => ({ key: 'dataset', label: 'data set', type: 'enum', default: d, options, help: 'The 2D training data: each colour is a class.' }),
  cls: (d, allowNull = false) => ({ key: 'class', label: 'class', type: 'name', default: d, allowNull, help: 'The class label c given to the model (null: no label, the unconditional velocity).' }),
  w: (d = 3, max = 12) => ({ key: 'w', label: 'guidance w', type: 'number', default: d, min: 0, max, step: 0.1, help: 'Guidance scale: 0 is unconditional, 1 conditional, above 1 pushes past the class (v = v_u + w·(v_c − v_u)).' }),
  t: (d = 0.5) => ({ key: 't', label: 'time t', type: 'number', default: d, min: 0, max: 1, step: 0.01, help: 't = 0 is pure noise, t = 1 is data.' }),
  steps: (d = 40, max = 200) => ({ key: 'steps', label: 'sampling steps', type: 'int', default: d, min: 1, max, step: 1, help: 'Number of ODE steps from noise to data.' }),
  solver: (d = 'euler') => ({ key: 'solver', label: 'solver', type: 'enum', default: d, options: ['euler', 'heun'], help: 'Euler: one velocity per step. Heun: two, second-order accurate.' }),
  n: (d = 1000, max = 4000) => ({ key: 'n', label: 'particles', type: 'int', default: d, min: 10, max, step: 10, help: 'How many samples to draw.' }),
  seed: (d = 1) => ({ key: 'seed', label: 'seed', type: 'int', default: d, min: 0, max: 4294967295, step: 1, help: 'Seed of the starting noise: the same seed gives the same samples.' }),
  exact: () => ({ key: 'exact', label: 'ground truth', type: 'bool', default: false, help: 'Follow the exact velocity of the data (a Gaussian mixture) instead of the network, to tell the method’s effects from model error.' }),
  lr: () => ({ key: 'lr', label: 'learning rate', type: 'number', default: 0.002, min: 0.0001, max: 10, step: 0.0001, help: 'Adam’s step size.' }),
  width: () => ({ key: 'width', label: 'width', type: 'int', default: 64, min: 8, max: 256, step: 8, help: 'Neurons per hidden layer.' }),
  depth: () => ({ key: 'depth', label: 'depth', type: 'int', default: 3, min: 1, max: 6, step: 1, help: 'Number of hidden layers.' }),
  dropout: () => ({ key: 'dropout', label: 'label dropout', type: 'number', default: 0.2, min: 0, max: 1, step: 0.05, help: 'Probability that a training label is replaced by the null label: how the same network learns v_u.' }),
  trainSteps: () => ({ key: 'trainSteps', label: 'training steps', type: 'int', default: 3000, min: 100, max: 20000, step: 100, help: 'Length of the training run.' }),
};
export const TRAIN_KEYS = ['lr', 'width', 'depth', 'dropout', 'trainSteps'];
export const trainParams = () => TRAIN_KEYS.map((k) => P[k]());

// ---------- one animation loop for every figure ----------
const active = new Set();
let looping = false;
function loop(now) {
  const figs = [...active].filter((f) => f.visible);
  // milliseconds of wasm work per frame, shared by the visible figures: drawing and the
  // browser need the rest of the 16.7 ms
  const budget = Math.max(1.5, 7 / Math.max(1, figs.length));
  for (const f of figs) {
    let more = false;
    try {
      more = f.impl?.frame?.(now, budget) ?? false;
    } catch (e) {
      f.fail(e);
    }
    if (!more) active.delete(f);
  }
  looping = active.size > 0;
  if (looping) requestAnimationFrame(loop);
}

// ---------- the shell ----------
let stylesheet = null;
function styleLink() {
  stylesheet ??= new URL('./figure.css', import.meta.url).href;
  return el('link', { rel: 'stylesheet', href: stylesheet });
}

/**
 * Mounts figure `def` into `host`. `get(key)` reads initial settings (attributes or URL);
 * `hide` lists controls (or 'train', 'export', 'exact') to hide; `onState(entries)` hears about
 * every change, for links.
 */
export async function mountFigure(host, def, { get = () => undefined, hide = [], onState = () => {}, warn = console.warn } = {}) {
  const wasm = await loadWasm();
  const shadow = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  shadow.replaceChildren(styleLink());
  // a figure with its own stylesheet (www/figures/<id>.css) says so with `styles: true`
  if (def.styles) shadow.append(el('link', { rel: 'stylesheet', href: new URL(`./figures/${def.id}.css`, import.meta.url).href }));
  const hidden = new Set(hide);
  const table = def.params;
  const state = parseState(table, get, (m) => warn(`cfg-playground ${def.id}: ${m}`));
  const titleId = `${def.id}-title-${Math.random().toString(36).slice(2, 8)}`;

  const plots = el('div', { class: 'plots' });
  const controls = el('div', { class: 'controls' });
  const readout = el('div', { class: 'readout', 'aria-live': 'polite' });
  const tools = el('div', { class: 'tools' });
  const message = el('div', { class: 'message', role: 'status', hidden: true });
  const trainBox = el('div', { class: 'train' });
  const root = el('figure', { class: def.wide ? 'fig wide' : 'fig', role: 'group', 'aria-labelledby': titleId },
    el('div', { class: 'head' }, el('h3', { id: titleId }, def.title, def.post ? el('span', { class: 'post' }, ` · ${def.post}`) : null), tools),
    el('div', { class: 'main' }, plots, el('div', { class: 'side' }, controls, readout)),
    message, trainBox,
    el('figcaption', {}));
  shadow.append(root);
  // draw nothing before the figure's stylesheets apply (the plots read colours from them)
  await Promise.all([...shadow.querySelectorAll('link[rel=stylesheet]')].map((l) => (l.sheet ? null
    : new Promise((r) => { l.addEventListener('load', r, { once: true }); l.addEventListener('error', r, { once: true }); }))));

  const fig = {
    wasm, state, host, shadow, plots, def,
    model: null,
    pretrained: true,
    visible: true,
    impl: null,
    reducedMotion: reducedMotion(),
    classes: [],
    /** Available width for plots, in CSS pixels. */
    width: () => Math.max(160, plots.clientWidth || host.clientWidth || 600),
    addPlot(plot) { plots.append(plot.el); return plot; },
    /** Adds a node to the side panel, under the readout. */
    addSide(node) { readout.after(node); return node; },
    /** The row of a generated control (to dim or annotate it), or null. */
    control(key) { return inputs.get(key)?.row ?? null; },
    /** The "Train in your browser" disclosure (a <details>), or null when training is hidden. */
    trainingPanel() { return trainBox.querySelector('details'); },
    /** Replaces the read-out; null, undefined and false leave no trace (as in el()). */
    readout(...nodes) { readout.replaceChildren(...nodes.flat().filter((n) => n !== null && n !== undefined && n !== false)); },
    message(text, actions = []) {
      message.hidden = !text;
      message.replaceChildren(text ? el('span', {}, text) : '', ...actions);
    },
    /** Keeps the animation loop calling `impl.frame` until it returns false. */
    request() {
      active.add(fig);
      if (!looping) { looping = true; requestAnimationFrame(loop); }
    },
    /** Sets a setting as the reader would; resolves when the figure has taken it (a data set: its models loaded). */
    set(key, value) { return setValue(key, value, true); },
    fail(e) {
      console.error(e);
      fig.message(`Something went wrong: ${e.message ?? e}`);
    },
    colorOf,
  };

  // ---------- controls ----------
  const inputs = new Map();
  function describe(p) { return p.help ?? ''; }
  function classOptions(p) {
    return [...fig.classes, ...(p.allowNull ? ['null'] : [])];
  }
  function control(p) {
    const id = `${def.id}-${p.key}-${Math.random().toString(36).slice(2, 7)}`;
    let input;
    let out = null;
    const onInput = (v) => setValue(p.key, v, true);
    if (p.type === 'enum' || p.type === 'name') {
      input = el('select', { id, onchange: () => onInput(input.value) });
    } else if (p.type === 'bool') {
      input = el('input', { id, type: 'checkbox', onchange: () => onInput(input.checked) });
    } else if (p.type === 'list') {
      input = el('input', { id, type: 'text', inputmode: 'decimal', onchange: () => {
        const xs = input.value.split(',').map(Number).filter(Number.isFinite);
        if (xs.length) onInput(xs.slice(0, p.maxItems ?? 12).map((x) => Math.min(p.max, Math.max(p.min, x))));
      } });
    } else if (p.key === 'seed') {
      input = el('input', { id, type: 'number', min: p.min, max: p.max, step: 1, onchange: () => {
        const v = Math.round(Number(input.value));
        if (Number.isFinite(v)) onInput(Math.min(p.max, Math.max(p.min, v)));
      } });
      out = el('button', { type: 'button', class: 'small', title: 'A new random seed', 'aria-label': 'new random seed', onclick: () => onInput(wasm.freshSeed()) }, '⟳');
    } else {
      input = el('input', { id, type: 'range', min: p.min, max: p.max, step: p.step ?? 'any', oninput: () => onInput(Number(input.value)) });
      out = el('output', { for: id });
    }
    const row = el('div', { class: `ctl ctl-${p.type}`, title: describe(p) },
      el('label', { for: id }, p.label), input, out);
    if (p.type === 'bool') row.classList.add('ctl-check');
    inputs.set(p.key, { p, input, out, row });
    return row;
  }
  function reflect(key) {
    const c = inputs.get(key);
    if (!c) return;
    const v = state[key];
    const { p, input, out } = c;
    if (p.type === 'enum' || p.type === 'name') {
      const opts = p.type === 'name' ? classOptions(p) : p.options;
      if (input.options.length !== opts.length || [...input.options].some((o, i) => o.value !== opts[i])) {
        input.replaceChildren(...opts.map((o) => el('option', { value: o }, o)));
      }
      input.value = v;
    } else if (p.type === 'bool') input.checked = v;
    else if (p.type === 'list') input.value = v.join(', ');
    else {
      input.value = v;
      if (out && out.tagName === 'OUTPUT') out.textContent = p.type === 'int' ? String(v) : fmt(v, (p.step ?? 1) < 0.01 ? 4 : (p.step ?? 1) < 0.1 ? 2 : 1);
    }
  }
  const shown = (def.controls ?? table.map((p) => p.key)).filter((k) => !hidden.has(k) && !TRAIN_KEYS.includes(k));
  for (const key of shown) {
    const p = table.find((q) => q.key === key);
    if (p) controls.append(control(p));
  }

  function report() {
    onState(changedEntries(table, state));
  }

  async function setValue(key, value, fromUser) {
    if (state[key] === value) return;
    state[key] = value;
    reflect(key);
    if (key === 'dataset') {
      await loadPretrained();
      return;
    }
    if (fromUser) report();
    fig.impl?.update?.([key]);
  }

  // ---------- models ----------
  let training = null;
  // the model shown before the current training run (model file text, or null for the
  // pretrained one): what Reset goes back to after a divergence
  let lastGood = null;
  function fixClass() {
    const p = table.find((q) => q.key === 'class');
    if (!p) return;
    const opts = classOptions(p);
    if (!opts.includes(state.class)) {
      // (a class of a model still to come from data-model is checked when it arrives)
      if (state.class !== p.default && state.class !== undefined && !host.hasAttribute('data-model')) warn(`cfg-playground ${def.id}: class '${state.class}' is not in data set ${state.dataset}; using ${opts[0]}`);
      state.class = opts[0];
    }
    reflect('class');
  }
  function useModel(m, pretrained) {
    const old = fig.model;
    fig.model = m;
    fig.pretrained = pretrained;
    fig.classes = m?.classNames() ?? [];
    fixClass();
    old?.free();
    fig.impl?.update?.(['model', 'dataset', 'class']);
  }
  /** A model from a file or a URL (load.js has checked that it fits) replaces the figure's. */
  fig.adoptModel = (m) => {
    stopTraining();
    training = null;
    if (state.dataset !== undefined && state.dataset !== m.dataset) {
      state.dataset = m.dataset;
      reflect('dataset');
    }
    // the class asked for by the element's attribute, if the new model has it
    const asked = host.getAttribute('data-class');
    const names = m.classNames();
    if (asked && !names.includes(state.class) && names.includes(asked)) state.class = asked;
    useModel(m, false);
    setTrainStatus('');
    report();
  };
  async function loadPretrained() {
    training?.stop();
    training = null;
    const ds = state.dataset ?? def.dataset ?? 'face';
    try {
      const m = def.loadModel ? await def.loadModel(fig) : await pretrainedModel(ds);
      useModel(m, true);
      setTrainStatus('');
      report();
    } catch (e) {
      fig.fail(e);
    }
  }

  // ---------- train in your browser ----------
  const progress = el('progress', { max: 1, value: 0, 'aria-label': 'training progress' });
  const trainStatus = el('span', { class: 'status' });
  const lossChart = new Chart({ className: 'loss', label: 'training loss curve' });
  // a figure that starts from shipped weights (reflow, distillation) names its own run
  const trainLabel = def.trainLabel ?? 'Train from scratch';
  const startBtn = el('button', { type: 'button', onclick: () => (training?.running ? stopTraining() : startTraining()) }, trainLabel);
  const resetBtn = el('button', { type: 'button', onclick: () => { stopTraining(); loadPretrained(); } }, def.resetLabel ?? 'Back to pretrained');
  const trainControls = el('div', { class: 'controls train-controls' });
  let losses = [];
  function setTrainStatus(text) { trainStatus.textContent = text; }
  function drawLoss() {
    const pts = losses.filter((l) => Number.isFinite(l.loss) && l.loss > 0);
    const w = 240;
    const h = 84;
    if (pts.length < 2) {
      lossChart.frame({ width: w, height: h, pad: { l: 36, r: 8, t: 14, b: 30 }, x: { domain: [0, 1] }, y: { domain: [0, 1] } });
      return;
    }
    const vals = pts.map((p) => p.loss);
    const lo = niceLog(Math.min(...vals), -1);
    const hi = niceLog(Math.max(...vals), 1);
    const ticks = logTicks(lo, hi, [1, 2, 5]);
    const maxStep = pts[pts.length - 1].step;
    lossChart.frame({
      width: w, height: h, pad: { l: 36, r: 8, t: 14, b: 30 },
      x: { domain: [0, maxStep], ticks: linearTicks(0, maxStep, 3), format: String, grid: false, title: 'training step' },
      y: { scale: 'log', domain: [lo, hi], ticks: ticks.length > 3 ? logTicks(lo, hi) : ticks, grid: false },
    }).axes();
    const last = pts[pts.length - 1];
    lossChart.line(pts.map((p) => [p.step, p.loss]), { class: 'curve' });
    // invisible: the points the hover read-out finds
    lossChart.points(pts.map((p) => ({ x: p.step, y: p.loss, readout: `step ${p.step}: loss ${fmt(p.loss, 3)}` })), { class: 'hit' }, 2);
    lossChart.text(lossChart.plot.l, 10, `loss (log scale) ${fmt(last.loss, 3)}`, { class: 'title' });
    lossChart.describe(`training loss (log scale) against step: ${fmt(pts[0].loss, 3)} at step ${pts[0].step}, ${fmt(last.loss, 3)} at step ${last.step}`);
  }
  async function startTraining() {
    const options = { lr: state.lr, width: state.width, depth: state.depth, dropout: state.dropout, steps: state.trainSteps, seed: state.seed ?? 0, batch: 256 };
    const drawn = def.drawn?.(fig) ?? null;
    const dataset = drawn ? 'custom' : state.dataset;
    // a figure that trains something else than its velocity model (a classifier, say) says so
    // with `training: {kind, spec(fig) (more for the worker), begin(fig, options), setParams(fig, params, step)}`
    const custom = def.training ?? null;
    let m;
    try {
      if (custom) custom.begin(fig, options);
      else m = wasm.Model.untrained(dataset, JSON.stringify(options), drawn ? JSON.stringify(drawn) : '');
    } catch (e) {
      fig.message(e.message);
      return;
    }
    fig.message('');
    try {
      lastGood = fig.pretrained ? null : fig.model?.toJson('f32') ?? null;
    } catch {
      lastGood = null;
    }
    if (custom) {
      fig.trainedModelText = null;
      fig.pretrained = false;
      fig.impl?.update?.(['model']);
    } else useModel(m, false);
    losses = [];
    progress.max = options.steps;
    progress.value = 0;
    startBtn.textContent = 'Stop';
    setTrainStatus('starting the worker…');
    training = new Training({ dataset, options, drawn, kind: custom?.kind, ...(custom?.spec?.(fig) ?? {}) }, {
      progress: (msg) => {
        try {
          if (custom) custom.setParams(fig, msg.params, msg.step);
          else fig.model.setParams(msg.params, msg.step);
        } catch (e) {
          // non-finite weights never reach the figure: keep the last good ones
          stopTraining();
          diverged(msg.step, e.message);
          return;
        }
        losses.push({ step: msg.step, loss: msg.loss });
        progress.value = msg.step;
        setTrainStatus(`step ${msg.step} / ${msg.total} · loss ${fmt(msg.loss, 3)} · ${Math.round(msg.stepsPerSec)} steps/s`);
        drawLoss();
        fig.impl?.update?.(['model']);
      },
      done: (msg) => {
        // what a figure that trains something else (a classifier, a student) exports
        if (custom) fig.trainedModelText = msg.model;
        startBtn.textContent = trainLabel;
        setTrainStatus(`trained ${msg.step} steps · loss ${fmt(losses.at(-1)?.loss, 3)}`);
      },
      error: (msg) => {
        startBtn.textContent = trainLabel;
        if (/diverged/.test(msg.message)) {
          diverged(msg.step, msg.message);
          return;
        }
        setTrainStatus('');
        fig.message(`Training stopped at step ${msg.step}: ${msg.message}. The figure keeps the last good weights.`, [resetAction()]);
      },
    });
    training.start();
  }
  /** Training stopped because it diverged: say so, keep the last finite weights, offer Reset. */
  function diverged(step, why) {
    const loss = /loss ([^)]+)\)/.exec(String(why))?.[1];
    setTrainStatus(`diverged at step ${step}`);
    host.dataset.cfgTraining = 'diverged';
    fig.message(`Training diverged at step ${step}${loss ? ` (loss ${loss})` : ''}: lower the learning rate. The figure shows the last good weights; Reset restores the model from before this run.`, [resetAction()]);
  }
  function resetAction() {
    return el('button', { type: 'button', class: 'small reset', onclick: () => {
      fig.message('');
      delete host.dataset.cfgTraining;
      if (lastGood) {
        try {
          useModel(wasm.Model.fromJson(lastGood), false);
          setTrainStatus('restored the model from before the run');
          return;
        } catch (e) {
          console.warn(`cfg-playground ${def.id}: could not restore the previous model (${e.message}); loading the pretrained one`);
        }
      }
      loadPretrained();
    } }, 'Reset');
  }
  function stopTraining() {
    if (training?.running) setTrainStatus(`stopped at step ${progress.value}`);
    training?.stop();
    startBtn.textContent = trainLabel;
  }
  fig.startTraining = startTraining;
  fig.stopTraining = stopTraining;
  fig.isTraining = () => !!training?.running;
  if (!hidden.has('train') && def.trainable !== false) {
    for (const key of TRAIN_KEYS) {
      const p = table.find((q) => q.key === key);
      if (p && !hidden.has(key)) trainControls.append(control(p));
    }
    trainBox.append(el('details', {},
      el('summary', {}, 'Train in your browser'),
      el('p', { class: 'note' }, def.trainNote ?? 'Trains a fresh network in a background worker (the same Rust code, compiled to WebAssembly); the figure follows it as it learns.'),
      trainControls,
      el('div', { class: 'buttons' }, startBtn, resetBtn),
      el('div', { class: 'progress-row' }, progress, trainStatus),
      lossChart.svg));
  }

  // ---------- exports ----------
  function download(name, blob) {
    const a = el('a', { href: URL.createObjectURL(blob), download: name });
    shadow.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }
  if (!hidden.has('export') && def.trainable !== false) {
    tools.append(
      el('button', { type: 'button', class: 'small', title: 'Save the figure as a PNG image', onclick: () => {
        const cs = [...plots.querySelectorAll('.plot')].map((p) => p.__plot?.composite()).filter(Boolean);
        if (!cs.length) return;
        const c = document.createElement('canvas');
        c.width = cs.reduce((s, x) => s + x.width, 0);
        c.height = Math.max(...cs.map((x) => x.height));
        const ctx = c.getContext('2d');
        ctx.fillStyle = getComputedStyle(root).getPropertyValue('--cfg-bg').trim() || '#fff';
        ctx.fillRect(0, 0, c.width, c.height);
        let x = 0;
        for (const s of cs) { ctx.drawImage(s, x, 0); x += s.width; }
        c.toBlob((b) => b && download(`${def.id}.png`, b), 'image/png');
      } }, 'PNG'),
      el('button', { type: 'button', class: 'small', title: 'Save the model as a cfg-playground model file', onclick: () => {
        // a figure whose subject is another model (a classifier, a reflowed model, a student)
        // exports that one: def.exportModel(fig) gives its model file text
        let text = null;
        try {
          text = def.exportModel ? def.exportModel(fig) : fig.model?.toJson('f32');
        } catch (e) {
          fig.message(e.message);
          return;
        }
        if (text) download(`${def.id}-${fig.model?.dataset ?? state.dataset}.json`, new Blob([text], { type: 'application/json' }));
        else fig.message('The model is still training: export it when training has finished.');
      } }, 'Model'),
      ...loadControls(fig, root));
  }

  // ---------- life cycle ----------
  new IntersectionObserver((entries) => {
    for (const e of entries) fig.visible = e.isIntersecting;
    if (fig.visible) fig.request();
  }, { rootMargin: '200px' }).observe(host);
  let lastWidth = 0;
  new ResizeObserver(() => {
    const w = fig.width();
    if (!fig.impl || Math.abs(w - lastWidth) < 2) return;
    lastWidth = w;
    fig.impl?.layout?.();
    fig.request();
  }).observe(plots);

  for (const key of inputs.keys()) if (key !== 'class') reflect(key);
  await loadPretrained();
  fig.impl = await def.create(fig);
  // a short caption a reader finishes; the full explanation behind a disclosure
  const how = def.howToRead ? [def.howToRead(fig)].flat() : [];
  root.querySelector('figcaption').replaceChildren(...[def.caption?.(fig) ?? []].flat(),
    ...(how.length ? [el('details', { class: 'how' }, el('summary', {}, 'How to read this figure'), el('div', { class: 'how-text' }, ...how))] : []));
  fig.impl.layout?.();
  fig.impl.update?.(['model', 'dataset', 'class']);
  fig.request();
  await loadFromAttributes(fig, warn);
  host.dataset.cfgReady = '1';
  return fig;
}

/** Gives plot elements a back reference for PNG export. */
export function register(plot) {
  plot.el.__plot = plot;
  return plot;
}
