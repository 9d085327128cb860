//! Training a classifier p(c | x_t, t) from scratch, meant to run in a Web Worker; its weights
//! go to a `Classifier` of the same architecture.

use js_sys::Float32Array;
use wasm_bindgen::prelude::*;

use super::{js, whole, Classifier};
use crate::classifier::{self, classifier_arch};
use crate::model_file::{Dtype, ModelFile, ModelKind};
use crate::options::{self, ModelOptions};

/// A classifier being trained: the same code as `train --method classifier`.
#[wasm_bindgen]
pub struct ClassifierTrainer {
    t: classifier::ClassifierTrainer,
}

/// The trainer that `dataset` and `options` (JSON text with any of width, depth, lr, batch,
/// steps, seed; "" for defaults) describe.
fn trainer(dataset: &str, options: &str) -> Result<classifier::ClassifierTrainer, JsError> {
    let ds = options::dataset(dataset, "").map_err(js)?;
    let o = ModelOptions::from_json(options).map_err(js)?;
    let arch = classifier_arch(ds.n_classes(), o.width, o.depth);
    classifier::ClassifierTrainer::new(ds, arch, o.training().map_err(js)?).map_err(js)
}

#[wasm_bindgen]
impl ClassifierTrainer {
    /// A fresh classifier for built-in data set `dataset` (see `trainer` for `options`).
    #[wasm_bindgen(constructor)]
    pub fn new(dataset: &str, options: &str) -> Result<ClassifierTrainer, JsError> {
        Ok(ClassifierTrainer { t: trainer(dataset, options)? })
    }

    /// Runs `steps` steps (1..=10000); returns their mean cross-entropy. A non-finite loss is an
    /// error (the weights are then unusable).
    pub fn train(&mut self, steps: f64) -> Result<f32, JsError> {
        let steps = whole("steps", steps, 1.0, 10_000.0)?;
        let loss = self.t.train(steps).loss as f32;
        super::finite_run("training", loss, &self.t.model.params, self.t.steps_done())
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

    /// A copy of every weight (for `Classifier.setParams`).
    pub fn params(&self) -> Float32Array {
        Float32Array::from(self.t.model.params.as_slice())
    }

    /// The classifier as a model file (JSON text, kind "classifier"), weights as "f32" or "f16".
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self, dtype: &str) -> Result<String, JsError> {
        let dtype = Dtype::parse(dtype).map_err(js)?;
        let f = ModelFile {
            dataset: self.t.dataset.clone(),
            model: self.t.model.clone(),
            training: self.t.config.clone(),
            steps_done: self.t.steps_done(),
            final_loss: Some(self.t.last().loss as f32).filter(|l| l.is_finite()),
        };
        Ok(f.to_json_kind(dtype, ModelKind::Classifier))
    }
}

#[wasm_bindgen]
impl Classifier {
    /// An untrained classifier with the architecture a `ClassifierTrainer` with the same
    /// arguments builds, ready to receive its weights through `setParams`.
    pub fn untrained(dataset: &str, options: &str) -> Result<Classifier, JsError> {
        let t = trainer(dataset, options)?;
        Ok(Classifier::with_net(t.dataset, t.model))
    }

    /// Replaces every weight (from a `ClassifierTrainer` of the same architecture); rejects a
    /// wrong length or non-finite values and then keeps the old weights.
    #[wasm_bindgen(js_name = setParams)]
    pub fn set_params(&mut self, params: &[f32]) -> Result<(), JsError> {
        let mut net = self.net_mut();
        super::check_weights(net.num_params(), params)?;
        net.params.copy_from_slice(params);
        Ok(())
    }
}
