// The draw-your-own figure's controls around the plot: the toolbar (a brush per class, the brush
// size, Undo, Clear, Example, CSV) and the training row (Train, its progress, the loss-curve link,
// the status line). DOM only: what the buttons do is the figure's (index.js), passed in.
import { el, fmt } from '../../lib/dom.js';
import { NAMES, exampleDrawing } from './sketch.js';

/**
 * The toolbar and training row of figure `fig` drawing on sketch `s`, in a column around
 * `plot`; `pick(i)`, `changed()`, `showToast(text)` and `train()` are the figure's.
 */
export function controls(fig, s, plot, { pick, changed, showToast, train }) {
  const { wasm } = fig;
  const brushButtons = NAMES.map((name, i) => {
    const count = el('span', { class: 'count' }, '0');
    const b = el(
      'button',
      {
        type: 'button',
        class: 'dyo-brush',
        style: `--c:${fig.colorOf(i)}`,
        'aria-pressed': 'false',
        title: `Draw class ${name} (key ${i + 1})`,
        onclick: () => pick(i),
      },
      el('span', { class: 'sw', 'aria-hidden': 'true' }),
      el('span', { class: 'name' }, name),
      count,
    );
    b.__count = count;
    b.__name = b.querySelector('.name');
    return b;
  });
  const sizeId = `dyo-size-${Math.random().toString(36).slice(2, 7)}`;
  const size = el('input', {
    id: sizeId,
    type: 'range',
    min: 0.05,
    max: 0.6,
    step: 0.01,
    value: fig.state.brush,
    oninput: () => fig.set('brush', Number(size.value)),
  });
  const sizeOut = el('output', { for: sizeId }, fmt(fig.state.brush, 2));
  const undoBtn = el(
    'button',
    {
      type: 'button',
      title: 'Undo the last stroke, clear or example (U)',
      onclick: () => {
        if (s.undo()) changed();
      },
    },
    'Undo',
  );
  const clearBtn = el(
    'button',
    {
      type: 'button',
      title: 'Remove every point (undoable)',
      onclick: () => {
        if (s.total()) {
          s.replace(NAMES.map(() => []));
          changed();
        }
      },
    },
    'Clear',
  );
  const exampleBtn = el(
    'button',
    {
      type: 'button',
      title: 'Bring back the example drawing, a smiley (undoable)',
      onclick: () => {
        s.replace(exampleDrawing());
        changed();
      },
    },
    'Example',
  );
  // the drawing as a points file (header x,y,label): cfg-playground train --data drawing.csv
  const csvBtn = el(
    'button',
    {
      type: 'button',
      title: 'Save the drawing as a points file (CSV x,y,label) for cfg-playground train --data',
      onclick: () => {
        const d = s.drawn();
        d.classes = d.classes.filter((c) => c.points.length >= 3);
        try {
          fig.download('drawing.csv', new Blob([wasm.pointsCsv(JSON.stringify(d))], { type: 'text/csv' }));
        } catch (e) {
          showToast(`Nothing to save: ${e.message}`);
        }
      },
    },
    'CSV',
  );
  const tools = el(
    'div',
    { class: 'dyo-tools' },
    el(
      'div',
      { class: 'dyo-brushes', role: 'group', 'aria-label': 'brush (class)' },
      el('span', { class: 'dyo-label' }, 'brush'),
      brushButtons,
    ),
    el(
      'div',
      {
        class: 'dyo-size',
        title: 'Radius of the brush in data units: each dab scatters points uniformly within it.',
      },
      el('label', { for: sizeId }, 'size'),
      size,
      sizeOut,
    ),
    el('div', { class: 'dyo-edit' }, undoBtn, clearBtn, exampleBtn, csvBtn),
  );

  // ---------- training row ----------
  const trainBtn = el(
    'button',
    { type: 'button', class: 'primary', onclick: () => train() },
    'Train on my drawing',
  );
  const bar = el('progress', { max: 1, value: 0, 'aria-label': 'training progress' });
  const status = el('div', { class: 'dyo-status', 'aria-live': 'polite' });
  const panel = () => fig.trainingPanel();
  const lossBtn = el(
    'button',
    {
      type: 'button',
      class: 'linkish',
      title: 'Open the training panel below the figure: loss curve, network size, learning rate',
      onclick: () => {
        const d = panel();
        if (!d) return;
        d.open = true;
        d.scrollIntoView({ block: 'nearest', behavior: fig.reducedMotion ? 'auto' : 'smooth' });
      },
    },
    'loss curve ↓',
  );
  const actions = el(
    'div',
    { class: 'dyo-actions' },
    trainBtn,
    el('div', { class: 'dyo-progress' }, bar, lossBtn),
    status,
  );
  const col = el('div', { class: 'dyo' }, tools, plot.el, actions);
  return { brushButtons, size, sizeOut, undoBtn, clearBtn, trainBtn, bar, status, panel, lossBtn, col };
}
