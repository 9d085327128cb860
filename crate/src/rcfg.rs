//! Rectified CFG: predictor–corrector guidance that follows the conditional field and adds the
//! guidance direction measured half a step ahead.
//!
//! ```text
//! v_c = v(x, t, c)                                   (predictor, 1 network call)
//! x̂   = x + (Δt/2)·v_c,   t̂ = t + Δt/2
//! v   = v_c + α(t)·(v(x̂, t̂, c) − v(x̂, t̂, ∅))          (corrector, 2 calls in one stacked pass)
//! α(t) = λ_max·(1 − t)^γ
//! ```
//! Three network calls per Euler step (plain CFG takes two). λ_max = 0 is plain conditional
//! sampling, bit for bit. α vanishes at t = 1, so guidance acts early (where the class is
//! decided) and leaves the end of the path to the conditional field.

use ndarray::{s, Array2, ArrayViewMut2};
use serde::{Deserialize, Serialize};

use crate::caps::MAX_GUIDANCE;
use crate::error::{check_range, Result};
use crate::field::{Bound, FieldSource, Guidance, VelocityField};

/// The guidance schedule α(t) = λ_max·(1 − t)^γ.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RectifiedCfg {
    pub lambda_max: f32,
    pub gamma: f32,
}

impl Default for RectifiedCfg {
    fn default() -> Self {
        RectifiedCfg { lambda_max: 2.0, gamma: 1.0 }
    }
}

impl RectifiedCfg {
    /// Checks every field, naming the first bad one.
    pub fn validate(&self) -> Result<()> {
        check_range("lambda_max", self.lambda_max as f64, 0.0, MAX_GUIDANCE)?;
        check_range("gamma", self.gamma as f64, 0.0, 10.0)?;
        Ok(())
    }

    /// α(t) = λ_max·(1 − t)^γ (1 − t clamped at 0).
    #[inline]
    pub fn alpha(&self, t: f32) -> f32 {
        self.lambda_max * (1.0 - t).max(0.0).powf(self.gamma)
    }
}

/// Buffers for evaluating the rectified field on up to `n` points. Sized once.
#[derive(Clone, Debug)]
pub struct RcfgScratch {
    x_pred: Array2<f32>,
    v_u: Array2<f32>,
    v_c: Array2<f32>,
}

impl RcfgScratch {
    /// Buffers for up to `n` points.
    pub fn new(n: usize) -> Self {
        RcfgScratch { x_pred: Array2::zeros((n, 2)), v_u: Array2::zeros((n, 2)), v_c: Array2::zeros((n, 2)) }
    }

    /// Largest number of points.
    pub fn capacity(&self) -> usize {
        self.x_pred.nrows()
    }
}

/// The rectified-CFG velocity for Euler steps of size `dt`: a [`VelocityField`], so the
/// [`crate::sampler::Integrator`] steps it, records trajectories and counts calls (3 per point and step for a
/// network, 0 for the exact field).
pub struct RcfgField<'s, 'a> {
    pub source: &'s mut FieldSource<'a>,
    /// One label per point, or one for all.
    pub labels: &'s [u32],
    pub rule: RectifiedCfg,
    /// The Euler step size Δt this field drives (1/steps).
    pub dt: f32,
    pub scratch: &'s mut RcfgScratch,
}

impl VelocityField for RcfgField<'_, '_> {
    /// x: (n, 2), v: (n, 2), n ≤ the scratch's capacity.
    fn eval(&mut self, x: ndarray::ArrayView2<f32>, t: f32, mut v: ArrayViewMut2<f32>) {
        let n = x.nrows();
        assert!(n <= self.scratch.capacity(), "{n} points exceed the scratch's {}", self.scratch.capacity());
        // the predictor: v_c(x, t) exactly as plain conditional sampling computes it
        Bound { source: self.source, labels: self.labels, guidance: Guidance::Conditional }.eval(
            x,
            t,
            v.view_mut(),
        );
        let h = 0.5 * self.dt;
        let sc = &mut *self.scratch;
        let (mut xp, mut vu, mut vc) =
            (sc.x_pred.slice_mut(s![..n, ..]), sc.v_u.slice_mut(s![..n, ..]), sc.v_c.slice_mut(s![..n, ..]));
        ndarray::Zip::from(&mut xp).and(&x).and(&v).for_each(|p, &x, &v| *p = x + h * v);
        self.source.eval_both(xp.view(), (t + h).min(1.0), self.labels, vu.view_mut(), vc.view_mut());
        let a = self.rule.alpha(t);
        ndarray::Zip::from(&mut v).and(&vc).and(&vu).for_each(|v, &c, &u| *v += a * (c - u));
    }

    fn calls(&self) -> usize {
        match self.source {
            FieldSource::Network { .. } => 1 + self.source.calls_both(),
            FieldSource::Exact { .. } => 0,
        }
    }
}

/// Plain-CFG Euler steps that cost what `rcfg_steps` rectified steps cost: rectified CFG takes
/// 3 network calls per step, CFG 2, so ⌈3·K/2⌉.
pub fn cfg_steps_at_equal_calls(rcfg_steps: usize) -> usize {
    (3 * rcfg_steps).div_ceil(2)
}
