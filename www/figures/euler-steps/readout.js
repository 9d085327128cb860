// The euler-steps figure's read-out: the key of the plot's marks, the table of steps and network
// calls, the mean endpoint distance and the field followed; and the plot's label.
import { el, fmt } from '../../lib/dom.js';
import { REF_STEPS } from './run.js';
import { TRACKED } from './paths.js';

/** Writes the read-out of the shown run of `runs` for figure `fig` and `plot`, when its words change. */
export function readoutWriter(fig, plot, runs) {
  let lastReadout = '';
  const classIdx = () => fig.classes.indexOf(fig.state.class);
  const css = (name, fallback) => getComputedStyle(plot.el).getPropertyValue(name).trim() || fallback;

  function readout() {
    const { state } = fig;
    const { ref, coarse, coarseErr, n } = runs.cur;
    const fg = css('--cfg-fg', '#1d1d1f');
    const muted = css('--cfg-muted', '#5f6368');
    const ci = classIdx();
    const callCount = (flow) => {
      const st = flow?.done ? flow.stats() : null;
      return st ? String(st.callsPerSample) : '…';
    };
    const field =
      ci < 0
        ? 'v_u (no class)'
        : state.w === 1
          ? `v_c, class ${state.class}`
          : state.w === 0
            ? `v_u (w = 0)`
            : `v_u + ${fmt(state.w, 1)}·(v_c − v_u), class ${state.class}`;
    const key = [
      callCount(coarse),
      callCount(ref),
      coarseErr,
      field,
      coarse.steps,
      n,
      runs.cur.exact,
      ci,
      fg,
      fig.pretrained,
      runs.cur.snap.stepsDone,
    ].join('|');
    if (key === lastReadout) return;
    lastReadout = key;
    const sym = (...children) => {
      const node = el('svg', {
        class: 'sym',
        width: 26,
        height: 12,
        viewBox: '0 0 26 12',
        'aria-hidden': 'true',
      });
      node.append(...children);
      return node;
    };
    const disc = (cx, r, fill, stroke = 'none', sw = 0) =>
      el('circle', { cx, cy: 6, r, fill, stroke, 'stroke-width': sw });
    fig.readout(
      el(
        'div',
        { class: 'es-key' },
        sym(
          el('line', { x1: 1, x2: 25, y1: 6, y2: 6, stroke: fg, 'stroke-width': 1.6 }),
          disc(9, 2, fg),
          disc(17, 2, fg),
        ),
        el('span', {}, 'Euler, a dot at every step'),
      ),
      el(
        'div',
        { class: 'es-key' },
        sym(
          el('line', {
            x1: 1,
            x2: 25,
            y1: 6,
            y2: 6,
            stroke: muted,
            'stroke-width': 1.3,
            'stroke-dasharray': '4 3',
          }),
        ),
        el('span', {}, 'reference (Heun)'),
      ),
      el(
        'div',
        { class: 'es-key' },
        sym(disc(5, 2.4, muted), disc(13, 3.4, fg), disc(21, 4.2, 'none', muted, 1.6)),
        el('span', {}, 'start · Euler end · reference end'),
      ),
      el(
        'div',
        { class: 'es-key' },
        sym(
          ...[4, 8, 12, 17, 22].map((x, i) =>
            el('circle', { cx: x, cy: 4 + (i % 2) * 4, r: 1.6, fill: fig.colorOf(ci) }),
          ),
        ),
        el('span', {}, `all ${n} Euler end points`),
      ),
      el(
        'table',
        { class: 'es-table' },
        el(
          'tr',
          {},
          el('td', {}),
          el('th', { scope: 'col' }, 'Euler'),
          el('th', { scope: 'col' }, 'reference'),
        ),
        el(
          'tr',
          {},
          el('th', { scope: 'row' }, 'steps'),
          el('td', {}, el('b', {}, String(coarse.steps))),
          el('td', {}, `${REF_STEPS} (Heun)`),
        ),
        el(
          'tr',
          {},
          el('th', { scope: 'row' }, runs.cur.exact ? 'network calls' : 'calls per sample'),
          el('td', {}, el('b', {}, runs.cur.exact ? '0' : callCount(coarse))),
          el('td', {}, runs.cur.exact ? '0' : callCount(ref)),
        ),
      ),
      el(
        'div',
        {},
        'mean endpoint distance: ',
        el('b', { class: 'es-err' }, coarseErr === null ? '…' : fmt(coarseErr, 3)),
      ),
      el('div', { class: 'es-note' }, `Euler vs reference, averaged over ${n} samples, in data units`),
      el(
        'div',
        { class: 'es-gap' },
        `velocity: ${field}, ${runs.cur.exact ? 'exact' : fig.pretrained ? 'network' : `network after ${runs.cur.snap.stepsDone} training steps`}`,
      ),
    );
    plot.setLabel(
      `${state.dataset}, ${field}: paths of ${Math.min(TRACKED, n)} samples with ${coarse.steps} Euler steps (solid) and a ${REF_STEPS}-step Heun reference (dashed), and the end points of all ${n} Euler samples.` +
        (coarseErr === null ? '' : ` Mean distance between the end points: ${fmt(coarseErr, 3)}.`),
    );
  }

  return readout;
}
