//! Sampling primitives below the methods: a run's settings ([`SampleConfig`]), the guidance mode
//! for a class ([`guidance_for`]), the seeded start noise every run begins from ([`start_noise`],
//! its one owner: the CLI's methods and the page's flows draw the same x0 for the same seed), and
//! plain guided sampling ([`generate`]). The methods (`crate::method`) build on these; the report
//! runner (`crate::evaluate`) sits above the methods.

use ndarray::{Array2, ArrayViewMut2};
use serde::Serialize;

use crate::caps::{MAX_GUIDANCE, MAX_NOISE_SCALE, MAX_POINTS, MAX_SAMPLER_STEPS, MAX_SDE_NOISE};
use crate::datasets::Dataset;
use crate::error::{check_count, check_range, Result};
use crate::field::{Bound, FieldSource, Guidance, Source, VelocityField};
use crate::rng::{self, stream};
use crate::sampler::{Integrator, SampleStats, Solver};

/// A sampling run's settings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SampleConfig {
    /// Points per class.
    pub n: usize,
    pub steps: usize,
    pub solver: Solver,
    /// Guidance scale w (for a class; ignored for unconditional sampling).
    pub guidance: f32,
    pub seed: u64,
    /// The SDE solver's noise level η (used with [`Solver::Sde`] only; η = 0 is the ODE).
    pub sde_noise: f32,
}

impl Default for SampleConfig {
    fn default() -> Self {
        SampleConfig { n: 10_000, steps: 100, solver: Solver::Euler, guidance: 1.0, seed: 0, sde_noise: 1.0 }
    }
}

impl SampleConfig {
    /// Checks every field, naming the first bad one.
    pub fn validate(&self) -> Result<()> {
        check_count("n", self.n as i64, 1, MAX_POINTS as i64)?;
        check_count("steps", self.steps as i64, 1, MAX_SAMPLER_STEPS as i64)?;
        check_range("guidance", self.guidance as f64, -MAX_GUIDANCE, MAX_GUIDANCE)?;
        check_range("sde_noise", self.sde_noise as f64, 0.0, MAX_SDE_NOISE)?;
        Ok(())
    }
}

/// The guidance mode for a class (None: unconditional) at scale w. w = 0 and w = 1 need only
/// one of the two velocities, so they cost one network call instead of two.
pub fn guidance_for(label: Option<u32>, w: f32) -> Guidance {
    match label {
        None => Guidance::Unconditional,
        Some(_) if w == 0.0 => Guidance::Unconditional,
        Some(_) if w == 1.0 => Guidance::Conditional,
        Some(_) => Guidance::Cfg(w),
    }
}

/// The start of every sampling run: x (n, 2) ← x0 ~ N(0, τ²·I) drawn with `seed` (τ = `scale`,
/// 1 for the usual N(0, I); scale 1 is the unscaled draw bit for bit). The one place a run's
/// noise is drawn, so that runs with the same seed (the CLI's methods, the page's flows) start
/// from the same points.
pub fn start_noise(seed: u64, scale: f32, mut x: ArrayViewMut2<f32>) {
    let mut r = rng::seeded(seed, stream::SAMPLE);
    x.iter_mut().for_each(|v| *v = scale * rng::normal(&mut r) as f32);
}

/// `n` start points (n, 2) of [`start_noise`].
pub fn start_points(n: usize, seed: u64, scale: f32) -> Array2<f32> {
    let mut x = Array2::zeros((n, 2));
    start_noise(seed, scale, x.view_mut());
    x
}

/// Moves `n` start points of `seed` (scaled by `noise_scale`) along `field` in `steps` steps of
/// `solver`: the run every sampler of the crate shares. Checks the noise scale (0 to
/// [`MAX_NOISE_SCALE`]).
pub fn run(
    field: &mut dyn VelocityField,
    n: usize,
    steps: usize,
    solver: Solver,
    seed: u64,
    noise_scale: f32,
) -> Result<(Array2<f32>, SampleStats)> {
    check_range("noise_scale", noise_scale as f64, 0.0, MAX_NOISE_SCALE)?;
    let mut x = start_points(n, seed, noise_scale);
    let stats = Integrator::new(n).run(field, x.view_mut(), steps, solver, None);
    Ok((x, stats))
}

/// Samples `cfg.n` points of class `label` (None: unconditional) with plain CFG at
/// `cfg.guidance` from [`start_noise`]: the `cfg` method (`crate::method`) without its checks of
/// the method, for the layers below the methods (reflow's quality curves, the tilted report).
pub fn generate(
    dataset: &Dataset,
    source: Source,
    label: Option<u32>,
    cfg: &SampleConfig,
) -> Result<(Array2<f32>, SampleStats)> {
    let guidance = guidance_for(label, cfg.guidance);
    with_class_field(dataset, source, label, cfg, |velocity, label| {
        let labels = [label];
        let mut field = Bound { source: velocity, labels: &labels, guidance };
        run(&mut field, cfg.n, cfg.steps, cfg.solver, cfg.seed, 1.0)
    })
}

/// The prelude of every sampler of one class (plain CFG here, `crate::fkc`): checks `cfg`,
/// `source` against `dataset` and `label` (None: unconditional) against its classes, then runs
/// `f` on the source's field for `cfg.n` points with the label's index (the null label
/// `n_classes` for None).
pub fn with_class_field<R>(
    dataset: &Dataset,
    source: Source,
    label: Option<u32>,
    cfg: &SampleConfig,
    f: impl FnOnce(&mut FieldSource, u32) -> Result<R>,
) -> Result<R> {
    cfg.validate()?;
    source.check(dataset)?;
    check_label(dataset, label)?;
    let label = label.unwrap_or(dataset.n_classes() as u32);
    source.with_field(&dataset.mixture(), cfg.n, |velocity| f(velocity, label))
}

/// Checks that `label` (None: unconditional) is a class of `dataset`.
pub fn check_label(dataset: &Dataset, label: Option<u32>) -> Result<()> {
    match label {
        Some(c) if c as usize >= dataset.n_classes() => Err(crate::invalid!(
            "class {c} out of range (data set '{}' has {})",
            dataset.name,
            dataset.n_classes()
        )),
        _ => Ok(()),
    }
}
