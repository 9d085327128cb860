// One animation loop for every figure: it calls `impl.frame(now, budget)` of each visible figure
// that asked for frames, until the figure says it has nothing more to do. A figure out of view
// keeps its request but gets no frames, and when no figure in view wants one the loop stops
// asking the browser for frames; a figure coming back into view (figure.js) asks again.
//
// The loop also owns the frame's time: the figures' frame() calls of one frame stop at FRAME_MS of
// real time (the rest go first in the next frame, so that none starves), and the mounting of
// figures (figure.js, lazy.js) and the training panel's new weights run in slots: slices in tasks
// right after a frame was presented, one after another until they have had FRAME_MS, and the time
// they took counts against the next frame's figures. On a slow phone, no frame adds up several
// figures' work, or a mount's work and the figures'.
const active = new Set();
const shown = []; // this frame's visible figures (reused: the loop allocates nothing per frame)
// figures whose turn a frame's time ran out before: they go first in the next frame
const late = new Set();
let pending = 0; // the requestAnimationFrame id, 0 when none is requested
// once the figures served in a frame (their wasm work and drawing), and the mount slice before it,
// have taken this long, the others wait for the next frame
const FRAME_MS = 10;
// milliseconds of mount work (slices run in slots) since the last frame
let debt = 0;
// the mount slices waiting for a slot (resolvers), first come first served
const waiting = [];
// slots open in tasks posted at the end of a frame: they run after the browser has presented it
let channel = null;
let posted = false;
// a slot opens even without frames (a hidden page gets none) after this long
const SLOT_FALLBACK_MS = 250;
let fallback = 0;
// a benchmark's view of each figure's share of a frame (tests/scroll-bench.js sets it before the
// page loads): a User Timing measure `frame <figure id>` per call; off, it costs one test per call
const measured = globalThis.cfgMeasureFrames === true;
// how often a figure's turn was put off to the next frame, and of those in a frame after slots (the
// benchmark reads them)
const stats = { served: 0, putOff: 0, putOffByMount: 0 };
if (measured) globalThis.cfgFrameStats = stats;

/** For the same benchmark: a User Timing measure `name` from `start` (performance.now()) to now. */
export function measure(name, start) {
  if (measured) performance.measure(name, { start });
}

function loop(now) {
  pending = 0;
  shown.length = 0;
  for (const f of late) if (f.visible && active.has(f)) shown.push(f);
  late.clear();
  for (const f of active) if (f.visible && !shown.includes(f)) shown.push(f);
  // milliseconds of wasm work per frame, shared by the visible figures: drawing and the
  // browser need the rest of the 16.7 ms
  const budget = Math.max(1.5, 7 / Math.max(1, shown.length));
  // (a mount slice since the last frame has used this frame's time already)
  const owed = debt;
  debt = 0;
  const start = performance.now() - owed;
  for (let i = 0; i < shown.length; i++) {
    const f = shown[i];
    // the first figure always has its turn, unless a mount slice has had it
    if ((i > 0 || owed > 0) && performance.now() - start > FRAME_MS) {
      late.add(f);
      stats.putOff++;
      if (owed > 0) stats.putOffByMount++;
      continue;
    }
    let more = false;
    const t0 = measured ? performance.now() : 0;
    try {
      more = f.impl?.frame?.(now, budget) ?? false;
    } catch (e) {
      f.fail(e);
    }
    if (measured) measure(`frame ${f.host.id || f.def.id}`, t0);
    stats.served++;
    // (the shell shows a figure after its first frame, or once it is whole when its first draw
    // takes several frames: figure.js, contract.js)
    if (f.onFirstFrame && (!more || f.impl?.whole?.() !== false)) f.onFirstFrame();
    if (!more) active.delete(f);
  }
  shown.length = 0;
  // the mount slices waiting, after this frame
  if (waiting.length) post();
  schedule();
}

function slotChannel() {
  const c = new MessageChannel();
  c.port1.onmessage = () => {
    posted = false;
    // slots follow each other in tasks until the slices since the frame have had FRAME_MS (each
    // reports its time: spent), then wait for the next frame
    if (waiting.length && debt < FRAME_MS) openSlot();
  };
  return c;
}

/** A task for the next slot, unless one is posted already. */
function post() {
  if (posted) return;
  posted = true;
  channel ??= slotChannel();
  channel.port2.postMessage(0);
}

/** Lets the first waiting mount slice run (in this task, once it returns), and asks for the next. */
function openSlot() {
  clearTimeout(fallback);
  fallback = 0;
  const next = waiting.shift();
  if (!next) return;
  next();
  // (the next slot in a task of its own, once this slice has run and reported its time)
  post();
  if (waiting.length) fallback = setTimeout(openLate, SLOT_FALLBACK_MS);
}

/** No frame for a while (a hidden page gets none): a slot opens anyway. */
function openLate() {
  debt = 0;
  openSlot();
}

/** Asks the browser for a frame if a visible figure wants one, or a mount slice waits, and none is asked for yet. */
function schedule() {
  if (pending) return;
  if (waiting.length) {
    pending = requestAnimationFrame(loop);
    return;
  }
  for (const f of active) {
    if (f.visible) {
      pending = requestAnimationFrame(loop);
      return;
    }
  }
}

/** Keeps the loop calling `fig.impl.frame` (while `fig.visible`) until it returns false. */
export function requestFrames(fig) {
  active.add(fig);
  schedule();
}

/**
 * Resolves in a slot for one slice of a mount: in a task of its own after the next frame (several
 * short slices may follow each other there, up to FRAME_MS), so that a slice never shares a frame
 * with the figures' frames. The slice reports its time with `spent(ms)`.
 */
export function slot() {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!fallback) fallback = setTimeout(openLate, SLOT_FALLBACK_MS);
    schedule();
  });
}

/** A mount slice took `ms` milliseconds: the next frame's figures have that much less time. */
export function spent(ms) {
  debt += ms;
}
