//! The report runner, above the methods: what `cfg-playground eval` prints. It samples every
//! class and the unconditional model by a [`Method`] ([`crate::method::generate_with`]) and
//! measures the samples against fresh data with the same metrics for every method.

use ndarray::Array2;
use serde::Serialize;

use crate::datasets::Dataset;
use crate::error::Result;
use crate::field::Source;
use crate::method::{self, Method, Models};
use crate::metrics;
use crate::rcfg::{cfg_steps_at_equal_calls, RectifiedCfg};
use crate::rng::{self, stream};
use crate::sample::SampleConfig;
use crate::sampler::{SampleStats, Solver};

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
    /// `fkc`: the run's smallest effective sample size (in samples) and its resamplings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_ess: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resamples: Option<usize>,
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
    /// The sampling method and its parameters ("method": "cfg" for plain CFG).
    #[serde(flatten)]
    pub method: Method,
    #[serde(flatten)]
    pub config: SampleConfig,
    pub classes: Vec<ClassReport>,
    pub unconditional: UnconditionalReport,
}

/// Samples every class at `cfg.guidance` (and unconditionally) with plain CFG and measures the
/// samples against fresh data drawn with a seed derived from `cfg.seed`.
pub fn evaluate(dataset: &Dataset, source: Source, cfg: &SampleConfig) -> Result<Report> {
    evaluate_with(dataset, source, Models::default(), &Method::CFG, cfg)
}

/// [`evaluate`] for any method (with its other models: a classifier network for
/// [`Method::CLASSIFIER`], None: the exact Bayes classifier; a guide network for
/// [`Method::Autoguidance`] on a network): every class at `cfg.guidance`, and unconditionally,
/// measured with the same metrics as CFG.
pub fn evaluate_with(
    dataset: &Dataset,
    source: Source,
    models: Models,
    method: &Method,
    cfg: &SampleConfig,
) -> Result<Report> {
    method.validate()?;
    method.check_steps(cfg.steps)?;
    method::check_source(dataset, source, models, method)?;
    let mut gen = |label| method::generate_with(dataset, source, models, method, label, cfg);
    measure(dataset, source, *method, cfg, &mut gen)
}

/// The report of samples from `gen` (given a class, or None for unconditional samples).
fn measure(
    dataset: &Dataset,
    source: Source,
    method: Method,
    cfg: &SampleConfig,
    gen: &mut dyn FnMut(Option<u32>) -> Result<(Array2<f32>, SampleStats)>,
) -> Result<Report> {
    cfg.validate()?;
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
        let (x, stats) = gen(Some(c as u32))?;
        let cls = metrics::classify(&mixture, x.view());
        classes.push(ClassReport {
            class: name.to_string(),
            hit_rate: metrics::hit_rate(&cls, c as u32),
            sliced_w2: metrics::sliced_w2(x.view(), class_data[c].view(), 64, &mut proj_rng),
            diversity: metrics::diversity(x.view(), &mixture, Some(c as u32)),
            off_support: metrics::off_support(&mixture, x.view(), threshold),
            straightness: stats.straightness,
            calls_per_sample: stats.calls_per_sample,
            min_ess: stats.min_ess,
            resamples: stats.resamples,
        });
    }

    let (x, stats) = gen(None)?;
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
        field: source.name().into(),
        method,
        config: cfg.clone(),
        classes,
        unconditional,
    })
}

/// Rectified CFG in K steps next to plain CFG at scale `w` in ⌈3K/2⌉ steps (equal network
/// calls, equal noise), both Euler.
#[derive(Clone, Debug)]
pub struct EqualCalls {
    pub rcfg_steps: usize,
    pub cfg_steps: usize,
    /// (n, 2) each.
    pub rcfg: Array2<f32>,
    pub cfg: Array2<f32>,
    pub rcfg_stats: SampleStats,
    pub cfg_stats: SampleStats,
}

/// Samples class `label` both ways at equal network calls (see [`EqualCalls`]), through
/// [`method::generate`].
#[allow(clippy::too_many_arguments)]
pub fn compare_at_equal_calls(
    dataset: &Dataset,
    source: Source,
    label: u32,
    rule: RectifiedCfg,
    rcfg_steps: usize,
    w: f32,
    n: usize,
    seed: u64,
) -> Result<EqualCalls> {
    let run = |m: Method, steps, guidance| {
        let cfg = SampleConfig { n, steps, solver: Solver::Euler, guidance, seed, sde_noise: 1.0 };
        method::generate(dataset, source, &m, Some(label), &cfg)
    };
    let (rcfg, rcfg_stats) = run(Method::RectifiedCfg(rule), rcfg_steps, 1.0)?;
    let cfg_steps = cfg_steps_at_equal_calls(rcfg_steps);
    let (cfg, cfg_stats) = run(Method::CFG, cfg_steps, w)?;
    Ok(EqualCalls { rcfg_steps, cfg_steps, rcfg, cfg, rcfg_stats, cfg_stats })
}
