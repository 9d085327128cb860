//! Autoguidance (Karras et al. 2024): guide a model with a weaker version of itself,
//! v = v_bad + w·(v_good − v_bad), both conditional (both unconditional without a class). The
//! guide is a network of the same data and classes (smaller, trained shorter, an earlier
//! checkpoint), or, on the exact field, the data's mixture with every component's covariance
//! multiplied by a factor ([`widened`]): an analytic stand-in for an underfit model.

use ndarray::{s, ArrayView2, ArrayViewMut2, Zip};

use serde::Serialize;

use super::field::{Both, MethodState};
use super::rule::{MethodRule, On};
use super::schedule::Schedule;
use crate::error::{check_range, Result};
use crate::field::{Bound, FieldSource, Guidance, VelocityField};
use crate::mixture::Mixture;

/// The default factor on every component's covariance of the exact guide.
pub const DEFAULT_WIDEN: f64 = 1.5;
/// Largest factor accepted.
pub const MAX_WIDEN: f64 = 100.0;

/// Autoguidance by a guide network (`Models::guide`), or on the exact field by the data's
/// mixture with every component's covariance multiplied by `guide_widen`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Autoguidance {
    pub guide_widen: f64,
    #[serde(skip_serializing_if = "Schedule::is_constant")]
    pub schedule: Schedule,
}

impl MethodRule for Autoguidance {
    fn validate(&self) -> Result<()> {
        check_range("guide_widen", self.guide_widen, 1.0, MAX_WIDEN)?;
        self.schedule.validate()
    }

    fn schedule(&self) -> Schedule {
        self.schedule
    }

    fn exact_guide(&self, mixture: &Mixture) -> Option<Mixture> {
        Some(widened(mixture, self.guide_widen))
    }

    /// The guide's velocities.
    fn prepare(&self, state: &mut MethodState, rows: usize) {
        state.own::<Both>().fit(rows);
    }

    fn with_field(&self, on: On, f: &mut dyn FnMut(&mut dyn VelocityField)) {
        let guide = on.guide.expect("checked by MethodField::new");
        let (labels, class, w) = (on.labels, on.class, on.w_t);
        let both = on.state.own::<Both>();
        f(&mut AutoguidanceField { source: on.velocity, guide, labels, class, w, both })
    }
}

/// `mixture` with every component's covariance multiplied by `factor` (means and weights kept).
pub fn widened(mixture: &Mixture, factor: f64) -> Mixture {
    let mut m = mixture.clone();
    for c in &mut m.components {
        c.cov = c.cov.scale_add_iso(factor, 0.0);
    }
    m
}

/// The autoguided field: the model's velocity and its guide's, 1 network call each.
pub(super) struct AutoguidanceField<'s, 'a, 'g> {
    pub source: &'s mut FieldSource<'a>,
    pub guide: &'s mut FieldSource<'g>,
    /// One label for all points.
    pub labels: &'s [u32],
    pub class: Option<u32>,
    pub w: f32,
    pub both: &'s mut Both,
}

impl AutoguidanceField<'_, '_, '_> {
    fn guidance(&self) -> Guidance {
        match self.class {
            Some(_) => Guidance::Conditional,
            None => Guidance::Unconditional,
        }
    }
}

impl VelocityField for AutoguidanceField<'_, '_, '_> {
    fn eval(&mut self, x: ArrayView2<f32>, t: f32, mut v: ArrayViewMut2<f32>) {
        let (n, guidance, labels) = (x.nrows(), self.guidance(), self.labels);
        Bound { source: self.source, labels, guidance }.eval(x, t, v.view_mut());
        let mut bad = self.both.v_u.slice_mut(s![..n, ..]);
        Bound { source: self.guide, labels, guidance }.eval(x, t, bad.view_mut());
        let w = self.w;
        // v_bad + w·(v_good − v_bad): the model as its own guide gives v_good, bit for bit
        Zip::from(&mut v).and(&bad).for_each(|v, &b| *v = b + w * (*v - b));
    }

    fn calls(&self) -> usize {
        let net = |s: &FieldSource| matches!(s, FieldSource::Network { .. }) as usize;
        net(self.source) + net(self.guide)
    }
}
