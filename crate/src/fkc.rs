//! Feynman–Kac-corrected CFG (Skreta et al., ICML 2025, "Feynman-Kac Correctors in
//! Diffusion"): weighted particles that follow the CFG SDE and are resampled so that, as the
//! particles and the steps grow, they sample the tilted density q ∝ p^(1−w)·p(·|c)^w exactly,
//! which neither CFG with the ODE nor CFG with the SDE does.
//!
//! # The weight, from the Fokker–Planck equations
//! Convention as in [`crate::sde`]: t = 0 noise, t = 1 data, s = (t·v − x)/(1−t). Write p_u,
//! v_u, s_u for the unconditional marginal, velocity and score and p_c, v_c, s_c for class c.
//! Each marginal follows its continuity equation, ∂p = −∇·(p·v), so
//! ∂ log p = −∇·v − v·s. The target path is q_t ∝ e^φ with φ = (1−w)·log p_u + w·log p_c
//! (q_0 = N(0, I), the start noise; q_1 the tilted density); its score is the CFG score
//! s_w = (1−w)·s_u + w·s_c, and the CFG velocity is v_w = (1−w)·v_u + w·v_c.
//!
//! The particles follow dx = [v_w + (g²/2)·s_w] dt + g dW, whose density ρ obeys ∂ρ = L*ρ with
//! L*ρ = −∇·(ρ·(v_w + (g²/2)·s_w)) + (g²/2)·Δρ. By Feynman–Kac, particles that carry log-weights
//! with d log W = G(x_t, t) dt have the weighted density ρ̃ with ∂ρ̃ = L*ρ̃ + G·ρ̃; it is e^φ (up
//! to a constant in x, which self-normalised weights ignore) when G = ∂_t φ − (L*e^φ)/e^φ.
//! With ∇e^φ = e^φ·s_w and Δe^φ = e^φ·(∇·s_w + ‖s_w‖²):
//! ```text
//! (L*e^φ)/e^φ = −∇·v_w − v_w·s_w − (g²/2)(∇·s_w + ‖s_w‖²) + (g²/2)(∇·s_w + ‖s_w‖²)
//!             = −∇·v_w − v_w·s_w                                   (g drops out)
//! ∂_t φ       = −(1−w)(∇·v_u + v_u·s_u) − w(∇·v_c + v_c·s_c)
//! G           = v_w·s_w − (1−w)·v_u·s_u − w·v_c·s_c                (the divergences cancel)
//! ```
//! With a = 1−w, b = w (a + b = 1): a² − a = b² − b = −ab, so
//! G = −ab·(v_u·s_u + v_c·s_c − v_u·s_c − v_c·s_u) = w(w−1)·(v_c − v_u)·(s_c − s_u), and with
//! s_c − s_u = t/(1−t)·(v_c − v_u):
//! ```text
//! d log W = w(w−1)·t/(1−t)·‖v_c − v_u‖² dt = w(w−1)·((1−t)/t)·‖s_c − s_u‖² dt
//! ```
//! The issue's formula holds. It does not depend on g, it is 0 at w ∈ {0, 1} (then this is the
//! SDE sampler, bit for bit), and it is bounded on [0, 1]: s_c − s_u = ∇log p_t(c | x), which is
//! O(t) near t = 0 and finite at t = 1. `crate/tests/sde.rs` checks G against finite differences
//! of the exact mixture's densities, and the sampler against exact samples of the tilted density.
//!
//! # The sampler
//! Each step evaluates v_u and v_c once at the particles (one stacked network pass, as CFG
//! does), adds G·dt to each log-weight (left point rule), and moves each particle by the SDE
//! step of [`crate::sde::SdeStep`] with the CFG velocity and the SDE's noise of the run's seed.
//! After a step whose effective sample size ESS = (Σ W)²/Σ W² is below N/2, and once at the end,
//! the particles are resampled systematically (one uniform of the seed's
//! [`crate::rng::stream::RESAMPLE`] stream per resampling) and their weights reset, so the output
//! is unweighted. Copies of one particle get different noise afterwards (the noise is keyed by
//! the point's index), which is what spreads them out again: at η = 0 copies stay together.

use ndarray::{s, Array2, ArrayViewMut2};
use serde::Serialize;

use crate::caps::MAX_GUIDANCE;
use crate::datasets::Dataset;
use crate::error::{check_range, Result};
use crate::field::{FieldSource, Guidance, Source, StepAt};
use crate::invalid;
use crate::rng::{self, stream};
use crate::sample::{start_noise, with_class_field, SampleConfig};
use crate::sampler::SampleStats;
use crate::sde::{check_noise, SdeStep};

/// What a Feynman–Kac-corrected run reports besides its points.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct FkcStats {
    /// The smallest effective sample size (in particles, at most N) seen after any step, before
    /// resampling.
    pub min_ess: f64,
    /// Resamplings the ESS called for during the run (the one at the end is not counted).
    pub resamples: usize,
    /// Network calls per sample (2 per step on a network, 0 on the exact field).
    pub calls_per_sample: usize,
}

impl FkcStats {
    /// The run's [`SampleStats`] (a resampled path has no straightness: NaN).
    pub fn sample_stats(&self) -> SampleStats {
        SampleStats {
            calls_per_sample: self.calls_per_sample,
            straightness: f64::NAN,
            min_ess: Some(self.min_ess),
            resamples: Some(self.resamples),
        }
    }
}

/// The weight rate G = d log W/dt = w(w−1)·t/(1−t)·‖v_c − v_u‖² at time t (0 at t ≥ 1).
#[inline]
pub fn weight_rate(w: f64, t: f64, v_u: [f32; 2], v_c: [f32; 2]) -> f64 {
    if t >= 1.0 {
        return 0.0;
    }
    let d2: f64 = (0..2).map(|j| (v_c[j] as f64 - v_u[j] as f64).powi(2)).sum();
    w * (w - 1.0) * t / (1.0 - t) * d2
}

/// The state of a corrected run of N particles: buffers, log-weights and the run's statistics.
/// Sized once; a step allocates nothing.
#[derive(Clone, Debug)]
pub struct Fkc {
    n: usize,
    w: f32,
    eta: f32,
    seed: u64,
    v_u: Array2<f32>,
    v_c: Array2<f32>,
    log_w: Vec<f64>,
    /// exp(log W − max) of the last [`Fkc::ess`]
    weight: Vec<f64>,
    /// the positions before a resampling
    spare: Array2<f32>,
    min_ess: f64,
    resamples: usize,
    calls: u64,
}

impl Fkc {
    /// N = `n` particles at guidance `w` and noise level `eta`, with the SDE noise and the
    /// resampling of `seed`.
    pub fn new(n: usize, w: f32, eta: f32, seed: u64) -> Result<Self> {
        if n == 0 {
            return Err(invalid!("fkc needs at least one particle"));
        }
        check_range("guidance", w as f64, -MAX_GUIDANCE, MAX_GUIDANCE)?;
        check_noise(eta)?;
        let mut f = Fkc {
            n,
            w,
            eta,
            seed,
            v_u: Array2::zeros((n, 2)),
            v_c: Array2::zeros((n, 2)),
            log_w: vec![0.0; n],
            weight: vec![0.0; n],
            spare: Array2::zeros((n, 2)),
            min_ess: 0.0,
            resamples: 0,
            calls: 0,
        };
        f.restart();
        Ok(f)
    }

    /// Sets the guidance, the noise level and the seed of the next run (checked).
    pub fn set(&mut self, w: f32, eta: f32, seed: u64) -> Result<()> {
        check_range("guidance", w as f64, -MAX_GUIDANCE, MAX_GUIDANCE)?;
        check_noise(eta)?;
        (self.w, self.eta, self.seed) = (w, eta, seed);
        Ok(())
    }

    /// Number of particles.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Always false: a run has at least one particle.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Back to the start of a run: equal weights, statistics cleared ([`Fkc::step_rows`] does it
    /// on the first rows of step 0).
    pub fn restart(&mut self) {
        self.log_w.iter_mut().for_each(|l| *l = 0.0);
        self.min_ess = self.n as f64;
        self.resamples = 0;
        self.calls = 0;
    }

    /// Step `at.k` from `at.t` to `at.t + at.dt` for particles `at.from..at.to` of `x` (all N
    /// particles, (N, 2)): their log-weights grow by G·dt and they move by the SDE step with the
    /// CFG velocity of class `label` (n_classes: null). When the step's last particle has moved
    /// (`at.to` = N), the ESS is taken and the particles are resampled if it is below N/2. The
    /// first rows of step 0 start a new run ([`Fkc::restart`]).
    pub fn step_rows(&mut self, source: &mut FieldSource, label: u32, mut x: ArrayViewMut2<f32>, at: StepAt) {
        let StepAt { k, t, dt, from, to } = at;
        assert_eq!(x.nrows(), self.n, "x holds all the run's particles");
        assert!(from <= to && to <= self.n, "rows {from}..{to} of {}", self.n);
        if k == 0 && from == 0 {
            self.restart();
        }
        let (v_u, v_c) =
            (&mut self.v_u.slice_mut(s![from..to, ..]), &mut self.v_c.slice_mut(s![from..to, ..]));
        let mut rows = x.slice_mut(s![from..to, ..]);
        source.eval_both(rows.view(), t, &[label], v_u.view_mut(), v_c.view_mut());
        self.calls += (source.calls_both() * (to - from)) as u64;
        let (w, guidance) = (self.w as f64, Guidance::Cfg(self.w));
        for (i, (mut vc, vu)) in v_c.rows_mut().into_iter().zip(v_u.rows()).enumerate() {
            self.log_w[from + i] += weight_rate(w, t as f64, [vu[0], vu[1]], [vc[0], vc[1]]) * dt as f64;
            for j in 0..2 {
                // the CFG velocity, mixed as the CFG field mixes it
                vc[j] = guidance.mix(vu[j], vc[j]);
            }
        }
        SdeStep::new(t, dt, self.eta).advance(rows.view_mut(), v_c.view_mut(), dt, self.seed, k, from);
        if to == self.n {
            let ess = self.ess();
            self.min_ess = self.min_ess.min(ess);
            if ess < 0.5 * self.n as f64 {
                self.resample(x, k);
                self.resamples += 1;
            }
        }
    }

    /// The whole step `k` from `t` to `t + dt` for all particles.
    pub fn step(
        &mut self,
        source: &mut FieldSource,
        label: u32,
        x: ArrayViewMut2<f32>,
        k: usize,
        t: f32,
        dt: f32,
    ) {
        let n = self.n;
        self.step_rows(source, label, x, StepAt { k, t, dt, from: 0, to: n });
    }

    /// Ends a run of `steps` steps: resamples `x` (N, 2) once more unless the weights are equal,
    /// so that the particles are unweighted, and returns the run's statistics.
    pub fn finish(&mut self, x: ArrayViewMut2<f32>, steps: usize) -> FkcStats {
        let ess = self.ess();
        self.min_ess = self.min_ess.min(ess);
        let (lo, hi) =
            self.log_w.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &l| (a.min(l), b.max(l)));
        if lo != hi {
            self.resample(x, steps);
        }
        self.stats()
    }

    /// The run's statistics so far.
    pub fn stats(&self) -> FkcStats {
        FkcStats {
            min_ess: self.min_ess,
            resamples: self.resamples,
            calls_per_sample: (self.calls as f64 / self.n as f64).round() as usize,
        }
    }

    /// The particles' log-weights (0 after a resampling).
    pub fn log_weights(&self) -> &[f64] {
        &self.log_w
    }

    /// The effective sample size (Σ W)²/Σ W² of the current weights, in particles (N for equal
    /// weights, 1 when one particle holds all the weight, 0 if a weight is not finite).
    pub fn ess(&mut self) -> f64 {
        let max = self.log_w.iter().fold(f64::NEG_INFINITY, |m, &l| m.max(l));
        if !max.is_finite() {
            return 0.0;
        }
        let (mut s1, mut s2) = (0.0, 0.0);
        for (e, &l) in self.weight.iter_mut().zip(&self.log_w) {
            *e = (l - max).exp();
            s1 += *e;
            s2 += *e * *e;
        }
        if s1.is_finite() && s2 > 0.0 {
            s1 * s1 / s2
        } else {
            0.0
        }
    }

    /// Systematic resampling of `x` (N, 2) by the current weights (with the uniform of the
    /// seed's resampling stream for step `k`); the weights are reset.
    fn resample(&mut self, mut x: ArrayViewMut2<f32>, k: usize) {
        let n = self.n;
        self.ess(); // fills `weight`
        let total: f64 = self.weight.iter().sum();
        if !(total.is_finite() && total > 0.0) {
            // a non-finite weight (a diverged velocity): keep the particles as they are
            self.log_w.iter_mut().for_each(|l| *l = 0.0);
            return;
        }
        let mut r = rng::seeded(self.seed, stream::RESAMPLE.wrapping_add((k as u64) << 8));
        let u = rng::uniform(&mut r);
        self.spare.assign(&x);
        let (mut j, mut cum) = (0, self.weight[0] / total);
        for i in 0..n {
            let pos = (u + i as f64) / n as f64;
            while cum < pos && j + 1 < n {
                j += 1;
                cum += self.weight[j] / total;
            }
            x.row_mut(i).assign(&self.spare.row(j));
        }
        self.log_w.iter_mut().for_each(|l| *l = 0.0);
    }
}

/// `n` particles of class `label` (n_classes: null) from the start noise of `seed`, moved along
/// the CFG SDE of `source` at guidance `w` and noise level `eta` in `steps` steps, corrected by
/// Feynman–Kac weights and resampled: (n, 2) unweighted points and the run's statistics.
pub fn run(
    source: &mut FieldSource,
    label: u32,
    n: usize,
    steps: usize,
    w: f32,
    eta: f32,
    seed: u64,
) -> Result<(Array2<f32>, FkcStats)> {
    if steps == 0 {
        return Err(invalid!("fkc needs at least one step"));
    }
    let mut fkc = Fkc::new(n, w, eta, seed)?;
    let mut x = Array2::zeros((n, 2));
    start_noise(seed, 1.0, x.view_mut());
    for k in 0..steps {
        fkc.step(source, label, x.view_mut(), k, k as f32 / steps as f32, 1.0 / steps as f32);
    }
    let stats = fkc.finish(x.view_mut(), steps);
    Ok((x, stats))
}

/// `cfg.n` samples of class `label` (None: unconditional, where the weights stay equal and this
/// is the SDE sampler) by Feynman–Kac-corrected CFG at `cfg.guidance`, `cfg.steps` steps of
/// noise level `eta` from the start noise of `cfg.seed` (`cfg.solver` is not used).
pub fn generate(
    dataset: &Dataset,
    source: Source,
    label: Option<u32>,
    cfg: &SampleConfig,
    eta: f32,
) -> Result<(Array2<f32>, FkcStats)> {
    check_noise(eta)?;
    with_class_field(dataset, source, label, cfg, |velocity, label| {
        run(velocity, label, cfg.n, cfg.steps, cfg.guidance, eta, cfg.seed)
    })
}
