//! Rectified flow on the page: sample quality of a finished flow as the sliced Wasserstein-2
//! distance to its class's data, to compare step counts before and after reflow, and one reflow
//! round trained in a Web Worker.

use wasm_bindgen::prelude::*;

use super::{js, Flow, Model, Trainer};
use crate::descent::TrainConfig;
use crate::metrics;
use crate::model_file::ModelFile;
use crate::options::ModelOptions;
use crate::reflow::{reflow_trainer, PairConfig, ReflowConfig};
use crate::rng::{self, stream};
use crate::sampler::Solver;

/// Pairs per class (and as many unconditional ones) of a reflow round in the browser.
const PAGE_PAIRS: usize = 1000;

/// Random projections of the sliced distance.
const PROJECTIONS: usize = 64;

#[wasm_bindgen]
impl Model {
    /// Sliced W2 between a finished flow's samples and as many fresh points of its class (all
    /// the data for an unconditional flow), on fixed seeded projections; null while the flow is
    /// still moving.
    #[wasm_bindgen(js_name = slicedW2)]
    pub fn sliced_w2(&self, flow: &Flow) -> Result<JsValue, JsError> {
        if flow.p.stats().is_none() {
            return Ok(JsValue::NULL);
        }
        let k = self.ds.n_classes() as u32;
        if flow.label > k {
            return Err(JsError::new("this flow belongs to a model with other classes"));
        }
        let x = flow.p.positions();
        let mut r = rng::seeded(0, stream::EVAL_REF);
        let data = if flow.label < k {
            self.ds.sample_class(flow.label, x.nrows(), &mut r)
        } else {
            self.ds.sample(x.nrows(), &mut r).0
        };
        let d = metrics::sliced_w2(x, data.view(), PROJECTIONS, &mut rng::seeded(0, stream::PROJECTIONS));
        Ok(JsValue::from_f64(d))
    }
}

#[wasm_bindgen]
impl Trainer {
    /// One reflow round: pairs (noise, sample) from the velocity model file `teacher` (JSON
    /// text; 1000 per class at w = 1 and 1000 unconditional, 30 Heun steps), then training a copy
    /// of the teacher on them. `options`: JSON text with any of lr, batch, steps, seed (the
    /// architecture is the teacher's; no label dropout, the pairs carry their null labels).
    pub fn reflow(teacher: &str, options: &str) -> Result<Trainer, JsError> {
        let f = ModelFile::from_json(teacher.as_bytes()).map_err(js)?;
        if f.model.config().n_extra != 0 {
            return Err(JsError::new("the teacher must be a velocity model (not a distilled student)"));
        }
        let o = ModelOptions::from_json(options).map_err(js)?;
        let train = TrainConfig { dropout: 0.0, ..o.training().map_err(js)? };
        let pairs = PairConfig {
            n_per_class: PAGE_PAIRS,
            n_null: PAGE_PAIRS,
            steps: 30,
            solver: Solver::Heun,
            guidance: 1.0,
            seed: o.seed,
        };
        let t = reflow_trainer(&f.dataset, &f.model, &ReflowConfig { pairs, train }).map_err(js)?;
        Ok(Trainer { t })
    }
}
