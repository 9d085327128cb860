//! Guidance rescale (Lin et al. 2024, "Common Diffusion Noise Schedules and Sample Steps are
//! Flawed", §3.4; `guidance_rescale` in diffusers): CFG's velocity v_cfg = v_u + w·(v_c − v_u)
//! is larger than any velocity the model was trained to produce, so it is scaled back to the size
//! of the conditional one, and the two are blended by φ:
//! v = φ·(‖v_c‖ / ‖v_cfg‖)·v_cfg + (1 − φ)·v_cfg, per point.
//! The paper measures size by the standard deviation over an image's pixels, whose mean is close
//! to 0; over the two components of a 2D velocity the mean is not, so here it is the norm (the
//! root mean square). φ = 0 is CFG; φ = 1 keeps CFG's direction at the conditional velocity's
//! length.

use ndarray::{ArrayView2, ArrayViewMut2};

use serde::Serialize;

use super::field::{Both, MethodState};
use super::rule::{MethodRule, On};
use crate::error::{check_range, Result};
use crate::field::{FieldSource, VelocityField};

/// Guidance rescale at φ.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CfgRescale {
    /// φ in [0, 1]: the share of the rescaled velocity (the paper recommends 0.7).
    pub phi: f32,
}

/// The paper's recommended φ.
pub const DEFAULT_PHI: f64 = 0.7;

impl MethodRule for CfgRescale {
    fn validate(&self) -> Result<()> {
        check_range("phi", self.phi as f64, 0.0, 1.0).map(|_| ())
    }

    fn prepare(&self, state: &mut MethodState, rows: usize) {
        state.own::<Both>().fit(rows);
    }

    fn with_field(&self, on: On, f: &mut dyn FnMut(&mut dyn VelocityField)) {
        let (labels, class, w, phi) = (on.labels, on.class, on.w_t, self.phi);
        let both = on.state.own::<Both>();
        f(&mut RescaleField { source: on.velocity, labels, class, w, phi, both })
    }
}

/// The rescaled field. Without a class it is the unconditional field.
struct RescaleField<'s, 'a> {
    source: &'s mut FieldSource<'a>,
    /// One label for all points.
    labels: &'s [u32],
    class: Option<u32>,
    w: f32,
    phi: f32,
    both: &'s mut Both,
}

/// φ·(‖v_c‖/‖v_cfg‖)·v_cfg + (1 − φ)·v_cfg for one point, in f64 (v_cfg where it is 0).
#[inline]
pub fn rescaled(v_u: [f64; 2], v_c: [f64; 2], w: f64, phi: f64) -> [f64; 2] {
    let g = [v_u[0] + w * (v_c[0] - v_u[0]), v_u[1] + w * (v_c[1] - v_u[1])];
    let norm_g = g[0].hypot(g[1]);
    let scale = if norm_g > 0.0 { phi * v_c[0].hypot(v_c[1]) / norm_g + (1.0 - phi) } else { 1.0 };
    [scale * g[0], scale * g[1]]
}

impl VelocityField for RescaleField<'_, '_> {
    /// x: (n, 2), v: (n, 2).
    fn eval(&mut self, x: ArrayView2<f32>, t: f32, v: ArrayViewMut2<f32>) {
        let (w, phi) = (self.w as f64, self.phi as f64);
        self.both.eval_mixed(self.source, self.labels, self.class, x, t, v, |u, c| rescaled(u, c, w, phi));
    }

    fn calls(&self) -> usize {
        Both::pair_calls(self.source, self.class)
    }
}

#[cfg(test)]
mod tests {
    use super::rescaled;

    const U: [f64; 2] = [0.3, -1.2];
    const C: [f64; 2] = [1.1, 0.4];

    #[test]
    fn phi_zero_is_cfg() {
        let w = 4.0;
        let r = rescaled(U, C, w, 0.0);
        for j in 0..2 {
            assert_eq!(r[j], U[j] + w * (C[j] - U[j]));
        }
    }

    #[test]
    fn phi_one_keeps_the_direction_at_the_conditional_length() {
        let w = 5.0;
        let r = rescaled(U, C, w, 1.0);
        let g = [U[0] + w * (C[0] - U[0]), U[1] + w * (C[1] - U[1])];
        assert!((r[0].hypot(r[1]) - C[0].hypot(C[1])).abs() < 1e-12);
        // parallel to v_cfg, same sign
        assert!((r[0] * g[1] - r[1] * g[0]).abs() < 1e-12 && r[0] * g[0] + r[1] * g[1] > 0.0);
    }

    #[test]
    fn at_w_one_it_is_the_conditional_velocity() {
        let r = rescaled(U, C, 1.0, 0.7);
        assert!((r[0] - C[0]).abs() < 1e-12 && (r[1] - C[1]).abs() < 1e-12);
    }

    #[test]
    fn blends_linearly_in_phi() {
        let (a, b, m) = (rescaled(U, C, 3.0, 0.0), rescaled(U, C, 3.0, 1.0), rescaled(U, C, 3.0, 0.25));
        for j in 0..2 {
            assert!((m[j] - (0.75 * a[j] + 0.25 * b[j])).abs() < 1e-12);
        }
    }

    #[test]
    fn a_zero_guided_velocity_stays_zero() {
        // w(v_c − v_u) = −v_u: v_cfg = 0
        let r = rescaled([1.0, 0.0], [0.5, 0.0], 2.0, 0.7);
        assert_eq!(r, [0.0, 0.0]);
    }
}
