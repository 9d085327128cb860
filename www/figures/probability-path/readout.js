// The probability-path figure's readout: a short legend, the references, and per panel
// the hit rate and diversity of the samples at t = 1.
import { el, fmt } from '../../lib/dom.js';
import { classesOf, along, wText } from './refs.js';
import { metricsCurrent } from './cells.js';

/**
 * The readout's nodes for the panels in `groups` ({w, cells}); `exact`: the squares show exact
 * densities, all `times` of them done if `densDone`; `steps` and `n` of the flows.
 */
export function readoutNodes(fig, groups, { exact, densDone, times, steps, n }) {
  const s = fig.state;
  const ws = groups.map((g) => g.w);
  const how = s.solver === 'heun' ? 'Heun' : 'Euler';
  const source = s.exact
    ? 'exact velocity of the data'
    : fig.pretrained
      ? 'network velocity (pretrained)'
      : `network velocity after ${fig.model.stepsDone} training steps`;
  const means = classesOf(fig.model)?.means.map(along);
  const table = el(
    'table',
    { class: 'pp-table' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('td', {}),
        ...ws.map((w) => el('th', { scope: 'colgroup', colspan: 2, class: 'pp-w' }, `w = ${wText(w)}`)),
      ),
      el(
        'tr',
        {},
        el('th', { scope: 'col' }, 'class'),
        ...ws.flatMap(() => [
          el('th', { scope: 'col' }, 'hit'),
          el('th', { scope: 'col' }, el('abbr', { title: 'diversity' }, 'div.')),
        ]),
      ),
    ),
    el(
      'tbody',
      {},
      ...fig.classes.map((name, ci) =>
        el(
          'tr',
          {},
          el(
            'th',
            { scope: 'row' },
            el('span', { class: 'key', style: `background:${fig.colorOf(ci)}` }),
            name,
          ),
          ...groups.flatMap((g) => {
            const c = g.cells[ci];
            const ok = metricsCurrent(c);
            return [
              el('td', {}, ok ? fmt(c.metrics.hitRate, 3) : '…'),
              el('td', {}, ok ? fmt(c.metrics.diversity, 2) : '…'),
            ];
          }),
        ),
      ),
    ),
  );
  const swatch = el(
    'span',
    { class: 'pp-swatch' },
    ...fig.classes.map((_, i) => el('span', { style: `background:${fig.colorOf(i)}` })),
  );
  // short: the legend's full wording is in the figure's "How to read this figure"
  return [
    exact
      ? el(
          'div',
          {},
          swatch,
          `squares: the exact density p_t, ${densDone ? `all ${times} times computed` : `computing ${times} times`}; strips: histograms`,
        )
      : el('div', {}, swatch, 'colour: how many samples are there (histograms)'),
    el(
      'div',
      {},
      el('span', { class: 'line-key pp-dash' }),
      'dashed: 2σ circles and class means',
      means ? ` (${means.map((m) => fmt(m)).join(', ')})` : '',
    ),
    el('div', { class: 'pp-hit-head' }, 'At t = 1:'),
    table,
    el('div', { class: 'pp-note' }, `${n} samples, ${steps} ${how} steps, ${source}.`),
  ];
}

/**
 * The read-out of figure `fig`, written only when its words change (it is a live region: it
 * changes when a computation starts and when it ends); after `reset()`, at the next `update`.
 */
export function readoutWriter(fig) {
  let readoutKey = '';
  return {
    reset() {
      readoutKey = '';
    },
    /** The read-out of `cells` in `groups`; `exact`: the squares show `times` exact densities. */
    update(cells, groups, { exact, times, steps, n }) {
      const done = cells.every(metricsCurrent);
      const densDone = exact && cells.every((c) => c.dens?.done);
      const ws = groups.map((g) => g.w);
      const key = `${done}|${densDone}|${exact}|${done ? cells.map((c) => c.metricsId).join(',') : ws.join(',')}|${fig.state.dataset}`;
      if (key === readoutKey) return;
      readoutKey = key;
      fig.readout(...readoutNodes(fig, groups, { exact, densDone, times, steps, n }));
    },
  };
}
