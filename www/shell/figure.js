// The shell every figure lives in: a shadow root (no CSS leaks in or out), controls generated
// from the figure's settings table (controls.js), a pretrained model for the chosen data set,
// "train in your browser" in a Web Worker (training-panel.js), exports (export.js, load.js), the one
// dispatch of what each change invalidates (effects.js), and one shared animation loop that
// only runs visible figures (loop.js).
//
// A figure definition (www/figures/<id>/index.js): the FigureDefinition of contract.js, which
// tests/shell.test.js checks every figure against.
import { el, reducedMotion, colorOf, headingLevel } from '../lib/dom.js';
import { loadWasm, pretrainedModel } from '../lib/models.js';
import { parseState, changedEntries } from './state.js';
import { loadControls, loadFromAttributes } from './load.js';
import { Controls } from './controls.js';
import { TrainingPanel } from './training-panel.js';
import { exportButtons, download } from './export.js';
import { recordButtons, trainingButtons } from './record.js';
import { dispatch, checkEffects } from './effects.js';
import { requestFrames, measure, slot, spent } from './loop.js';
import { TRAIN_KEYS } from './params.js';
import { pagePool } from '../lib/pool.js';

export { P, TRAIN_KEYS, trainParams } from './params.js';
export { fx } from './effects.js';

let stylesheet = null;
function styleLink() {
  stylesheet ??= new URL('./figure.css', import.meta.url).href;
  return el('link', { rel: 'stylesheet', href: stylesheet });
}

/**
 * Mounts figure `def` into `host`. `get(key)` reads initial settings (attributes or URL);
 * `hide` lists controls (or 'train', 'export', 'exact') to hide; `onState(entries)` hears about
 * every change, for links.
 * @param {HTMLElement} host
 * @param {import('./contract.js').FigureDefinition} def
 */
export async function mountFigure(
  host,
  def,
  { get = () => undefined, hide = [], onState = () => {}, warn = console.warn } = {},
) {
  const wasm = await loadWasm();
  // the mount in slices, each in a slot of the animation loop (loop.js: tasks after a frame, up to
  // 10 ms of slices, their time taken from the next frame's figures), so that no task is long and
  // no frame adds a slice to the figures' frames; each slice is a User Timing measure when a
  // benchmark asks
  let t0 = 0;
  const slice = (name) => {
    spent(performance.now() - t0);
    measure(`mount ${host.id || def.id} ${name}`, t0);
  };
  const nextSlice = async () => {
    await slot();
    t0 = performance.now();
  };
  // (a figure's module has just been imported and run: its DOM in a slot of its own)
  await nextSlice();
  const shadow = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  shadow.replaceChildren(styleLink());
  // a figure's own stylesheets, as its definition lists them: paths from its folder (figures/<id>/)
  for (const name of def.styles ?? [])
    shadow.append(
      el('link', { rel: 'stylesheet', href: new URL(`../figures/${def.id}/${name}`, import.meta.url).href }),
    );
  const hidden = new Set(hide);
  const table = def.params;
  const state = parseState(table, get, (m) => warn(`cfg-playground ${def.id}: ${m}`));
  const titleId = `${def.id}-title-${Math.random().toString(36).slice(2, 8)}`;

  const plots = el('div', { class: 'plots' });
  const controlBox = el('div', { class: 'controls' });
  const readout = el('div', { class: 'readout', 'aria-live': 'polite' });
  const tools = el('div', { class: 'tools' });
  const message = el('div', { class: 'message', role: 'status', hidden: true });
  const trainBox = el('div', { class: 'train' });
  const side = el('div', { class: 'side' }, controlBox, readout);
  // an empty block as wide as the figure, never taller than 0: its size changes only when the
  // figure's width does, so the ResizeObserver that watches it (life cycle, below) is not told
  // again about the sizes its own layout changes inside its callback
  const widthProbe = el('div', { class: 'width-probe', 'aria-hidden': 'true' });
  // (a figure, named by its title: its own role; the title a heading at the page's level there)
  const root = el(
    'figure',
    { class: def.wide ? 'fig wide' : 'fig', 'aria-labelledby': titleId },
    widthProbe,
    el(
      'div',
      { class: 'head' },
      el(
        `h${headingLevel(host)}`,
        { id: titleId, class: 'fig-title' },
        def.title,
        def.post ? el('span', { class: 'post' }, ` · ${def.post}`) : null,
      ),
      tools,
    ),
    el('div', { class: 'main' }, plots, side),
    message,
    trainBox,
    el('figcaption', {}),
  );
  // unseen until its first frame: the parts of a figure appear as they are made, and would move
  // each other (a layout shift) in front of the reader
  root.style.visibility = 'hidden';
  shadow.append(root);
  slice('dom');
  // draw nothing before the figure's stylesheets apply (the plots read colours from them)
  await Promise.all(
    [...shadow.querySelectorAll('link[rel=stylesheet]')].map((l) =>
      l.sheet
        ? null
        : new Promise((r) => {
            l.addEventListener('load', r, { once: true });
            l.addEventListener('error', r, { once: true });
          }),
    ),
  );
  await nextSlice();

  // ---------- background work: the page's worker pool (www/lib/pool.js) ----------
  // the one place of the busy state: the host is aria-busy while the figure has unfinished jobs in
  // the pool. A figure works from its mount on, as the reader comes near (so that its results are
  // there when it comes into view); once seen, leaving the view pauses its waiting chunks (see the
  // life cycle below). Of several figures, the one nearest the middle of the window goes first.
  const jobs = pagePool().owner({
    onBusy: (busy) => (busy ? host.setAttribute('aria-busy', 'true') : host.removeAttribute('aria-busy')),
    rank: () => {
      const r = host.getBoundingClientRect();
      return Math.abs((r.top + r.bottom) / 2 - innerHeight / 2);
    },
  });

  // set by the first dispatch of effects (changed): the animation loop calls no frame before it
  let started = false;
  const fig = {
    wasm,
    state,
    host,
    shadow,
    plots,
    def,
    /** The figure's side of the page's worker pool: `run(job)` (www/lib/pool.js). */
    pool: jobs,
    model: null,
    pretrained: true,
    visible: true,
    impl: null,
    reducedMotion: reducedMotion(),
    classes: [],
    /** Available width for plots, in CSS pixels. */
    width: () => Math.max(160, plots.clientWidth || host.clientWidth || 600),
    addPlot(plot) {
      plots.append(plot.el);
      return plot;
    },
    /** Adds a node to the side panel, under the readout. */
    addSide(node) {
      readout.after(node);
      return node;
    },
    /** The side panel (controls, read-out), for a figure that moves a node between it and the plots. */
    sidePanel() {
      return side;
    },
    /** Saves `blob` as a file called `name` (the browser's download). */
    download(name, blob) {
      download(shadow, name, blob);
    },
    /** The row of a generated control (to dim or annotate it), or null. */
    control(key) {
      return controls.row(key);
    },
    /** The "Train in your browser" disclosure (a <details>), or null when training is hidden. */
    trainingPanel() {
      return training.element;
    },
    /** Replaces the read-out; null, undefined and false leave no trace (as in el()). */
    readout(...nodes) {
      readout.replaceChildren(...nodes.flat().filter((n) => n !== null && n !== undefined && n !== false));
    },
    message(text, actions = []) {
      message.hidden = !text;
      message.replaceChildren(text ? el('span', {}, text) : '', ...actions);
    },
    /** Keeps the animation loop calling `impl.frame` until it returns false. */
    request() {
      if (started) requestFrames(fig);
    },
    /** Sets a setting as the reader would; resolves when the figure has taken it (a data set: its models loaded). */
    set(key, value) {
      return setValue(key, value, true);
    },
    /** Something that is not a setting changed (the figure's `on` says what it invalidates): 'model', 'drawing', … */
    changed(...keys) {
      changed(keys);
    },
    fail(e) {
      console.error(e);
      root.style.visibility = '';
      fig.message(`Something went wrong: ${e.message ?? e}`);
    },
    colorOf,
  };

  // ---------- what a change invalidates (effects.js) ----------
  function changed(keys) {
    const impl = fig.impl;
    if (!impl || !fig.model || impl.ready?.() === false) return;
    dispatch(def, impl, keys);
    // frames only from the first dispatch on: a frame before it (a resize between the mount's
    // slices, or while a model the figure needs still loads, asks for one) would find the runs
    // its first effects make missing
    started = true;
    dimUnused();
    fig.request();
  }
  // a setting may say when it does nothing (`unused(state)`, say w while the class is null): its
  // control is dimmed then, and stays usable
  function dimUnused() {
    for (const p of table)
      if (p.unused) controls.row(p.key)?.classList.toggle('ctl-unused', !!p.unused(state));
  }

  // ---------- controls ----------
  const controls = new Controls({
    id: def.id,
    table,
    state,
    classes: () => fig.classes,
    onInput: (key, v) => setValue(key, v, true),
    freshSeed: () => wasm.freshSeed(),
  });
  const shown = (def.controls ?? table.map((p) => p.key)).filter(
    (k) => !hidden.has(k) && !TRAIN_KEYS.includes(k),
  );
  for (const key of shown) {
    const row = controls.make(key);
    if (row) controlBox.append(row);
  }

  function report() {
    onState(changedEntries(table, state));
  }

  async function setValue(key, value, fromUser) {
    if (state[key] === value) return;
    state[key] = value;
    controls.reflect(key);
    if (key === 'dataset') {
      await loadPretrained();
      return;
    }
    if (fromUser) report();
    changed([key]);
  }

  // ---------- models ----------
  function fixClass() {
    const p = table.find((q) => q.key === 'class');
    if (!p) return;
    const opts = controls.classOptions(p);
    if (!opts.includes(state.class)) {
      // (a class of a model still to come from data-model is checked when it arrives)
      if (state.class !== p.default && state.class !== undefined && !host.hasAttribute('data-model'))
        warn(
          `cfg-playground ${def.id}: class '${state.class}' is not in data set ${state.dataset}; using ${opts[0]}`,
        );
      state.class = opts[0];
    }
    controls.reflect('class');
  }
  function useModel(m, pretrained) {
    const old = fig.model;
    fig.model = m;
    fig.pretrained = pretrained;
    fig.classes = m?.classNames() ?? [];
    fixClass();
    old?.free();
    changed(['model', 'dataset', 'class']);
  }
  /** A model from a file or a URL (load.js has checked that it fits) replaces the figure's. */
  fig.adoptModel = (m) => {
    training.stop();
    training.forget();
    if (state.dataset !== undefined && state.dataset !== m.dataset) {
      state.dataset = m.dataset;
      controls.reflect('dataset');
    }
    // the class asked for by the element's attribute, if the new model has it
    const asked = host.getAttribute('data-class');
    const names = m.classNames();
    if (asked && !names.includes(state.class) && names.includes(asked)) state.class = asked;
    useModel(m, false);
    training.status('');
    report();
  };
  async function loadPretrained() {
    training.forget();
    const ds = state.dataset ?? def.dataset ?? 'face';
    try {
      const m = def.loadModel ? await def.loadModel(fig) : await pretrainedModel(ds);
      useModel(m, true);
      training.status('');
      report();
    } catch (e) {
      fig.fail(e);
    }
  }

  // ---------- train in your browser (training-panel.js) ----------
  const training = new TrainingPanel(fig, { useModel, loadPretrained, changed, controls });
  fig.startTraining = () => training.start();
  fig.stopTraining = () => training.stop();
  fig.isTraining = () => training.running;
  if (!hidden.has('train') && def.trainable !== false) {
    trainBox.append(training.build(hidden));
    // every figure animates while it trains: its GIF of the run (record.js) beside Start and Reset
    if (!hidden.has('export')) training.resetBtn.after(...trainingButtons(fig, root, training));
  }

  // ---------- exports (export.js, load.js) ----------
  if (!hidden.has('export') && def.trainable !== false) {
    // a figure that animates (`animates`, its implementation's `playHead`): GIF and WebM record one loop (record.js)
    tools.append(
      ...exportButtons(fig, root),
      ...(def.animates ? recordButtons(fig, root) : []),
      ...loadControls(fig, root),
    );
  }

  // ---------- life cycle ----------
  // a figure out of view gets no frames (loop.js), puts off what training changes (training.js)
  // and, once it has been seen, its background work (the pool's waiting chunks)
  let seen = false;
  new IntersectionObserver(
    (entries) => {
      for (const e of entries) fig.visible = e.isIntersecting;
      host.dataset.cfgVisible = fig.visible ? '1' : '0';
      if (fig.visible) seen = true;
      else if (seen) jobs.pause();
      if (fig.visible) {
        jobs.resume();
        training.resume();
        fig.request();
      }
    },
    { rootMargin: '200px' },
  ).observe(host);
  // a new width lays the figure out inside the observer's callback, before the browser paints (in
  // the next frame, the figure would show a frame at its old size: a layout shift). It watches the
  // width probe, not the plots: the layout resizes the plots, and the observer would be told of
  // that inside the same frame (the "ResizeObserver loop completed with undelivered
  // notifications" error of Firefox and WebKit)
  let lastWidth = 0;
  new ResizeObserver(() => {
    const w = fig.width();
    if (!fig.impl || Math.abs(w - lastWidth) < 2) return;
    lastWidth = w;
    fig.impl?.layout?.();
    fig.request();
  }).observe(widthProbe);

  for (const key of controls.keys()) if (key !== 'class') controls.reflect(key);
  slice('shell');
  await nextSlice();
  // (a model fetched once is parsed in its own task as the network answers; the slice counts the
  // wait for it too, when it has not come yet)
  await loadPretrained();
  slice('model');
  await nextSlice();
  fig.impl = await def.create(fig);
  slice('create');
  await nextSlice();
  for (const problem of checkEffects(def, TRAIN_KEYS, fig.impl)) warn(`cfg-playground ${def.id}: ${problem}`);
  // a short caption a reader finishes; the full explanation behind a disclosure
  const how = def.howToRead ? [def.howToRead(fig)].flat() : [];
  root
    .querySelector('figcaption')
    .replaceChildren(
      ...[def.caption?.(fig) ?? []].flat(),
      ...(how.length
        ? [
            el(
              'details',
              { class: 'how' },
              el('summary', {}, 'How to read this figure'),
              el('div', { class: 'how-text' }, ...how),
            ),
          ]
        : []),
    );
  slice('caption');
  // (the browser lays the new caption out when it presents the frame before the next slot: the
  // figure's layout, which reads widths, does not force it inside its slice)
  await nextSlice();
  fig.impl.layout?.();
  slice('layout');
  await nextSlice();
  // shown once its first frame has filled it in (loop.js calls onFirstFrame): a figure mounted
  // ahead of the reader, farther than its frames start, stays unseen until it comes near and has
  // its first frame. One that gets no frame yet (it waits for a model) is shown at once.
  fig.onFirstFrame = () => {
    fig.onFirstFrame = null;
    root.style.visibility = '';
  };
  changed(['model', 'dataset', 'class']);
  fig.request();
  slice('start');
  if (!started) fig.onFirstFrame();
  // ready once shown (its first frame may wait a frame or two for the loop's time), unless it
  // is out of view, where it gets no frames
  for (let n = 0; n < 1 || (fig.onFirstFrame && fig.visible && n < 60); n++)
    await new Promise((resolve) => requestAnimationFrame(resolve));
  await loadFromAttributes(fig, warn);
  host.dataset.cfgReady = '1';
  return fig;
}

/** Gives plot elements a back reference for PNG export. */
export function register(plot) {
  plot.el.__plot = plot;
  return plot;
}
