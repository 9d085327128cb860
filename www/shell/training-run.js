// The page's side of "train in your browser": one Web Worker per run (training-worker.js, through the
// request layer of rpc.js), stopped by terminating it.
import { WorkerClient } from '../lib/rpc.js';

export class Training {
  /**
   * @param spec  { dataset, options, drawn, kind, teacher }
   * @param on    { progress(msg), done(msg), error(msg) }   msg of error: { message, step }
   */
  constructor(spec, on) {
    this.spec = spec;
    this.on = on;
    this.client = null;
    this.running = false;
  }

  start() {
    this.stop();
    const client = new WorkerClient(new URL('./training-worker.js', import.meta.url));
    this.client = client;
    this.running = true;
    client.call('train', this.spec, { onProgress: (m) => this.on.progress?.(m) }).then(
      (m) => {
        if (this.client !== client) return;
        this.stop();
        this.on.done?.(m);
      },
      (e) => {
        if (this.client !== client || e.cancelled) return;
        this.stop();
        this.on.error?.({ message: e.message || 'the training worker failed', step: e.step ?? 0 });
      },
    );
  }

  stop() {
    this.client?.terminate();
    this.client = null;
    this.running = false;
  }
}
