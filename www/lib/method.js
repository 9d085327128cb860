// The guidance method a flow follows. A figure names it (a method of crate/src/method.rs and its
// options) and gets a wasm `Method` handle for the one flow export,
// `flow.advanceFor(method, model, budgetMs, steps)`. Handles are made once per setting and reused,
// so a frame allocates nothing; the most recent settings are kept and older handles freed, which
// is safe because a handle is only used within the call that asked for it.

const KEEP = 32;
const caches = new WeakMap(); // wasm bindings → Map(key → handle), least recently used first
const ids = new WeakMap(); // classifier or guide handle → a number for the key
let nextId = 1;

/**
 * The `Method` handle of `wasm` (the bindings) for method `name` with `options` ({w, exact,
 * lambdaMax, gamma, tau, temperature, clock, tLo, tHi, zeroSteps, eta, normThreshold, momentum,
 * guideWiden}); classifier guidance by a network also takes the `classifier` handle (shared: its
 * new weights are used too), autoguidance by a network the `guide` model (a snapshot of its
 * weights is taken when the handle is made: pass a new Model for new guide weights).
 */
export function method(wasm, name, options = {}, classifier = null, guide = null) {
  let cache = caches.get(wasm);
  if (!cache) {
    cache = new Map();
    caches.set(wasm, cache);
  }
  let key = `${name} ${JSON.stringify(options)}`;
  if (classifier) {
    if (!ids.has(classifier)) ids.set(classifier, nextId++);
    key += ` #${ids.get(classifier)}`;
  }
  if (guide) {
    if (!ids.has(guide)) ids.set(guide, nextId++);
    key += ` guide #${ids.get(guide)}`;
  }
  let m = cache.get(key);
  if (m) {
    cache.delete(key);
  } else {
    m = new wasm.Method(name, options);
    if (classifier) m.setClassifier(classifier);
    if (guide) m.setGuide(guide);
    if (cache.size >= KEEP) {
      const [oldest, old] = cache.entries().next().value;
      cache.delete(oldest);
      old.free();
    }
  }
  cache.set(key, m);
  return m;
}

const tables = new WeakMap(); // wasm bindings → Map(name → row of the method table)

/**
 * The method table of `wasm` (its `methodTable()`, the rows of crate/src/method/table.rs), by
 * name: each row's name, needs ('nothing' | 'classifier' | 'guide' | 'student'), exact (runs on
 * the exact field), flow, solver and params.
 */
export function methodTable(wasm) {
  let t = tables.get(wasm);
  if (!t) {
    t = new Map(wasm.methodTable().map((row) => [row.name, row]));
    tables.set(wasm, t);
  }
  return t;
}

/** What method `name` needs besides its velocity source: 'nothing', 'classifier', 'guide' or 'student'. */
export function needs(wasm, name) {
  const row = methodTable(wasm).get(name);
  if (!row) throw new Error(`no method '${name}'`);
  return row.needs;
}

/** Plain CFG at guidance `w` (with `exact`, the data's exact field instead of the network). */
export function cfg(wasm, w, exact = false) {
  return method(wasm, 'cfg', { w, exact });
}
