// Trains a model off the main thread with the same wasm build, answering one request (rpc.js):
//   train {dataset, options, drawn, kind, teacher}   options/drawn: plain objects (drawn may be
//     null); kind 'classifier' trains a classifier instead of a velocity model, kind 'reflow'
//     (with teacher: a model file's text) one reflow round of that model, kind 'distill' (with
//     teacher) a student distilled from it
//   progress {step, total, loss, stepsPerSec, params}   params: Float32Array (transferred)
//   result {step, model}                                 model: model file text
//   error: its message, with {step}
//   memory {}                                            {bytes, variant}: the worker's wasm memory
//     in bytes and the wasm build it loaded (www/lib/wasm.js); answered between slices of a run
// The page stops a run by terminating the worker (training-run.js).
import { loadBindings, variant } from '../lib/wasm.js';
import { serve, pause } from '../lib/rpc.js';

const ready = loadBindings();

/** An error that says at which training step it happened. */
const atStep = (err, step) => Object.assign(new Error(err?.message ?? String(err)), { step });

serve({
  async memory() {
    const { wasmMemoryBytes } = await ready;
    return { bytes: wasmMemoryBytes(), variant };
  },

  async train(m, ctx) {
    const { Trainer } = await ready;
    let tr;
    try {
      // kind 'classifier': a classifier p(c | x_t, t) of a built-in data set; else a velocity model
      // kind 'reflow': one reflow round of the velocity model file m.teacher
      const options = JSON.stringify(m.options ?? {});
      if (m.kind === 'classifier') tr = Trainer.classifier(m.dataset, options);
      else if (m.kind === 'reflow') tr = Trainer.reflow(m.teacher ?? '', options);
      else if (m.kind === 'distill') tr = Trainer.distill(m.teacher ?? '', options);
      else tr = new Trainer(m.dataset, options, m.drawn ? JSON.stringify(m.drawn) : '');
    } catch (err) {
      throw atStep(err, 0);
    }
    const total = tr.totalSteps;
    let last = performance.now();
    let lastStep = 0;
    let lossSum = 0;
    let lossN = 0;
    while (!ctx.cancelled) {
      const t0 = performance.now();
      try {
        // about 30 ms of work between reports and incoming messages
        while (performance.now() - t0 < 30 && tr.stepsDone < total) {
          const n = Math.min(4, total - tr.stepsDone);
          lossSum += tr.train(n) * n;
          lossN += n;
        }
      } catch (err) {
        throw atStep(err, tr.stepsDone);
      }
      const now = performance.now();
      if (now - last > 150 || tr.stepsDone >= total) {
        const params = tr.params();
        const rate = ((tr.stepsDone - lastStep) * 1000) / Math.max(1, now - last);
        ctx.progress(
          { step: tr.stepsDone, total, loss: lossSum / Math.max(1, lossN), stepsPerSec: rate, params },
          [params.buffer],
        );
        last = now;
        lastStep = tr.stepsDone;
        lossSum = 0;
        lossN = 0;
      }
      if (tr.stepsDone >= total) return { step: tr.stepsDone, model: tr.toJson('f32') };
      await pause();
    }
    return null;
  },
});
