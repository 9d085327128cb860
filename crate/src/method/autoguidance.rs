//! Autoguidance (Karras et al. 2024): guide a model with a weaker version of itself,
//! v = v_bad + w·(v_good − v_bad), both conditional (both unconditional without a class). The
//! guide is a network of the same data and classes (smaller, trained shorter, an earlier
//! checkpoint), or, on the exact field, the data's mixture with every component's covariance
//! multiplied by a factor ([`widened`]): an analytic stand-in for an underfit model.

use ndarray::{s, ArrayView2, ArrayViewMut2, Zip};

use super::field::Both;
use crate::field::{Bound, FieldSource, Guidance, VelocityField};
use crate::mixture::Mixture;

/// The default factor on every component's covariance of the exact guide.
pub const DEFAULT_WIDEN: f64 = 1.5;
/// Largest factor accepted.
pub const MAX_WIDEN: f64 = 100.0;

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
