//! Adam with bias correction, optional decoupled weight decay (AdamW), global gradient-norm
//! clipping and a constant or cosine learning rate, as one fused loop over flat buffers.
//!
//! ```text
//! g ← g·min(1, clip/‖g‖)          m ← β1·m + (1−β1)·g          v ← β2·v + (1−β2)·g²
//! m̂ = m/(1−β1^k)    v̂ = v/(1−β2^k)    p ← p − lr_k·(m̂/(√v̂ + ε) + λ·p)
//! ```

use serde::{Deserialize, Serialize};

use crate::real::Real;

/// How the learning rate changes over training.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Schedule {
    /// lr at every step.
    #[default]
    Constant,
    /// lr·½(1 + cos(π·k/total)), decaying to zero at the last step.
    Cosine,
}

/// Adam's hyper-parameters.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdamConfig {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    /// Decoupled weight decay λ (0: none).
    pub weight_decay: f64,
    /// Largest global gradient norm (0: no clipping).
    pub clip_norm: f64,
    pub schedule: Schedule,
    /// Length of the cosine schedule, in steps.
    pub total_steps: usize,
}

impl Default for AdamConfig {
    fn default() -> Self {
        AdamConfig {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            clip_norm: 0.0,
            schedule: Schedule::Constant,
            total_steps: 1,
        }
    }
}

impl AdamConfig {
    /// The learning rate at step `k` (0-based).
    pub fn lr_at(&self, k: usize) -> f64 {
        match self.schedule {
            Schedule::Constant => self.lr,
            Schedule::Cosine => {
                let frac = (k as f64 / self.total_steps.max(1) as f64).min(1.0);
                self.lr * 0.5 * (1.0 + (std::f64::consts::PI * frac).cos())
            }
        }
    }
}

/// Optimiser state: first and second moments for every parameter.
#[derive(Clone, Debug)]
pub struct Adam<T> {
    pub config: AdamConfig,
    m: Vec<T>,
    v: Vec<T>,
    step: usize,
}

impl<T: Real> Adam<T> {
    /// State for `n` parameters.
    pub fn new(config: AdamConfig, n: usize) -> Self {
        Adam { config, m: vec![T::zero(); n], v: vec![T::zero(); n], step: 0 }
    }

    /// Number of updates done.
    pub fn steps(&self) -> usize {
        self.step
    }

    /// Forgets the moments (for a restarted run).
    pub fn reset(&mut self) {
        self.m.iter_mut().for_each(|x| *x = T::zero());
        self.v.iter_mut().for_each(|x| *x = T::zero());
        self.step = 0;
    }

    /// [`Adam::update`], instantiated for each scalar by [`crate::scalar::Scalar`].
    pub(crate) fn update_generic(&mut self, params: &mut [T], grads: &[T]) -> f64 {
        assert_eq!(params.len(), self.m.len());
        assert_eq!(grads.len(), self.m.len());
        let c = self.config;
        let norm = grads.iter().map(|&g| g.f64() * g.f64()).sum::<f64>().sqrt();
        let scale = if c.clip_norm > 0.0 && norm > c.clip_norm { c.clip_norm / norm } else { 1.0 };
        let lr = c.lr_at(self.step);
        self.step += 1;
        let k = self.step as i32;
        let (b1, b2) = (T::of(c.beta1), T::of(c.beta2));
        let (one_b1, one_b2) = (T::of(1.0 - c.beta1), T::of(1.0 - c.beta2));
        let bc1 = T::of(1.0 - c.beta1.powi(k));
        let bc2 = T::of(1.0 - c.beta2.powi(k));
        let (lr, eps, decay, scale) = (T::of(lr), T::of(c.eps), T::of(c.weight_decay), T::of(scale));
        for (((p, &g), m), v) in params.iter_mut().zip(grads).zip(&mut self.m).zip(&mut self.v) {
            let g = g * scale;
            *m = b1 * *m + one_b1 * g;
            *v = b2 * *v + one_b2 * g * g;
            let m_hat = *m / bc1;
            let v_hat = *v / bc2;
            *p -= lr * (m_hat / (v_hat.sqrt() + eps) + decay * *p);
        }
        norm
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_two_steps_match_the_closed_form() {
        let cfg = AdamConfig { lr: 0.01, ..Default::default() };
        let mut adam = Adam::<f64>::new(cfg, 3);
        let mut p = vec![1.0, -2.0, 0.5];
        let g1 = [0.3, -0.1, 0.0];
        let g2 = [-0.2, 0.4, 1e-3];
        adam.update(&mut p, &g1);
        // step 1: m̂ = g, v̂ = g², so the update is lr·g/(|g| + ε)
        let want1: Vec<f64> =
            [1.0, -2.0, 0.5].iter().zip(&g1).map(|(p, g)| p - 0.01 * g / (g.abs() + 1e-8)).collect();
        for (a, b) in p.iter().zip(&want1) {
            assert!((a - b).abs() < 1e-15, "{a} vs {b}");
        }
        adam.update(&mut p, &g2);
        for i in 0..3 {
            let m = 0.9 * 0.1 * g1[i] + 0.1 * g2[i];
            let v = 0.999 * 0.001 * g1[i] * g1[i] + 0.001 * g2[i] * g2[i];
            let m_hat = m / (1.0 - 0.81);
            let v_hat = v / (1.0 - 0.999f64 * 0.999);
            let want = want1[i] - 0.01 * m_hat / (v_hat.sqrt() + 1e-8);
            assert!((p[i] - want).abs() < 1e-15, "param {i}: {} vs {want}", p[i]);
        }
    }

    #[test]
    fn clipping_scales_the_whole_gradient() {
        let cfg = AdamConfig { clip_norm: 1.0, beta1: 0.0, ..Default::default() };
        let mut a = Adam::<f64>::new(cfg, 2);
        let mut b = Adam::<f64>::new(AdamConfig { beta1: 0.0, ..Default::default() }, 2);
        let (mut p, mut q) = (vec![0.0; 2], vec![0.0; 2]);
        let norm = a.update(&mut p, &[3.0, 4.0]);
        b.update(&mut q, &[0.6, 0.8]);
        assert_eq!(norm, 5.0);
        assert_eq!(p, q);
    }

    #[test]
    fn weight_decay_is_decoupled() {
        let cfg = AdamConfig { lr: 0.1, weight_decay: 0.5, ..Default::default() };
        let mut a = Adam::<f64>::new(cfg, 1);
        let mut p = vec![2.0];
        a.update(&mut p, &[0.0]);
        assert!((p[0] - (2.0 - 0.1 * 0.5 * 2.0)).abs() < 1e-12);
    }

    #[test]
    fn cosine_schedule_goes_from_lr_to_zero() {
        let cfg = AdamConfig { schedule: Schedule::Cosine, total_steps: 100, ..Default::default() };
        assert_eq!(cfg.lr_at(0), 1e-3);
        assert!((cfg.lr_at(50) - 5e-4).abs() < 1e-12);
        assert!(cfg.lr_at(100).abs() < 1e-12);
        assert!(cfg.lr_at(1000).abs() < 1e-12);
    }
}
