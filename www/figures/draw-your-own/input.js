// The draw-your-own figure's input on the plot: pointer strokes (coalesced events), the keyboard
// cursor (arrows, Space or Enter to dab, 1–8 pick a brush, [ and ] resize it, U undoes) and the
// hover position the brush outline follows.
import { arrowMove } from '../../lib/plot.js';
import { LIMIT, shownBrushes } from './sketch.js';

/**
 * Listens on `plot`'s overlay of figure `fig` for strokes into sketch `s` with brush `active()`;
 * `pick(i)`, `changed(final)` and `overlay()` (redraw the brush outline) are the figure's.
 */
export function input(fig, s, plot, { active, pick, changed, overlay }) {
  const over = plot.over;
  let hover = null;
  let keyCursor = null;
  let focused = false;
  let drawing = false;
  const clampXY = ([x, y]) => [Math.max(-LIMIT, Math.min(LIMIT, x)), Math.max(-LIMIT, Math.min(LIMIT, y))];

  over.addEventListener('pointerdown', (ev) => {
    if (ev.pointerType === 'mouse' && ev.button !== 0) return;
    over.setPointerCapture(ev.pointerId);
    const [x, y] = plot.eventToData(ev);
    hover = clampXY([x, y]);
    keyCursor = null;
    drawing = true;
    s.begin(active(), fig.state.brush, x, y);
    changed(false);
  });
  over.addEventListener('pointermove', (ev) => {
    const [x, y] = plot.eventToData(ev);
    hover = clampXY([x, y]);
    if (drawing) {
      for (const e of ev.getCoalescedEvents?.() ?? [ev]) s.to(...plot.eventToData(e));
      changed(false);
    } else {
      overlay();
    }
  });
  const up = () => {
    if (!drawing) return;
    drawing = false;
    s.end();
    changed();
  };
  over.addEventListener('pointerup', up);
  over.addEventListener('pointercancel', up);
  over.addEventListener('pointerleave', () => {
    if (!drawing) {
      hover = null;
      overlay();
    }
  });
  over.addEventListener('focus', () => {
    focused = true;
    // reached with the keyboard: show the cursor where the next dab goes
    if (over.matches(':focus-visible')) keyCursor ??= hover ?? [0, 0];
    overlay();
  });
  over.addEventListener('blur', () => {
    focused = false;
    keyCursor = null;
    overlay();
  });
  over.addEventListener('keydown', (ev) => {
    const move = arrowMove(ev, 0.1, 0.4);
    keyCursor ??= hover ?? [0, 0];
    if (move) {
      keyCursor = clampXY([keyCursor[0] + move[0], keyCursor[1] + move[1]]);
      overlay();
    } else if (ev.key === ' ' || ev.key === 'Enter') {
      s.begin(active(), fig.state.brush, ...keyCursor);
      s.end();
      changed();
    } else if (/^[1-8]$/.test(ev.key) && Number(ev.key) <= shownBrushes(s.brushes)) {
      pick(Number(ev.key) - 1);
    } else if (ev.key === '[' || ev.key === ']') {
      const v = Math.round((fig.state.brush + (ev.key === ']' ? 0.05 : -0.05)) * 100) / 100;
      fig.set('brush', Math.max(0.05, Math.min(0.6, v)));
    } else if (ev.key === 'u' || ev.key === 'U' || ((ev.ctrlKey || ev.metaKey) && ev.key === 'z')) {
      if (s.undo()) changed();
    } else return;
    ev.preventDefault();
  });

  return {
    get hover() {
      return hover;
    },
    get keyCursor() {
      return keyCursor;
    },
    get focused() {
      return focused;
    },
    get drawing() {
      return drawing;
    },
  };
}
