// The one play head of every figure that plays a recorded flow back like a video (the flow
// figures through FlowPlayer, the probability-path figure directly): its play bar (play/pause,
// one step back or forward, a time slider, the time, and optionally how far the flow has been
// computed, like a video's buffered range), and the playhead it drives, in fractional flow steps.
// Playback runs from t = 0 to 1 in `seconds`, holds at t = 1 for `hold` seconds and loops; it
// never runs ahead of the frames computed so far.
import { el } from './dom.js';

const ICONS = {
  play: 'M4.5 2.5v11l9-5.5z',
  pause: 'M4 2.5h3v11H4zM9 2.5h3v11H9z',
  back: 'M3 3h2v10H3zM13 3v10L6 8z',
  forward: 'M11 3h2v10h-2zM3 3v10l7-5z',
};

/** A 14 px icon: 'play', 'pause', 'back' or 'forward'. */
export function icon(kind) {
  return el(
    'svg',
    { viewBox: '0 0 16 16', width: 14, height: 14, 'aria-hidden': 'true', focusable: 'false' },
    el('path', { d: ICONS[kind], fill: 'currentColor' }),
  );
}

/** Shows on the play/pause `button` what pressing it does. */
export function syncPlayButton(button, playing) {
  const label = playing ? 'pause' : 'play';
  button.replaceChildren(icon(label));
  button.setAttribute('aria-label', label);
  button.title = label;
  button.classList.toggle('active', playing);
}

export class PlayHead {
  /**
   * `steps()` gives the number of flow steps; `request()` asks for a frame; `onPause()` hears
   * when the reader stops playback. `label`: what the slider scrubs, for screen readers;
   * `buffer`: show how far the flow is computed under the slider; `clamp`: while playing, a
   * playhead past the computed frames goes back to them (else it waits where it is). With
   * `reducedMotion` it starts paused at the end.
   */
  constructor({
    reducedMotion = false,
    steps,
    request,
    onPause = () => {},
    seconds = 3.2,
    hold = 1.1,
    label = 'flow',
    buffer = false,
    clamp = false,
  }) {
    Object.assign(this, { steps, request, onPause, seconds, hold, clamp });
    this.pos = reducedMotion ? Infinity : 0;
    this.playing = !reducedMotion;
    this.holdUntil = 0;
    this.last = 0;
    /** the frames the step buttons stop at (say, the exact densities' frames), or null: every frame */
    this.stops = null;
    const button = (kind, text, onclick) =>
      el('button', { type: 'button', class: 'pb-btn', 'aria-label': text, title: text, onclick }, icon(kind));
    this.playBtn = button('play', 'play', () => (this.playing ? this.pause() : this.play()));
    this.slider = el('input', {
      type: 'range',
      min: 0,
      max: 1,
      step: 1,
      value: 0,
      'aria-label': `time step of ${label}`,
      oninput: () => this.seek(Number(this.slider.value)),
    });
    this.timeOut = el('output', { class: 'pb-time', 'aria-hidden': 'true' }, 't = 0.00');
    let track = this.slider;
    if (buffer) {
      this.buffer = el('div', { class: 'pb-buffer' });
      this.lane = el(
        'div',
        { class: 'pb-lane', 'aria-hidden': 'true', title: 'computed so far' },
        this.buffer,
      );
      track = el('div', { class: 'pb-track' }, this.slider, this.lane);
    }
    this.el = el(
      'div',
      { class: 'playbar pb' },
      button('back', 'one step back', () => this.stepBy(-1)),
      this.playBtn,
      button('forward', 'one step forward', () => this.stepBy(1)),
      track,
      this.timeOut,
    );
    syncPlayButton(this.playBtn, this.playing);
  }

  play() {
    if (Math.floor(this.pos) >= this.steps()) this.pos = 0;
    this.playing = true;
    this.holdUntil = 0;
    this.last = 0;
    syncPlayButton(this.playBtn, true);
    this.request();
  }

  pause() {
    this.playing = false;
    this.holdUntil = 0;
    this.pos = Math.min(this.steps(), Math.floor(this.pos));
    syncPlayButton(this.playBtn, false);
    this.onPause();
    this.request();
  }

  seek(k) {
    if (this.playing) this.pause();
    this.pos = k;
    this.request();
  }

  stepBy(d) {
    if (this.playing) this.pause();
    const S = this.steps();
    const now = Math.floor(Math.min(this.pos, S));
    const stops = this.stops ?? [];
    if (!stops.length) {
      this.seek(Math.max(0, Math.min(S, now + d)));
      return;
    }
    // the frame on screen is the last stop at or before the playhead
    let i = 0;
    while (i + 1 < stops.length && stops[i + 1] <= now) i += 1;
    this.seek(stops[Math.max(0, Math.min(stops.length - 1, i + d))]);
  }

  /**
   * Moves the playhead for the frame at `now`, never past `front` (the last frame computed) while
   * playing; `onLoop()` runs when playback starts again from t = 0.
   */
  tick(now, front, S, onLoop = () => {}) {
    if (this.pos > S) this.pos = S;
    if (this.clamp && this.playing && !this.holdUntil && this.pos > front) this.pos = front;
    if (this.playing) {
      const dt = this.last ? Math.min(100, now - this.last) : 0;
      if (this.holdUntil) {
        if (now >= this.holdUntil) {
          this.holdUntil = 0;
          this.pos = 0;
          onLoop();
        }
      } else {
        // the playhead waits at frames not computed yet
        const cap = Math.max(this.pos, front);
        this.pos = Math.min(this.pos + (dt * S) / (this.seconds * 1000), S, cap);
        if (this.pos >= S) this.holdUntil = now + this.hold * 1000;
      }
    }
    this.last = now;
  }

  /**
   * Shows step `head` of `S` on the slider, `label` as the time, `aria` for screen readers, and
   * (with a buffer lane) `computed` steps of S as computed so far, or null when all are.
   */
  show(S, head, label, aria, computed = null) {
    if (this.slider.max !== String(S)) this.slider.max = String(S);
    if (this.slider.value !== String(head)) this.slider.value = String(head);
    if (this.timeOut.textContent !== label) this.timeOut.textContent = label;
    this.slider.setAttribute('aria-valuetext', aria);
    if (this.lane) {
      const busy = computed !== null;
      if (this.lane.hidden === busy) this.lane.hidden = !busy;
      if (busy) this.buffer.style.width = `${(100 * computed) / S}%`;
    }
  }
}
