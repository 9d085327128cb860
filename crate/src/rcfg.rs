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

use crate::caps::{MAX_GUIDANCE, MAX_POINTS, MAX_SAMPLER_STEPS};
use crate::datasets::Dataset;
use crate::error::{check_count, check_range, Result};
use crate::field::{Bound, FieldSource, Guidance, VelocityField};
use crate::sample::{guidance_for, run};
use crate::sampler::{SampleStats, Solver};

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
/// [`Integrator`] steps it, records trajectories and counts calls (3 per point and step for a
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

/// Checks a sampling request shared by the functions below.
fn check(dataset: &Dataset, label: u32, n: usize, steps: usize) -> Result<()> {
    if label as usize >= dataset.n_classes() {
        return Err(crate::invalid!(
            "class {label} out of range (data set '{}' has {})",
            dataset.name,
            dataset.n_classes()
        ));
    }
    check_count("n", n as i64, 1, MAX_POINTS as i64)?;
    check_count("steps", steps as i64, 1, MAX_SAMPLER_STEPS as i64)?;
    Ok(())
}

/// `n` samples of class `label` with rectified CFG in `steps` Euler steps, from the start noise of
/// `seed` ([`crate::sample::start_noise`], so runs are comparable point for point).
pub fn sample(
    dataset: &Dataset,
    source: &mut FieldSource,
    label: u32,
    rule: RectifiedCfg,
    n: usize,
    steps: usize,
    seed: u64,
) -> Result<(Array2<f32>, SampleStats)> {
    check(dataset, label, n, steps)?;
    rule.validate()?;
    let mut scratch = RcfgScratch::new(n);
    let mut field =
        RcfgField { source, labels: &[label], rule, dt: 1.0 / steps as f32, scratch: &mut scratch };
    run(&mut field, n, steps, Solver::Euler, seed, 1.0)
}

/// `n` samples of class `label` with plain CFG at scale `w` in `steps` Euler steps (same noise
/// as [`sample`] for the same seed).
pub fn sample_cfg(
    dataset: &Dataset,
    source: &mut FieldSource,
    label: u32,
    w: f32,
    n: usize,
    steps: usize,
    seed: u64,
) -> Result<(Array2<f32>, SampleStats)> {
    check(dataset, label, n, steps)?;
    check_range("guidance", w as f64, -MAX_GUIDANCE, MAX_GUIDANCE)?;
    let mut field = Bound { source, labels: &[label], guidance: guidance_for(Some(label), w) };
    run(&mut field, n, steps, Solver::Euler, seed, 1.0)
}

/// Plain-CFG Euler steps that cost what `rcfg_steps` rectified steps cost: rectified CFG takes
/// 3 network calls per step, CFG 2, so ⌈3·K/2⌉.
pub fn cfg_steps_at_equal_calls(rcfg_steps: usize) -> usize {
    (3 * rcfg_steps).div_ceil(2)
}

/// Rectified CFG in K steps next to plain CFG at scale `w` in ⌈3K/2⌉ steps (equal network
/// calls, equal noise).
#[derive(Clone, Debug)]
pub struct EqualCalls {
    pub rcfg_steps: usize,
    pub cfg_steps: usize,
    /// (n, 2) each.
    pub rcfg: Array2<f32>,
    pub cfg: Array2<f32>,
    pub rcfg_stats: SampleStats,
    pub cfg_stats: SampleStats,
}

/// Samples class `label` both ways at equal network calls (see [`EqualCalls`]).
#[allow(clippy::too_many_arguments)]
pub fn compare_at_equal_calls(
    dataset: &Dataset,
    source: &mut FieldSource,
    label: u32,
    rule: RectifiedCfg,
    rcfg_steps: usize,
    w: f32,
    n: usize,
    seed: u64,
) -> Result<EqualCalls> {
    let (rcfg, rcfg_stats) = sample(dataset, source, label, rule, n, rcfg_steps, seed)?;
    let cfg_steps = cfg_steps_at_equal_calls(rcfg_steps);
    let (cfg, cfg_stats) = sample_cfg(dataset, source, label, w, n, cfg_steps, seed)?;
    Ok(EqualCalls { rcfg_steps, cfg_steps, rcfg, cfg, rcfg_stats, cfg_stats })
}
