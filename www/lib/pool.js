// One pool of Web Workers for the whole page (pool-worker.js, speaking rpc.js), for the figures'
// batch computations: the guidance lab's frontier, the probability paths' exact densities, the
// CFG grid's cells, the temperature figure's grids. Training is not pooled: each run has its
// own worker (shell/training-run.js).
//
// - Size: navigator.hardwareConcurrency − 1, at least 1, at most MAX_WORKERS; the page's
//   `?workers=N` sets it (configurePool). Workers start when a chunk first needs one, and all
//   instantiate the one WebAssembly.Module the page compiled (wasm.js wasmModule).
// - A job is a list of chunks, each a pure function of the job and its index: chunk k's arguments
//   are the job's to choose (seeds from the job's seed and k, never from the pool), so the
//   results are the same numbers whatever the pool's size. `done` gives them in chunk order.
// - Each chunk runs `method` of the job's module (a URL, loaded by the worker) on its arguments
//   and the job's `common` part (sent once to each worker that runs a chunk of it, and made into
//   objects there by the module's `prepare`: a Model from its file, say). A new job readies its
//   workers at once (started, its state prepared), even while its owner is paused.
// - Jobs belong to an owner (a figure, through the shell): cancelling a job, or all of an
//   owner's, stops its running chunks and drops the others; a paused owner's chunks wait (a figure
//   off-screen does no background work) and go on when it resumes. An owner hears `onBusy(true)`
//   when it gets unfinished work and `onBusy(false)` when it has none left.
import { WorkerClient, Cancelled } from './rpc.js';
import { wasmModule } from './wasm.js';

/** The most workers a page starts. */
export const MAX_WORKERS = 8;

/** The pool's size where the page does not set one: one core left for the page. */
export function defaultWorkers() {
  const cores = Number(globalThis.navigator?.hardwareConcurrency) || 2;
  return Math.min(MAX_WORKERS, Math.max(1, Math.floor(cores) - 1));
}

let size = defaultWorkers();
let pool = null;

/** Sets the pool's size (1 to MAX_WORKERS): before its first job, or at any time for the next chunks. */
export function configurePool({ workers }) {
  size = Math.min(MAX_WORKERS, Math.max(1, Math.round(workers)));
  pool?.resize(size);
}

/** The page's pool (made on first use; its workers start with the first chunk). */
export function pagePool() {
  pool ??= new Pool(size);
  return pool;
}

let nextKey = 1;

/**
 * The pool. Scheduling: a free worker takes the best waiting chunk of any job whose owner is not
 * paused, by the owner's rank (lowest first: the figure nearest the middle of the window), then
 * the job's `priority(k)`, then the job's age, then k.
 */
export class Pool {
  constructor(workers) {
    this.size = workers;
    this.workers = []; // {client, commons: Set(key), chunk: null | {task, k, call}}
    this.tasks = new Set();
  }

  /** A new owner: its jobs, pause and busy state. `onBusy(busy)` hears its changes. */
  owner({ onBusy = () => {}, rank = () => 0 } = {}) {
    return new Owner(this, onBusy, rank);
  }

  resize(n) {
    this.size = n;
    this.pump();
  }

  pump() {
    // each owner's rank read once per pump (a figure's place on the page: reading it lays the
    // page out), and not at all while one owner alone has chunks waiting
    const ranks = new Map();
    for (;;) {
      if (!this.workers.some((w) => !w.chunk) && this.workers.length >= this.size) return;
      const pick = this.best(ranks);
      if (!pick) return;
      let worker = this.workers.find((w) => !w.chunk);
      if (!worker && this.workers.length < this.size) worker = this.start();
      if (!worker) return;
      this.dispatch(worker, pick.task, pick.k);
    }
  }

  best(ranks = new Map()) {
    let best = null;
    let owner = null;
    let several = false;
    for (const task of this.tasks) {
      if (task.owner.paused || !task.waiting.size) continue;
      if (owner && owner !== task.owner) several = true;
      owner = task.owner;
    }
    for (const task of this.tasks) {
      if (task.owner.paused || !task.waiting.size) continue;
      if (several && !ranks.has(task.owner)) ranks.set(task.owner, task.owner.rank());
      const rank = several ? ranks.get(task.owner) : 0;
      for (const k of task.waiting) {
        const key = [rank, task.priority(k), task.serial, k];
        if (!best || less(key, best.key)) best = { task, k, key };
      }
    }
    return best;
  }

  start() {
    const worker = { client: null, commons: new Set(), chunk: null };
    worker.client = new WorkerClient(new URL('./pool-worker.js', import.meta.url), {
      onFail: (message) => this.lost(worker, `a pool worker stopped: ${message}`),
    });
    // the page's compiled module, posted once: the worker instantiates it (its chunks wait)
    wasmModule().then(
      (module) => worker.client.call('init', { module }).catch(() => {}),
      (e) => worker.client.fail(e.message),
    );
    this.workers.push(worker);
    return worker;
  }

  /**
   * Readies workers for `task` before its chunks may run (its owner may be paused: a figure about
   * to come into view): up to as many as it has chunks are started, and each makes the job's
   * state (its module loaded, its common part prepared), so that its first chunks start at once.
   */
  warm(task) {
    const want = Math.min(this.size, task.chunks.length);
    while (this.workers.length < want) this.start();
    for (const w of this.workers.slice(0, want)) this.share(w, task);
  }

  /** Sends `task`'s common part to `worker` once; later chunks of it name it by key only. */
  share(worker, task) {
    if (worker.commons.has(task.key)) return;
    worker.commons.add(task.key);
    worker.client.call('prepare', { url: task.url, key: task.key, common: task.common }).catch((e) => {
      // a worker retired (the pool made smaller) takes nothing with it: the job's chunks go elsewhere
      if (!e.cancelled) task.fail(e);
    });
  }

  dispatch(worker, task, k) {
    task.waiting.delete(k);
    this.share(worker, task);
    const args = { url: task.url, method: task.method, key: task.key, args: task.chunks[k] };
    const call = worker.client.call('chunk', args);
    worker.chunk = { task, k, call };
    call.then(
      (result) => {
        if (worker.chunk?.call === call) worker.chunk = null;
        task.finish(k, result);
        this.trim();
        this.pump();
      },
      (e) => {
        if (worker.chunk?.call === call) worker.chunk = null;
        if (!e.cancelled) task.fail(e);
        this.trim();
        this.pump();
      },
    );
  }

  /** Retires idle workers beyond the size (after a resize down). */
  trim() {
    while (this.workers.length > this.size) {
      const idle = this.workers.findLastIndex((w) => !w.chunk);
      if (idle < 0) return;
      this.workers[idle].client.terminate();
      this.workers.splice(idle, 1);
    }
  }

  /** A worker died: its chunk's job fails with the message; the others go on in new workers. */
  lost(worker, message) {
    this.workers = this.workers.filter((w) => w !== worker);
    worker.chunk?.task.fail(new Error(message));
    worker.chunk = null;
    this.pump();
  }

  /** A job ended (done, failed or cancelled): its running chunks stop, workers forget its common part. */
  ended(task) {
    this.tasks.delete(task);
    for (const w of this.workers) {
      if (w.chunk?.task === task) {
        w.client.cancel(w.chunk.call);
        w.chunk = null;
      }
      if (w.commons.delete(task.key)) w.client.call('drop', { key: task.key }).catch(() => {});
    }
    task.owner.update();
    this.pump();
  }
}

function less(a, b) {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

/** One figure's side of the pool. */
class Owner {
  constructor(pool, onBusy, rank) {
    this.pool = pool;
    this.onBusy = onBusy;
    this.rank = rank;
    this.paused = false;
    this.tasks = new Set();
    this.busy = false;
  }

  /**
   * Runs a job: `chunks[k]` (structured-clonable) are the arguments of chunk k, `method` of the
   * module at `url` runs each (with `common`, the job's shared part); `onChunk(k, result)` hears
   * each result as it arrives, `priority(k)` orders the waiting chunks (lower first; read again
   * at each dispatch). Returns the job: `done` resolves with the results in chunk order, rejects
   * with the first error (or a Cancelled); `cancel()` stops it.
   */
  run({ url, method, common = null, chunks, onChunk = () => {}, priority = () => 0 }) {
    const task = new Task(this, { url: String(url), method, common, chunks, onChunk, priority });
    this.tasks.add(task);
    this.pool.tasks.add(task);
    this.update();
    if (chunks.length === 0) task.settle();
    else this.pool.warm(task);
    this.pool.pump();
    return task;
  }

  /** Holds this owner's waiting chunks (running ones finish); resume() lets them go on. */
  pause() {
    this.paused = true;
  }

  resume() {
    if (!this.paused) return;
    this.paused = false;
    this.pool.pump();
  }

  /** Cancels every job of this owner. */
  cancelAll() {
    for (const t of [...this.tasks]) t.cancel();
  }

  update() {
    const busy = this.tasks.size > 0;
    if (busy !== this.busy) {
      this.busy = busy;
      this.onBusy(busy);
    }
  }
}

let serials = 0;

class Task {
  constructor(owner, { url, method, common, chunks, onChunk, priority }) {
    this.owner = owner;
    this.url = url;
    this.method = method;
    this.common = common;
    this.chunks = chunks;
    this.onChunk = onChunk;
    this.priority = priority;
    this.serial = ++serials;
    this.key = nextKey++;
    this.waiting = new Set(chunks.keys());
    this.results = new Array(chunks.length);
    this.left = chunks.length;
    this.over = false;
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.done.catch(() => {}); // a job nobody awaits may fail quietly
  }

  finish(k, result) {
    if (this.over) return;
    this.results[k] = result;
    this.left -= 1;
    try {
      this.onChunk(k, result);
    } catch (e) {
      this.fail(e);
      return;
    }
    if (this.left === 0) this.settle();
  }

  settle() {
    this.end();
    this.resolve(this.results);
  }

  fail(e) {
    if (this.over) return;
    this.end();
    this.reject(e);
  }

  /** Stops the job: its running chunks are cancelled, the waiting ones dropped; `done` rejects. */
  cancel() {
    if (this.over) return;
    this.end();
    this.reject(new Cancelled());
  }

  end() {
    this.over = true;
    this.waiting.clear();
    this.owner.tasks.delete(this);
    this.owner.pool.ended(this);
  }
}
