// Shared by the flow figures (unconditional-flow, conditional-face): a recorded Flow played back
// like a video. The flow is computed ahead a step at a time within the frame budget; the playhead
// (play, pause, step, scrub) shows recorded frames. Changes to the field (guidance, class, ground
// truth) compute a second flow from the same noise in the background and
// swap it in once it has reached the playhead, so the picture never jumps back to noise. New
// weights from "train in your browser" are handled the same way, so the reader's time stays put.
// The play bar and the playhead are the page's one PlayHead (playbar.js).
import { el, fmt } from '../../lib/dom.js';
import { PlayHead } from '../../lib/playbar.js';
import { cfg } from '../../lib/method.js';
import { Plot } from '../../lib/plot.js';

export class FlowPlayer {
  /**
   * @param fig   the figure shell
   * @param opts  { cls() -> the flow's class ('null': unconditional), solver() -> its solver
   *                (the flow, recording, takes n, steps and seed from the settings),
   *                w() -> guidance scale, exact() -> ground truth?,
   *                draw(flow, k) -> paints frame k of flow,
   *                changed(info) -> called when the shown frame or the flow's state changes,
   *                seconds (t from 0 to 1 while playing), hold (pause at t = 1, seconds),
   *                label (what the scrubber scrubs, for screen readers) }
   */
  constructor(fig, opts) {
    this.fig = fig;
    this.opts = { seconds: 3.2, hold: 1.1, label: 'flow', changed: () => {}, ...opts };
    this.shown = null; // the flow on screen
    this.next = null; // the same noise under a changed field, catching up with the playhead
    this.again = false; // the field changed again while `next` was catching up
    this.stale = false; // new weights arrived while the flow was being computed: recompute it
    this.cost = 0; // milliseconds per step, a running average
    this.drawn = ''; // what is on screen
    this.shownK = -1;
    this.serial = 0;
    this.head = new PlayHead({
      reducedMotion: fig.reducedMotion,
      steps: () => this.steps,
      request: () => fig.request(),
      seconds: this.opts.seconds,
      hold: this.opts.hold,
      label: `the ${this.opts.label}`,
      buffer: true,
    });
    this.el = this.head.el;
  }

  /** The playhead, in (fractional) steps. */
  get pos() {
    return this.head.pos;
  }

  set pos(v) {
    this.head.pos = v;
  }

  get playing() {
    return this.head.playing;
  }

  get steps() {
    return this.shown?.steps ?? 1;
  }

  /** The frame to show: the playhead, or the last computed frame while the playhead waits. */
  get k() {
    if (!this.shown) return 0;
    return Math.min(Math.floor(Math.min(this.pos, this.steps)), this.shown.step);
  }

  create() {
    const { fig, opts } = this;
    const { n, steps, seed } = fig.state;
    const f = new fig.wasm.Flow(fig.model, opts.cls(), n, steps, opts.solver(), seed, true);
    f.__w = this.opts.w?.() ?? 0;
    f.__exact = this.opts.exact?.() ?? false;
    f.__id = ++this.serial;
    f.__stepsDone = this.fig.model.stepsDone;
    f.__pretrained = this.fig.pretrained;
    return f;
  }

  /**
   * The settings changed. 'hard': new flow now (new noise, particles, steps or data set; the
   * playhead keeps its time); 'soft': the field changed (same noise, swapped in when ready);
   * 'weights': the network's weights changed in place (training).
   */
  rebuild(mode) {
    if (!this.fig.model) return;
    if (mode === 'weights' && this.shown && !this.shown.done) {
      // still computing (with the weights as they change): recomputed once done
      this.stale = true;
    } else if ((mode === 'soft' || mode === 'weights') && this.shown?.done) {
      if (this.next) this.again = true;
      else this.next = this.create();
    } else {
      const frac = this.shown ? Math.min(this.pos, this.steps) / this.steps : this.fig.reducedMotion ? 1 : 0;
      this.free();
      this.shown = this.create();
      this.pos = this.playing ? frac * this.steps : Math.round(frac * this.steps);
      this.head.holdUntil = 0;
      this.stale = false;
    }
    this.drawn = '';
    this.fig.request();
  }

  free() {
    this.shown?.free();
    this.next?.free();
    this.shown = null;
    this.next = null;
    this.again = false;
  }

  /**
   * The figure's handlers (its effects 'data', 'restart', 'soft', 'weights', and its layout and
   * frame) for this player under `plot`; `data()` does the figure's own part of a new data set.
   */
  handlers(plot, data) {
    const { fig } = this;
    return {
      playHead: this.head,
      layout: () => this.fit(plot),
      data: () => {
        plot.setExtent(fig.model.extent);
        data();
        this.rebuild('hard');
      },
      restart: () => this.rebuild('hard'),
      soft: () => this.rebuild('soft'),
      // new weights from training (the exact field does not depend on them)
      weights: () => fig.state.exact || this.rebuild('weights'),
      frame: (now, budget) => this.frame(now, budget),
    };
  }

  /** Sizes `plot` (a square, at most `max` CSS pixels) for the figure's width, with this play bar under it. */
  fit(plot, max = 440) {
    const side = Plot.sideFor(this.fig.width(), 1, { max });
    plot.resize(side);
    this.el.style.width = `${Plot.widthFor(side)}px`;
    this.redraw();
  }

  /** Forces a redraw (after a resize or a change of how things are drawn). */
  redraw() {
    this.drawn = '';
    this.fig.request();
  }

  /** Computes on `f` for about `ms` milliseconds (the wasm side splits steps to fit). */
  advance(f, ms) {
    f.advanceFor(cfg(this.fig.wasm, f.__w, f.__exact), this.fig.model, ms);
    f.__stepsDone = this.fig.model.stepsDone; // training updates the weights in place: the newest used
  }

  /** One animation frame: move the playhead, compute within `budget` ms, draw if needed. */
  frame(now, budget) {
    const { fig } = this;
    if (!this.shown || !fig.model) return false;
    const t0 = performance.now();
    const steps = this.steps;
    this.head.tick(now, this.shown.step, steps);

    // Draw first if the frame to show changed, then compute: the flow catching up with the
    // playhead, then ahead on the shown one. A frame either draws or takes at least one step, so
    // a costly step (many particles, Heun) and a costly drawing never share a frame.
    const drew = this.draw();
    const target = Math.min(Math.floor(this.pos), steps);
    let forced = !drew;
    for (let guard = 0; guard < 10000; guard++) {
      const left = budget - (performance.now() - t0);
      const fits = left > 0.5;
      if (this.next) {
        if (this.next.step >= target) {
          this.shown.free();
          this.shown = this.next;
          this.next = this.again ? this.create() : null;
          this.again = false;
          continue;
        }
        if (!(forced || fits)) break;
        this.advance(this.next, Math.max(0.5, left));
      } else if (!this.shown.done) {
        if (!(forced || fits)) break;
        this.advance(this.shown, Math.max(0.5, left));
      } else break;
      forced = false;
    }
    // new weights that arrived while the flow was still being computed: recompute it now
    if (this.stale && this.shown.done && !this.next) {
      this.stale = false;
      this.next = this.create();
    }
    this.sync();
    return this.playing || !!this.next || !this.shown.done || this.stale || this.drawn !== this.key();
  }

  key() {
    return `${this.shown.__id}|${this.k}`;
  }

  /** Draws the frame to show if it is not on screen (with reduced motion, only final frames). */
  draw() {
    const key = this.key();
    if (key === this.drawn) return false;
    const caughtUp = this.shown.step >= Math.min(Math.floor(this.pos), this.steps);
    if (!caughtUp && this.fig.reducedMotion && this.drawn) return false;
    const k = this.k;
    this.opts.draw(this.shown, k);
    this.drawn = key;
    this.shownK = k;
    return true;
  }

  /** Reflects the playhead in the scrubber and time label, and tells the figure. */
  sync() {
    const shown = this.shown;
    const head = Math.min(Math.floor(this.pos), this.steps);
    const t = shown.timeAt(head);
    const computing = !shown.done || !!this.next;
    this.head.show(
      this.steps,
      head,
      `t = ${fmt(t, 2)}`,
      `t = ${fmt(t, 2)}, step ${head} of ${this.steps}`,
      computing ? (this.next ?? shown).step : null,
    );
    this.opts.changed({
      k: this.shownK,
      head,
      t: shown.timeAt(Math.max(0, this.shownK)),
      steps: this.steps,
      computed: shown.step,
      done: shown.done,
      flow: shown,
      updating: !!this.next || this.stale,
      playing: this.playing,
      // a pause in the picture (paused, or holding at t = 1): the moment for slow one-off work
      still: !this.playing || !!this.head.holdUntil,
    });
  }
}

/**
 * A readout line that changes its content only when `key` changes (the readout is a live region:
 * rewriting it every frame would flood screen readers). `set(text)` or `set(key, ...nodes)`.
 */
export function line(...lead) {
  const body = el('span', {});
  const node = el('div', {}, ...lead, body);
  let last = null;
  return {
    node,
    set(key, ...nodes) {
      if (key === last) return;
      last = key;
      body.replaceChildren(...(nodes.length ? nodes : [key]));
    },
  };
}

/** Shows read-out lines `L` (from line()) in the figure; the time line is for the eye only. */
export function readoutLines(fig, L) {
  L.time.node.setAttribute('aria-hidden', 'true');
  fig.readout(...Object.values(L).map((l) => l.node));
  return L;
}

/**
 * A number measured on a finished flow (`pick(metrics)`, from the model's metrics), once per flow
 * and while the picture stands still (the first measurement of a model sets up its reference and
 * takes a moment); while training recomputes the flow, the last number for the same settings
 * `sig` stays up. Returns (info, sig) → the number, or null while there is none.
 */
export function measuredOnce(fig, pick) {
  let measuredFor = -1;
  let last = null; // { sig, value }
  return (info, sig) => {
    if (info.done && info.still && measuredFor !== info.flow.__id) {
      measuredFor = info.flow.__id;
      const value = pick(fig.model.metrics(info.flow));
      last = Number.isFinite(value) ? { sig, value } : null;
    }
    return last && last.sig === sig ? last.value : null;
  };
}

/** Whether the plot's background is dark (dark mode, or a dark theme of the embedding page). */
export function isDark(plot) {
  const bg = getComputedStyle(plot.el).getPropertyValue('--cfg-plot-bg').trim();
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(bg);
  if (!m) return false;
  const [r, g, b] = m.slice(1, 4).map((h) => parseInt(h, 16) / 255);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.35;
}

/** A plot with its play bar below, lined up with the plotting square. */
export function stack(plot, player) {
  return el('div', { class: 'pb-stack' }, plot.el, player.el);
}
