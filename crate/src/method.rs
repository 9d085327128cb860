//! Every sampling method of the post behind one name, and the one dispatch on it: a [`Method`]
//! with its models (a network or the exact mixture, a distilled student, a classifier) and its
//! state gives the velocity every step follows ([`MethodField`]), for the CLI (`sample --method`,
//! `eval --method`, through [`generate`]) and for the page's particle flows (`Flow.advanceFor` in
//! `crate::web`) alike, so what the page draws is what `eval` measures.
//!
//! | name | what | network calls per step |
//! |---|---|---|
//! | `cfg` | v_u + w·(v_c − v_u) | 2 (1 at w ∈ {0, 1}) |
//! | `rectified-cfg` | predictor–corrector guidance, α(t) = λ_max·(1 − t)^γ ([`crate::rcfg`]) | 3 |
//! | `noise-scale` | CFG at w from x0 ~ N(0, τ²I) | as `cfg` |
//! | `velocity-scale` | the post's "v ← T·v": a time rescaling, not a temperature ([`crate::temperature`]) | as `cfg` |
//! | `tilted` | exact samples of p(x)^(1−w)·p(x\|c)^w on a grid (no network) | 0 |
//! | `tempered` | exact samples of p(x\|c)^(1/T) on a grid (no network) | 0 |
//! | `student` | a distilled student, w as its input ([`crate::distill`]) | 1 |
//! | `classifier` | v_u + λ·((1−t)/t)·∇log p(c\|x_t), λ = w ([`crate::classifier`]); a trained classifier network or the exact Bayes classifier | 1 + 2 (classifier forward and backward) |
//!
//! Adding a method is done here and in `method/field.rs`: a variant of [`Method`], its name
//! ([`Method::NAMES`], [`Method::from_name`]), its parameters' checks ([`Method::validate`]), and
//! its arm of the dispatch in [`MethodField`] (plus [`Method::solver`] or [`Method::noise_scale`]
//! if it steps or starts differently). A method that needs a second model gets it next to the
//! classifier in [`MethodField::new`]; one that keeps state across steps (per point, or a step
//! counter) keeps it in [`MethodState`], sized by [`MethodState::prepare`] and told where each
//! step is through [`crate::field::VelocityField::at_step`] (the step's index, time, size and
//! rows).

use std::str::FromStr;

use ndarray::Array2;
use serde::Serialize;

use crate::caps::{MAX_NOISE_SCALE, MAX_VELOCITY_SCALE};
use crate::classifier::check_classifier_arch;
use crate::classifier::guided::{ClassifierScratch, ClassifierSource};
use crate::datasets::Dataset;
use crate::error::{check_range, Error, Result};
use crate::field::Source;
use crate::invalid;
use crate::mixture::Prepared;
use crate::mlp::Mlp;
use crate::rcfg::RectifiedCfg;
use crate::rng::{self, stream};
use crate::sample::{self, SampleConfig};
use crate::sampler::{SampleStats, Solver};
use crate::temperature::{Clock, Grid, GridDensity, Target, TEMPERATURE_RANGE};

mod field;

use field::check_velocity;
pub use field::{advance, MethodField, MethodState};

/// Cells per side of the grid that `tilted` and `tempered` sample on.
pub const GRID_SIDE: usize = 512;
/// Margin added around the data set's view extent for that grid.
pub const GRID_MARGIN: f64 = 0.5;

/// A sampling method and its own parameters (w, steps, solver, n and seed come from
/// [`SampleConfig`], or from the page's flow).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "method")]
pub enum Method {
    Cfg,
    RectifiedCfg(RectifiedCfg),
    NoiseScale {
        tau: f32,
    },
    /// T·v read at the sampler's own clock (the post's loop, the CLI's default) or at T·t (an
    /// exact time rescaling, the page's figure): see [`Clock`].
    VelocityScale {
        temperature: f32,
        clock: Clock,
    },
    Tilted,
    Tempered {
        temperature: f64,
    },
    Student,
    /// Classifier guidance at λ = w, with a classifier network or the exact Bayes classifier of
    /// the data's mixture.
    Classifier,
}

/// The parameters a method may take, for [`Method::from_name`] (each method reads its own).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MethodParams {
    /// rectified-cfg: λ_max and γ of α(t) = λ_max·(1 − t)^γ.
    pub lambda_max: f32,
    pub gamma: f32,
    /// noise-scale: τ of x0 ~ N(0, τ²I).
    pub tau: f32,
    /// velocity-scale: T of v ← T·v; tempered: T of p(x|c)^(1/T).
    pub temperature: f64,
    /// velocity-scale: the clock T·v is read at.
    pub clock: Clock,
}

impl Default for MethodParams {
    fn default() -> Self {
        let r = RectifiedCfg::default();
        MethodParams {
            lambda_max: r.lambda_max,
            gamma: r.gamma,
            tau: 1.0,
            temperature: 1.0,
            clock: Clock::Sampler,
        }
    }
}

impl Method {
    /// Every method name, as the CLI and the page spell them.
    pub const NAMES: [&'static str; 8] = [
        "cfg",
        "rectified-cfg",
        "noise-scale",
        "velocity-scale",
        "tilted",
        "tempered",
        "student",
        "classifier",
    ];

    /// The method called `name` with its parameters from `p` (checked).
    pub fn from_name(name: &str, p: &MethodParams) -> Result<Method> {
        let m = match name {
            "cfg" => Method::Cfg,
            "rectified-cfg" => {
                Method::RectifiedCfg(RectifiedCfg { lambda_max: p.lambda_max, gamma: p.gamma })
            }
            "noise-scale" => Method::NoiseScale { tau: p.tau },
            "velocity-scale" => Method::VelocityScale { temperature: p.temperature as f32, clock: p.clock },
            "tilted" => Method::Tilted,
            "tempered" => Method::Tempered { temperature: p.temperature },
            "student" => Method::Student,
            "classifier" => Method::Classifier,
            m => return Err(invalid!("method must be one of {}, got '{m}'", Method::NAMES.join(", "))),
        };
        m.validate()?;
        Ok(m)
    }

    /// The method's name, as the CLI spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Method::Cfg => "cfg",
            Method::RectifiedCfg(_) => "rectified-cfg",
            Method::NoiseScale { .. } => "noise-scale",
            Method::VelocityScale { .. } => "velocity-scale",
            Method::Tilted => "tilted",
            Method::Tempered { .. } => "tempered",
            Method::Student => "student",
            Method::Classifier => "classifier",
        }
    }

    /// Checks the method's own parameters, naming the first bad one.
    pub fn validate(&self) -> Result<()> {
        match *self {
            Method::RectifiedCfg(r) => r.validate(),
            Method::NoiseScale { tau } => check_range("tau", tau as f64, 0.0, MAX_NOISE_SCALE).map(drop),
            Method::VelocityScale { temperature, .. } => {
                check_range("temperature", temperature as f64, 0.0, MAX_VELOCITY_SCALE).map(drop)
            }
            Method::Tempered { temperature } => {
                check_range("temperature", temperature, TEMPERATURE_RANGE.0, TEMPERATURE_RANGE.1).map(drop)
            }
            Method::Cfg | Method::Tilted | Method::Student | Method::Classifier => Ok(()),
        }
    }

    /// True for the methods that need no network (exact samples of a density): they have no
    /// flow to follow.
    pub fn is_exact_only(&self) -> bool {
        matches!(self, Method::Tilted | Method::Tempered { .. })
    }

    /// The solver the method steps with when `asked` is asked for: `rectified-cfg` and
    /// `student` step with Euler (as the post does), the others with `asked`.
    pub fn solver(&self, asked: Solver) -> Solver {
        match self {
            Method::RectifiedCfg(_) | Method::Student => Solver::Euler,
            _ => asked,
        }
    }

    /// τ of the start noise x0 ~ N(0, τ²I) ([`sample::start_noise`]): 1 but for `noise-scale`.
    pub fn noise_scale(&self) -> f32 {
        match *self {
            Method::NoiseScale { tau } => tau,
            _ => 1.0,
        }
    }
}

impl FromStr for Method {
    type Err = Error;

    /// The method called `name`, with default parameters.
    fn from_str(name: &str) -> Result<Method> {
        Method::from_name(name, &MethodParams::default())
    }
}

/// `cfg.n` samples of class `label` (None: unconditional) by `method`, with their statistics.
/// Every method starts from the start noise of `cfg.seed` ([`sample::start_noise`], scaled for
/// `noise-scale`), so runs are comparable point for point; it steps with
/// [`Method::solver`]`(cfg.solver)`.
pub fn generate(
    dataset: &Dataset,
    source: Source,
    method: &Method,
    label: Option<u32>,
    cfg: &SampleConfig,
) -> Result<(Array2<f32>, SampleStats)> {
    generate_with(dataset, source, None, method, label, cfg)
}

/// [`generate`] with a classifier network for [`Method::Classifier`] (None: the exact Bayes
/// classifier).
pub fn generate_with(
    dataset: &Dataset,
    source: Source,
    classifier: Option<&Mlp<f32>>,
    method: &Method,
    label: Option<u32>,
    cfg: &SampleConfig,
) -> Result<(Array2<f32>, SampleStats)> {
    cfg.validate()?;
    if let Some(c) = classifier {
        check_classifier_arch(c.config(), dataset.n_classes())?;
    }
    method.validate()?;
    check_source(dataset, source, method)?;
    if let Some(c) = label {
        if c as usize >= dataset.n_classes() {
            return Err(invalid!(
                "class {c} out of range (data set '{}' has {})",
                dataset.name,
                dataset.n_classes()
            ));
        }
    }
    if method.is_exact_only() {
        return exact_samples(dataset, method, label, cfg);
    }
    let (n, mixture) = (cfg.n, dataset.mixture());
    source.with_field(&mixture, n, |velocity| {
        let mut prep = Prepared::default();
        let mut scratch = classifier.map(|m| ClassifierScratch::new(m, 1024.min(n)));
        let mut cls = match (classifier, scratch.as_mut()) {
            (Some(model), Some(scratch)) => ClassifierSource::Network { model, scratch },
            _ => ClassifierSource::Exact { mixture: &mixture, prep: &mut prep },
        };
        let mut state = MethodState::default();
        let classes = dataset.n_classes();
        let mut field =
            MethodField::new(*method, classes, label, cfg.guidance, velocity, Some(&mut cls), &mut state, n)?;
        sample::run(&mut field, n, cfg.steps, method.solver(cfg.solver), cfg.seed, method.noise_scale())
    })
}

/// Checks that `source` can run `method` on `dataset` (the checks of [`MethodField::new`], made
/// before any buffer is sized).
pub fn check_source(dataset: &Dataset, source: Source, method: &Method) -> Result<()> {
    source.check(dataset)?;
    let net = match source {
        Source::Network(model) => Some(model.config()),
        Source::Exact => None,
    };
    check_velocity(net, method, dataset.n_classes())
}

/// Exact samples of a density method (`tilted`, `tempered`) on its grid, drawn with the seed's
/// sampling stream.
fn exact_samples(
    dataset: &Dataset,
    method: &Method,
    label: Option<u32>,
    cfg: &SampleConfig,
) -> Result<(Array2<f32>, SampleStats)> {
    let target = match (*method, label) {
        (Method::Tilted, Some(class)) => Target::Tilted { class, w: cfg.guidance as f64 },
        (Method::Tempered { temperature }, class) => Target::Tempered { class, temperature },
        // tilting needs a class: unconditionally it is p(x) itself
        _ => Target::Tempered { class: None, temperature: 1.0 },
    };
    let grid = Grid::square(dataset.extent + GRID_MARGIN, GRID_SIDE);
    let density = GridDensity::new(&dataset.mixture(), target, grid)?;
    let x = density.sample(cfg.n, &mut rng::seeded(cfg.seed, stream::SAMPLE));
    Ok((x, SampleStats { calls_per_sample: 0, straightness: f64::NAN }))
}

#[cfg(test)]
mod tests;
