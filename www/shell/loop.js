// One animation loop for every figure: it calls `impl.frame(now, budget)` of each visible figure
// that asked for frames, until the figure says it has nothing more to do. A figure out of view
// keeps its request but gets no frames, and when no figure in view wants one the loop stops
// asking the browser for frames; a figure coming back into view (figure.js) asks again.
const active = new Set();
const shown = []; // this frame's visible figures (reused: the loop allocates nothing per frame)
// figures whose turn a frame's time ran out before: they go first in the next frame
const late = new Set();
// figures that have had a frame: a figure's first frame is never put off (the shell shows the
// figure after it, figure.js: put off, the figure would show unfilled, and fill in later)
const served = new WeakSet();
let pending = 0; // the requestAnimationFrame id, 0 when none is requested
// once the figures served in a frame have taken this long (their wasm work and drawing), the
// others wait for the next frame: on a slow phone, no frame adds up several figures' work
const FRAME_MS = 10;
// a benchmark's view of each figure's share of a frame (tests/scroll-bench.js sets it before the
// page loads): a User Timing measure `frame <figure id>` per call; off, it costs one test per call
const measured = globalThis.cfgMeasureFrames === true;

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
  const start = performance.now();
  for (let i = 0; i < shown.length; i++) {
    const f = shown[i];
    if (i > 0 && performance.now() - start > FRAME_MS && served.has(f)) {
      late.add(f);
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
    served.add(f);
    // (the shell shows a figure after its first frame: figure.js)
    if (f.onFirstFrame) {
      const shown = f.onFirstFrame;
      f.onFirstFrame = null;
      shown();
    }
    if (!more) active.delete(f);
  }
  shown.length = 0;
  schedule();
}

/** Asks the browser for a frame if a visible figure wants one and none is asked for yet. */
function schedule() {
  if (pending) return;
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
