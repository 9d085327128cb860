//! Rectified flow on the page: sample quality of a finished flow as the sliced Wasserstein-2
//! distance to its class's data, to compare step counts before and after reflow (the reflow round
//! itself is `Trainer.reflow`).

use wasm_bindgen::prelude::*;

use super::{Flow, Model};
use crate::metrics;
use crate::rng::{self, stream};

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
