//! The exact mixture velocity with its analytic divergence, for the exact densities: the Jacobian
//! itself is [`MixtureJacobian`] (`crate/kernels/src/mixture_jacobian.rs`, in the kernels crate
//! with the mixture it differentiates); guidance mixes the two Jacobians linearly.

use ndarray::{ArrayView2, ArrayViewMut2};

use crate::density::DivergenceField;
use crate::field::Guidance;
use crate::mixture::Mixture;
pub use crate::mixture_jacobian::{JacEval, Mat2, MixtureJacobian};

/// Mixes two Jacobians as guidance mixes velocities.
pub fn mix_jacobian(g: Guidance, j_u: &Mat2, j_c: &Mat2) -> Mat2 {
    let mut j = [[0.0; 2]; 2];
    for a in 0..2 {
        for b in 0..2 {
            j[a][b] = mix(g, j_u[a][b], j_c[a][b]);
        }
    }
    j
}

/// (1 − w)·u + w·c in f64, as [`Guidance::mix`].
#[inline]
pub fn mix(g: Guidance, u: f64, c: f64) -> f64 {
    match g {
        Guidance::Unconditional => u,
        Guidance::Conditional => c,
        Guidance::Cfg(w) => (1.0 - w as f64) * u + w as f64 * c,
    }
}

/// The exact mixture velocity with its analytic divergence: a [`DivergenceField`].
pub struct ExactDivergence<'a> {
    pub mixture: &'a Mixture,
    pub jac: &'a mut MixtureJacobian,
    /// One label per point, or one for all (n_classes = null).
    pub labels: &'a [u32],
    pub guidance: Guidance,
}

impl DivergenceField for ExactDivergence<'_> {
    fn eval_div(&mut self, x: ArrayView2<f64>, t: f64, mut v: ArrayViewMut2<f64>, div: &mut [f64]) {
        self.jac.prepare(self.mixture, t);
        let null = self.mixture.n_classes as u32;
        for i in 0..x.nrows() {
            let y = if self.labels.len() == 1 { self.labels[0] } else { self.labels[i] };
            let class = (y != null).then_some(y);
            let e = self.jac.eval([x[[i, 0]], x[[i, 1]]], class);
            let j = mix_jacobian(self.guidance, &e.jac_u, &e.jac_c);
            for a in 0..2 {
                v[[i, a]] = mix(self.guidance, e.v_u[a], e.v_c[a]);
            }
            div[i] = j[0][0] + j[1][1];
        }
    }

    fn calls(&self) -> usize {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datasets::Dataset;
    use crate::mixture::Prepared;

    /// The analytic Jacobian against central differences of the velocity, and the velocity and
    /// log densities against mixture.rs.
    #[test]
    fn jacobian_matches_central_differences() {
        for name in ["non-overlapping", "overlapping", "face"] {
            let m = Dataset::by_name(name).unwrap().mixture();
            let (mut mj, mut prep) = (MixtureJacobian::default(), Prepared::default());
            let mut worst = 0.0f64;
            for &t in &[0.0, 0.1, 0.5, 0.9, 0.97, 1.0] {
                mj.prepare(&m, t);
                m.prepare(t, &mut prep);
                for &x in &[[0.3, -0.2], [-1.0, 0.4], [2.0, 1.0], [-1.9, -2.1], [0.1, -0.6]] {
                    for class in [None, Some(0), Some(1)] {
                        let e = mj.eval(x, class);
                        let r = Mixture::eval(&prep, x, class);
                        for a in 0..2 {
                            assert!((e.v_u[a] - r.v_u[a]).abs() < 1e-9 && (e.v_c[a] - r.v_c[a]).abs() < 1e-9);
                        }
                        assert!((e.log_p_u - r.log_p_u).abs() < 1e-9 && (e.log_p_c - r.log_p_c).abs() < 1e-9);
                        let h = 1e-6;
                        for b in 0..2 {
                            let (mut up, mut dn) = (x, x);
                            up[b] += h;
                            dn[b] -= h;
                            let (eu, ed) = (mj.eval(up, class), mj.eval(dn, class));
                            for a in 0..2 {
                                for (num, ana) in [
                                    ((eu.v_u[a] - ed.v_u[a]) / (2.0 * h), e.jac_u[a][b]),
                                    ((eu.v_c[a] - ed.v_c[a]) / (2.0 * h), e.jac_c[a][b]),
                                ] {
                                    let err = (num - ana).abs() / ana.abs().max(1.0);
                                    worst = worst.max(err);
                                }
                            }
                        }
                    }
                }
            }
            assert!(worst < 1e-6, "{name}: worst relative error {worst:e}");
        }
    }
}
