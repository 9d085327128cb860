// The wasm module (loaded once, relative to this file, so it works under any sub-path) and the
// pretrained models of www/models/. No math here: it lives in Rust.
import { loadBindings } from './wasm.js';

/** The initialised wasm bindings: Model, Trainer, Flow, Painter, datasets(), ... */
export function loadWasm() {
  return loadBindings();
}

const modelTexts = new Map();

/** The pretrained model file of `dataset` (text, fetched once per page). */
export function pretrainedText(dataset) {
  if (!modelTexts.has(dataset)) {
    const url = new URL(`../models/${encodeURIComponent(dataset)}.json`, import.meta.url);
    modelTexts.set(
      dataset,
      fetch(url).then((r) => {
        if (!r.ok) throw new Error(`no pretrained model for ${dataset} (${r.status})`);
        return r.text();
      }),
    );
  }
  return modelTexts.get(dataset);
}

/** A new Model holding the pretrained weights for `dataset`. */
export async function pretrainedModel(dataset) {
  const [w, text] = await Promise.all([loadWasm(), pretrainedText(dataset)]);
  return w.Model.fromJson(text);
}
