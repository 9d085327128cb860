// "Train in your browser": the training panel of a figure (its settings, Start/Stop, Back to
// pretrained, progress, and the loss chart), the run in a worker (www/shell/training-run.js), and what
// happens when a run diverges or fails: the figure keeps its last good weights and offers Reset.
import { el, fmt } from '../lib/dom.js';
import { Chart, linearTicks, logTicks, niceLog } from '../lib/chart.js';
import { Training } from './training-run.js';
import { TRAIN_KEYS } from './params.js';
import { slot, spent } from './loop.js';

export class TrainingPanel {
  /**
   * `fig`: the figure; `shell`: what the panel needs of the shell: `useModel(model, pretrained)`,
   * `loadPretrained()`, `changed(keys)` (new weights) and `controls` (a Controls, for the
   * training settings).
   */
  constructor(fig, shell) {
    this.fig = fig;
    this.shell = shell;
    this.run = null;
    // the model shown before the current training run (model file text, or null for the
    // pretrained one): what Reset goes back to after a divergence
    this.lastGood = null;
    this.losses = [];
    // new weights that a figure out of view has not yet shown (resume() shows them)
    this.stale = false;
    // the newest progress message not yet applied, and whether a slot of the animation loop
    // (loop.js: after a frame, its time counted against the next) is asked for to apply it: the
    // worker's messages are coalesced to one weights update and one loss-chart redraw per frame
    this.latest = null;
    this.applying = false;
    const def = fig.def;
    this.label = def.trainLabel ?? 'Train from scratch';
    this.progress = el('progress', { max: 1, value: 0, 'aria-label': 'training progress' });
    this.statusEl = el('span', { class: 'status' });
    this.lossChart = new Chart({ className: 'loss', label: 'training loss curve' });
    // a figure that starts from shipped weights (reflow, distillation) names its own run
    this.startBtn = el(
      'button',
      { type: 'button', onclick: () => (this.running ? this.stop() : this.start()) },
      this.label,
    );
    this.resetBtn = el(
      'button',
      {
        type: 'button',
        onclick: () => {
          this.stop();
          shell.loadPretrained();
        },
      },
      def.resetLabel ?? 'Back to pretrained',
    );
    this.element = null;
  }

  get running() {
    return !!this.run?.running;
  }

  /** The panel's <details>, with the controls of the training settings not in `hidden`. */
  build(hidden) {
    const { fig, shell } = this;
    const trainControls = el('div', { class: 'controls train-controls' });
    for (const key of TRAIN_KEYS) {
      if (hidden.has(key)) continue;
      const row = shell.controls.make(key);
      if (row) trainControls.append(row);
    }
    this.element = el(
      'details',
      {},
      el('summary', {}, 'Train in your browser'),
      el(
        'p',
        { class: 'note' },
        fig.def.trainNote ??
          'Trains a fresh network in a background worker (the same Rust code, compiled to WebAssembly); the figure follows it as it learns.',
      ),
      trainControls,
      el('div', { class: 'buttons' }, this.startBtn, this.resetBtn),
      el('div', { class: 'progress-row' }, this.progress, this.statusEl),
      this.lossChart.svg,
    );
    return this.element;
  }

  status(text) {
    this.statusEl.textContent = text;
  }

  /** A new model replaced the trained one: the run (if any) ends, and so does its record. */
  forget() {
    this.drop();
    this.run?.stop();
    this.run = null;
    this.stale = false;
  }

  drawLoss() {
    const pts = this.losses.filter((l) => Number.isFinite(l.loss) && l.loss > 0);
    const chart = this.lossChart;
    const frame = { width: 240, height: 84, pad: { l: 36, r: 8, t: 14, b: 30 } };
    if (pts.length < 2) {
      chart.frame({ ...frame, x: { domain: [0, 1] }, y: { domain: [0, 1] } });
      return;
    }
    const vals = pts.map((p) => p.loss);
    const lo = niceLog(Math.min(...vals), -1);
    const hi = niceLog(Math.max(...vals), 1);
    const ticks = logTicks(lo, hi, [1, 2, 5]);
    const maxStep = pts[pts.length - 1].step;
    chart
      .frame({
        ...frame,
        x: {
          domain: [0, maxStep],
          ticks: linearTicks(0, maxStep, 3),
          format: String,
          grid: false,
          title: 'training step',
        },
        y: {
          scale: 'log',
          domain: [lo, hi],
          ticks: ticks.length > 3 ? logTicks(lo, hi) : ticks,
          grid: false,
        },
      })
      .axes();
    const last = pts[pts.length - 1];
    chart.line(
      pts.map((p) => [p.step, p.loss]),
      { class: 'curve' },
    );
    // invisible: the points the hover read-out finds
    chart.points(
      pts.map((p) => ({ x: p.step, y: p.loss, readout: `step ${p.step}: loss ${fmt(p.loss, 3)}` })),
      { class: 'hit' },
      2,
    );
    chart.text(chart.plot.l, 10, `loss (log scale) ${fmt(last.loss, 3)}`, { class: 'title' });
    chart.describe(
      `training loss (log scale) against step: ${fmt(pts[0].loss, 3)} at step ${pts[0].step}, ${fmt(last.loss, 3)} at step ${last.step}`,
    );
  }

  async start() {
    const { fig, shell } = this;
    const { state, wasm, def } = fig;
    const options = {
      lr: state.lr,
      width: state.width,
      depth: state.depth,
      dropout: state.dropout,
      steps: state.trainSteps,
      seed: state.seed ?? 0,
      batch: 256,
    };
    const drawn = def.drawn?.(fig) ?? null;
    const dataset = drawn ? 'custom' : state.dataset;
    // a figure that trains something else than its velocity model (a classifier, say) says so
    // with `training: {kind, spec(fig) (more for the worker), begin(fig, options), setParams(fig, params, step)}`
    const custom = def.training ?? null;
    let m;
    try {
      if (custom) custom.begin(fig, options);
      else m = wasm.Model.untrained(dataset, JSON.stringify(options), drawn ? JSON.stringify(drawn) : '');
    } catch (e) {
      fig.message(e.message);
      return;
    }
    fig.message('');
    try {
      this.lastGood = fig.pretrained ? null : (fig.model?.toJson('f32') ?? null);
    } catch {
      this.lastGood = null;
    }
    if (custom) {
      fig.trainedModelText = null;
      fig.pretrained = false;
      shell.changed(['model']);
    } else shell.useModel(m, false);
    this.losses = [];
    this.progress.max = options.steps;
    this.progress.value = 0;
    this.startBtn.textContent = 'Stop';
    this.status('starting the worker…');
    this.run = new Training(
      { dataset, options, drawn, kind: custom?.kind, ...(custom?.spec?.(fig) ?? {}) },
      {
        progress: (msg) => {
          this.losses.push({ step: msg.step, loss: msg.loss });
          this.latest = msg;
          if (this.applying) return;
          this.applying = true;
          slot().then(() => {
            if (!this.applying) return;
            this.applying = false;
            const t0 = performance.now();
            this.apply();
            spent(performance.now() - t0);
          });
        },
        done: (msg) => {
          this.flush();
          // what a figure that trains something else (a classifier, a student) exports
          if (custom) fig.trainedModelText = msg.model;
          this.startBtn.textContent = this.label;
          this.status(`trained ${msg.step} steps · loss ${fmt(this.losses.at(-1)?.loss, 3)}`);
        },
        error: (msg) => {
          this.flush();
          this.startBtn.textContent = this.label;
          if (/diverged/.test(msg.message)) {
            this.diverged(msg.step, msg.message);
            return;
          }
          this.status('');
          fig.message(
            `Training stopped at step ${msg.step}: ${msg.message}. The figure keeps the last good weights.`,
            [this.resetAction()],
          );
        },
      },
    );
    this.run.start();
  }

  /** Applies the newest progress message: its weights, the progress bar, the status and the loss chart. */
  apply() {
    const msg = this.latest;
    if (!msg) return;
    this.latest = null;
    const fig = this.fig;
    const custom = fig.def.training ?? null;
    try {
      if (custom) custom.setParams(fig, msg.params, msg.step);
      else fig.model.setParams(msg.params, msg.step);
    } catch (e) {
      // non-finite weights never reach the figure: keep the last good ones
      this.stop();
      this.diverged(msg.step, e.message);
      return;
    }
    this.progress.value = msg.step;
    this.status(
      `step ${msg.step} / ${msg.total} · loss ${fmt(msg.loss, 3)} · ${Math.round(msg.stepsPerSec)} steps/s`,
    );
    // out of view, the worker trains on, and the figure catches up when the reader comes back
    this.stale = true;
    if (fig.visible) this.resume();
  }

  /** Applies a progress message still waiting for its slot (before the run's end, or a stop). */
  flush() {
    this.applying = false;
    this.apply();
  }

  /** Forgets a progress message still waiting for its slot (a new model replaces the trained one). */
  drop() {
    this.applying = false;
    this.latest = null;
  }

  /** Shows the newest weights and loss curve, if the figure has not yet. */
  resume() {
    if (!this.stale) return;
    this.stale = false;
    this.drawLoss();
    this.shell.changed(['model']);
  }

  /** Training stopped because it diverged: say so, keep the last finite weights, offer Reset. */
  diverged(step, why) {
    const loss = /loss ([^)]+)\)/.exec(String(why))?.[1];
    this.status(`diverged at step ${step}`);
    this.fig.host.dataset.cfgTraining = 'diverged';
    this.fig.message(
      `Training diverged at step ${step}${loss ? ` (loss ${loss})` : ''}: lower the learning rate. The figure shows the last good weights; Reset restores the model from before this run.`,
      [this.resetAction()],
    );
  }

  resetAction() {
    const { fig, shell } = this;
    return el(
      'button',
      {
        type: 'button',
        class: 'small reset',
        onclick: () => {
          fig.message('');
          delete fig.host.dataset.cfgTraining;
          if (this.lastGood) {
            try {
              shell.useModel(fig.wasm.Model.fromJson(this.lastGood), false);
              this.status('restored the model from before the run');
              return;
            } catch (e) {
              console.warn(
                `cfg-playground ${fig.def.id}: could not restore the previous model (${e.message}); loading the pretrained one`,
              );
            }
          }
          shell.loadPretrained();
        },
      },
      'Reset',
    );
  }

  stop() {
    this.flush();
    if (this.running) this.status(`stopped at step ${this.progress.value}`);
    this.run?.stop();
    this.startBtn.textContent = this.label;
  }
}
