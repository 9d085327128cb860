// Animated exports of a figure that animates: one full loop of its animation, as the reader has
// set it up, at its on-screen layout (as the PNG export arranges it, export.js `picture`) with a
// caption line naming the settings, as a GIF (encoded in a worker by the separate gif-export wasm
// module, gif-worker.js) or, where the browser has MediaRecorder, a WebM video.
//
// The figure hook: a definition that animates says `animates: true`, and its implementation (from
// create) has `playHead`, the PlayHead (playbar.js) its animation follows. Recording is deterministic, not a screen capture: for
// frame k of K the recorder pauses the play head, seeks it to step round(k S / (K - 1)) of its S,
// lets the figure draw until it has nothing more to do (impl.frame returns false), and takes the
// picture (an implementation may also have `settling()`: true while what it shows waits for a finer
// result, which the recorder then waits for). Afterwards the play head goes back to where it was, playing again if it was.
//
// Training is the other animation: the training panel's GIF button (trainingButtons, WebM too) records the
// figure as it learns, its pictures over the loss curve, one frame each time the run has advanced
// another 1/GIF_FRAMES of its steps, from the press (it starts a run if none is running) to the
// run's end. Live, not a replay: the page keeps no weights between reports, so a replay of a
// finished run could only redraw the loss curve, while the live run shows the figure changing.
import { el } from '../lib/dom.js';
import { changedEntries } from './state.js';
import { picture } from './export.js';

/** Frames per loop (fewer when the animation has fewer steps), and the GIF's largest width. */
export const GIF_FRAMES = 40;
export const GIF_MAX_WIDTH = 560;
/** How long the first and the last frame hold, in hundredths of a second. */
const HOLD_FIRST = 80;
const HOLD_LAST = 160;

const tick = () => new Promise((r) => setTimeout(r, 0));
const nextFrame = () => new Promise((r) => requestAnimationFrame(r));

/** The settings the reader changed, as "key value" text and as a file-name slug. */
export function settingsOf(fig) {
  const entries = changedEntries(fig.def.params, fig.state);
  const text = entries.map(([k, v]) => `${k} ${v}`).join(', ');
  const slug = entries
    .map(([k, v]) => `${k}${v}`)
    .join('-')
    .replace(/[^A-Za-z0-9.=-]+/g, '_')
    .slice(0, 80);
  return { text, slug };
}

/** `<figure>-<settings>.<ext>`, or `<figure>.<ext>` with the default settings. */
export function fileName(fig, ext) {
  const { slug } = settingsOf(fig);
  return `${fig.def.id}${slug ? `-${slug}` : ''}.${ext}`;
}

/**
 * Lets the figure draw until it has nothing more to do and nothing on screen is waiting for a
 * finer result (its optional `settling()`, say an exact density from a worker), for at most
 * `ms` milliseconds.
 */
async function settle(fig, cancelled, ms = 8000) {
  const end = performance.now() + ms;
  while (performance.now() < end && !cancelled()) {
    let more = false;
    try {
      more = fig.impl?.frame?.(performance.now(), 50) ?? false;
      more ||= !!fig.impl?.settling?.();
    } catch (e) {
      throw new Error(`the figure could not draw: ${e.message ?? e}`);
    }
    if (!more) return;
    await tick();
  }
}

/**
 * Records one loop of figure `fig` (root element `root`): resolves to { frames: [canvas],
 * delays: [1/100 s], width, height }, or null when cancelled. `progress(k, K)` hears each frame.
 */
export async function recordLoop(fig, root, { progress = () => {}, cancelled = () => false } = {}) {
  const head = fig.impl?.playHead;
  if (!head) throw new Error('this figure has nothing playing yet');
  const wasPlaying = head.playing;
  const wasPos = head.pos;
  const S = Math.max(1, head.steps());
  const K = Math.min(GIF_FRAMES, S + 1);
  const bg = getComputedStyle(root).getPropertyValue('--cfg-bg').trim() || '#fff';
  const fg = getComputedStyle(root).getPropertyValue('--cfg-fg').trim() || '#222';
  const { text } = settingsOf(fig);
  const caption = `${fig.def.title}${text ? ` · ${text}` : ''}`;
  const frames = [];
  try {
    for (let k = 0; k < K; k++) {
      if (cancelled()) return null;
      head.seek(Math.round((k * S) / (K - 1)));
      await settle(fig, cancelled);
      const pic = await picture(root.querySelector('.main'), bg);
      if (!pic) throw new Error('the figure has nothing drawn to record');
      frames.push(framed(pic, caption, bg, fg));
      progress(k + 1, K);
    }
  } finally {
    head.seek(Math.min(wasPos, S));
    await settle(fig, () => false);
    if (wasPlaying) head.play();
  }
  const step = Math.max(2, Math.round((head.seconds * 100) / (K - 1)));
  const delays = frames.map((_, k) =>
    k === 0 ? HOLD_FIRST : k === K - 1 ? HOLD_LAST + Math.round(head.hold * 100) : step,
  );
  return { frames, delays, width: frames[0].width, height: frames[0].height };
}

/**
 * Records figure `fig` (root element `root`) as it trains (`training`, its TrainingPanel), from
 * now to the end of the run, starting one if none is running: resolves to the same record as
 * recordLoop, or null when cancelled.
 */
export async function recordTraining(
  fig,
  root,
  training,
  { progress = () => {}, cancelled = () => false } = {},
) {
  if (!training.running) await training.start();
  if (!training.running) throw new Error('training could not start');
  const bg = getComputedStyle(root).getPropertyValue('--cfg-bg').trim() || '#fff';
  const fg = getComputedStyle(root).getPropertyValue('--cfg-fg').trim() || '#222';
  const { text } = settingsOf(fig);
  const caption = `${fig.def.title}${text ? ` · ${text}` : ''}`;
  const total = training.progress.max;
  const s0 = training.progress.value;
  const K = GIF_FRAMES;
  // frame k is taken once the run has reached step at(k)
  const at = (k) => s0 + ((total - s0) * k) / (K - 1);
  const frames = [];
  let k = 0;
  while (k < K) {
    if (cancelled()) return null;
    const ended = !training.running;
    const step = training.progress.value;
    if (step < at(k) && !ended) {
      await nextFrame();
      continue;
    }
    // the last frame shows the trained figure, once it has finished drawing
    if (ended || k === K - 1) {
      training.resume();
      await settle(fig, cancelled);
    } else await nextFrame();
    frames.push(await trainingFrame(root, training, `${caption} · step ${step} of ${total}`, bg, fg));
    progress(frames.length, K);
    if (ended) break;
    while (k < K && step >= at(k)) k += 1;
  }
  if (frames.length < 2) throw new Error('the run ended before two frames were recorded');
  // each frame the same time, the first and the last held longer
  const n = frames.length;
  const delays = frames.map((_, j) => (j === 0 ? HOLD_FIRST : j === n - 1 ? HOLD_LAST : 10));
  // frames differ in height while the loss chart appears: every frame as tall as the tallest
  const width = Math.max(...frames.map((c) => c.width));
  const height = Math.max(...frames.map((c) => c.height));
  return { frames: frames.map((c) => padTo(c, width, height, bg)), delays, width, height };
}

/** One frame of a training run: the figure's pictures over its loss chart, and the caption. */
async function trainingFrame(root, training, caption, bg, fg) {
  const pic = await picture(root.querySelector('.main'), bg);
  if (!pic) throw new Error('the figure has nothing drawn to record');
  const loss = await training.lossChart.toCanvas();
  if (!loss?.width || !loss?.height) return framed(pic, caption, bg, fg);
  const gap = 8;
  const c = document.createElement('canvas');
  c.width = Math.max(pic.width, loss.width);
  c.height = pic.height + gap + loss.height;
  const ctx = c.getContext('2d');
  ctx.fillStyle = bg;
  ctx.fillRect(0, 0, c.width, c.height);
  ctx.drawImage(pic, 0, 0);
  ctx.drawImage(loss, 0, pic.height + gap);
  return framed(c, caption, bg, fg);
}

/** Canvas `c` on a `width` × `height` canvas of background `bg` (top left). */
function padTo(c, width, height, bg) {
  if (c.width === width && c.height === height) return c;
  const p = document.createElement('canvas');
  p.width = width;
  p.height = height;
  const ctx = p.getContext('2d', { willReadFrequently: true });
  ctx.fillStyle = bg;
  ctx.fillRect(0, 0, width, height);
  ctx.drawImage(c, 0, 0);
  return p;
}

/** Picture `pic` scaled to at most GIF_MAX_WIDTH wide, over a caption line. */
function framed(pic, caption, bg, fg) {
  const scale = Math.min(1, GIF_MAX_WIDTH / pic.width);
  const w = Math.max(1, Math.round(pic.width * scale));
  const h = Math.max(1, Math.round(pic.height * scale));
  const line = 22;
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h + line;
  const ctx = c.getContext('2d', { willReadFrequently: true });
  ctx.fillStyle = bg;
  ctx.fillRect(0, 0, c.width, c.height);
  ctx.drawImage(pic, 0, 0, w, h);
  ctx.fillStyle = fg;
  ctx.font = '12px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  let text = caption;
  while (text.length > 4 && ctx.measureText(text).width > w - 12) text = `${text.slice(0, -2)}…`;
  ctx.fillText(text, 6, h + line / 2);
  return c;
}

/** Encodes recorded frames as a GIF in the worker: resolves to a Blob, or null when cancelled. */
export function encodeGif(rec, { progress = () => {}, onWorker = () => {} } = {}) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./gif-worker.js', import.meta.url), { type: 'module' });
    onWorker(() => {
      worker.terminate();
      resolve(null);
    });
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(e.message || 'the GIF encoder could not start'));
    };
    worker.onmessage = ({ data }) => {
      if (data.error) {
        worker.terminate();
        reject(new Error(data.error));
      } else if (data.added) progress(data.added, rec.frames.length);
      else if (data.gif) {
        worker.terminate();
        resolve(new Blob([data.gif], { type: 'image/gif' }));
      }
    };
    worker.postMessage({ start: { width: rec.width, height: rec.height, speed: 10 } });
    // one frame's pixels per task, so the page's own frames go on in between
    (async () => {
      for (let k = 0; k < rec.frames.length; k++) {
        const px = rec.frames[k].getContext('2d').getImageData(0, 0, rec.width, rec.height).data.buffer;
        worker.postMessage({ frame: px, delay: rec.delays[k] }, [px]);
        await tick();
      }
      worker.postMessage({ finish: true });
    })();
  });
}

/** Whether this browser can record a WebM video of a canvas. */
export function webmSupported() {
  return (
    typeof MediaRecorder !== 'undefined' &&
    typeof HTMLCanvasElement.prototype.captureStream === 'function' &&
    MediaRecorder.isTypeSupported?.('video/webm') === true
  );
}

/** Plays recorded frames (at their delays) into a MediaRecorder: resolves to a WebM Blob, or null when cancelled. */
export async function encodeWebm(rec, { cancelled = () => false } = {}) {
  const c = document.createElement('canvas');
  c.width = rec.width;
  c.height = rec.height;
  const ctx = c.getContext('2d');
  ctx.drawImage(rec.frames[0], 0, 0);
  const stream = c.captureStream(30);
  const chunks = [];
  const mr = new MediaRecorder(stream, { mimeType: 'video/webm' });
  mr.ondataavailable = (e) => e.data.size && chunks.push(e.data);
  const stopped = new Promise((r) => {
    mr.onstop = r;
  });
  mr.start();
  for (let k = 0; k < rec.frames.length && !cancelled(); k++) {
    ctx.drawImage(rec.frames[k], 0, 0);
    await new Promise((r) => setTimeout(r, rec.delays[k] * 10));
  }
  mr.stop();
  await stopped;
  stream.getTracks().forEach((t) => t.stop());
  return cancelled() ? null : new Blob(chunks, { type: 'video/webm' });
}

/**
 * Makes the exports of figure `fig` (root element `root`) with `record` (recordLoop or a bound
 * recordTraining): `run(kind)` records, encodes ('GIF' or 'WebM'), reports progress with a Cancel
 * button and downloads; the buttons in `buttons` are disabled meanwhile.
 */
function exporter(fig, root, record, buttons) {
  let busy = false;
  return async (kind) => {
    if (busy) return;
    busy = true;
    for (const b of buttons) b.disabled = true;
    let cancel = () => {};
    let stop = false;
    const cancelBtn = el(
      'button',
      {
        type: 'button',
        class: 'small',
        onclick: () => {
          stop = true;
          cancel();
          fig.message('');
        },
      },
      'Cancel',
    );
    const say = (text) => stop || fig.message(text, [cancelBtn]);
    const t0 = performance.now();
    // named by the settings as the reader set them up (recording moves a time setting, if any)
    const name = fileName(fig, kind === 'GIF' ? 'gif' : 'webm');
    try {
      say(`Recording the ${kind}…`);
      const rec = await record(fig, root, {
        progress: (k, K) => say(`Recording the ${kind}: frame ${k} of ${K}`),
        cancelled: () => stop,
      });
      if (!rec || stop) return;
      const t1 = performance.now();
      const blob =
        kind === 'GIF'
          ? await encodeGif(rec, {
              progress: (k, K) => say(`Encoding the GIF: frame ${k} of ${K}`),
              onWorker: (f) => {
                cancel = f;
              },
            })
          : (say('Recording the WebM…'), await encodeWebm(rec, { cancelled: () => stop }));
      if (!blob || stop) return;
      const t2 = performance.now();
      fig.message('');
      // what the tests and the gallery read: size, frames, times, and when encoding ran (on
      // the page's performance.now() clock, for the frame rate meanwhile)
      root.dataset.lastExport = JSON.stringify({
        kind,
        bytes: blob.size,
        frames: rec.frames.length,
        width: rec.width,
        height: rec.height,
        ms: Math.round(t2 - t0),
        recordMs: Math.round(t1 - t0),
        encodeMs: Math.round(t2 - t1),
        encodeFrom: Math.round(t1),
        encodeTo: Math.round(t2),
      });
      fig.download(name, blob);
    } catch (e) {
      if (!stop) fig.message(`The ${kind} could not be made: ${e.message ?? e}`);
    } finally {
      busy = false;
      for (const b of buttons) b.disabled = false;
    }
  };
}

/** A small button with `title` that runs `onclick`. */
const button = (text, title, onclick) =>
  el('button', { type: 'button', class: 'small', title, onclick }, text);

/** The GIF (and, where supported, WebM) buttons of figure `fig` that animates (root element `root`). */
export function recordButtons(fig, root) {
  const buttons = [];
  const run = exporter(fig, root, recordLoop, buttons);
  buttons.push(button('GIF', 'Save one loop of the animation as an animated GIF', () => run('GIF')));
  if (webmSupported())
    buttons.push(button('WebM', 'Save one loop of the animation as a WebM video', () => run('WebM')));
  return buttons;
}

/**
 * The training panel's GIF (and, where supported, WebM) buttons of figure `fig` (root element
 * `root`; `training`, its TrainingPanel): the figure as it learns, with its loss curve, to the end
 * of the run.
 */
export function trainingButtons(fig, root, training) {
  const buttons = [];
  const run = exporter(fig, root, (f, r, opts) => recordTraining(f, r, training, opts), buttons);
  const what =
    'the figure as it learns, with its loss curve, to the end of the run (it starts one if none is running)';
  buttons.push(button('GIF', `Save ${what} as an animated GIF`, () => run('GIF')));
  if (webmSupported()) buttons.push(button('WebM', `Save ${what} as a WebM video`, () => run('WebM')));
  return buttons;
}
