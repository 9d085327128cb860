// One animation loop for every figure: it calls `impl.frame(now, budget)` of each visible figure
// that asked for frames, until the figure says it has nothing more to do.
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

/** Keeps the loop calling `fig.impl.frame` until it returns false. */
export function requestFrames(fig) {
  active.add(fig);
  if (!looping) {
    looping = true;
    requestAnimationFrame(loop);
  }
}
