// What a change invalidates, declared once per setting and dispatched by the shell: the one place
// that switches on which settings changed. A figure no longer writes `update(keys)` with its own
// rules for hard rebuilds, soft restarts and new weights.
//
// In a figure definition:
//   params:  each setting says what a change to it invalidates: `effect: 'restart'` (or a list of
//            effects, for a setting that touches independent parts). `fx('restart', P.n(), P.seed())`
//            gives entries that effect. The training settings (lr, width, …) take none: they
//            only matter to the next run.
//   on:      the effects of changes that are not settings: `model` (new weights: a training step,
//            or a new model, which also changes `dataset` and `class`), and any key a figure
//            sends itself with fig.changed(key). Default { model: 'weights' }.
//   effects: the figure's effects, strongest first: one chain, in which only the strongest
//            effect triggered by a change runs (a restart includes a redraw), or a list of chains
//            for independent parts (each chain runs its strongest). Default: every effect named
//            by the settings, in the order first named, as one chain.
// The figure's create() returns a handler per effect, `[effect](keys)`, and may return
// `changed(keys)`, called after the handlers of every change (read-outs, titles, a redraw).

/** Copies of setting entries with `effect` set: `...fx('restart', P.n(), P.seed())`. */
export function fx(effect, ...entries) {
  return entries.map((p) => ({ ...p, effect }));
}

const list = (x) => (x === undefined || x === null ? [] : Array.isArray(x) ? x : [x]);
const onOf = (def) => ({ model: 'weights', ...def.on });

/** The effect names of key `key` in figure `def` (a setting's `effect`, or `def.on[key]`). */
export function effectsOf(def, key) {
  const p = def.params.find((q) => q.key === key);
  if (p) return list(p.effect);
  return list(onOf(def)[key]);
}

/** Every effect the settings and `on` name, once each, in the order first named. */
const declared = (def) => [
  ...new Set([...def.params.flatMap((p) => list(p.effect)), ...Object.values(onOf(def)).flatMap(list)]),
];

/** The figure's chains of effects, strongest first in each. */
export function chainsOf(def) {
  if (def.effects) return Array.isArray(def.effects[0]) ? def.effects : [def.effects];
  return [declared(def)];
}

/** The effects a change of `keys` runs, in order: the strongest triggered effect of each chain. */
export function effectsFor(def, keys) {
  const hit = new Set(keys.flatMap((k) => effectsOf(def, k)));
  return chainsOf(def)
    .map((chain) => chain.find((e) => hit.has(e)))
    .filter(Boolean);
}

/**
 * Problems of a figure definition's declarations (for tests and a console warning): effects
 * no chain lists, settings other than `exempt` (the training ones) with no effect, and handlers
 * that `impl` lacks (when given).
 */
export function checkEffects(def, exempt = [], impl = null) {
  const problems = [];
  const chained = new Set(chainsOf(def).flat());
  for (const e of declared(def))
    if (!chained.has(e)) problems.push(`effect '${e}' is in no chain of effects`);
  for (const p of def.params)
    if (!exempt.includes(p.key) && !list(p.effect).length)
      problems.push(`setting '${p.key}' says nothing about what a change to it invalidates`);
  if (impl)
    for (const e of chained) if (typeof impl[e] !== 'function') problems.push(`no handler for effect '${e}'`);
  return [...new Set(problems)];
}

/** Runs the effects of a change of `keys` on the figure's handlers, then `changed(keys)`. */
export function dispatch(def, impl, keys) {
  for (const e of effectsFor(def, keys)) impl[e](keys);
  impl.changed?.(keys);
}
