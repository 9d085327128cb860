// Loading a model file or a points file into a figure: the Load button (a file picker) and file
// drops on the figure, and the embed attributes data-model="URL" and data-points="URL". Files
// stay in the browser: they are read with File.text() and never uploaded. Every check of a file's
// contents happens in wasm (Model.fromJson, parsePoints); this module decides what a file is for
// and reports, in one line, why a file does not fit.
//
// A figure takes a velocity model file (kind "velocity") whose data set is one it offers; the
// draw-your-own figure takes a model trained on drawn data (dataset "custom") and points files.
// Figures whose subject is a model made from the shipped one (a classifier, a reflowed model, a
// student: definitions with `training`) take a file of that model instead (def.loadSubject): it
// replaces the subject, and the shipped velocity model stays the teacher.
import { el } from '../lib/dom.js';

/** The embed attributes this module reads, for the README's generated tables (tests/figure-docs.js). */
export const ATTRIBUTES = {
  model: {
    attr: 'data-model',
    value: 'URL of a model file',
    help: 'Start on this model (made by cfg-playground train, or exported by a figure) instead of the shipped one; in classifier-guidance, rectified-flow and distillation, whose subject is a model made from the shipped one, a classifier file (train --method classifier), a reflowed model (--method reflow) or a student (--method distill) of a data set the figure offers, which replaces that subject (the shipped model stays the teacher). Relative URLs resolve against the host page; the host’s connect-src must allow the URL. It must fit the figure: a velocity model of a data set the figure offers (the figure switches to it), or, for draw-your-own, one trained on drawn data (its points become the drawing). On failure the figure says why and keeps the shipped model, with a console warning naming the attribute.',
  },
  points: {
    attr: 'data-points',
    value: 'URL of a points file',
    help: 'Open this CSV (header x,y,label) as the drawing instead of the example: classes on the brushes in order of appearance (at most 8), keeping their names; at most 4000 points (a seeded subsample above). Same URL rules and fallback as data-model.',
  },
};

/** Largest file read, in bytes: the core's model file cap (caps::MAX_MODEL_FILE_BYTES). */
const MAX_BYTES = 32 << 20;

/** What the figure offers: its data sets (null: drawn data only). */
export function datasetsOf(fig) {
  const p = fig.def.params.find((q) => q.key === 'dataset');
  return p ? p.options : null;
}

/** Whether a file is a points file: by its name's ending, else by whether it looks like JSON. */
const isPoints = (name, text) =>
  /\.csv$/i.test(name) ? true : /\.json$/i.test(name) ? false : !text.trimStart().startsWith('{');

/**
 * Applies a model file's or points file's text to `fig`; throws an Error whose message is one
 * line saying why the file does not fit (the figure is left as it was).
 */
export async function applyText(fig, text, name, as = isPoints(name, text) ? 'points' : 'model') {
  if (as === 'points') {
    if (!fig.def.loadPoints)
      throw new Error(
        `${name} is a points file: open it in the draw-your-own figure (this one takes model files)`,
      );
    const drawn = JSON.parse(fig.wasm.parsePoints(text));
    return fig.def.loadPoints(fig, drawn);
  }
  if (fig.def.training) {
    if (!fig.def.loadSubject)
      throw new Error(
        `this figure shows a model made from the shipped one (${fig.def.training.kind}); it loads no model files`,
      );
    return fig.def.loadSubject(fig, text, name);
  }
  const m = fig.wasm.Model.fromJson(text);
  try {
    const offered = datasetsOf(fig);
    if (m.dataset === 'custom' && !fig.def.loadDrawnModel)
      throw new Error('the model was trained on drawn data: load it into the draw-your-own figure');
    if (m.dataset !== 'custom' && !offered)
      throw new Error(
        `the model was trained on ${m.dataset}: this figure takes models trained on drawn data (cfg-playground train --data)`,
      );
    if (offered && !offered.includes(m.dataset))
      throw new Error(`the model was trained on ${m.dataset}; this figure shows ${offered.join(', ')}`);
  } catch (e) {
    m.free();
    throw e;
  }
  if (m.dataset === 'custom') return fig.def.loadDrawnModel(fig, m);
  return fig.adoptModel(m);
}

async function readFile(fig, file) {
  if (file.size > MAX_BYTES) throw new Error(`${file.size} bytes is larger than the ${MAX_BYTES}-byte limit`);
  return applyText(fig, await file.text(), file.name);
}

/** Loads `file` into `fig`; says what happened, or why not, in the figure's message line. */
export async function loadFile(fig, file) {
  try {
    const note = await readFile(fig, file);
    fig.message(`Loaded ${file.name}${typeof note === 'string' ? `: ${note}` : ''}.`);
    fig.host.dataset.cfgLoaded = file.name;
  } catch (e) {
    fig.message(`Could not load ${file.name}: ${oneLine(e)}. The figure keeps what it showed.`);
    fig.host.dataset.cfgLoaded = 'error';
  }
}

const oneLine = (e) =>
  String(e?.message ?? e)
    .split('\n')[0]
    .replace(/\.$/, '');

/**
 * The Load button and its hidden file input, for the export row; also makes `target` accept a
 * dropped file.
 */
export function loadControls(fig, target) {
  const input = el('input', {
    type: 'file',
    accept: '.json,.csv,application/json,text/csv',
    hidden: true,
    'aria-hidden': 'true',
    tabindex: '-1',
  });
  input.addEventListener('change', () => {
    const f = input.files?.[0];
    input.value = '';
    if (f) loadFile(fig, f);
  });
  const button = el(
    'button',
    {
      type: 'button',
      class: 'small',
      title:
        'Open a model file or a points file (CSV x,y,label) from your computer; you can also drop one on the figure. Nothing is uploaded.',
      onclick: () => input.click(),
    },
    'Load',
  );
  target.addEventListener('dragover', (ev) => {
    if (![...(ev.dataTransfer?.types ?? [])].includes('Files')) return;
    ev.preventDefault();
    target.classList.add('dropping');
  });
  target.addEventListener('dragleave', () => target.classList.remove('dropping'));
  target.addEventListener('drop', (ev) => {
    const f = ev.dataTransfer?.files?.[0];
    target.classList.remove('dropping');
    if (!f) return;
    ev.preventDefault();
    loadFile(fig, f);
  });
  return [button, input];
}

/**
 * The embed attributes: data-model="URL" (every figure) and data-points="URL" (draw-your-own),
 * resolved against the host page. Read from the element only, never from a page's URL state, so a
 * link cannot make a page fetch another site's file. A failure leaves the shipped model, says why
 * in the figure and warns on the console naming the attribute.
 */
export async function loadFromAttributes(fig, warn = console.warn) {
  for (const [key, { attr }] of Object.entries(ATTRIBUTES)) {
    const raw = fig.host.getAttribute(attr);
    if (raw === undefined || raw === null || String(raw).trim() === '') continue;
    let url = String(raw).trim();
    try {
      url = new URL(url, document.baseURI).href;
      if (key === 'points' && !fig.def.loadPoints)
        throw new Error('only the draw-your-own figure takes points');
      const r = await fetch(url, { credentials: 'same-origin' });
      if (!r.ok) throw new Error(`the server answered ${r.status}`);
      const text = await r.text();
      if (text.length > MAX_BYTES) throw new Error(`larger than the ${MAX_BYTES}-byte limit`);
      // a points URL holds a points file whatever its name, a model URL a model file
      await applyText(fig, text, raw, key);
      fig.host.dataset.cfgLoaded = attr;
      const asked = fig.host.getAttribute('data-class');
      if (key === 'model' && asked && fig.state.class !== undefined && fig.state.class !== asked) {
        warn(
          `cfg-playground ${fig.def.id}: class '${asked}' is not a class of the ${attr} model; using ${fig.state.class}`,
        );
      }
    } catch (e) {
      const why = oneLine(e);
      warn(
        `cfg-playground ${fig.def.id}: ${attr}="${raw}" could not be loaded (${why}); showing the shipped ${key === 'points' ? 'drawing' : 'model'}`,
      );
      fig.message(
        `${attr}: could not load ${raw} (${why}). Showing the shipped ${key === 'points' ? 'drawing' : 'model'} instead.`,
      );
      fig.host.dataset.cfgLoaded = 'error';
    }
  }
}
