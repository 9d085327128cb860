//! Particles moving from noise to data, a few steps per animation frame.

use js_sys::Float32Array;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{js, number, to_js, whole, MethodHandle, Model};
use crate::caps::{MAX_FLOW_STEPS, MAX_PARTICLES};
use crate::classifier::guided::ClassifierSource;
use crate::field::FieldSource;
use crate::method::{self, MethodField, MethodState, Needs};
use crate::particles::Particles;
use crate::sampler::Solver;

/// Particles moved per slice of a frame's budget.
const ROWS: usize = 256;

/// A sampling run in progress, with its trajectory recorded (if asked).
#[wasm_bindgen]
pub struct Flow {
    pub(super) p: Particles,
    pub(super) label: u32,
    pub(super) n_classes: u32,
    /// the state of the method the flow follows
    state: MethodState,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Stats {
    calls_per_sample: usize,
    straightness: f64,
    /// fkc: the run's smallest effective sample size and its resamplings
    #[serde(skip_serializing_if = "Option::is_none")]
    min_ess: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resamples: Option<usize>,
}

#[wasm_bindgen]
impl Flow {
    /// `n` particles of `class` ("null": unconditional) of `model`'s data set, from noise drawn
    /// with `seed`, moving in `steps` steps of `solver` ("euler" | "heun"); `record` keeps every
    /// frame for scrubbing and trails. With "sde" every method that takes the asked solver
    /// follows the SDE of its handle's `sdeNoise` η; `fkc` needs an "sde" flow.
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
        let steps = whole("steps", steps, 1.0, MAX_FLOW_STEPS as f64)?;
        let solver = Solver::parse(solver)
            .ok_or_else(|| JsError::new(&format!("solver must be euler, heun or sde, got '{solver}'")))?;
        let seed = whole("seed", seed, 0.0, u32::MAX as f64)? as u64;
        let p = Particles::new(n, steps, solver, seed, vec![label], record).map_err(js)?;
        Ok(Flow { p, label, n_classes: model.ds.n_classes() as u32, state: MethodState::default() })
    }

    /// Advances along `method` (its models: `model`'s network, or a distilled student, or the
    /// data's exact fields; its classifier) for about `budget_ms` milliseconds (at least one
    /// batch of 256 particles; `Infinity`: no time limit) and at most `steps` more steps (if
    /// given; a step begun earlier counts as one), splitting steps between calls when they are
    /// longer than the budget; returns the steps done so far. The one way a flow moves: every
    /// method of `crate::method` with a flow, exactly as `cfg-playground sample` runs it (a
    /// noise-scale method draws its own start noise on a flow that has not moved yet).
    #[wasm_bindgen(js_name = advanceFor)]
    pub fn advance_for(
        &mut self,
        method: &mut MethodHandle,
        model: &mut Model,
        budget_ms: f64,
        steps: Option<f64>,
    ) -> Result<f64, JsError> {
        if model.ds.n_classes() as u32 != self.n_classes {
            return Err(JsError::new("this flow belongs to a model with other classes"));
        }
        let budget =
            if budget_ms == f64::INFINITY { None } else { Some(number("budgetMs", budget_ms, 0.0, 1000.0)?) };
        let end = match steps {
            Some(k) => self.p.step() + whole("steps", k, 0.0, MAX_FLOW_STEPS as f64)?,
            None => self.p.steps(),
        };
        let class = (self.label < self.n_classes).then_some(self.label);
        // whole steps when there is no time limit (as the CLI runs them), else batches of rows
        let rows = if budget.is_some() { ROWS } else { self.p.len() };
        let m = &mut *method;
        let needs = m.method.needs();
        let network_classifier = needs == Needs::Classifier && !m.exact;
        match &m.classifier {
            Some(c) if network_classifier && c.dataset != model.ds.name => {
                return Err(JsError::new(&format!(
                    "the classifier is for data set '{}', the model for '{}'",
                    c.dataset, model.ds.name
                )));
            }
            None if network_classifier => {
                return Err(JsError::new(&format!(
                    "{} needs a classifier: method.setClassifier(...)",
                    m.method.name()
                )));
            }
            _ => {}
        }
        let network_guide = needs == Needs::Guide && !m.exact;
        match &m.guide.net {
            Some((name, _, _)) if network_guide && *name != model.ds.name => {
                return Err(JsError::new(&format!(
                    "the guide is for data set '{name}', the model for '{}'",
                    model.ds.name
                )));
            }
            None if network_guide => {
                return Err(JsError::new(&format!(
                    "{} needs a guide: method.setGuide(model)",
                    m.method.name()
                )));
            }
            _ => {}
        }
        let net = m.classifier.as_ref().filter(|_| network_classifier).map(|c| c.net.clone());
        let net = net.as_ref().map(|n| n.borrow());
        let (mut velocity, mixture) = model.parts(m.exact);
        let mut classifier = match (net.as_ref(), m.classifier.as_mut()) {
            (Some(net), Some(c)) => ClassifierSource::Network { model: net, scratch: &mut c.scratch },
            _ => ClassifierSource::Exact { mixture, prep: &mut m.classifier_prep },
        };
        let mut guide = match (needs, m.exact) {
            (Needs::Guide, true) => m
                .guide
                .exact_for(mixture, &m.method)
                .map(|(mixture, prep)| FieldSource::Exact { mixture, prep }),
            (Needs::Guide, false) => {
                let (_, net, scratch) = m.guide.net.as_mut().expect("refused above");
                Some(FieldSource::Network { model: net, scratch })
            }
            _ => None,
        };
        self.state.set_sde_noise(m.sde_noise).map_err(js)?;
        let mut field = MethodField::new(
            m.method,
            self.n_classes as usize,
            class,
            m.w,
            &mut velocity,
            Some(&mut classifier),
            guide.as_mut(),
            &mut self.state,
            rows,
        )
        .map_err(js)?;
        let clock = match budget {
            Some(_) => Some(super::clock()?),
            None => None,
        };
        let t0 = clock.as_ref().map_or(0.0, |c| c.now());
        let over = || matches!((&clock, budget), (Some(c), Some(b)) if c.now() - t0 >= b);
        method::advance(&mut self.p, &mut field, rows, end, over).map_err(js)?;
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

    /// `{callsPerSample, straightness}` once done (and for `fkc` `minEss`, the smallest
    /// effective sample size in particles, and `resamples`), else null.
    pub fn stats(&self) -> Result<JsValue, JsError> {
        match self.p.stats() {
            Some(s) => to_js(&Stats {
                calls_per_sample: s.calls_per_sample,
                straightness: s.straightness,
                min_ess: s.min_ess,
                resamples: s.resamples,
            }),
            None => Ok(JsValue::NULL),
        }
    }
}
