// Shared by the flow figures (unconditional-flow, conditional-face): a recorded Flow played back
// like a video. The flow is computed ahead a step at a time within the frame budget; the playhead
// (play, pause, step, scrub) shows recorded frames. Changes to the field (guidance, class, ground
// truth) compute a second flow from the same noise in the background and
// swap it in once it has reached the playhead, so the picture never jumps back to noise. New
// weights from "train in your browser" are handled the same way, so the reader's time stays put.
import { el, fmt } from '../cfg.js';
import { icon, syncPlayButton } from '../playbar.js';
import { cfg } from '../method.js';

export class FlowPlayer {
  /**
   * @param fig   the figure shell
   * @param opts  { make() -> new Flow (recording) for the current settings,
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
    this.pos = fig.reducedMotion ? Infinity : 0; // playhead, in (fractional) steps
    this.playing = !fig.reducedMotion;
    this.holdUntil = 0;
    this.last = 0;
    this.cost = 0; // milliseconds per step, a running average
    this.drawn = ''; // what is on screen
    this.shownK = -1;
    this.serial = 0;

    const button = (kind, label, onclick) => el('button', { type: 'button', class: 'pb-btn', 'aria-label': label, title: label, onclick }, icon(kind));
    this.backBtn = button('back', 'one step back', () => this.stepBy(-1));
    this.playBtn = button('play', 'play', () => (this.playing ? this.pause() : this.play()));
    this.fwdBtn = button('forward', 'one step forward', () => this.stepBy(1));
    this.slider = el('input', { type: 'range', min: 0, max: 1, step: 1, value: 0, 'aria-label': `time step of the ${this.opts.label}`,
      oninput: () => this.seek(Number(this.slider.value)) });
    this.timeOut = el('output', { class: 'pb-time', 'aria-hidden': 'true' }, 't = 0.00');
    // how far the flow has been computed, under the scrubber (like a video's buffered range)
    this.buffer = el('div', { class: 'pb-buffer' });
    this.lane = el('div', { class: 'pb-lane', 'aria-hidden': 'true', title: 'computed so far' }, this.buffer);
    this.el = el('div', { class: 'playbar pb' }, this.backBtn, this.playBtn, this.fwdBtn,
      el('div', { class: 'pb-track' }, this.slider, this.lane), this.timeOut);
    this.syncButton();
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
    const f = this.opts.make();
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
      this.holdUntil = 0;
      this.stale = false;
      this.slider.max = String(this.steps);
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

  /** Forces a redraw (after a resize or a change of how things are drawn). */
  redraw() {
    this.drawn = '';
    this.fig.request();
  }

  play() {
    if (Math.floor(this.pos) >= this.steps) this.pos = 0;
    this.playing = true;
    this.holdUntil = 0;
    this.last = 0;
    this.syncButton();
    this.fig.request();
  }

  pause() {
    this.playing = false;
    this.holdUntil = 0;
    this.pos = Math.min(this.steps, Math.floor(this.pos));
    this.syncButton();
    this.fig.request();
  }

  stepBy(d) {
    if (this.playing) this.pause();
    this.seek(Math.max(0, Math.min(this.steps, Math.floor(Math.min(this.pos, this.steps)) + d)));
  }

  seek(k) {
    if (this.playing) this.pause();
    this.pos = k;
    this.fig.request();
  }

  syncButton() {
    syncPlayButton(this.playBtn, this.playing);
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
    if (this.playing) {
      const dt = this.last ? Math.min(100, now - this.last) : 0;
      if (this.holdUntil) {
        if (now >= this.holdUntil) {
          this.holdUntil = 0;
          this.pos = 0;
        }
      } else {
        // the playhead waits at frames not computed yet
        const cap = Math.max(this.pos, this.shown.step);
        this.pos = Math.min(this.pos + (dt * steps) / (this.opts.seconds * 1000), steps, cap);
        if (this.pos >= steps) this.holdUntil = now + this.opts.hold * 1000;
      }
    }
    this.last = now;

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
    if (this.slider.max !== String(this.steps)) this.slider.max = String(this.steps);
    if (this.slider.value !== String(head)) this.slider.value = String(head);
    const label = `t = ${fmt(t, 2)}`;
    if (this.timeOut.textContent !== label) this.timeOut.textContent = label;
    const computing = !shown.done || !!this.next;
    if (this.lane.hidden === computing) this.lane.hidden = !computing;
    if (computing) this.buffer.style.width = `${(100 * (this.next ?? shown).step) / this.steps}%`;
    this.slider.setAttribute('aria-valuetext', `t = ${fmt(t, 2)}, step ${head} of ${this.steps}`);
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
      still: !this.playing || !!this.holdUntil,
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
