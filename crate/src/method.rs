//! Every sampling method of the post behind one name, and the one dispatch on it: a [`Method`]
//! with its models (a network or the exact mixture, a distilled student, a classifier) and its
//! state gives the velocity every step follows ([`MethodField`]), for the CLI (`sample --method`,
//! `eval --method`, through [`generate`]) and for the page's particle flows (`Flow.advanceFor` in
//! `crate::web`) alike, so what the page draws is what `eval` measures.
//!
//! Each method is one row of [`METHODS`] (its name, what it needs, the fields it runs on,
//! its parameters with their CLI flags, page options, ranges and defaults); `docs/methods.md` is
//! generated from that table.
//!
//! Network calls are counted per evaluation ([`crate::field::VelocityField::calls_at`]), so a
//! method whose cost changes along the run reports what it spent (`eval`'s `calls_per_sample`).
//!
//! Adding a method: its field in a file of its own under `method/` (as `apg.rs`), its row in
//! [`METHODS`] (name, needs, fields, solver, parameters and how they build it), a variant
//! of [`Method`] with its name ([`Method::name`]) and its checks ([`Method::validate`], and
//! [`Method::check_steps`] for checks against the run's length), its arm of the one dispatch in
//! `method/field.rs` ([`MethodField`]; state kept across steps goes in [`MethodState`], sized by
//! [`MethodState::prepare`] and [`MethodState::prepare_points`], told where each step is
//! through [`crate::field::VelocityField::at_step`]), and one case in the tests' shared case list
//! (`crate/tests/common/method_cases.rs`). What a method needs (a classifier, a guide, its own
//! student) comes from its row ([`Method::needs`]): the CLI, the page and the checks ask it.

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
pub mod cfg_plus_plus;
mod field;
mod interval;
pub mod schedule;
pub mod spec;
mod table;
mod zero_star;

pub use apg::Apg;
use autoguidance::{widened, MAX_WIDEN};
use field::check_velocity;
pub use field::{advance, MethodField, MethodState};
pub use schedule::{Schedule, Shape};
pub use spec::{MethodParams, MethodSpec, Needs, Runs};
pub use table::{markdown, METHODS};

/// Cells per side of the grid that `tilted` and `tempered` sample on.
pub const GRID_SIDE: usize = 512;
/// Margin added around the data set's view extent for that grid.
pub const GRID_MARGIN: f64 = 0.5;

/// A sampling method and its own parameters (w, steps, solver, n and seed come from
/// [`SampleConfig`], or from the page's flow).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "method")]
pub enum Method {
    /// CFG, its scale following `schedule` (constant: w at every t).
    Cfg {
        #[serde(skip_serializing_if = "Schedule::is_constant")]
        schedule: Schedule,
    },
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
    /// Classifier guidance at λ = w (following `schedule`), with a classifier network or the
    /// exact Bayes classifier of the data's mixture.
    Classifier {
        #[serde(skip_serializing_if = "Schedule::is_constant")]
        schedule: Schedule,
    },
    /// CFG at w for t in [t_lo, t_hi] (closed; empty when t_lo = t_hi), w = 1 outside.
    GuidanceInterval {
        t_lo: f32,
        t_hi: f32,
    },
    /// CFG-Zero*: the optimised scale s*, and zero velocity in the first `zero_steps` steps.
    CfgZeroStar {
        zero_steps: usize,
        #[serde(skip_serializing_if = "Schedule::is_constant")]
        schedule: Schedule,
    },
    /// Adaptive projected guidance.
    Apg(Apg),
    /// Autoguidance by a guide network ([`Models::guide`]), or on the exact field by the data's
    /// mixture with every component's covariance multiplied by `guide_widen`.
    Autoguidance {
        guide_widen: f64,
        #[serde(skip_serializing_if = "Schedule::is_constant")]
        schedule: Schedule,
    },
    /// Feynman–Kac-corrected CFG (`crate::fkc`): the CFG SDE of noise level `eta`, with weights
    /// and resampling that make it sample the tilted density p^(1−w)·p(·|c)^w.
    Fkc {
        eta: f32,
    },
    /// CFG++ (`method/cfg_plus_plus.rs`): the guided data prediction renoised with the
    /// unconditional noise prediction, λ = w; an Euler step of CFG at λ·(t + h)(1 − t)/h.
    CfgPlusPlus,
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

/// guidance-interval's default interval: about EDM2's σ ∈ (0.28, 5.42] of the paper, with
/// σ = (1 − t)/t on this path.
pub const DEFAULT_INTERVAL: (f32, f32) = (0.15, 0.8);
/// cfg-zero-star's default K: the first step (the paper's default).
pub const DEFAULT_ZERO_STEPS: usize = 1;

impl Method {
    /// CFG with the constant schedule: CFG as the post has it.
    pub const CFG: Method = Method::Cfg { schedule: Schedule::CONSTANT };
    /// Classifier guidance with the constant schedule.
    pub const CLASSIFIER: Method = Method::Classifier { schedule: Schedule::CONSTANT };

    /// Every method name, as the CLI and the page spell them (the rows of [`METHODS`]).
    pub const NAMES: [&'static str; METHODS.len()] = {
        let mut names = [""; METHODS.len()];
        let mut i = 0;
        while i < METHODS.len() {
            names[i] = METHODS[i].name;
            i += 1;
        }
        names
    };

    /// The method called `name` with its parameters from `p` (unset ones: the row's defaults),
    /// checked.
    pub fn from_name(name: &str, p: &MethodParams) -> Result<Method> {
        let m = MethodSpec::find(name)?.build(p);
        m.validate()?;
        Ok(m)
    }

    /// The method's row of [`METHODS`].
    pub fn spec(&self) -> &'static MethodSpec {
        let name = self.name();
        METHODS.iter().find(|s| s.name == name).expect("every method has a row")
    }

    /// What the method needs besides its velocity source.
    pub fn needs(&self) -> Needs {
        self.spec().needs
    }

    /// The method's name, as the CLI spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Method::Cfg { .. } => "cfg",
            Method::RectifiedCfg(_) => "rectified-cfg",
            Method::NoiseScale { .. } => "noise-scale",
            Method::VelocityScale { .. } => "velocity-scale",
            Method::Tilted => "tilted",
            Method::Tempered { .. } => "tempered",
            Method::Student => "student",
            Method::Classifier { .. } => "classifier",
            Method::GuidanceInterval { .. } => "guidance-interval",
            Method::CfgZeroStar { .. } => "cfg-zero-star",
            Method::Apg(_) => "apg",
            Method::Autoguidance { .. } => "autoguidance",
            Method::Fkc { .. } => "fkc",
            Method::CfgPlusPlus => "cfg-plus-plus",
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
            Method::GuidanceInterval { t_lo, t_hi } => schedule::check_window(t_lo, t_hi),
            Method::CfgZeroStar { zero_steps, schedule } => {
                check_count("zero_steps", zero_steps as i64, 0, MAX_SAMPLER_STEPS as i64)?;
                schedule.validate()
            }
            Method::Apg(a) => a.validate(),
            Method::Autoguidance { guide_widen, schedule } => {
                check_range("guide_widen", guide_widen, 1.0, MAX_WIDEN)?;
                schedule.validate()
            }
            Method::Fkc { eta } => crate::sde::check_noise(eta).map(drop),
            Method::Cfg { schedule } | Method::Classifier { schedule } => schedule.validate(),
            Method::Tilted | Method::Student | Method::CfgPlusPlus => Ok(()),
        }
    }

    /// The guidance schedule the method's scale follows ([`Schedule::CONSTANT`] for the methods
    /// without one: their scale is constant, or their own, as guidance-interval's and CFG++'s).
    pub fn schedule(&self) -> Schedule {
        match *self {
            Method::Cfg { schedule }
            | Method::Classifier { schedule }
            | Method::CfgZeroStar { schedule, .. }
            | Method::Autoguidance { schedule, .. } => schedule,
            Method::Apg(a) => a.schedule,
            _ => Schedule::CONSTANT,
        }
    }

    /// Checks the method against a run of `steps` steps (cfg-zero-star's K must not exceed it).
    pub fn check_steps(&self, steps: usize) -> Result<()> {
        match *self {
            Method::CfgZeroStar { zero_steps, .. } if zero_steps > steps => {
                Err(invalid!("zero_steps must not exceed the run's {steps} steps, got {zero_steps}"))
            }
            _ => Ok(()),
        }
    }

    /// True for the methods that need no network (exact samples of a density): they have no
    /// flow to follow.
    pub fn is_exact_only(&self) -> bool {
        !self.spec().runs.flow()
    }

    /// The solver the method steps with when `asked` is asked for: its row's (`rectified-cfg`
    /// and `student` step with Euler, as the post does), or else `asked`.
    pub fn solver(&self, asked: Solver) -> Solver {
        self.spec().solver.unwrap_or(asked)
    }

    /// On the exact field, the guide of a method that [`Needs::Guide`]: the data's mixture
    /// widened by the method's factor (None for the other methods).
    pub fn exact_guide(&self, mixture: &Mixture) -> Option<Mixture> {
        match *self {
            Method::Autoguidance { guide_widen, .. } => Some(widened(mixture, guide_widen)),
            _ => None,
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

/// With `cfg.solver` [`Solver::Sde`] (and a method that takes the asked solver) the run is the
/// SDE of noise level `cfg.sde_noise` ([`crate::sde::run`]); `fkc` is its own SDE sampler
/// ([`crate::fkc::generate`], its η its parameter).
///
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
    if let Method::Fkc { eta } = *method {
        let (x, stats) = crate::fkc::generate(dataset, source, label, cfg, eta)?;
        return Ok((x, stats.sample_stats()));
    }
    let (n, mixture) = (cfg.n, dataset.mixture());
    let guide_mixture = match source {
        Source::Exact => method.exact_guide(&mixture),
        Source::Network(_) => None,
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
        match method.solver(cfg.solver) {
            Solver::Sde => {
                crate::sde::run(&mut field, n, cfg.steps, cfg.seed, method.noise_scale(), cfg.sde_noise)
            }
            solver => sample::run(&mut field, n, cfg.steps, solver, cfg.seed, method.noise_scale()),
        }
    })
}

/// Checks that `source` and `models` can run `method` on `dataset` (the checks of
/// [`MethodField::new`], made before any buffer is sized): a method that [`Needs::Guide`]
/// (autoguidance) on a network needs a guide network of the data's classes, and on the exact
/// field takes none; one that [`Needs::Student`] needs a student network.
pub fn check_source(dataset: &Dataset, source: Source, models: Models, method: &Method) -> Result<()> {
    source.check(dataset)?;
    let net = match source {
        Source::Network(model) => Some(model.config()),
        Source::Exact => None,
    };
    check_velocity(net, method, dataset.n_classes())?;
    if method.needs() == Needs::Guide {
        let name = method.name();
        match (source, models.guide) {
            (Source::Network(_), None) => {
                return Err(invalid!("{name} needs a guide model (a weaker model of the same data)"))
            }
            (Source::Exact, Some(_)) => {
                return Err(invalid!(
                    "on the exact field the guide is the widened mixture: {name} takes no guide model"
                ))
            }
            (_, Some(g)) => check_velocity(Some(g.config()), &Method::CFG, dataset.n_classes())
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
    Ok((x, SampleStats { calls_per_sample: 0, straightness: f64::NAN, ..SampleStats::default() }))
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
