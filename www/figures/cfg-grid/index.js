// Figs 4 and 5 of the post, live: rows are classes, columns guidance scales. Each cell shows its
// samples over the faint data, with hit rate and diversity measured on them. The cells are
// sampled and measured in the page's worker pool (cells.js), one chunk each.
import { el, fmt, cfgFormula } from '../../lib/dom.js';
import { P, fx, trainParams } from '../../shell/figure.js';
import { Plot } from '../../lib/plot.js';

// a frame draws cells until this many milliseconds of real time have gone (at least one)
const DRAW_MS = 8;

export default {
  id: 'cfg-grid',
  title: 'Samples across guidance scales',
  post: 'Figs 4 and 5',
  wide: true,
  // every setting samples the grid again; new weights also redraw the faint data
  params: [
    ...fx(
      'build',
      P.dataset('non-overlapping'),
      {
        key: 'ws',
        label: 'scales w',
        type: 'list',
        default: [0, 1, 3, 5, 7, 9],
        min: 0,
        max: 20,
        maxItems: 8,
        help: 'The guidance scales of the columns, comma-separated (up to 8).',
      },
      P.n(400, 2000),
      P.steps(30, 100),
      P.solver(),
      P.seed(),
      P.exact(),
    ),
    ...trainParams(),
  ],
  effects: ['weights', 'build'],
  controls: ['dataset', 'ws', 'n', 'steps', 'solver', 'seed', 'exact'],
  caption: () => [
    'Rows are classes, columns guidance scales w. ',
    el('b', {}, 'Hit rate'),
    ': the share of samples in their class’s region; ',
    el('b', {}, 'diversity'),
    ': their spread over the class’s. Beyond w = 1, guidance raises the hit rate while the samples condense.',
  ],
  howToRead: () => [
    'Each row samples one class with ',
    ...cfgFormula(),
    ', each column a guidance scale. ',
    el('b', {}, 'Hit rate'),
    ' is the share of samples whose most likely class under the true data is the row’s class; ',
    el('b', {}, 'diversity'),
    ' is the spread of the samples (trace of their covariance) over the spread of the class. ',
    'At w = 0 every row is the unconditional model; at w = 1 the conditional one. Beyond 1, guidance keeps raising the hit rate ',
    'while the samples condense: on overlapping classes it pushes each class away from the other, past where its data lie.',
  ],
  async create(fig) {
    const { wasm } = fig;
    const CHUNKS = new URL('./cells.js', import.meta.url).href;
    const grid = el('div', { class: 'cfg-grid' });
    fig.plots.append(grid);
    let cells = [];
    let shape = '';
    let narrow = false;
    let modelSerial = 0;
    let job = null; // the pool's job sampling the cells

    // above each cell: its hit rate and diversity (just the numbers when cells are narrow)
    function title(c) {
      const h = fmt(c.metrics.hitRate, 2);
      const d = fmt(c.metrics.diversity, c.metrics.diversity >= 10 ? 0 : 2);
      if (narrow) c.plot.setTitle(el('span', {}, h), el('span', {}, d));
      else
        c.plot.setTitle(
          el('span', {}, `hit ${h}`),
          el('span', { class: 'sep' }, ' · '),
          el('span', {}, `div ${d}`),
        );
    }

    // until its numbers arrive: as many lines as they will take (nothing moves when they come)
    function pending(c) {
      if (narrow) c.plot.setTitle(el('span', {}, '…'), el('span', {}, '…'));
      else c.plot.setTitle('…');
    }

    // the read-out describes the settings, so it is the same from the first frame to the last: the
    // cells' numbers fill in above them and nothing below the grid moves when they arrive
    function note() {
      const s = fig.state;
      fig.readout(
        el(
          'span',
          {},
          `${cells.length} cells of ${s.n} samples, ${s.steps} ${s.solver} steps`,
          s.exact ? ', exact velocity' : ', network velocity',
        ),
        narrow ? el('span', {}, 'Above each cell: its hit rate, then its diversity.') : null,
      );
    }

    function build() {
      const classes = fig.classes;
      const ws = fig.state.ws;
      const key = `${fig.model.dataset}|${classes.join(',')}|${ws.join(',')}`;
      if (key !== shape) {
        shape = key;
        cells = [];
        grid.replaceChildren();
        grid.style.gridTemplateColumns = `auto repeat(${ws.length}, auto)`;
        grid.append(
          el('div', {}),
          ...ws.map((w) => el('div', { class: 'col-head' }, `w = ${fmt(w, w % 1 ? 1 : 0)}`)),
        );
        classes.forEach((name, ci) => {
          grid.append(
            el('div', { class: 'row-head key-text', style: `--key-color:${fig.colorOf(ci)}` }, name),
          );
          ws.forEach((w) => {
            const plot = new Plot(wasm, {
              extent: fig.model.extent,
              compact: true,
              title: '…',
              label: `samples of ${name} at w = ${w}`,
            });
            grid.append(plot.el);
            cells.push({ plot, name, ci, w, xy: null, metrics: null, drawn: false });
          });
        });
        layout();
      }
      job?.cancel();
      for (const c of cells) {
        c.xy = null;
        c.metrics = null;
        c.dirty = true;
        pending(c);
      }
      note();
      const s = fig.state;
      const mine = fig.pool.run({
        url: CHUNKS,
        method: 'cell',
        common: {
          model: fig.model.toJson('f32'),
          n: s.n,
          steps: s.steps,
          solver: s.solver,
          seed: s.seed,
          exact: s.exact,
        },
        chunks: cells.map((c) => ({ name: c.name, w: c.w })),
        onChunk: (k, r) => {
          const c = cells[k];
          c.xy = r.xy;
          c.metrics = r.metrics;
          c.dirty = true;
          title(c);
          fig.request();
        },
      });
      job = mine;
      mine.done.catch((e) => {
        if (!e.cancelled && job === mine) fig.message(`Sampling the grid failed: ${e.message}`);
      });
    }

    function layout() {
      const ws = fig.state.ws.length;
      // the row labels (vertical text) take their measured width plus the grid gap
      const head = grid.querySelector('.row-head');
      const label = Math.ceil(head?.getBoundingClientRect().width ?? 24) + 6;
      const side = Plot.sideFor(fig.width() - label - 6, ws, { compact: true, gap: 6, min: 30, max: 150 });
      narrow = side < 100;
      grid.classList.toggle('narrow', narrow);
      // fixed column widths: a cell's title must not widen its column
      grid.style.gridTemplateColumns = `auto repeat(${ws}, ${side + 4}px)`;
      for (const c of cells)
        if (c.metrics) title(c);
        else pending(c);
      for (const c of cells) {
        if (c.plot.resize(side)) c.dirty = true;
        c.plot.setExtent(fig.model.extent);
      }
      note();
    }

    function draw(c) {
      const p = c.plot.painter;
      // the faint data is drawn once per size and model, then restored from a snapshot
      c.plot.backdrop(`${fig.model.dataset}|${modelSerial}`, (q) => q.data(fig.model, 0.1, 0.9 * c.plot.dpr));
      if (c.xy) p.points(c.xy, c.ci, 0.7, 1.1 * c.plot.dpr);
      c.plot.put();
      c.dirty = false;
      c.drawn = true;
    }

    return {
      layout,
      weights() {
        modelSerial += 1;
        build();
      },
      build,
      // shown once every cell has been drawn (its first draw over a few frames on a slow phone)
      whole: () => cells.every((c) => c.drawn),
      frame() {
        // cells until DRAW_MS of real time: the others in the next frame
        const t0 = performance.now();
        let drew = false;
        for (const c of cells) {
          if (!c.dirty) continue;
          if (drew && performance.now() - t0 > DRAW_MS) break;
          draw(c);
          drew = true;
        }
        return cells.some((c) => c.dirty);
      },
    };
  },
};
