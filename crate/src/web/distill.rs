//! Guidance distillation on the page: distillation in a Web Worker, and whether a model is a
//! distilled student (which takes the guidance scale w as an input; flows follow one through the
//! `student` method of `Flow.advanceFor`).

use js_sys::Float32Array;
use wasm_bindgen::prelude::*;

use super::{js, whole, Model};
use crate::datasets::Dataset;
use crate::descent::TrainConfig;
use crate::distill::{DistillConfig, Distiller};
use crate::field::{FieldSource, NetScratch};
use crate::mlp::Mlp;
use crate::model_file::{Dtype, ModelFile};
use crate::options::ModelOptions;

/// The guidance scales a student distilled in the browser learns: w ~ U[0, W_MAX].
const W_MAX: f32 = 9.0;

#[wasm_bindgen]
impl Model {
    /// Whether this network is a distilled student (w as its one extra input).
    #[wasm_bindgen(getter, js_name = isStudent)]
    pub fn is_student(&self) -> bool {
        self.net.config().n_extra == 1
    }
}

/// A student being distilled from a teacher network, meant to run in a Web Worker; its weights
/// go to a student `Model` (`Model.fromJson` of a student file of the same teacher).
#[wasm_bindgen]
pub struct DistillTrainer {
    d: Distiller,
    teacher: Mlp<f32>,
    scratch: NetScratch,
    dataset: Dataset,
    training: TrainConfig,
}

#[wasm_bindgen]
impl DistillTrainer {
    /// Distils the velocity model file `teacher` (JSON text) for w in [0, 9], the student
    /// starting as a copy of the teacher. `options`: JSON text with any of lr, batch, steps, seed.
    #[wasm_bindgen(constructor)]
    pub fn new(teacher: &str, options: &str) -> Result<DistillTrainer, JsError> {
        let f = ModelFile::from_json(teacher.as_bytes()).map_err(js)?;
        if f.model.config().n_extra != 0 {
            return Err(JsError::new("the teacher must be a velocity model (not a distilled student)"));
        }
        let o = ModelOptions::from_json(options).map_err(js)?;
        let training = o.training().map_err(js)?;
        let cfg = DistillConfig {
            steps: training.steps,
            batch: training.batch,
            lr: training.lr,
            w_max: W_MAX,
            seed: training.seed,
            ..DistillConfig::default()
        };
        let d = Distiller::from_teacher(&f.model, cfg).map_err(js)?;
        Ok(DistillTrainer {
            scratch: NetScratch::new(&f.model, training.batch),
            d,
            teacher: f.model,
            dataset: f.dataset,
            training,
        })
    }

    /// Runs `steps` steps (1..=10000); returns their mean loss. A non-finite loss is an error.
    pub fn train(&mut self, steps: f64) -> Result<f32, JsError> {
        let steps = whole("steps", steps, 1.0, 10_000.0)?;
        let mut src = FieldSource::Network { model: &self.teacher, scratch: &mut self.scratch };
        let loss = self.d.train(&mut src, steps).map_err(js)?;
        super::finite_run("distillation", loss, &self.d.student.params, self.d.steps_done())
    }

    /// Steps done.
    #[wasm_bindgen(getter, js_name = stepsDone)]
    pub fn steps_done(&self) -> f64 {
        self.d.steps_done() as f64
    }

    /// The run's planned length.
    #[wasm_bindgen(getter, js_name = totalSteps)]
    pub fn total_steps(&self) -> f64 {
        self.d.config.steps as f64
    }

    /// A copy of the student's weights (for `Model.setParams` of a student model).
    pub fn params(&self) -> Float32Array {
        Float32Array::from(self.d.student.params.as_slice())
    }

    /// The student as a model file (JSON text), weights as "f32" or "f16".
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self, dtype: &str) -> Result<String, JsError> {
        let dtype = Dtype::parse(dtype).map_err(js)?;
        let f = ModelFile {
            dataset: self.dataset.clone(),
            model: self.d.student.clone(),
            training: self.training.clone(),
            steps_done: self.d.steps_done(),
            final_loss: Some(self.d.last_loss()).filter(|l| l.is_finite()),
        };
        Ok(f.to_json(dtype))
    }
}
