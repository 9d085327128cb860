// What the play bars of the flow figures and the probability-path figure share: their icons and
// the play/pause button's state.
import { el } from './cfg.js';

const ICONS = {
  play: 'M4.5 2.5v11l9-5.5z',
  pause: 'M4 2.5h3v11H4zM9 2.5h3v11H9z',
  back: 'M3 3h2v10H3zM13 3v10L6 8z',
  forward: 'M11 3h2v10h-2zM3 3v10l7-5z',
};

/** A 14 px icon: 'play', 'pause', 'back' or 'forward'. */
export function icon(kind) {
  return el('svg', { viewBox: '0 0 16 16', width: 14, height: 14, 'aria-hidden': 'true', focusable: 'false' },
    el('path', { d: ICONS[kind], fill: 'currentColor' }));
}

/** Shows on the play/pause `button` what pressing it does. */
export function syncPlayButton(button, playing) {
  const label = playing ? 'pause' : 'play';
  button.replaceChildren(icon(label));
  button.setAttribute('aria-label', label);
  button.title = label;
  button.classList.toggle('active', playing);
}
