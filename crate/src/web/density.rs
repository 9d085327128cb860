//! Exact densities on a grid along the probability path, computed a few milliseconds per frame:
//! the squares of the probability-path figure in "exact density" mode.

use js_sys::Float64Array;
use wasm_bindgen::prelude::*;

use super::paint::color;
use super::{js, number, whole, Model, Painter};
use crate::caps::{MAX_GUIDANCE, MAX_PATH_SIDE, MAX_PATH_STEPS, MAX_PATH_TIMES};
use crate::density::{ExactDivergence, GridPath, JacobianScratch, MixtureJacobian, NetworkDivergence};
use crate::field::Guidance;
use crate::mlp::MlpConfig;
use crate::sample::guidance_for;
use crate::sampler::Solver;

/// Grid rows per unit of work (one step of one chunk): about a millisecond for a CFG network of
/// width 64 in wasm, so a frame's budget is never overrun by much.
const CHUNK: usize = 32;

/// log p_t of one class under guidance w (network or exact field) on a side × side grid over the
/// model's square view, at K times, each by the reverse ODE to t = 0 with the divergence from
/// the exact 2x2 Jacobian (Heun, ⌈steps·t⌉ steps for time t).
#[wasm_bindgen]
pub struct DensityPath {
    path: GridPath,
    label: u32,
    n_classes: u32,
    w: f32,
    exact: bool,
    /// the network's Jacobian buffers, for the architecture they were sized for
    scratch: Option<(MlpConfig, JacobianScratch<f32>)>,
    mj: MixtureJacobian,
}

impl DensityPath {
    fn guidance(&self) -> Guidance {
        guidance_for((self.label < self.n_classes).then_some(self.label), self.w)
    }

    fn time_index(&self, k: f64) -> Result<usize, JsError> {
        whole("k", k, 0.0, (self.path.times().len() - 1) as f64)
    }

    /// Runs `units` units of work (or, with a clock, until `budget_ms` is spent; at least one)
    /// on the time `focus` first.
    fn work(
        &mut self,
        model: &Model,
        focus: usize,
        units: usize,
        budget: Option<f64>,
    ) -> Result<(), JsError> {
        if model.ds.n_classes() as u32 != self.n_classes {
            return Err(JsError::new("this density path belongs to a model with other classes"));
        }
        let g = self.guidance();
        let labels = [self.label];
        let clock = match budget {
            Some(_) => Some(super::clock()?),
            None => None,
        };
        let t0 = clock.as_ref().map_or(0.0, |c| c.now());
        let over = |i: usize| match (&clock, budget) {
            (Some(c), Some(b)) => c.now() - t0 >= b,
            _ => i >= units,
        };
        if self.exact {
            let mut f =
                ExactDivergence { mixture: &model.mix, jac: &mut self.mj, labels: &labels, guidance: g };
            let mut i = 0;
            while self.path.advance(&mut f, focus).is_some() {
                i += 1;
                if over(i) {
                    break;
                }
            }
        } else {
            let net = &model.net;
            if net.config().n_extra != 0 {
                return Err(JsError::new(
                    "this network takes extra conditions; a density path needs a velocity model",
                ));
            }
            if self.scratch.as_ref().is_none_or(|(c, _)| c != net.config()) {
                self.scratch = Some((net.config().clone(), JacobianScratch::new(net, CHUNK)));
            }
            let (_, sc) = self.scratch.as_mut().expect("just made");
            let mut f =
                NetworkDivergence { model: net, scratch: sc, labels: &labels, guidance: g, extra: &[] };
            let mut i = 0;
            while self.path.advance(&mut f, focus).is_some() {
                i += 1;
                if over(i) {
                    break;
                }
            }
        }
        Ok(())
    }
}

#[wasm_bindgen]
impl DensityPath {
    /// The densities of `class` ("null": unconditional) of `model`'s data set under guidance
    /// `w`, along the network's field or, with `exact`, the data's exact field, on a `side` ×
    /// `side` grid over [−extent, extent]² (the model's view) at `times` (each in [0, 1]),
    /// integrated with `steps` Heun steps per unit time. Nothing is computed yet: see `advanceFor`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        model: &Model,
        class: &str,
        w: f64,
        exact: bool,
        side: f64,
        times: &[f64],
        steps: f64,
    ) -> Result<DensityPath, JsError> {
        let label = model.label(class)?;
        let w = number("w", w, -MAX_GUIDANCE, MAX_GUIDANCE)? as f32;
        let side = whole("side", side, 2.0, MAX_PATH_SIDE as f64)?;
        let steps = whole("steps", steps, 1.0, MAX_PATH_STEPS as f64)?;
        if times.len() > MAX_PATH_TIMES {
            return Err(JsError::new(&format!("at most {MAX_PATH_TIMES} times, got {}", times.len())));
        }
        let path = GridPath::new(side, model.ds.extent, times, steps, Solver::Heun, CHUNK).map_err(js)?;
        Ok(DensityPath {
            path,
            label,
            n_classes: model.ds.n_classes() as u32,
            w,
            exact,
            scratch: None,
            mj: MixtureJacobian::default(),
        })
    }

    /// Starts again for guidance `w` and field `exact` (say, after new weights): same grid and
    /// times, nothing recomputed until `advanceFor`.
    pub fn restart(&mut self, w: f64, exact: bool) -> Result<(), JsError> {
        self.w = number("w", w, -MAX_GUIDANCE, MAX_GUIDANCE)? as f32;
        self.exact = exact;
        self.path.restart();
        Ok(())
    }

    /// Computes for about `budget_ms` milliseconds (at least one unit: 32 grid points one
    /// step), time `focus` first, then the times after it; returns the number of times done.
    #[wasm_bindgen(js_name = advanceFor)]
    pub fn advance_for(&mut self, model: &Model, budget_ms: f64, focus: f64) -> Result<f64, JsError> {
        let budget = number("budgetMs", budget_ms, 0.0, 1000.0)?;
        let focus = self.time_index(focus)?;
        self.work(model, focus, 0, Some(budget))?;
        Ok(self.path.ready_count() as f64)
    }

    /// Runs `units` units of work (32 grid points one step each), time `focus` first; returns
    /// the number of times done. For tests and scripts; the page uses `advanceFor`.
    pub fn advance(&mut self, model: &Model, units: f64, focus: f64) -> Result<f64, JsError> {
        let units = whole("units", units, 1.0, 1e9)?;
        let focus = self.time_index(focus)?;
        self.work(model, focus, units, None)?;
        Ok(self.path.ready_count() as f64)
    }

    /// Whether time `k` is done.
    pub fn ready(&self, k: f64) -> Result<bool, JsError> {
        Ok(self.path.ready(self.time_index(k)?))
    }

    /// Number of times done.
    #[wasm_bindgen(getter, js_name = readyCount)]
    pub fn ready_count(&self) -> f64 {
        self.path.ready_count() as f64
    }

    /// Number of times.
    #[wasm_bindgen(getter)]
    pub fn count(&self) -> f64 {
        self.path.times().len() as f64
    }

    /// Whether every time is done.
    #[wasm_bindgen(getter)]
    pub fn done(&self) -> bool {
        self.path.done()
    }

    /// Fraction of the work done, 0 to 1.
    #[wasm_bindgen(getter)]
    pub fn progress(&self) -> f64 {
        self.path.progress()
    }

    /// Grid cells per side.
    #[wasm_bindgen(getter)]
    pub fn side(&self) -> f64 {
        self.path.side() as f64
    }

    /// The guidance scale.
    #[wasm_bindgen(getter)]
    pub fn w(&self) -> f64 {
        self.w as f64
    }

    /// Whether the field is the data's exact one.
    #[wasm_bindgen(getter)]
    pub fn exact(&self) -> bool {
        self.exact
    }

    /// Time `k`.
    pub fn time(&self, k: f64) -> Result<f64, JsError> {
        Ok(self.path.times()[self.time_index(k)?])
    }

    /// Integration steps of time `k` (⌈steps·t⌉).
    #[wasm_bindgen(js_name = stepsOf)]
    pub fn steps_of(&self, k: f64) -> Result<f64, JsError> {
        Ok(self.path.steps(self.time_index(k)?) as f64)
    }

    /// ∫ p_t over the view (the grid's midpoint rule) at time `k`: 1 minus the mass outside the
    /// view; undefined until time `k` is done.
    pub fn mass(&self, k: f64) -> Result<Option<f64>, JsError> {
        Ok(self.path.mass(self.time_index(k)?))
    }

    /// An estimate of `mass(k)`'s error (the time integration's change from half the steps, and
    /// the grid's by Richardson); undefined until time `k` is done.
    #[wasm_bindgen(js_name = massError)]
    pub fn mass_error(&self, k: f64) -> Result<Option<f64>, JsError> {
        Ok(self.path.mass_error(self.time_index(k)?))
    }

    /// log p_t at time `k` on the grid (side², row-major from the bottom-left: y outer, x inner),
    /// a copy; an error until time `k` is done.
    #[wasm_bindgen(js_name = logDensity)]
    pub fn log_density(&self, k: f64) -> Result<Float64Array, JsError> {
        let k = self.time_index(k)?;
        let l = self.path.log_p(k).ok_or_else(|| JsError::new(&format!("time {k} is not computed yet")))?;
        Ok(Float64Array::from(l))
    }

    /// Paints time `k`'s density into `painter` (which must show this path's square) in colour
    /// `c` (palette index, −1 grey), scaled to its peak as the sample histograms are (opacity
    /// √(p / peak)); returns the peak density. An error until time `k` is done.
    pub fn paint(&self, painter: &mut Painter, k: f64, c: f64) -> Result<f64, JsError> {
        let k = self.time_index(k)?;
        let col = color(c)?;
        let l = self.path.log_p(k).ok_or_else(|| JsError::new(&format!("time {k} is not computed yet")))?;
        painter.grid_density(l, self.path.extent(), col)
    }
}
