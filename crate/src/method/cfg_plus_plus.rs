//! CFG++ (Chung et al., ICLR 2025) written as flow matching.
//!
//! On the path x_t = t·x1 + (1 − t)·x0 (t = 0 noise, 1 data) a step from t to t + h denoises with
//! the guided velocity and renoises with the unconditional one:
//!
//! ```text
//! x̂1 = x + (1 − t)·(v_u + λ·Δ)        (guided data prediction, Δ = v_c − v_u)
//! x̂0 = x − t·v_u                      (unconditional noise prediction)
//! x' = (t + h)·x̂1 + (1 − t − h)·x̂0  = x + h·v_u + λ·(t + h)(1 − t)·Δ
//! ```
//!
//! which is an Euler step of CFG at w_eff = λ·(t + h)(1 − t)/h ([`effective_w`]): a schedule that
//! depends on the step size, growing with the number of steps (at λ = 1 and 40 steps it is 1 at
//! t = 0 and about 10 mid-run). The step is defined for Euler only; λ = 0 is the unconditional flow.

use serde::Serialize;

use super::rule::{MethodRule, On};
use crate::field::{Bound, VelocityField};
use crate::sample::guidance_for;

/// CFG++ (the guided data prediction renoised with the unconditional noise prediction, λ = w):
/// an Euler step of CFG at [`effective_w`] (its row insists on Euler).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CfgPlusPlus;

impl MethodRule for CfgPlusPlus {
    fn with_field(&self, on: On, f: &mut dyn FnMut(&mut dyn VelocityField)) {
        let w_eff = effective_w(on.w, on.t, on.at.dt);
        f(&mut Bound { source: on.velocity, labels: on.labels, guidance: guidance_for(on.class, w_eff) })
    }
}

/// CFG++'s scale at λ for the Euler step from `t` to `t + h`: λ·(t + h)(1 − t)/h (λ for h ≤ 0,
/// which no step has: only the construction-time count of calls asks).
pub fn effective_w(lambda: f32, t: f32, h: f32) -> f32 {
    if h > 0.0 {
        lambda * (t + h) * (1.0 - t) / h
    } else {
        lambda
    }
}

/// The λ at which CFG++'s mean scale over an Euler run of `steps` steps is `w`: the mean of
/// [`effective_w`] over the steps t = k/N is λ·(N+1)(N+2)/(6N), which grows with N (the guidance
/// lab gives CFG++ this λ at its default step count, `cfgPlusPlusLambda` on the page).
pub fn lambda_for_mean(w: f64, steps: usize) -> f64 {
    let n = steps as f64;
    w * 6.0 * n / ((n + 1.0) * (n + 2.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_renoised_step_is_cfg_at_the_effective_scale() {
        // x' of the paper's two predictions against x + h·(v_u + w_eff·Δ), in f64
        let (x, vu, vc) = (0.3f64, -1.2f64, 0.8f64);
        for (lambda, t, h) in [(0.6f64, 0.0f64, 0.1f64), (1.0, 0.45, 0.025), (0.2, 0.99, 0.01)] {
            let x1 = x + (1.0 - t) * (vu + lambda * (vc - vu));
            let x0 = x - t * vu;
            let paper = (t + h) * x1 + (1.0 - t - h) * x0;
            let w = effective_w(lambda as f32, t as f32, h as f32) as f64;
            let cfg = x + h * (vu + w * (vc - vu));
            assert!((paper - cfg).abs() < 1e-5, "{paper} vs {cfg}");
        }
        assert_eq!(effective_w(0.0, 0.5, 0.1), 0.0);
    }

    #[test]
    fn lambda_for_mean_makes_the_mean_effective_scale_w() {
        for (w, steps) in [(3.0, 40), (1.0, 1), (7.5, 10), (2.0, 100)] {
            let lambda = lambda_for_mean(w, steps);
            let h = 1.0 / steps as f32;
            let mean = (0..steps).map(|k| effective_w(lambda as f32, k as f32 * h, h) as f64).sum::<f64>()
                / steps as f64;
            assert!((mean - w).abs() < 1e-4 * w, "{w} at {steps} steps: mean {mean}");
        }
    }
}
