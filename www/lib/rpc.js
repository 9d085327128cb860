// One protocol between the page and its Web Workers: requests with ids, progress on the way,
// one result or one error each, and cancellation. Used by the training worker
// (shell/training-worker.js), the draw-your-own sampler and the page's worker pool (pool.js).
//
// Page → worker:  {id, method, args}      a request
//                 {id, cancel: true}      cancel request `id` (its handler sees ctx.cancelled)
// Worker → page:  {id, progress}          any number, before the end
//                 {id, result}            the end: the handler's value
//                 {id, error, data}       the end: the handler threw (data: its fields, say a step)
// A cancelled request ends with an error whose `cancelled` is true. Progress and ends of requests
// the page no longer waits for (cancelled, or the client terminated) are dropped.

/** Thrown (page side) for a request that was cancelled or whose worker was terminated. */
export class Cancelled extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.cancelled = true;
  }
}

/** A value sent with `transfer` (ArrayBuffers moved, not copied): return it from a handler. */
export function transferred(value, transfer) {
  return { [TRANSFER]: true, value, transfer };
}
const TRANSFER = Symbol('transfer');

/**
 * The page's side of one worker. `url`: the worker module. `onFail(message)` hears when the
 * worker cannot start or dies; every pending request is then rejected with that message.
 */
export class WorkerClient {
  constructor(url, { onFail = () => {} } = {}) {
    this.pending = new Map();
    this.next = 1;
    this.onFail = onFail;
    this.worker = new Worker(url, { type: 'module' });
    this.worker.onmessage = (e) => this.receive(e.data);
    this.worker.onerror = (e) => {
      e.preventDefault?.();
      this.fail(e.message || 'the worker failed to start');
    };
    this.worker.onmessageerror = () => this.fail('a message from the worker could not be read');
  }

  /**
   * Sends request `method(args)`; resolves with its result, rejects with an Error (its `data`
   * fields copied onto it) or a Cancelled. `onProgress(progress)` hears the progress messages;
   * `transfer` lists ArrayBuffers to move. The promise has the request's `id`, for `cancel`.
   */
  call(method, args = {}, { onProgress = null, transfer = [] } = {}) {
    const id = this.next++;
    let settle;
    const promise = new Promise((resolve, reject) => {
      settle = { resolve, reject, onProgress };
    });
    promise.id = id;
    if (!this.worker) {
      settle.reject(new Cancelled('the worker was terminated'));
      return promise;
    }
    this.pending.set(id, settle);
    this.worker.postMessage({ id, method, args }, transfer);
    return promise;
  }

  /** Cancels request `id` (a call's promise or its id): it rejects with Cancelled now. */
  cancel(id) {
    const key = typeof id === 'object' ? id?.id : id;
    const p = this.pending.get(key);
    if (!p) return;
    this.pending.delete(key);
    this.worker?.postMessage({ id: key, cancel: true });
    p.reject(new Cancelled());
  }

  /** Stops the worker at once; pending requests reject with Cancelled. */
  terminate() {
    this.worker?.terminate();
    this.worker = null;
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(new Cancelled('the worker was terminated'));
  }

  /** Whether requests are pending. */
  get busy() {
    return this.pending.size > 0;
  }

  receive(m) {
    const p = this.pending.get(m?.id);
    if (!p) return;
    if ('progress' in m) {
      p.onProgress?.(m.progress);
      return;
    }
    this.pending.delete(m.id);
    if ('error' in m) p.reject(Object.assign(new Error(m.error), m.data ?? {}));
    else p.resolve(m.result);
  }

  fail(message) {
    this.worker?.terminate();
    this.worker = null;
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(new Error(message));
    this.onFail(message);
  }
}

/** Lets the worker's event loop run (incoming messages, cancellations) before going on. */
export function pause() {
  return new Promise((resolve) => {
    // a MessageChannel message, not setTimeout: nested timeouts are clamped to 4 ms
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}

/**
 * The worker's side: answers requests with `handlers[method](args, ctx)` (a value or a promise;
 * `transferred(value, buffers)` moves buffers). `ctx`: `{id, cancelled, progress(value,
 * transfer)}`; a long handler works in slices, `await pause()` between them, and returns (or
 * throws) once `ctx.cancelled`. An error's own fields (say `step`) travel with its message.
 * `scope` is the worker's global (a stand-in in tests).
 */
export function serve(handlers, scope = self) {
  const running = new Map();
  const post = (m, transfer = []) => scope.postMessage(m, transfer);
  scope.onmessage = async (e) => {
    const m = e.data;
    if (m?.cancel) {
      const ctx = running.get(m.id);
      if (ctx) ctx.cancelled = true;
      return;
    }
    if (typeof m?.id !== 'number') return;
    const ctx = {
      id: m.id,
      cancelled: false,
      progress(value, transfer = []) {
        if (!ctx.cancelled) post({ id: m.id, progress: value }, transfer);
      },
    };
    running.set(m.id, ctx);
    try {
      const handler = Object.hasOwn(handlers, m.method) ? handlers[m.method] : null;
      if (typeof handler !== 'function') throw new Error(`unknown request '${m.method}'`);
      const out = await handler(m.args ?? {}, ctx);
      if (ctx.cancelled) post({ id: m.id, error: 'cancelled', data: { cancelled: true } });
      else if (out?.[TRANSFER]) post({ id: m.id, result: out.value }, out.transfer);
      else post({ id: m.id, result: out });
    } catch (err) {
      const data = {};
      for (const [k, v] of Object.entries(err ?? {})) if (typeof v !== 'function') data[k] = v;
      if (ctx.cancelled) data.cancelled = true;
      post({ id: m.id, error: String(err?.message ?? err), data });
    } finally {
      running.delete(m.id);
    }
  };
}
