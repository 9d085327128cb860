//! Particles moving from noise to data, a few steps per animation frame.

use js_sys::Float32Array;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{js, number, to_js, whole, Model};
use crate::evaluate::guidance_for;
use crate::particles::{Particles, MAX_PARTICLES, MAX_STEPS};
use crate::sampler::Solver;

/// A sampling run in progress, with its trajectory recorded (if asked).
#[wasm_bindgen]
pub struct Flow {
    pub(super) p: Particles,
    pub(super) label: u32,
    pub(super) n_classes: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Stats {
    calls_per_sample: usize,
    straightness: f64,
}

#[wasm_bindgen]
impl Flow {
    /// `n` particles of `class` ("null": unconditional) of `model`'s data set, from noise drawn
    /// with `seed`, moving in `steps` steps of `solver` ("euler" | "heun"); `record` keeps every
    /// frame for scrubbing and trails.
    #[wasm_bindgen(constructor)]
    pub fn new(
        model: &Model,
        class: &str,
        n: f64,
        steps: f64,
        solver: &str,
        seed: f64,
        record: bool,
    ) -> Result<Flow, JsError> {
        let label = model.label(class)?;
        let n = whole("n", n, 1.0, MAX_PARTICLES as f64)?;
        let steps = whole("steps", steps, 1.0, MAX_STEPS as f64)?;
        let solver = Solver::parse(solver)
            .ok_or_else(|| JsError::new(&format!("solver must be euler or heun, got '{solver}'")))?;
        let seed = whole("seed", seed, 0.0, u32::MAX as f64)? as u64;
        let p = Particles::new(n, steps, solver, seed, vec![label], record).map_err(js)?;
        Ok(Flow { p, label, n_classes: model.ds.n_classes() as u32 })
    }

    /// Advances up to `steps` steps along `model`'s field (network, or `exact` mixture) at
    /// guidance `w`; returns the steps done so far.
    pub fn advance(&mut self, model: &mut Model, w: f64, exact: bool, steps: f64) -> Result<f64, JsError> {
        if model.ds.n_classes() as u32 != self.n_classes {
            return Err(JsError::new("this flow belongs to a model with other classes"));
        }
        let w = number("w", w, -100.0, 100.0)? as f32;
        let k = whole("steps", steps, 0.0, MAX_STEPS as f64)?;
        let class = (self.label < self.n_classes).then_some(self.label);
        let mut src = model.source(exact);
        Ok(self.p.advance(&mut src, guidance_for(class, w), k) as f64)
    }

    /// Advances along `model`'s field at guidance `w` for about `budget_ms` milliseconds (at
    /// least one batch of 256 particles), splitting steps between calls when they are longer
    /// than the budget; returns the steps done so far. For animation frames.
    #[wasm_bindgen(js_name = advanceFor)]
    pub fn advance_for(
        &mut self,
        model: &mut Model,
        w: f64,
        exact: bool,
        budget_ms: f64,
    ) -> Result<f64, JsError> {
        if model.ds.n_classes() as u32 != self.n_classes {
            return Err(JsError::new("this flow belongs to a model with other classes"));
        }
        let w = number("w", w, -100.0, 100.0)? as f32;
        let budget = number("budgetMs", budget_ms, 0.0, 1000.0)?;
        let class = (self.label < self.n_classes).then_some(self.label);
        let g = guidance_for(class, w);
        let clock = super::clock()?;
        let t0 = clock.now();
        let mut src = model.source(exact);
        loop {
            self.p.advance_rows(&mut src, g, 256);
            if self.p.done() || clock.now() - t0 >= budget {
                break;
            }
        }
        Ok(self.p.step() as f64)
    }

    /// Back to t = 0 with fresh noise from `seed`.
    pub fn restart(&mut self, seed: f64) -> Result<(), JsError> {
        self.p.restart(whole("seed", seed, 0.0, u32::MAX as f64)? as u64);
        Ok(())
    }

    /// Starts again from points `xy` (x0, y0, ...; one pair per particle) at time `t0` in [0, 1):
    /// the steps then cover [t0, 1].
    #[wasm_bindgen(js_name = startFrom)]
    pub fn start_from(&mut self, xy: &[f32], t0: f64) -> Result<(), JsError> {
        let t0 = number("t0", t0, 0.0, 0.999)? as f32;
        if xy.len() != 2 * self.p.len() {
            return Err(JsError::new(&format!(
                "expected {} x, y pairs, got {} numbers",
                self.p.len(),
                xy.len()
            )));
        }
        let x = ndarray::ArrayView2::from_shape((self.p.len(), 2), xy).expect("pairs");
        self.p.start_from(x, t0).map_err(js)
    }

    /// The time after `k` steps.
    #[wasm_bindgen(js_name = timeAt)]
    pub fn time_at(&self, k: f64) -> Result<f64, JsError> {
        Ok(self.p.time_at(whole("k", k, 0.0, self.p.steps() as f64)?) as f64)
    }

    /// Back to t = 0 with the same noise.
    pub fn rewind(&mut self) {
        self.p.rewind();
    }

    /// Current positions, x0, y0, x1, y1, ...: a view, valid until the next call.
    pub fn positions(&self) -> Float32Array {
        let x = self.p.positions();
        // SAFETY: a view into wasm memory, documented as valid only until the next call.
        unsafe { Float32Array::view(x.as_slice().expect("contiguous")) }
    }

    /// Recorded positions after `k` steps: a view, valid until the next call.
    pub fn frame(&self, k: f64) -> Result<Float32Array, JsError> {
        let k = whole("frame", k, 0.0, self.p.steps() as f64)?;
        let x = self.p.frame(k).map_err(js)?;
        // SAFETY: as for `positions`.
        Ok(unsafe { Float32Array::view(x.as_slice().expect("contiguous")) })
    }

    /// Steps done.
    #[wasm_bindgen(getter)]
    pub fn step(&self) -> f64 {
        self.p.step() as f64
    }

    /// Steps in the run.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> f64 {
        self.p.steps() as f64
    }

    /// Number of particles.
    #[wasm_bindgen(getter)]
    pub fn n(&self) -> f64 {
        self.p.len() as f64
    }

    /// Whether the particles reached t = 1.
    #[wasm_bindgen(getter)]
    pub fn done(&self) -> bool {
        self.p.done()
    }

    /// The particles' class label (n_classes: unconditional).
    #[wasm_bindgen(getter)]
    pub fn label(&self) -> f64 {
        self.label as f64
    }

    /// Mean distance between this flow's current positions and `other`'s (same number of
    /// particles): the discretisation error of a coarse run against a fine one, say.
    #[wasm_bindgen(js_name = meanDistance)]
    pub fn mean_distance(&self, other: &Flow) -> Result<f64, JsError> {
        if other.p.len() != self.p.len() {
            return Err(JsError::new("the flows have different numbers of particles"));
        }
        Ok(crate::metrics::mean_distance(self.p.positions(), other.p.positions()))
    }

    /// `{callsPerSample, straightness}` once done, else null.
    pub fn stats(&self) -> Result<JsValue, JsError> {
        match self.p.stats() {
            Some(s) => to_js(&Stats { calls_per_sample: s.calls_per_sample, straightness: s.straightness }),
            None => Ok(JsValue::NULL),
        }
    }
}
