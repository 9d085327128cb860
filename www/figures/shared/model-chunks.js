// The state of a pool job whose chunks all read one model (www/lib/pool-worker.js: a chunk
// module's `prepare` and `release`): the job's common part with its `model` (the model's JSON)
// made a wasm Model once per worker, and freed when the job is dropped. Chunk modules re-export
// the pair: shared/tilted-chunks.js, probability-path/density-chunks.js.

/** The job's state: `common` with its model's JSON made a wasm Model. */
export function prepare(wasm, common) {
  return { ...common, model: wasm.Model.fromJson(common.model) };
}

/** Frees the state's model. */
export function release(s) {
  s.model.free();
}
