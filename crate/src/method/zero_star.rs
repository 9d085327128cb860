//! CFG-Zero* (Fan et al. 2025): CFG with an optimised scale on the unconditional velocity,
//! s* = ⟨v_c, v_u⟩ / ‖v_u‖² per point (s* = 1 where v_u = 0), v = s*·v_u + w·(v_c − s*·v_u), and
//! zero-init: the first K steps output zero velocity (no network call).

use ndarray::{ArrayView2, ArrayViewMut2};

use serde::Serialize;

use super::field::{Both, MethodState};
use super::rule::{MethodRule, On};
use super::schedule::Schedule;
use crate::caps::MAX_SAMPLER_STEPS;
use crate::error::{check_count, Result};
use crate::field::{FieldSource, VelocityField};
use crate::invalid;

/// CFG-Zero*: the optimised scale s*, and zero velocity in the first `zero_steps` steps.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CfgZeroStar {
    pub zero_steps: usize,
    #[serde(skip_serializing_if = "Schedule::is_constant")]
    pub schedule: Schedule,
}

impl MethodRule for CfgZeroStar {
    fn validate(&self) -> Result<()> {
        check_count("zero_steps", self.zero_steps as i64, 0, MAX_SAMPLER_STEPS as i64)?;
        self.schedule.validate()
    }

    fn schedule(&self) -> Schedule {
        self.schedule
    }

    /// K must not exceed the run's steps.
    fn check_steps(&self, steps: usize) -> Result<()> {
        if self.zero_steps > steps {
            return Err(invalid!(
                "zero_steps must not exceed the run's {steps} steps, got {}",
                self.zero_steps
            ));
        }
        Ok(())
    }

    fn prepare(&self, state: &mut MethodState, rows: usize) {
        state.own::<Both>().fit(rows);
    }

    fn with_field(&self, on: On, f: &mut dyn FnMut(&mut dyn VelocityField)) {
        let (labels, class, w, zero_steps, k) = (on.labels, on.class, on.w_t, self.zero_steps, on.at.k);
        let both = on.state.own::<Both>();
        f(&mut ZeroStarField { source: on.velocity, labels, class, w, zero_steps, k, both })
    }
}

/// The CFG-Zero* field. Without a class it is the unconditional field (after the zero steps).
pub(super) struct ZeroStarField<'s, 'a> {
    pub source: &'s mut FieldSource<'a>,
    /// One label for all points.
    pub labels: &'s [u32],
    pub class: Option<u32>,
    pub w: f32,
    pub zero_steps: usize,
    /// The step the run is at.
    pub k: usize,
    pub both: &'s mut Both,
}

/// s* = ⟨v_c, v_u⟩ / ‖v_u‖² (1 where v_u = 0), in f64.
#[inline]
pub(super) fn optimised_scale(v_u: [f64; 2], v_c: [f64; 2]) -> f64 {
    let uu = v_u[0] * v_u[0] + v_u[1] * v_u[1];
    if uu > 0.0 {
        (v_c[0] * v_u[0] + v_c[1] * v_u[1]) / uu
    } else {
        1.0
    }
}

impl VelocityField for ZeroStarField<'_, '_> {
    fn eval(&mut self, x: ArrayView2<f32>, t: f32, mut v: ArrayViewMut2<f32>) {
        if self.k < self.zero_steps {
            v.fill(0.0);
            return;
        }
        let w = self.w as f64;
        self.both.eval_mixed(self.source, self.labels, self.class, x, t, v, |u, c| {
            let s = optimised_scale(u, c);
            [s * u[0] + w * (c[0] - s * u[0]), s * u[1] + w * (c[1] - s * u[1])]
        });
    }

    /// What a step after the zero steps costs.
    fn calls(&self) -> usize {
        Both::pair_calls(self.source, self.class)
    }

    fn calls_at(&mut self, k: usize, _t: f32) -> usize {
        if k < self.zero_steps {
            0
        } else {
            self.calls()
        }
    }
}
