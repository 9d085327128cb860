// Exact densities for the probability-path squares: for each panel a wasm DensityPath computes
// log p_t on a grid over the view at about TIMES evenly spaced frames of the flow, each grid point
// carried back to t = 0 by the reverse ODE with the divergence from the exact 2x2 Jacobian
// (network, or the mixture's analytic one with ground truth). A little work per frame, the frame
// on screen first; a frame not computed yet shows the sample histogram instead.

/**
 * Grid cells per side, Heun steps per unit time (network; the exact field's analytic Jacobian
 * is cheap enough for four times as many), and about how many times along the path.
 */
export const DENS = { side: 24, steps: 8, exactSteps: 32, times: 8 };

/**
 * The frames (flow steps) with exact densities: DENS.times + 1 frames evenly spread over the S
 * steps, t = 0 and t = 1 included (every frame when S is smaller).
 */
export function densityFrames(S) {
  const K = Math.min(S, DENS.times);
  const frames = [];
  for (let j = 0; j <= K; j++) frames.push(Math.round((j * S) / K));
  return { frames };
}

/** Index of the last density frame at or before frame k. */
export function frameIndex(frames, k) {
  let j = 0;
  while (j + 1 < frames.length && frames[j + 1] <= k) j += 1;
  return j;
}

/**
 * Keeps panel `c`'s handle (`c.dens`) in step with its class, w and field, at the times of
 * `frames` of `flow`: a new handle for new times, data set or field, a restart for a new w.
 */
export function syncDensity(wasm, c, model, exact, frames, flow) {
  const key = `${model.dataset}|${c.name}|${exact}|${flow.steps}|${frames.join(',')}`;
  if (!c.dens || c.densKey !== key || c.densModel !== model) {
    c.dens?.free();
    const times = Float64Array.from(frames, (k) => flow.timeAt(k));
    c.dens = new wasm.DensityPath(model, c.name, c.w, exact, DENS.side, times, exact ? DENS.exactSteps : DENS.steps);
    c.densKey = key;
    c.densModel = model;
    c.densW = c.w;
    c.densSerial = (c.densSerial ?? 0) + 1;
  } else if (c.densW !== c.w) {
    c.dens.restart(c.w, exact);
    c.densW = c.w;
    c.densSerial += 1;
  }
}

/** New weights: every panel's densities start again. */
export function restartDensities(cells) {
  for (const c of cells) {
    if (!c.dens) continue;
    c.dens.restart(c.densW, c.dens.exact);
    c.densSerial += 1;
  }
}

export function freeDensity(c) {
  c.dens?.free();
  c.dens = null;
  c.densKey = '';
}

/**
 * Spends about `budget` ms on the panels' densities: first the time `focus` (the frame on
 * screen) of every panel, then the times after it, the panel furthest behind first, in slices
 * so that all panels progress together.
 */
export function advanceDensities(cells, model, budget, focus) {
  const t0 = performance.now();
  for (let guard = 0; guard < 1000; guard++) {
    const left = budget - (performance.now() - t0);
    if (left <= 0.3) break;
    let pick = null;
    for (const c of cells) {
      if (!c.dens || c.dens.done) continue;
      const behind = c.dens.ready(focus) ? 1 + c.dens.progress : c.dens.progress;
      if (!pick || behind < pick.behind) pick = { c, behind };
    }
    if (!pick) break;
    pick.c.dens.advanceFor(model, Math.min(left, 2), focus);
  }
}
