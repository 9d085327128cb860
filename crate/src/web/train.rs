//! Training, meant to run in a Web Worker: one handle over every trainer of the core
//! (`crate::train::Train`), made by one constructor per kind.

use js_sys::Float32Array;
use wasm_bindgen::prelude::*;

use super::json;
use super::{js, whole};
use crate::caps::MAX_TRAIN_CALL;
use crate::distill::{Distillation, StudentStart};
use crate::model_file::{Dtype, ModelFile, ModelKind};
use crate::options::ModelOptions;
use crate::reflow::{PairConfig, Reflow, ReflowConfig};
use crate::sampler::Solver;
use crate::train::Train;

/// Pairs per class (and as many unconditional ones) of a reflow round in the browser.
const PAGE_PAIRS: usize = 1000;

/// The guidance scales a student distilled in the browser learns: w ~ U[0, W_MAX].
const W_MAX: f32 = 9.0;

/// A network being trained: the same code as the native `train` command. Its weights go to a
/// `Model` (a `Classifier` for `Trainer.classifier`) through `params` or `toJson`.
#[wasm_bindgen]
pub struct Trainer {
    t: Box<dyn Train>,
}

/// The velocity model file `teacher` (JSON text) and the options.
fn teacher_and_options(teacher: &str, options: &str) -> Result<(ModelFile, ModelOptions), JsError> {
    Ok((json::model_file(teacher, ModelKind::Velocity)?, json::model_options(options)?))
}

#[wasm_bindgen]
impl Trainer {
    /// A fresh velocity model for data set `dataset` (or, if `drawn` is JSON `{std?, classes:
    /// [{name, points}]}`, for that drawn data). `options` is JSON text with any of width, depth,
    /// activation, residual, lr, batch, dropout, steps, seed ("" for defaults).
    #[wasm_bindgen(constructor)]
    pub fn new(dataset: &str, options: &str, drawn: &str) -> Result<Trainer, JsError> {
        let ds = json::dataset(dataset, drawn)?;
        let o = json::model_options(options)?;
        Ok(Trainer { t: Box::new(o.trainer(ds).map_err(js)?) })
    }

    /// A fresh classifier p(c | x_t, t) for built-in data set `dataset`; `options` as for `new`
    /// (width, depth, lr, batch, steps and seed are used).
    pub fn classifier(dataset: &str, options: &str) -> Result<Trainer, JsError> {
        let ds = json::dataset(dataset, "")?;
        let o = json::model_options(options)?;
        Ok(Trainer { t: Box::new(o.classifier_trainer(ds).map_err(js)?) })
    }

    /// One reflow round: pairs (noise, sample) from the velocity model file `teacher` (JSON
    /// text; 1000 per class at w = 1 and 1000 unconditional, 30 Heun steps), then training a copy
    /// of the teacher on them. `options`: JSON text with any of lr, batch, steps, seed (the
    /// architecture is the teacher's; no label dropout, the pairs carry their null labels).
    pub fn reflow(teacher: &str, options: &str) -> Result<Trainer, JsError> {
        let (f, o) = teacher_and_options(teacher, options)?;
        let pairs = PairConfig {
            n_per_class: PAGE_PAIRS,
            n_null: PAGE_PAIRS,
            steps: 30,
            solver: Solver::Heun,
            guidance: 1.0,
            seed: o.seed,
        };
        let cfg = ReflowConfig { pairs, train: o.training().map_err(js)? };
        Ok(Trainer { t: Box::new(Reflow::new(&f.dataset, &f.model, &cfg, 1).map_err(js)?) })
    }

    /// Distils the velocity model file `teacher` (JSON text) for w in [0, 9], the student
    /// starting as a copy of the teacher. `options`: JSON text with any of lr, batch, steps, seed.
    pub fn distill(teacher: &str, options: &str) -> Result<Trainer, JsError> {
        let (f, o) = teacher_and_options(teacher, options)?;
        let training = o.training().map_err(js)?;
        let d = Distillation::new(f.dataset, f.model, training, W_MAX, StudentStart::Teacher).map_err(js)?;
        Ok(Trainer { t: Box::new(d) })
    }

    /// Runs `steps` steps (1 to `caps::MAX_TRAIN_CALL`); returns their mean loss. Divergence (a
    /// non-finite loss or weight, or a loss above `train::DIVERGED_LOSS`) stops the call with an
    /// error (the weights are then unusable: start again, or keep the last good copy).
    pub fn train(&mut self, steps: f64) -> Result<f32, JsError> {
        let steps = whole("steps", steps, 1.0, MAX_TRAIN_CALL as f64)?;
        self.t.run(steps).map_err(js)
    }

    /// Steps done.
    #[wasm_bindgen(getter, js_name = stepsDone)]
    pub fn steps_done(&self) -> f64 {
        self.t.steps_done() as f64
    }

    /// The run's planned length.
    #[wasm_bindgen(getter, js_name = totalSteps)]
    pub fn total_steps(&self) -> f64 {
        self.t.total_steps() as f64
    }

    /// A copy of every weight, in the model file's layout (for `Model.setParams`, or
    /// `Classifier.setParams` of a classifier).
    pub fn params(&self) -> Float32Array {
        Float32Array::from(self.t.model().params.as_slice())
    }

    /// The network as a model file (JSON text, kind "classifier" for a classifier), weights
    /// stored as "f32" or "f16".
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self, dtype: &str) -> Result<String, JsError> {
        json::stringify(&self.t.model_file().document(Dtype::parse(dtype).map_err(js)?, self.t.kind()))
    }
}
