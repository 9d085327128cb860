//! Guidance in a limited interval (Kynkäänniemi et al. 2024): CFG at w for t in [t_lo, t_hi],
//! the plain conditional velocity (w = 1) outside it. t_lo = t_hi is the empty interval.

use ndarray::{ArrayView2, ArrayViewMut2};

use serde::Serialize;

use super::rule::{MethodRule, On};
use crate::error::Result;
use crate::field::{Bound, FieldSource, Guidance, VelocityField};
use crate::sample::guidance_for;

/// CFG at w for t in [t_lo, t_hi] (closed; empty when t_lo = t_hi), w = 1 outside.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct GuidanceInterval {
    pub t_lo: f32,
    pub t_hi: f32,
}

impl MethodRule for GuidanceInterval {
    fn validate(&self) -> Result<()> {
        super::schedule::check_window(self.t_lo, self.t_hi)
    }

    fn with_field(&self, on: On, f: &mut dyn FnMut(&mut dyn VelocityField)) {
        let (t_lo, t_hi) = (self.t_lo, self.t_hi);
        f(&mut IntervalField { source: on.velocity, labels: on.labels, class: on.class, w: on.w, t_lo, t_hi })
    }
}

/// The interval's field: 2 network calls per point inside the interval, 1 outside.
pub(super) struct IntervalField<'s, 'a> {
    pub source: &'s mut FieldSource<'a>,
    /// One label for all points.
    pub labels: &'s [u32],
    pub class: Option<u32>,
    pub w: f32,
    pub t_lo: f32,
    pub t_hi: f32,
}

impl IntervalField<'_, '_> {
    /// CFG at w inside the (closed, non-empty) interval, w = 1 outside: the same guidance modes
    /// as the `cfg` method, so [0, 1] is CFG and an empty interval is w = 1, bit for bit.
    fn guidance(&self, t: f32) -> Guidance {
        let inside = self.t_lo < self.t_hi && self.t_lo <= t && t <= self.t_hi;
        guidance_for(self.class, if inside { self.w } else { 1.0 })
    }
}

impl VelocityField for IntervalField<'_, '_> {
    fn eval(&mut self, x: ArrayView2<f32>, t: f32, v: ArrayViewMut2<f32>) {
        let guidance = self.guidance(t);
        Bound { source: self.source, labels: self.labels, guidance }.eval(x, t, v)
    }

    /// The most an evaluation costs (inside the interval).
    fn calls(&self) -> usize {
        let guidance = guidance_for(self.class, self.w).calls().max(guidance_for(self.class, 1.0).calls());
        match self.source {
            FieldSource::Network { .. } => guidance,
            FieldSource::Exact { .. } => 0,
        }
    }

    fn calls_at(&mut self, _k: usize, t: f32) -> usize {
        match self.source {
            FieldSource::Network { .. } => self.guidance(t).calls(),
            FieldSource::Exact { .. } => 0,
        }
    }
}
