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
//! | `guidance-interval` | CFG at w for t in [t_lo, t_hi], w = 1 outside (Kynkäänniemi et al. 2024; `method/interval.rs`) | 2 inside the interval, 1 outside |
//! | `cfg-zero-star` | s*·v_u + w·(v_c − s*·v_u), s* = ⟨v_c, v_u⟩/‖v_u‖², zero velocity in the first K steps (Fan et al. 2025; `method/zero_star.rs`) | 2 (0 in the first K steps) |
//! | `apg` | adaptive projected guidance: the guidance's part along x̂1_c weighted by η, its norm capped at r, momentum β (Sadat et al. 2024; [`apg`], derived there in velocity space) | 2 |
//! | `autoguidance` | v_bad + w·(v_good − v_bad), both conditional, the guide a weaker model of the same data; on the exact field the mixture with covariances × `guide_widen` (Karras et al. 2024; [`autoguidance`]) | 2 (1 model + 1 guide) |
//!
//! Network calls are counted per evaluation ([`crate::field::VelocityField::calls_at`]), so a
//! method whose cost changes along the run reports what it spent (`eval`'s `calls_per_sample`).
//!
//! Adding a method is done here and in `method/field.rs` (its own field may live in a file of
//! its own under `method/`, as the last four's do): a variant of [`Method`], its name
//! ([`Method::NAMES`], [`Method::from_name`]), its parameters' checks ([`Method::validate`],
//! and [`Method::check_steps`] for checks against the run's length), and
//! its arm of the dispatch in [`MethodField`] (plus [`Method::solver`] or [`Method::noise_scale`]
//! if it steps or starts differently). A method that needs a second model gets it next to the
//! classifier in [`MethodField::new`]; one that keeps state across steps (per point, or a step
//! counter) keeps it in [`MethodState`], sized by [`MethodState::prepare`] (per point of the
//! run: [`MethodState::prepare_points`]) and told where each
//! step is through [`crate::field::VelocityField::at_step`] (the step's index, time, size and
//! rows).

use std::str::FromStr;

use ndarray::Array2;
use serde::Serialize;

use crate::caps::MAX_SAMPLER_STEPS;
use crate::caps::{MAX_NOISE_SCALE, MAX_VELOCITY_SCALE};
use crate::classifier::check_classifier_arch;
use crate::classifier::guided::{ClassifierScratch, ClassifierSource};
use crate::datasets::Dataset;
use crate::error::{check_count, check_range, Error, Result};
use crate::field::{FieldSource, NetScratch, Source};
use crate::invalid;
use crate::mixture::{Mixture, Prepared};
use crate::mlp::Mlp;
use crate::rcfg::RectifiedCfg;
use crate::rng::{self, stream};
use crate::sample::{self, SampleConfig};
use crate::sampler::{SampleStats, Solver};
use crate::temperature::{Clock, Grid, GridDensity, Target, TEMPERATURE_RANGE};

pub mod apg;
pub mod autoguidance;
mod field;
mod interval;
mod zero_star;

pub use apg::Apg;
use autoguidance::{widened, DEFAULT_WIDEN, MAX_WIDEN};
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
    /// CFG at w for t in [t_lo, t_hi] (closed; empty when t_lo = t_hi), w = 1 outside.
    GuidanceInterval {
        t_lo: f32,
        t_hi: f32,
    },
    /// CFG-Zero*: the optimised scale s*, and zero velocity in the first `zero_steps` steps.
    CfgZeroStar {
        zero_steps: usize,
    },
    /// Adaptive projected guidance.
    Apg(Apg),
    /// Autoguidance by a guide network ([`Models::guide`]), or on the exact field by the data's
    /// mixture with every component's covariance multiplied by `guide_widen`.
    Autoguidance {
        guide_widen: f64,
    },
}

/// The models a method may need besides its velocity source.
#[derive(Clone, Copy, Default)]
pub struct Models<'a> {
    /// `classifier`: the classifier network (None: the exact Bayes classifier).
    pub classifier: Option<&'a Mlp<f32>>,
    /// `autoguidance` on a network: the guide, a velocity network of the same data and classes
    /// (on the exact field there is none: the guide is the widened mixture).
    pub guide: Option<&'a Mlp<f32>>,
}

impl<'a> Models<'a> {
    /// Just a classifier network (or none).
    pub fn classifier(classifier: Option<&'a Mlp<f32>>) -> Self {
        Models { classifier, guide: None }
    }
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
    /// guidance-interval: the interval [t_lo, t_hi] of t where CFG acts.
    pub t_lo: f32,
    pub t_hi: f32,
    /// cfg-zero-star: the steps K of zero velocity.
    pub zero_steps: usize,
    /// apg: η, the norm threshold r (None: no cap) and the momentum β.
    pub apg: Apg,
    /// autoguidance on the exact field: the factor on every covariance of the guide mixture.
    pub guide_widen: f64,
}

/// guidance-interval's default interval: about EDM2's σ ∈ (0.28, 5.42] of the paper, with
/// σ = (1 − t)/t on this path.
pub const DEFAULT_INTERVAL: (f32, f32) = (0.15, 0.8);
/// cfg-zero-star's default K: the first step (the paper's default).
pub const DEFAULT_ZERO_STEPS: usize = 1;

impl Default for MethodParams {
    fn default() -> Self {
        let r = RectifiedCfg::default();
        MethodParams {
            lambda_max: r.lambda_max,
            gamma: r.gamma,
            tau: 1.0,
            temperature: 1.0,
            clock: Clock::Sampler,
            t_lo: DEFAULT_INTERVAL.0,
            t_hi: DEFAULT_INTERVAL.1,
            zero_steps: DEFAULT_ZERO_STEPS,
            apg: Apg::default(),
            guide_widen: DEFAULT_WIDEN,
        }
    }
}

impl Method {
    /// Every method name, as the CLI and the page spell them.
    pub const NAMES: [&'static str; 12] = [
        "cfg",
        "rectified-cfg",
        "noise-scale",
        "velocity-scale",
        "tilted",
        "tempered",
        "student",
        "classifier",
        "guidance-interval",
        "cfg-zero-star",
        "apg",
        "autoguidance",
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
            "guidance-interval" => Method::GuidanceInterval { t_lo: p.t_lo, t_hi: p.t_hi },
            "cfg-zero-star" => Method::CfgZeroStar { zero_steps: p.zero_steps },
            "apg" => Method::Apg(p.apg),
            "autoguidance" => Method::Autoguidance { guide_widen: p.guide_widen },
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
            Method::GuidanceInterval { .. } => "guidance-interval",
            Method::CfgZeroStar { .. } => "cfg-zero-star",
            Method::Apg(_) => "apg",
            Method::Autoguidance { .. } => "autoguidance",
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
            Method::GuidanceInterval { t_lo, t_hi } => {
                check_range("t_lo", t_lo as f64, 0.0, 1.0)?;
                check_range("t_hi", t_hi as f64, 0.0, 1.0)?;
                if t_lo > t_hi {
                    return Err(invalid!("t_lo must not exceed t_hi, got [{t_lo}, {t_hi}]"));
                }
                Ok(())
            }
            Method::CfgZeroStar { zero_steps } => {
                check_count("zero_steps", zero_steps as i64, 0, MAX_SAMPLER_STEPS as i64).map(drop)
            }
            Method::Apg(a) => a.validate(),
            Method::Autoguidance { guide_widen } => {
                check_range("guide_widen", guide_widen, 1.0, MAX_WIDEN).map(drop)
            }
            Method::Cfg | Method::Tilted | Method::Student | Method::Classifier => Ok(()),
        }
    }

    /// Checks the method against a run of `steps` steps (cfg-zero-star's K must not exceed it).
    pub fn check_steps(&self, steps: usize) -> Result<()> {
        match *self {
            Method::CfgZeroStar { zero_steps } if zero_steps > steps => {
                Err(invalid!("zero_steps must not exceed the run's {steps} steps, got {zero_steps}"))
            }
            _ => Ok(()),
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
    generate_with(dataset, source, Models::default(), method, label, cfg)
}

/// [`generate`] with the method's other models: a classifier network for
/// [`Method::Classifier`] (None: the exact Bayes classifier), a guide network for
/// [`Method::Autoguidance`] on a network (on the exact field, the widened mixture).
pub fn generate_with(
    dataset: &Dataset,
    source: Source,
    models: Models,
    method: &Method,
    label: Option<u32>,
    cfg: &SampleConfig,
) -> Result<(Array2<f32>, SampleStats)> {
    cfg.validate()?;
    let classifier = models.classifier;
    if let Some(c) = classifier {
        check_classifier_arch(c.config(), dataset.n_classes())?;
    }
    method.validate()?;
    method.check_steps(cfg.steps)?;
    check_source(dataset, source, models, method)?;
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
    let guide_mixture = match (*method, source) {
        (Method::Autoguidance { guide_widen }, Source::Exact) => Some(widened(&mixture, guide_widen)),
        _ => None,
    };
    source.with_field(&mixture, n, |velocity| {
        // the guide's buffers are the model's (passes of the same size: the model as its own
        // guide gives the same velocities, bit for bit)
        let mut guide_scratch = models.guide.map(|g| NetScratch::new(g, 1024.min(n.max(1))));
        let mut guide_prep = Prepared::default();
        let mut guide = match (models.guide, guide_scratch.as_mut(), guide_mixture.as_ref()) {
            (Some(model), Some(scratch), _) => Some(FieldSource::Network { model, scratch }),
            (_, _, Some(mixture)) => Some(FieldSource::Exact { mixture, prep: &mut guide_prep }),
            _ => None,
        };
        let mut prep = Prepared::default();
        let mut scratch = classifier.map(|m| ClassifierScratch::new(m, 1024.min(n)));
        let mut cls = match (classifier, scratch.as_mut()) {
            (Some(model), Some(scratch)) => ClassifierSource::Network { model, scratch },
            _ => ClassifierSource::Exact { mixture: &mixture, prep: &mut prep },
        };
        let mut state = MethodState::default();
        let classes = dataset.n_classes();
        let mut field = MethodField::new(
            *method,
            classes,
            label,
            cfg.guidance,
            velocity,
            Some(&mut cls),
            guide.as_mut(),
            &mut state,
            n,
        )?;
        sample::run(&mut field, n, cfg.steps, method.solver(cfg.solver), cfg.seed, method.noise_scale())
    })
}

/// Checks that `source` and `models` can run `method` on `dataset` (the checks of
/// [`MethodField::new`], made before any buffer is sized): autoguidance on a network needs a
/// guide network of the data's classes, and on the exact field takes none.
pub fn check_source(dataset: &Dataset, source: Source, models: Models, method: &Method) -> Result<()> {
    source.check(dataset)?;
    let net = match source {
        Source::Network(model) => Some(model.config()),
        Source::Exact => None,
    };
    check_velocity(net, method, dataset.n_classes())?;
    if let Method::Autoguidance { .. } = method {
        match (source, models.guide) {
            (Source::Network(_), None) => {
                return Err(invalid!("autoguidance needs a guide model (a weaker model of the same data)"))
            }
            (Source::Exact, Some(_)) => {
                return Err(invalid!(
                    "on the exact field the guide is the widened mixture: autoguidance takes no guide model"
                ))
            }
            (_, Some(g)) => check_velocity(Some(g.config()), &Method::Cfg, dataset.n_classes())
                .map_err(|e| invalid!("the guide: {}", inner_message(&e)))?,
            (Source::Exact, None) => {}
        }
    }
    Ok(())
}

/// An error's message without its kind.
fn inner_message(e: &Error) -> String {
    match e {
        Error::Invalid(m) | Error::Model(m) | Error::Io(m) => m.clone(),
    }
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
    let density = exact_grid(&dataset.mixture(), dataset.extent, target)?;
    let x = exact_draw(&density, cfg.n, cfg.seed);
    Ok((x, SampleStats { calls_per_sample: 0, straightness: f64::NAN }))
}

/// The grid that `tilted` and `tempered` sample on: `target` on [`GRID_SIDE`]² cells over the
/// data's view square widened by [`GRID_MARGIN`]. The page's `Tilted` handle samples this grid
/// too, so its samples are `sample`'s.
pub fn exact_grid(mixture: &Mixture, extent: f64, target: Target) -> Result<GridDensity> {
    GridDensity::new(mixture, target, Grid::square(extent + GRID_MARGIN, GRID_SIDE))
}

/// `n` exact samples of `density` with `seed`'s sampling stream, as `sample` draws them.
/// Returns (n, 2).
pub fn exact_draw(density: &GridDensity, n: usize, seed: u64) -> Array2<f32> {
    density.sample(n, &mut rng::seeded(seed, stream::SAMPLE))
}

#[cfg(test)]
mod tests;
