//! The SDE sampler: the stochastic process with the same marginals p_t as the flow, stepped so
//! that it is stable for every noise level, with noise drawn from the run's seed.
//!
//! # The SDE
//! Convention: t = 0 noise, t = 1 data, x_t = t·x1 + (1−t)·x0, v = E[x1 − x0 | x_t]. Tweedie's
//! formula gives the score from the velocity, s = ∇log p_t = (t·v − x)/(1−t), and the two
//! denoised estimates x̂1 = E[x1 | x_t] = x + (1−t)·v and x̂0 = E[x0 | x_t] = x − t·v.
//! For any g(t) the SDE
//! ```text
//! dx = [v + (g²/2)·s] dt + g dW
//! ```
//! has the flow's marginals: its Fokker–Planck equation
//! ∂p = −∇·(p·v) − (g²/2)·∇·(p·∇log p) + (g²/2)·Δp = −∇·(p·v) is the continuity equation of v.
//! The noise level η ≥ 0 sets g² = 2η·(1−t), which vanishes at t = 1 and makes the score term
//! finite: (g²/2)·s = η·(t·v − x). η = 0 is the ODE.
//!
//! # Why not plain Euler–Maruyama
//! Write the velocity as v = (x̂1 − x)/(1−t). The drift is then
//! (1 + η·t)·v − η·x = (1+η)·(x̂1 − x)/(1−t) − η·x̂1: where the data is thin (x̂1 barely moves
//! with x) its rate in x is −(1+η)/(1−t), which grows without bound as t → 1. An
//! Euler–Maruyama step of size h multiplies x − x̂1 by 1 − (1+η)·h/(1−t); on the last step
//! (1 − t = h) that is −η, so for η > 1 the last steps throw each point past x̂1, up to η times
//! as far as it was. On the face data in 10 steps at η = 3 that puts the samples 17× the noise
//! floor from the class (the ODE: 5×); the test
//! `plain_euler_maruyama_overshoots_where_this_step_does_not` in `crate/tests/sde.rs` measures it.
//!
//! # The step: Euler–Maruyama with the noise level capped near the end
//! Any g(t) keeps the marginals, so g may depend on the step size too. Step k from t to t + h
//! is the Euler–Maruyama step of the SDE with the noise level
//! ```text
//! η_k = max(0, min(η, (1−t)/h − 1))
//! x ← x + h·[(1 + η_k·t)·v − η_k·x] + √(2η_k·(1−t)·h)·ε,   ε ~ N(0, I)
//! ```
//! η_k is η except in the last (1+η) steps or so, where it makes (1 + η_k)·h ≤ 1 − t: the
//! factor 1 − (1+η_k)·h/(1−t) on x − x̂1 is then in [0, 1), so no step overshoots, for every η
//! and every number of steps. The last step (1 − t = h) has η_k = 0: the Euler ODE step, which
//! lands on x̂1. As h → 0 the capped stretch shrinks to nothing and this is the SDE with
//! g² = 2η(1−t). η = 0 is the Euler ODE step bit for bit (the velocity is left alone and no noise
//! is drawn).
//!
//! Measured against two alternatives (exact field, w = 1, sliced W2 to the class over the noise
//! floor; face, non-overlapping, two-moons; 10, 20 and 200 steps; η = 1 and 3): this step was
//! the best of the three or within the noise of it everywhere. Plain Euler–Maruyama overshoots
//! as above. An exponential integrator (hold x̂1 over the step and solve the linear SDE exactly:
//! x' = t'·x̂1 + (1−t')·(ρ·x̂0 + √(1−ρ²)·ε), ρ = ((1−t')/(1−t))^η, a DDIM-style step) is stable
//! for every η but exact only for data without spread: where x̂1 moves with x it shrinks the
//! samples' variance each step, and it was 2–4× further from the class than this step at 10–20
//! steps (face, 20 steps, η = 3: 6.0× the floor against 2.1×).
//!
//! Written as an Euler step x ← x + h·ṽ the effective velocity is ṽ = α·x + β·v + γ·ε with
//! α = −η_k, β = 1 + η_k·t, γ = √(2η_k·(1−t)/h) ([`SdeStep`]). That is how [`SdeField`] makes any
//! [`VelocityField`] (every method's field) an SDE sampler that the existing Euler integrator,
//! [`crate::sample::run`] and the page's particles step.
//!
//! # Noise
//! The Brownian increment of point i at step k comes from its own generator,
//! `rng::seeded(seed, stream::SDE + ((k << 32 | i) << 8))` ([`point_noise`]): the same seed as the
//! start noise ([`crate::sample::start_noise`]), another stream. So a seed reproduces a run, a
//! step split over animation frames draws the same noise as a whole step, and two samplers run
//! from one seed (CFG with the SDE and Feynman–Kac-corrected CFG, `crate::fkc`) share their noise.

use ndarray::{Array2, ArrayView2, ArrayViewMut2, Zip};

use crate::error::{check_range, Result};
use crate::field::{StepAt, VelocityField};
use crate::rng::{self, stream};
use crate::sample;
use crate::sampler::{SampleStats, Solver};

pub use crate::caps::MAX_SDE_NOISE;
/// The CLI's default `--sde-noise`.
pub const DEFAULT_SDE_NOISE: f32 = 1.0;

/// Checks a noise level η: finite, in [0, [`MAX_SDE_NOISE`]].
pub fn check_noise(eta: f32) -> Result<f32> {
    check_range("sde_noise", eta as f64, 0.0, MAX_SDE_NOISE).map(|_| eta)
}

/// Two N(0, 1) draws: the Brownian increment of point `i` at step `k` of the run of `seed`.
#[inline]
pub fn point_noise(seed: u64, k: usize, i: usize) -> [f32; 2] {
    let key = ((k as u64) << 32 | i as u64) << 8;
    let mut r = rng::seeded(seed, stream::SDE.wrapping_add(key));
    [rng::normal(&mut r) as f32, rng::normal(&mut r) as f32]
}

/// One step's coefficients: the step is x ← x + h·ṽ with ṽ = α·x + β·v + γ·ε, α = −η_k,
/// β = 1 + η_k·t, γ = √(2η_k·(1−t)/h) (see the module).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SdeStep {
    pub alpha: f32,
    pub beta: f32,
    pub gamma: f32,
}

impl SdeStep {
    /// The ODE: ṽ = v.
    pub const ODE: SdeStep = SdeStep { alpha: 0.0, beta: 1.0, gamma: 0.0 };

    /// The step from `t` to `t + dt` at noise level `eta`, capped to η_k (see the module; η = 0,
    /// a step of no length or one that starts at t ≥ 1: [`SdeStep::ODE`]).
    pub fn new(t: f32, dt: f32, eta: f32) -> SdeStep {
        let (t, h, eta) = (t as f64, dt as f64, eta as f64);
        let u = 1.0 - t; // 1 − t
        if !(eta > 0.0 && u > 0.0 && h > 0.0) {
            return SdeStep::ODE;
        }
        let eta_k = eta.min(u / h - 1.0);
        if eta_k <= 0.0 {
            return SdeStep::ODE;
        }
        SdeStep {
            alpha: (-eta_k) as f32,
            beta: (1.0 + eta_k * t) as f32,
            gamma: (2.0 * eta_k * u / h).sqrt() as f32,
        }
    }

    /// The capped noise level η_k of this step (−α).
    pub fn noise_level(&self) -> f32 {
        -self.alpha
    }

    /// True for the ODE step (nothing to do to the velocity).
    pub fn is_ode(&self) -> bool {
        *self == SdeStep::ODE
    }

    /// v ← ṽ for the points `x` (n, 2), which are points `from..from + n` of the run of `seed`
    /// at step `k` (their noise: [`point_noise`]). The ODE step leaves v alone.
    pub fn apply(&self, x: ArrayView2<f32>, mut v: ArrayViewMut2<f32>, seed: u64, k: usize, from: usize) {
        if self.is_ode() {
            return;
        }
        let SdeStep { alpha, beta, gamma } = *self;
        for (r, (xr, mut vr)) in x.rows().into_iter().zip(v.rows_mut()).enumerate() {
            let e = if gamma != 0.0 { point_noise(seed, k, from + r) } else { [0.0; 2] };
            for j in 0..2 {
                vr[j] = alpha * xr[j] + beta * vr[j] + gamma * e[j];
            }
        }
    }

    /// The whole step in place: x ← x + h·ṽ, with v (the field's velocity at x) overwritten by ṽ.
    pub fn advance(
        &self,
        mut x: ArrayViewMut2<f32>,
        mut v: ArrayViewMut2<f32>,
        dt: f32,
        seed: u64,
        k: usize,
        from: usize,
    ) {
        self.apply(x.view(), v.view_mut(), seed, k, from);
        // as the Euler integrator writes it, so that η = 0 is its step bit for bit
        Zip::from(&mut x).and(&v).for_each(|x, &v| *x += dt * v);
    }
}

/// Any velocity field as the SDE of noise level `eta`: its velocity v becomes the effective
/// velocity ṽ of [`SdeStep`], so that an Euler step along it is the SDE step. Step it with
/// [`Solver::Euler`] only (a second evaluation within a step, as Heun makes, would draw the
/// same noise again; [`run`] does it right). Allocates nothing.
pub struct SdeField<'f> {
    pub inner: &'f mut dyn VelocityField,
    pub eta: f32,
    /// The run's seed (the start noise's): the noise of point i at step k is [`point_noise`].
    pub seed: u64,
    /// Set by [`VelocityField::at_step`].
    at: StepAt,
    step: SdeStep,
}

impl<'f> SdeField<'f> {
    /// `inner` as the SDE of noise level `eta` (checked), with the noise of `seed`.
    pub fn new(inner: &'f mut dyn VelocityField, eta: f32, seed: u64) -> Result<Self> {
        check_noise(eta)?;
        Ok(SdeField { inner, eta, seed, at: StepAt::default(), step: SdeStep::ODE })
    }
}

impl VelocityField for SdeField<'_> {
    fn eval(&mut self, x: ArrayView2<f32>, t: f32, mut v: ArrayViewMut2<f32>) {
        self.inner.eval(x, t, v.view_mut());
        debug_assert_eq!(t, self.at.t, "the SDE field takes one evaluation per step, at its start");
        self.step.apply(x, v, self.seed, self.at.k, self.at.from);
    }

    fn calls(&self) -> usize {
        self.inner.calls()
    }

    fn calls_at(&mut self, k: usize, t: f32) -> usize {
        self.inner.calls_at(k, t)
    }

    fn at_step(&mut self, at: StepAt) {
        self.at = at;
        self.step = SdeStep::new(at.t, at.dt, self.eta);
        self.inner.at_step(at);
    }
}

/// [`crate::sample::run`] with the SDE of noise level `eta`: `n` start points of `seed` (scaled
/// by `noise_scale`) moved along `field` in `steps` SDE steps, with the noise of `seed`. At
/// η = 0 it is `sample::run` with Euler, bit for bit. The statistics' straightness is NaN for
/// η > 0 (a noisy path has none).
pub fn run(
    field: &mut dyn VelocityField,
    n: usize,
    steps: usize,
    seed: u64,
    noise_scale: f32,
    eta: f32,
) -> Result<(Array2<f32>, SampleStats)> {
    let mut sde = SdeField::new(field, eta, seed)?;
    let (x, mut stats) = sample::run(&mut sde, n, steps, Solver::Euler, seed, noise_scale)?;
    if eta > 0.0 {
        stats.straightness = f64::NAN;
    }
    Ok((x, stats))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eta_zero_is_the_euler_step() {
        assert!(SdeStep::new(0.3, 0.01, 0.0).is_ode());
        assert!(SdeStep::new(1.0, 0.01, 2.0).is_ode());
    }

    #[test]
    fn the_step_is_euler_maruyama_with_the_noise_capped_near_the_end() {
        // drift (1 + η·t)·v − η·x, noise √(2η(1−t)h)
        let (t, h, eta) = (0.3f64, 0.01f64, 1.5f64);
        let s = SdeStep::new(t as f32, h as f32, eta as f32);
        assert_eq!(s.noise_level(), 1.5);
        assert!((s.beta as f64 - (1.0 + eta * t)).abs() < 1e-6, "{}", s.beta);
        let g = (2.0 * eta * (1.0 - t)).sqrt();
        assert!((s.gamma as f64 * h - g * h.sqrt()).abs() < 1e-6, "{}", s.gamma);
        // near the end (1 + η_k)·h ≤ 1 − t: 1 − t = 3h caps η = 3 at 2; the last step is the ODE
        let h = 0.01f32;
        assert!((SdeStep::new(1.0 - 3.0 * h, h, 3.0).noise_level() - 2.0).abs() < 1e-3);
        assert!(SdeStep::new(1.0 - h, h, 3.0).is_ode());
        for k in 0..100 {
            let t = k as f32 * h;
            let s = SdeStep::new(t, h, 3.0);
            assert!((1.0 + s.noise_level()) * h <= (1.0 - t) * (1.0 + 1e-5), "step {k}: {s:?}");
        }
    }

    #[test]
    fn the_noise_is_keyed_by_seed_step_and_point() {
        assert_eq!(point_noise(3, 4, 5), point_noise(3, 4, 5));
        assert_ne!(point_noise(3, 4, 5), point_noise(3, 4, 6));
        assert_ne!(point_noise(3, 4, 5), point_noise(3, 5, 5));
        assert_ne!(point_noise(3, 4, 5), point_noise(4, 4, 5));
    }

    #[test]
    fn bad_noise_levels_are_errors() {
        assert!(check_noise(-0.1).is_err());
        assert!(check_noise(f32::NAN).is_err());
        assert!(check_noise(MAX_SDE_NOISE as f32 * 2.0).is_err());
        assert!(check_noise(3.0).is_ok());
    }
}
