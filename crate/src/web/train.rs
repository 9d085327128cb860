//! Training from scratch, meant to run in a Web Worker.

use js_sys::Float32Array;
use wasm_bindgen::prelude::*;

use super::{js, whole};
use crate::flow;
use crate::limits::MAX_TRAIN_CALL;
use crate::model_file::{Dtype, ModelFile};
use crate::options::{self, ModelOptions};

/// A model being trained: the same code as the native `train` command.
#[wasm_bindgen]
pub struct Trainer {
    pub(super) t: flow::Trainer,
}

#[wasm_bindgen]
impl Trainer {
    /// A fresh model for data set `dataset` (or, if `drawn` is JSON `{std?, classes: [{name,
    /// points}]}`, for that drawn data). `options` is JSON text with any of width, depth,
    /// activation, residual, lr, batch, dropout, steps, seed ("" for defaults).
    #[wasm_bindgen(constructor)]
    pub fn new(dataset: &str, options: &str, drawn: &str) -> Result<Trainer, JsError> {
        let ds = options::dataset(dataset, drawn).map_err(js)?;
        let o = ModelOptions::from_json(options).map_err(js)?;
        Ok(Trainer { t: o.trainer(ds).map_err(js)? })
    }

    /// Runs `steps` steps (1 to `limits::MAX_TRAIN_CALL`); returns their mean loss. Divergence (a
    /// non-finite loss or weight, or a loss above `flow::DIVERGED_LOSS`) stops the call with an
    /// error (the weights are then unusable: start again, or keep the last good copy).
    pub fn train(&mut self, steps: f64) -> Result<f32, JsError> {
        let steps = whole("steps", steps, 1.0, MAX_TRAIN_CALL as f64)?;
        let loss = self.t.train_checked(steps).map_err(js)?;
        Ok(loss)
    }

    /// Steps done.
    #[wasm_bindgen(getter, js_name = stepsDone)]
    pub fn steps_done(&self) -> f64 {
        self.t.steps_done() as f64
    }

    /// The run's planned length.
    #[wasm_bindgen(getter, js_name = totalSteps)]
    pub fn total_steps(&self) -> f64 {
        self.t.config.steps as f64
    }

    /// A copy of every weight, in the model file's layout (for `Model.setParams`).
    pub fn params(&self) -> Float32Array {
        Float32Array::from(self.t.model.params.as_slice())
    }

    /// The model as a model file (JSON text), weights stored as "f32" or "f16".
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self, dtype: &str) -> Result<String, JsError> {
        let dtype = Dtype::parse(dtype).map_err(js)?;
        let f = ModelFile {
            dataset: self.t.dataset.clone(),
            model: self.t.model.clone(),
            training: self.t.config.clone(),
            steps_done: self.t.steps_done(),
            final_loss: Some(self.t.last_loss()).filter(|l| l.is_finite()),
        };
        Ok(f.to_json(dtype))
    }
}
