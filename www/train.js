// The page's side of "train in your browser": one Web Worker per run, stopped by terminating it.
export class Training {
  /**
   * @param spec  { dataset, options, drawn }
   * @param on    { progress(msg), done(msg), error(msg) }
   */
  constructor(spec, on) {
    this.spec = spec;
    this.on = on;
    this.worker = null;
    this.running = false;
  }

  start() {
    this.stop();
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.running = true;
    this.worker.onmessage = (e) => {
      const m = e.data;
      if (m.type === 'progress') this.on.progress?.(m);
      if (m.type === 'done' || m.type === 'error') {
        this.running = false;
        this.worker?.terminate();
        this.worker = null;
        (m.type === 'done' ? this.on.done : this.on.error)?.(m);
      }
    };
    this.worker.onerror = (e) => {
      this.running = false;
      this.on.error?.({ message: e.message || 'the training worker failed to start', step: 0 });
    };
    this.worker.postMessage({ type: 'start', ...this.spec });
  }

  stop() {
    this.worker?.terminate();
    this.worker = null;
    this.running = false;
  }
}
