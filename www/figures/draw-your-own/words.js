// The draw-your-own figure's words: the status line and buttons of the training row, the hint over
// an empty plot, and the read-out (the drawing, the samples shown and their hit rate and share off
// the drawing) with the plot's title and label.
import { el, fmt } from '../../lib/dom.js';
import { STD, shownBrushes } from './sketch.js';

/**
 * The words of figure `fig` drawing on sketch `s` on `plot`: `c` its controls (controls.js), `sm`
 * its sampler (sampler.js), `hint` the hint over the plot, `active()` the brush, `isDrawing()` a
 * stroke under way, `colorIdx(name)` a class's colour.
 */
export function words(fig, s, plot, c, sm, { hint, active, isDrawing, colorIdx }) {
  const { trainBtn, bar, status, panel, lossBtn, brushButtons, undoBtn, clearBtn } = c;
  const { matches, drawnClasses, current } = sm;
  function refreshStatus() {
    const training = fig.isTraining();
    const m = fig.model;
    const done = m?.stepsDone ?? 0;
    const total = Math.max(1, s.trainTotal || fig.state.trainSteps);
    trainBtn.textContent = training ? 'Stop training' : 'Train on my drawing';
    bar.max = total;
    bar.value = matches() ? Math.min(done, total) : 0;
    lossBtn.hidden = !panel();
    const counts = s.brushes.map((b) => b.pts.length);
    brushButtons.forEach((b, i) => {
      b.__count.textContent = String(counts[i]);
      b.__name.textContent = s.brushes[i].name;
      b.title = `Draw class ${s.brushes[i].name} (key ${i + 1})`;
      // the first four brushes, and one past the last in use: up to 8 classes
      b.hidden = i >= shownBrushes(s.brushes) && i !== active();
    });
    undoBtn.disabled = s.history.length === 0;
    clearBtn.disabled = s.total() === 0;
    let text;
    if (training && matches())
      text = `Training on your drawing: step ${done} of ${total}. The samples follow the network as it learns.`;
    else if (training)
      text = `Training on an earlier version of your drawing (step ${done} of ${total}). Press Stop, then Train, to learn the new strokes.`;
    else if (!matches() && s.total() === 0) text = 'Pick a brush and draw on the plot.';
    else if (!matches())
      text = 'Your drawing changed since training. Press Train to learn it (a few seconds).';
    else if (done === 0)
      text = fig.reducedMotion
        ? 'Not trained yet. Press Train to fit a network to this drawing (a few seconds), or tick ground truth to sample its exact field.'
        : 'Not trained yet: press Train (a few seconds).';
    else if (done < total) text = `Stopped after ${done} of ${total} training steps.`;
    else text = `Trained for ${done} steps on this drawing.`;
    status.textContent = text;
    // the hint over the plot
    hint.textContent = s.total() === 0 ? `Drag here to draw with brush ${s.brushes[active()].name}` : '';
    hint.hidden = !hint.textContent;
  }

  /** Why no samples are shown, in a few words. */
  function whyNone() {
    const st = fig.state;
    if (isDrawing()) return 'samples return when you lift the brush';
    if (st.exact) {
      const names = drawnClasses();
      if (!names.length) return 'draw at least 3 points to sample the exact field';
      if (st.class !== 'null' && !names.includes(st.class))
        return `brush ${st.class} has no points in your drawing`;
      return 'sampling the exact field…';
    }
    if (!fig.model) return '';
    if (!matches())
      return s.total()
        ? 'network samples appear once it is trained on this drawing (or tick ground truth)'
        : '';
    if (fig.model.stepsDone === 0)
      return fig.isTraining()
        ? 'sampling…'
        : 'no network samples before training (tick ground truth for the exact field)';
    return 'sampling…';
  }

  let lastWords = '';
  function describe(set) {
    const counts = s.brushes.map((b, i) => [b.name, b.pts.length, i]).filter((c) => c[1] > 0);
    const keys = counts.length
      ? el(
          'span',
          { class: 'dyo-keys', 'aria-hidden': 'true' },
          counts.map(([, , i]) => el('span', { style: `background:${fig.colorOf(i)}` })),
        )
      : null;
    const drawingLine = el(
      'div',
      {},
      keys,
      `your drawing: ${s.total()} points`,
      counts.length ? ` (${counts.map(([n, k]) => `${n} ${k}`).join(' · ')})` : '',
    );
    const lines = [drawingLine];
    const fieldName = (x) =>
      x.exact ? 'exact field of your drawing' : `network after ${x.weights} training steps`;
    if (set) {
      const color = set.cls === 'null' ? fig.colorOf(-1) : fig.colorOf(colorIdx(set.cls));
      const what =
        set.cls === 'null'
          ? `${set.n} unconditional samples (class null)`
          : `${set.n} samples of class ${set.cls} at w = ${fmt(set.w, 1)}`;
      const stale = set !== sm.live && !(current(set) && set.exact === fig.state.exact);
      lines.push(
        el(
          'div',
          {},
          el('span', { class: 'key', style: `background:${color}`, 'aria-hidden': 'true' }),
          what,
        ),
      );
      lines.push(
        el(
          'div',
          { class: 'sub' },
          `${set.steps} Euler steps, ${fieldName(set)}${set === sm.live ? ' (moving)' : stale ? ' (updating…)' : ''}`,
        ),
      );
      if (set === sm.samples) {
        if (set.metrics) {
          const mt = set.metrics;
          if (set.cls !== 'null') {
            lines.push(
              el(
                'div',
                {
                  title: `Share of the ${set.n} samples whose most likely class under your drawing (each point a Gaussian of σ = ${STD}) is ${set.cls}.`,
                },
                'hit rate ',
                el('b', {}, fmt(mt.hitRate, 2)),
                ` (${Math.round(mt.hitRate * set.n)} of ${set.n})`,
              ),
            );
          }
          lines.push(
            el(
              'div',
              {
                title:
                  'Share of the samples where the density of your drawing is below the level that 99.9% of its own points exceed.',
              },
              'off the drawing ',
              el('b', {}, fmt(mt.offSupport, 2)),
              ` (${Math.round(mt.offSupport * set.n)} of ${set.n})`,
            ),
          );
        } else if (set.measuring) {
          lines.push(el('div', {}, 'hit rate: measuring…'));
        } else {
          lines.push(el('div', {}, 'hit rate: measured once training stops'));
        }
      }
    } else {
      const why = whyNone();
      if (why) lines.push(el('div', { class: 'sub' }, why));
    }
    // the readout is a live region: touch it only when its words change
    const words = lines.map((l) => l.textContent).join('\n');
    if (words !== lastWords) {
      lastWords = words;
      fig.readout(...lines);
    }
    const title = set
      ? `${set.cls === 'null' ? 'unconditional samples' : `samples of ${set.cls}, w = ${fmt(set.w, 1)}`} · ${set.exact ? 'exact field' : `network, step ${set.weights}`}`
      : 'your drawing';
    plot.setTitle(title);
    plot.setLabel(
      `Your drawing: ${s.total()} points${counts.length ? ` (${counts.map(([n, k]) => `${k} of class ${n}`).join(', ')})` : ''}.` +
        (set
          ? ` Over it, ${set.n} samples of ${set.cls === 'null' ? 'the unconditional model' : `class ${set.cls} at guidance w = ${fmt(set.w, 1)}`} from the ${fieldName(set)}.`
          : '') +
        (set?.metrics && set.cls !== 'null' ? ` Hit rate ${fmt(set.metrics.hitRate, 2)}.` : ''),
    );
  }

  return { refreshStatus, describe };
}
