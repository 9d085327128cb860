// The probability-path figure's play bar: play/pause, one step back or forward, a time slider
// and the time, and the playhead it drives (in fractional flow steps). Playback runs from t = 0
// to 1 in SECONDS, holds at t = 1 for HOLD seconds and loops; it never runs ahead of the frames
// every panel has computed.
import { el } from '../../cfg.js';
import { icon, syncPlayButton } from '../../playbar.js';

const SECONDS = 3.6; // playback from t = 0 to 1
const HOLD = 1.2; // pause at t = 1 before the loop starts again

export class Player {
  /**
   * `steps()` gives the number of flow steps; `request()` asks for a frame; `onPause()` hears
   * when playback stops. With reduced motion it starts paused at the end.
   */
  constructor({ reducedMotion, steps, request, onPause }) {
    this.steps = steps;
    this.request = request;
    this.onPause = onPause;
    this.pos = reducedMotion ? Infinity : 0;
    this.playing = !reducedMotion;
    this.holdUntil = 0;
    this.last = 0;
    /** the frames the step buttons stop at (the exact densities' frames), or null: every frame */
    this.stops = null;
    const button = (kind, label, onclick) => el('button', { type: 'button', class: 'pb-btn', 'aria-label': label, title: label, onclick }, icon(kind));
    this.playBtn = button('play', 'play', () => (this.playing ? this.pause() : this.play()));
    this.slider = el('input', { type: 'range', min: 0, max: 1, step: 1, value: 0, 'aria-label': 'time step of all panels',
      oninput: () => this.seek(Number(this.slider.value)) });
    this.timeOut = el('output', { class: 'pb-time', 'aria-hidden': 'true' }, 't = 0.00');
    this.el = el('div', { class: 'playbar pb' }, button('back', 'one step back', () => this.stepBy(-1)), this.playBtn,
      button('forward', 'one step forward', () => this.stepBy(1)), this.slider, this.timeOut);
    this.syncButton();
  }

  syncButton() {
    syncPlayButton(this.playBtn, this.playing);
  }

  play() {
    if (Math.floor(this.pos) >= this.steps()) this.pos = 0;
    this.playing = true;
    this.holdUntil = 0;
    this.last = 0;
    this.syncButton();
    this.request();
  }

  pause() {
    this.playing = false;
    this.holdUntil = 0;
    this.pos = Math.min(this.steps(), Math.floor(this.pos));
    this.syncButton();
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
   * Moves the playhead for the frame at `now`: never past `front` (the last frame every panel
   * has) while playing; `onLoop()` runs when playback starts again from t = 0.
   */
  tick(now, front, S, onLoop) {
    if (this.pos > S) this.pos = S;
    if (this.playing && !this.holdUntil && this.pos > front) this.pos = front;
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
        this.pos = Math.min(this.pos + (dt * S) / (SECONDS * 1000), S, cap);
        if (this.pos >= S) this.holdUntil = now + HOLD * 1000;
      }
    }
    this.last = now;
  }

  /** Shows step `head` of `S` on the slider, `label` as the time, `aria` for screen readers. */
  show(S, head, label, aria) {
    if (this.slider.max !== String(S)) this.slider.max = String(S);
    if (this.slider.value !== String(head)) this.slider.value = String(head);
    if (this.timeOut.textContent !== label) this.timeOut.textContent = label;
    this.slider.setAttribute('aria-valuetext', aria);
  }
}
