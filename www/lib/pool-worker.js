// A worker of the page's pool (pool.js): instantiates the page's compiled wasm module, then runs
// chunks of jobs. Requests (rpc.js):
//   init {module}                     the page's WebAssembly.Module (chunks wait for it)
//   prepare {url, key, common}        makes job `key`'s state: the module at `url` (same origin
//                                     only) loaded, its `prepare(wasm, common)`, kept until `drop`
//   chunk {url, method, key, args}    runs `method(args, state, ctx, wasm)` of that module with
//                                     job `key`'s state; the result is the method's
//   drop {key}                        forgets job `key`'s state (the module's `release(state)`)
// A chunk module exports `prepare`, `release` (both optional) and its chunk methods; a long
// method works in slices, `await pause()` between them, and returns once `ctx.cancelled`.
import { serve } from './rpc.js';
import { loadBindings, useModule } from './wasm.js';

let initialised;
const given = new Promise((resolve) => {
  initialised = resolve;
});
const ready = given.then(() => loadBindings());
/** Per job key: {module, state} (a promise of it while it is being made). */
const jobs = new Map();

async function load(url) {
  const u = new URL(url, self.location.href);
  if (u.origin !== self.location.origin) throw new Error(`a pool chunk module must be on this site: ${url}`);
  return import(u.href);
}

function stateOf(key, url, common) {
  let s = jobs.get(key);
  if (!s) {
    if (common === undefined) throw new Error(`job ${key} is unknown here`);
    s = (async () => {
      const [wasm, module] = await Promise.all([ready, load(url)]);
      return { module, state: module.prepare ? await module.prepare(wasm, common) : common };
    })();
    jobs.set(key, s);
  }
  return s;
}

serve({
  init({ module }) {
    useModule(module);
    initialised();
  },

  async prepare({ url, key, common }) {
    await stateOf(key, url, common);
  },

  async chunk({ url, method, key, args }, ctx) {
    const wasm = await ready;
    const { module, state } = await stateOf(key, url);
    const f = Object.hasOwn(module, method) ? module[method] : null;
    if (typeof f !== 'function') throw new Error(`unknown chunk method '${method}'`);
    return f(args, state, ctx, wasm);
  },

  async drop({ key }) {
    const s = jobs.get(key);
    if (!s) return;
    jobs.delete(key);
    try {
      const { module, state } = await s;
      module.release?.(state);
    } catch {
      // a job whose state could not be made has nothing to free
    }
  },
});
