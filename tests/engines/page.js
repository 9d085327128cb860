// Functions that run inside the page (driver.run(fn, arg) of drivers.js): each is self-contained,
// takes one JSON argument and returns JSON, so that Chromium, Firefox and WebKit run the same code.
// `i` is the index of a figure host ([data-cfg-figure]) in the page.

/** Every figure host: its index, id and figure; and the wasm build the page loaded (by its file). */
export function figures() {
  const wasm = performance
    .getEntriesByType('resource')
    .map((e) => e.name)
    .filter((n) => /_bg\.wasm$/.test(n));
  return {
    hosts: [...document.querySelectorAll('[data-cfg-figure]')].map((h, i) => ({
      i,
      id: h.id,
      figure: h.dataset.cfgFigure,
    })),
    wasm: wasm.map((n) => n.split('/').pop()),
  };
}

/** Brings figure `i` to the middle of the view, as a reader scrolling to it would. */
export function scrollTo({ i }) {
  document.querySelectorAll('[data-cfg-figure]')[i].scrollIntoView({ block: 'center' });
  return true;
}

/**
 * Figure `i`'s state: whether it has mounted (data-cfg-ready); its largest count of painted pixels
 * in one canvas, the shapes in its charts and whether it paints (more than 200 pixels in a canvas,
 * or for a figure without canvases more than 20 shapes); the error it shows (its message box, or
 * the embed's "could not start"); and the page's recorded errors (tests/engines/hook.js).
 */
export function figureState({ i }) {
  const host = document.querySelectorAll('[data-cfg-figure]')[i];
  const root = host.shadowRoot;
  let painted = 0;
  for (const c of root?.querySelectorAll('canvas.pix') ?? []) {
    if (!c.width || !c.height) continue;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let k = 3; k < d.length; k += 4) if (d[k] > 0) n += 1;
    painted = Math.max(painted, n);
  }
  // a figure drawn only as charts (the trade-off): the shapes in its plots
  const pixCanvases = root?.querySelectorAll('canvas.pix').length ?? 0;
  const marks =
    root?.querySelectorAll('.plots svg :is(path, circle, rect, line, polyline, polygon)').length ?? 0;
  const box = root?.querySelector('.message:not([hidden])');
  const failed = /could not start/.test(host.textContent) ? host.textContent.trim() : null;
  return {
    ready: host.dataset.cfgReady === '1',
    painted,
    marks,
    paints: pixCanvases > 0 ? painted > 200 : marks > 20,
    error: failed ?? (box && box.textContent.trim() ? box.textContent.trim() : null),
    errors: (window.__errors ?? []).slice(),
  };
}

/**
 * What a reader sees of figure `i` besides the animation: its canvases' pixels, its read-out, the
 * labels its canvases carry (they describe what is drawn), its charts' text and shapes, and the
 * values of its controls but the first.
 */
export function look({ i }) {
  const root = document.querySelectorAll('[data-cfg-figure]')[i].shadowRoot;
  const q = (s) => [...root.querySelectorAll(s)];
  let pixels = 0;
  for (const c of q('canvas')) {
    if (!c.width || !c.height) continue;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let k = 0; k < d.length; k += 4)
      pixels = (pixels * 31 + d[k] + 3 * d[k + 1] + 7 * d[k + 2] + 11 * d[k + 3]) | 0;
  }
  const first = root.querySelector('.controls:not(.train-controls) .ctl')?.querySelector('select, input');
  return JSON.stringify({
    pixels,
    readout: root.querySelector('.readout')?.textContent ?? '',
    canvases: q('canvas').map((c) => `${c.getAttribute('aria-label') ?? ''} ${c.width}x${c.height}`),
    charts: q('svg').map(
      (s) => `${s.getAttribute('aria-label') ?? ''}|${s.textContent}|${s.querySelectorAll('*').length}`,
    ),
    // every control but the first, the one the test changes (its own value is no evidence)
    controls: q('select, input')
      .filter((c) => c !== first)
      .map((c) =>
        c.type === 'checkbox' ? String(c.checked) : `${c.value}:${c.options ? c.options.length : ''}`,
      ),
  });
}

/** Pauses every playbar of figure `i` (as a reader would, with its pause button); returns how many. */
export function pause({ i }) {
  const buttons = [
    ...document
      .querySelectorAll('[data-cfg-figure]')
      [i].shadowRoot.querySelectorAll('button[aria-label="pause"]'),
  ];
  for (const b of buttons) b.click();
  return buttons.length;
}

/**
 * Changes the first control of figure `i` as a reader would (the next option of a select, the
 * other state of a checkbox, a slider moved well away from its value, the next seed); returns what
 * it did.
 */
export function changeFirstControl({ i }) {
  const root = document.querySelectorAll('[data-cfg-figure]')[i].shadowRoot;
  const row = root.querySelector('.controls:not(.train-controls) .ctl');
  if (!row) return { error: 'no control' };
  const input = row.querySelector('select, input');
  const label = row.querySelector('label')?.textContent ?? '?';
  const from = input.type === 'checkbox' ? String(input.checked) : input.value;
  let event = 'change';
  if (input.tagName === 'SELECT') {
    input.selectedIndex = (input.selectedIndex + 1) % input.options.length;
  } else if (input.type === 'checkbox') {
    input.checked = !input.checked;
  } else if (input.type === 'range') {
    const lo = Number(input.min);
    const hi = Number(input.max);
    const v = Number(input.value);
    input.value = String(v - lo > (hi - lo) / 2 ? lo + (hi - lo) * 0.2 : lo + (hi - lo) * 0.8);
    event = 'input';
  } else if (input.type === 'number') {
    input.value = String(Number(input.value) + 1);
  } else {
    return { error: `first control '${label}' is a ${input.type} field` };
  }
  input.dispatchEvent(new Event(event, { bubbles: true }));
  return { label, from, to: input.type === 'checkbox' ? String(input.checked) : input.value };
}

/**
 * Makes every Web Worker the page starts from now on known to the test (window.__workers: {url,
 * worker, progressed, terminated}; `progressed`: it has sent a progress message), and defines
 * window.__askTrainingWorker(): it asks the latest training worker (www/shell/training-worker.js), over
 * the page's own protocol (www/lib/rpc.js), how much wasm memory it holds and which build it loaded
 * (the worker's 'memory' request), with a request id far above the page's (rpc.js drops answers
 * it did not ask for). It resolves with {bytes, variant}, or null while there is no such worker or
 * when the worker was terminated before it answered (its run ended).
 */
export function watchWorkers() {
  if (window.__workers) return true;
  const workers = [];
  window.__workers = workers;
  const Base = window.Worker;
  window.Worker = class extends Base {
    constructor(url, options) {
      super(url, options);
      const record = { url: String(url), worker: this, progressed: false, terminated: false };
      workers.push(record);
      this.__record = record;
      this.addEventListener('message', (e) => {
        if (e.data && 'progress' in e.data) record.progressed = true;
      });
    }

    terminate() {
      this.__record.terminated = true;
      super.terminate();
      this.dispatchEvent(new Event('cfg-terminated'));
    }
  };
  let nextId = 1e9;
  window.__trainingWorker = () =>
    workers.filter((x) => /\/shell\/training-worker\.js$/.test(x.url)).at(-1) ?? null;
  window.__askTrainingWorker = () => {
    const record = window.__trainingWorker();
    if (!record || record.terminated) return Promise.resolve(null);
    const w = record.worker;
    const id = (nextId += 1);
    return new Promise((resolve, reject) => {
      const end = (f, v) => {
        clearTimeout(timer);
        w.removeEventListener('message', on);
        w.removeEventListener('cfg-terminated', gone);
        f(v);
      };
      const timer = setTimeout(
        () => end(reject, new Error('the training worker did not answer its memory request within 30 s')),
        30000,
      );
      const gone = () => end(resolve, null);
      const on = (e) => {
        if (e.data?.id !== id) return;
        if ('error' in e.data) end(reject, new Error(e.data.error));
        else end(resolve, e.data.result);
      };
      w.addEventListener('message', on);
      w.addEventListener('cfg-terminated', gone);
      w.postMessage({ id, method: 'memory', args: {} });
    });
  };
  return true;
}

/** The latest training worker's {bytes, variant}, or null (see watchWorkers, which must run first). */
export function askTrainingWorker() {
  return window.__askTrainingWorker();
}

/**
 * Every `every` ms, asks the running training worker (once it has reported progress, so that its
 * trainer's buffers exist) for its wasm memory, and keeps per worker: samples, first, last and
 * largest byte count, and its build (read by workerMemory()). Needs watchWorkers() first. Returns
 * the interval's id (clearInterval stops it).
 */
export function pollTrainingWorkers({ every }) {
  const memory = (window.__workerMemory ??= new Map());
  let busy = false;
  return setInterval(() => {
    const record = window.__trainingWorker();
    if (busy || !record || !record.progressed || record.terminated) return;
    busy = true;
    const n = window.__workers.indexOf(record);
    window.__askTrainingWorker().then(
      (m) => {
        busy = false;
        if (!m) return;
        const s = memory.get(n);
        if (!s)
          memory.set(n, { n, samples: 1, first: m.bytes, last: m.bytes, max: m.bytes, variant: m.variant });
        else Object.assign(s, { samples: s.samples + 1, last: m.bytes, max: Math.max(s.max, m.bytes) });
      },
      (e) => {
        busy = false;
        console.error(`memory request: ${e.message}`);
      },
    );
  }, every);
}

/** What pollTrainingWorkers found: one entry per training worker, in the order they started. */
export function workerMemory() {
  return [...(window.__workerMemory ?? new Map()).values()];
}

/**
 * Opens figure `i`'s training panel, sets the longest run (so that it is still running when the
 * test looks, on any machine) and presses its start button, as a reader does.
 */
export function startTraining({ i }) {
  const root = document.querySelectorAll('[data-cfg-figure]')[i].shadowRoot;
  const details = root.querySelector('.train details');
  if (!details) return { error: 'no training panel' };
  details.open = true;
  const steps = [...details.querySelectorAll('.ctl')]
    .find((r) => /training steps/.test(r.textContent))
    ?.querySelector('input[type=range]');
  if (steps) {
    steps.value = steps.max;
    steps.dispatchEvent(new Event('input', { bubbles: true }));
  }
  const button = details.querySelector('.buttons button');
  const label = button.textContent;
  button.click();
  return { label };
}

/** Figure `i`'s training: the step its progress bar shows, its status line, and whether it runs. */
export function trainingState({ i }) {
  const root = document.querySelectorAll('[data-cfg-figure]')[i].shadowRoot;
  return {
    step: Number(root.querySelector('.train progress')?.value ?? 0),
    status: root.querySelector('.train .status')?.textContent ?? '',
    button: root.querySelector('.train .buttons button')?.textContent ?? '',
  };
}

/** Presses figure `i`'s training button again (Stop while it runs). */
export function pressTrainButton({ i }) {
  document
    .querySelectorAll('[data-cfg-figure]')
    [i].shadowRoot.querySelector('.train .buttons button')
    .click();
  return true;
}
