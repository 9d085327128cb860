//! Sampling runs and their metrics: what `cfg-playground sample` and `eval` print.

use ndarray::Array2;
use serde::Serialize;

use crate::datasets::Dataset;
use crate::error::{check_count, check_range, Result};
use crate::field::{ExactField, Guidance, NetScratch, NetworkField};
use crate::metrics;
use crate::mixture::Prepared;
use crate::mlp::Mlp;
use crate::rng::{self, stream};
use crate::sampler::{scaled_noise_into, Integrator, SampleStats, Solver};

/// Largest number of points one sampling run takes.
pub const MAX_POINTS: usize = 1_000_000;
/// Largest number of sampler steps.
pub const MAX_SAMPLER_STEPS: usize = 10_000;
/// Largest |w| accepted.
pub const MAX_GUIDANCE: f64 = 100.0;

/// Where velocities come from.
#[derive(Clone, Copy)]
pub enum Source<'a> {
    /// A trained network.
    Network(&'a Mlp<f32>),
    /// The exact velocity of the data's mixture.
    Exact,
}

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
}

impl Default for SampleConfig {
    fn default() -> Self {
        SampleConfig { n: 10_000, steps: 100, solver: Solver::Euler, guidance: 1.0, seed: 0 }
    }
}

impl SampleConfig {
    /// Checks every field, naming the first bad one.
    pub fn validate(&self) -> Result<()> {
        check_count("n", self.n as i64, 1, MAX_POINTS as i64)?;
        check_count("steps", self.steps as i64, 1, MAX_SAMPLER_STEPS as i64)?;
        check_range("guidance", self.guidance as f64, -MAX_GUIDANCE, MAX_GUIDANCE)?;
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

/// Largest noise scale τ accepted by [`generate_with_noise_scale`].
pub const MAX_NOISE_SCALE: f64 = 10.0;

/// Samples `cfg.n` points of class `label` (None: unconditional) from fresh noise.
pub fn generate(
    dataset: &Dataset,
    source: Source,
    label: Option<u32>,
    cfg: &SampleConfig,
) -> Result<(Array2<f32>, SampleStats)> {
    generate_with_noise_scale(dataset, source, label, cfg, 1.0)
}

/// [`generate`] from x0 ~ N(0, τ²·I) instead of N(0, I) (τ = `noise_scale`, 0 to
/// [`MAX_NOISE_SCALE`]): "noise scaling", the usual low-temperature trick. The field still
/// assumes N(0, I) noise, so for a Gaussian class N(μ, σ²I) (whose flow map is x0 ↦ μ + σ·x0)
/// the samples are N(μ, τ²σ²I) = p(x | c)^(1/T) with T = τ²; for other data it is not tempering.
/// The same noise seed as [`generate`], scaled, so τ = 1 gives the same samples bit for bit.
pub fn generate_with_noise_scale(
    dataset: &Dataset,
    source: Source,
    label: Option<u32>,
    cfg: &SampleConfig,
    noise_scale: f32,
) -> Result<(Array2<f32>, SampleStats)> {
    cfg.validate()?;
    check_range("noise_scale", noise_scale as f64, 0.0, MAX_NOISE_SCALE)?;
    let mut x = Array2::zeros((cfg.n, 2));
    scaled_noise_into(&mut rng::seeded(cfg.seed, stream::SAMPLE), x.view_mut(), noise_scale);
    let null = dataset.n_classes() as u32;
    let labels = [label.unwrap_or(null)];
    let guidance = guidance_for(label, cfg.guidance);
    let mut integrator = Integrator::new(cfg.n);
    let stats = match source {
        Source::Network(model) => {
            if model.config().n_classes != dataset.n_classes() {
                return Err(crate::invalid!("the model's classes do not match data set '{}'", dataset.name));
            }
            let mut scratch = NetScratch::new(model, 1024.min(cfg.n));
            let mut field =
                NetworkField { model, scratch: &mut scratch, labels: &labels, guidance, extra: &[] };
            integrator.run(&mut field, x.view_mut(), cfg.steps, cfg.solver, None)
        }
        Source::Exact => {
            let mixture = dataset.mixture();
            let mut prep = Prepared::default();
            let mut field = ExactField { mixture: &mixture, prep: &mut prep, labels: &labels, guidance };
            integrator.run(&mut field, x.view_mut(), cfg.steps, cfg.solver, None)
        }
    };
    Ok((x, stats))
}

/// Metrics of one class's samples at one guidance scale.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ClassReport {
    pub class: String,
    /// Fraction of samples whose most likely class (under the true mixture) is this class.
    pub hit_rate: f64,
    /// Sliced Wasserstein-2 distance to fresh data of this class.
    pub sliced_w2: f64,
    /// Trace of the samples' covariance over the class's.
    pub diversity: f64,
    /// Fraction of samples below the data's 0.1% log-density quantile.
    pub off_support: f64,
    pub straightness: f64,
    pub calls_per_sample: usize,
}

/// One class's share of unconditional samples.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ShareReport {
    pub class: String,
    /// Share of samples whose most likely class is this one.
    pub share: f64,
    /// The class's weight in the data.
    pub data_share: f64,
    /// Sliced Wasserstein-2 of this share of the samples to fresh data of the class.
    pub sliced_w2: f64,
}

/// Metrics of unconditional samples.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct UnconditionalReport {
    pub classes: Vec<ShareReport>,
    pub off_support: f64,
    pub straightness: f64,
    pub calls_per_sample: usize,
}

/// Everything `eval` reports.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Report {
    pub dataset: String,
    /// "network" or "exact".
    pub field: String,
    #[serde(flatten)]
    pub config: SampleConfig,
    pub classes: Vec<ClassReport>,
    pub unconditional: UnconditionalReport,
}

/// Samples every class at `cfg.guidance` (and unconditionally) and measures the samples against
/// fresh data drawn with a seed derived from `cfg.seed`.
pub fn evaluate(dataset: &Dataset, source: Source, cfg: &SampleConfig) -> Result<Report> {
    let mixture = dataset.mixture();
    let mut ref_rng = rng::seeded(cfg.seed, stream::EVAL_REF);
    let mut proj_rng = rng::seeded(cfg.seed, stream::PROJECTIONS);
    let (all_data, _) = dataset.sample(cfg.n.max(20_000), &mut ref_rng);
    let threshold = metrics::support_threshold(&mixture, all_data.view());
    let class_data: Vec<Array2<f32>> =
        (0..dataset.n_classes()).map(|c| dataset.sample_class(c as u32, cfg.n, &mut ref_rng)).collect();
    let names = dataset.class_names();

    let mut classes = Vec::new();
    for (c, name) in names.iter().enumerate() {
        let (x, stats) = generate(dataset, source, Some(c as u32), cfg)?;
        let cls = metrics::classify(&mixture, x.view());
        classes.push(ClassReport {
            class: name.to_string(),
            hit_rate: metrics::hit_rate(&cls, c as u32),
            sliced_w2: metrics::sliced_w2(x.view(), class_data[c].view(), 64, &mut proj_rng),
            diversity: metrics::diversity(x.view(), &mixture, Some(c as u32)),
            off_support: metrics::off_support(&mixture, x.view(), threshold),
            straightness: stats.straightness,
            calls_per_sample: stats.calls_per_sample,
        });
    }

    let (x, stats) = generate(dataset, source, None, cfg)?;
    let cls = metrics::classify(&mixture, x.view());
    let props = metrics::proportions(&cls, dataset.n_classes());
    let weights = mixture.class_weights();
    let shares = (0..dataset.n_classes())
        .map(|c| {
            let share = metrics::rows_of_class(x.view(), &cls, c as u32);
            ShareReport {
                class: names[c].to_string(),
                share: props[c],
                data_share: weights[c],
                sliced_w2: metrics::sliced_w2(share.view(), class_data[c].view(), 64, &mut proj_rng),
            }
        })
        .collect();
    let unconditional = UnconditionalReport {
        classes: shares,
        off_support: metrics::off_support(&mixture, x.view(), threshold),
        straightness: stats.straightness,
        calls_per_sample: stats.calls_per_sample,
    };
    Ok(Report {
        dataset: dataset.name.clone(),
        field: match source {
            Source::Network(_) => "network".into(),
            Source::Exact => "exact".into(),
        },
        config: cfg.clone(),
        classes,
        unconditional,
    })
}
