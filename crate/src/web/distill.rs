//! Guidance distillation on the page: flows that follow a distilled student, which takes the
//! guidance scale w as an input (one network call per step).

use wasm_bindgen::prelude::*;

use super::{number, Flow, Model};
use crate::field::{Guidance, NetworkField};

#[wasm_bindgen]
impl Model {
    /// Whether this network is a distilled student (w as its one extra input).
    #[wasm_bindgen(getter, js_name = isStudent)]
    pub fn is_student(&self) -> bool {
        self.net.config().n_extra == 1
    }
}

#[wasm_bindgen]
impl Flow {
    /// Advances along `student`'s velocity at guidance `w` (its input; one network call per
    /// step) for about `budget_ms` milliseconds (as `advanceFor`). Returns the steps done.
    #[wasm_bindgen(js_name = advanceStudentFor)]
    pub fn advance_student_for(
        &mut self,
        student: &mut Model,
        w: f64,
        budget_ms: f64,
    ) -> Result<f64, JsError> {
        if !student.is_student() {
            return Err(JsError::new("this model is not a distilled student (it takes no w input)"));
        }
        if self.label as usize > student.ds.n_classes() {
            return Err(JsError::new("this flow belongs to a model with other classes"));
        }
        let w = number("w", w, -100.0, 100.0)? as f32;
        let budget = number("budgetMs", budget_ms, 0.0, 1000.0)?;
        let clock = super::clock()?;
        let t0 = clock.now();
        let (labels, extra) = ([self.label], [w]);
        let s = &mut *student;
        let mut field = NetworkField {
            model: &s.net,
            scratch: &mut s.scratch,
            labels: &labels,
            guidance: Guidance::Conditional,
            extra: &extra,
        };
        loop {
            self.p.advance_rows_with(&mut field, 256);
            if self.p.done() || clock.now() - t0 >= budget {
                break;
            }
        }
        Ok(self.p.step() as f64)
    }
}
