//! Adaptive projected guidance (Sadat et al. 2024), written in velocity space.
//!
//! The paper works on the data prediction x̂1 = x_t + (1 − t)·v: with Δ = x̂1_c − x̂1_u it keeps a
//! running average of Δ (momentum β: D ← Δ + β·D), caps ‖D‖ at r, splits D into its part along
//! x̂1_c and the rest, keeps η of the parallel part, Δ' = D⊥ + η·D∥, and guides
//! x̂1 = x̂1_c + (w − 1)·Δ'. Mapped back, v = (x̂1 − x_t)/(1 − t). Since Δ = (1 − t)·Δv with
//! Δv = v_c − v_u, and the projection and the cap are linear in D up to a positive factor,
//!
//! ```text
//! D  ← Δv + β·D                      (the running average, per point, in velocity space)
//! D  ← D·min(1, r / ((1 − t)·‖D‖))   (the cap, on the x̂1-space norm (1 − t)·‖D‖)
//! u  = x̂1_c / ‖x̂1_c‖,  x̂1_c = x_t + (1 − t)·v_c
//! D' = (D − (D·u)u) + η·(D·u)u
//! v  = v_c + (w − 1)·D'
//! ```
//!
//! which is the paper's update without the division by 1 − t, so it stays finite at t = 1 (Heun's
//! last evaluation). Without momentum it is the paper's rule exactly; with momentum the average
//! is of Δv rather than of Δ = (1 − t)·Δv (the paper's weights (1 − t) would make D/(1 − t)
//! blow up at t = 1). The average is updated at every evaluation (twice per Heun step) and
//! starts at 0 on step 0. η = 1 with no cap and no momentum is CFG (to rounding); a cap of 0 is
//! the conditional velocity (w = 1) at every t < 1.

use ndarray::{ArrayView2, ArrayViewMut2};
use serde::Serialize;

use super::field::{Both, MethodState};
use super::rule::{MethodRule, On};
use super::schedule::Schedule;
use crate::error::{check_range, Result};
use crate::field::{FieldSource, StepAt, VelocityField};

/// Largest η and norm threshold accepted.
pub const MAX_ETA: f64 = 10.0;
pub const MAX_NORM_THRESHOLD: f64 = 1e3;

/// APG's parameters.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Apg {
    /// Weight η ≥ 0 of the part of the guidance parallel to x̂1_c (the paper uses 0).
    pub eta: f32,
    /// Cap r ≥ 0 on the x̂1-space norm of the guidance (None: no cap). Unlike the paper's code,
    /// 0 is a cap (no guidance), not "off".
    pub norm_threshold: Option<f32>,
    /// Momentum β in [0, 1) of the running average of the guidance (0: none).
    pub momentum: f32,
    /// The schedule of w along the path (`method/schedule.rs`).
    #[serde(skip_serializing_if = "Schedule::is_constant")]
    pub schedule: Schedule,
}

impl Default for Apg {
    fn default() -> Self {
        Apg { eta: 0.0, norm_threshold: None, momentum: 0.0, schedule: Schedule::CONSTANT }
    }
}

impl Apg {
    /// Checks every field, naming the first bad one.
    pub fn validate(&self) -> Result<()> {
        check_range("eta", self.eta as f64, 0.0, MAX_ETA)?;
        if let Some(r) = self.norm_threshold {
            check_range("norm_threshold", r as f64, 0.0, MAX_NORM_THRESHOLD)?;
        }
        let b = self.momentum as f64;
        if !(b.is_finite() && (0.0..1.0).contains(&b)) {
            return Err(crate::invalid!("momentum must be in [0, 1), got {b}"));
        }
        self.schedule.validate()
    }
}

/// APG's state: both velocities of a batch, and the running average D per point of the run
/// (empty without momentum).
#[derive(Debug, Default)]
struct ApgState {
    both: Both,
    average: Vec<[f64; 2]>,
}

impl MethodRule for Apg {
    fn validate(&self) -> Result<()> {
        Apg::validate(self)
    }

    fn schedule(&self) -> Schedule {
        self.schedule
    }

    fn prepare(&self, state: &mut MethodState, rows: usize) {
        state.own::<ApgState>().both.fit(rows);
    }

    /// The running average, one per point.
    fn prepare_points(&self, state: &mut MethodState, n: usize, _w: f32) -> Result<()> {
        let average = &mut state.own::<ApgState>().average;
        if self.momentum > 0.0 && average.len() < n {
            average.resize(n, [0.0; 2]);
        }
        Ok(())
    }

    fn with_field(&self, on: On, f: &mut dyn FnMut(&mut dyn VelocityField)) {
        let (labels, class, w, at) = (on.labels, on.class, on.w_t, on.at);
        let ApgState { both, average } = on.state.own::<ApgState>();
        f(&mut ApgField { source: on.velocity, labels, class, w, rule: *self, at, both, average })
    }
}

/// The APG field. Without a class it is the unconditional field.
pub(super) struct ApgField<'s, 'a> {
    pub source: &'s mut FieldSource<'a>,
    /// One label for all points.
    pub labels: &'s [u32],
    pub class: Option<u32>,
    pub w: f32,
    pub rule: Apg,
    pub at: StepAt,
    pub both: &'s mut Both,
    /// The running average D per point of the run (empty without momentum).
    pub average: &'s mut Vec<[f64; 2]>,
}

impl VelocityField for ApgField<'_, '_> {
    fn eval(&mut self, x: ArrayView2<f32>, t: f32, mut v: ArrayViewMut2<f32>) {
        let n = x.nrows();
        let Some((vu, vc)) = self.both.eval_pair(self.source, self.labels, self.class, x, t, v.view_mut())
        else {
            return;
        };
        let (w, eta, beta) = (self.w as f64, self.rule.eta as f64, self.rule.momentum as f64);
        let one_minus_t = 1.0 - t as f64;
        // the running average needs to know which points these are (told by at_step)
        let rows = (beta > 0.0 && n == self.at.to - self.at.from && self.at.to <= self.average.len())
            .then_some(self.at.from);
        for i in 0..n {
            let c = [vc[[i, 0]] as f64, vc[[i, 1]] as f64];
            let mut d = [c[0] - vu[[i, 0]] as f64, c[1] - vu[[i, 1]] as f64];
            if let Some(from) = rows {
                let a = &mut self.average[from + i];
                *a = [d[0] + beta * a[0], d[1] + beta * a[1]];
                d = *a;
            }
            if let Some(r) = self.rule.norm_threshold {
                let norm = one_minus_t * (d[0] * d[0] + d[1] * d[1]).sqrt();
                if norm > r as f64 {
                    let f = r as f64 / norm;
                    d = [d[0] * f, d[1] * f];
                }
            }
            let p = [x[[i, 0]] as f64 + one_minus_t * c[0], x[[i, 1]] as f64 + one_minus_t * c[1]];
            let pp = p[0] * p[0] + p[1] * p[1];
            if pp > 0.0 {
                // D' = D − (1 − η)·(D·u)u, u = p/‖p‖
                let k = (1.0 - eta) * (d[0] * p[0] + d[1] * p[1]) / pp;
                d = [d[0] - k * p[0], d[1] - k * p[1]];
            }
            for j in 0..2 {
                v[[i, j]] = (c[j] + (w - 1.0) * d[j]) as f32;
            }
        }
    }

    fn calls(&self) -> usize {
        Both::pair_calls(self.source, self.class)
    }

    fn at_step(&mut self, at: StepAt) {
        self.at = at;
        if self.rule.momentum > 0.0 {
            if self.average.len() < at.to {
                // the first step of a run with more points than before (warm-up)
                self.average.resize(at.to, [0.0; 2]);
            }
            if at.k == 0 {
                self.average[at.from..at.to].iter_mut().for_each(|a| *a = [0.0; 2]);
            }
        }
    }
}
