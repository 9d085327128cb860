//! Every sampling method of the post behind one name: a [`Method`] with its models (a network or
//! the exact mixture, a distilled student, a classifier) and its state gives the velocity every
//! step follows ([`MethodField`]), for the CLI (`sample --method`, `eval --method`, through
//! [`generate`]) and for the page's particle flows (`Flow.advanceFor` in `crate::web`) alike, so
//! what the page draws is what `eval` measures.
//!
//! Each method is one row of [`METHODS`] (its name, what it needs, the fields it runs on, its
//! parameters with their CLI flags, page options, ranges and defaults); `docs/methods.md` is
//! generated from that table.
//!
//! Network calls are counted per evaluation ([`crate::field::VelocityField::calls_at`]), so a
//! method whose cost changes along the run reports what it spent (`eval`'s `calls_per_sample`).
//!
//! Each method is a type in a file of its own under `method/` (`Cfg` in `cfg.rs`, `Apg` in
//! `apg.rs`, …) that implements [`MethodRule`] (`method/rule.rs`): its checks, its schedule, its
//! start noise, the state it keeps across steps ([`MethodState::own`]) and the velocity field each
//! step follows. The list of methods is the method table (`method/table.rs`): one entry per
//! method, `Variant in module = its row`, from which `methods!` generates [`Method`] (a variant
//! wrapping each method's type), [`METHODS`] and the only switches on the method
//! ([`Method::rule`], [`Method::spec`], `Method::sample_own`). What a method needs (a classifier, a guide, its own
//! student) comes from its row ([`Method::needs`]): the CLI, the page and the checks ask it.
//!
//! Adding a method touches exactly: its file `method/<name>.rs` (its type and its
//! [`MethodRule`]) with its `mod` line below, its entry in the table (`method/table.rs`), and its
//! case in the tests' shared case list (`crate/tests/common/method_cases.rs`), plus the
//! regenerated `docs/methods.md`.

use std::str::FromStr;

use ndarray::Array2;

use crate::classifier::check_classifier_arch;
use crate::classifier::guided::{ClassifierScratch, ClassifierSource};
use crate::datasets::Dataset;
use crate::error::{Error, Result};
use crate::field::{FieldSource, NetScratch, Source};
use crate::invalid;
use crate::mixture::{Mixture, Prepared};
use crate::mlp::Mlp;
use crate::rng::{self, stream};
use crate::sample::{self, SampleConfig};
use crate::sampler::{SampleStats, Solver};
use crate::temperature::{Grid, GridDensity, Target};

mod field;
mod list;
pub mod rule;
pub mod schedule;
pub mod spec;
mod table;

// the methods, one file each (their list: `table.rs`)
pub mod apg;
pub mod autoguidance;
pub mod cfg;
pub mod cfg_plus_plus;
pub mod classifier;
pub mod fkc;
pub mod interval;
pub mod noise_scale;
pub mod rectified_cfg;
pub mod rescale;
pub mod student;
pub mod tempered;
pub mod tilted;
pub mod velocity_scale;
pub mod zero_star;

use field::check_velocity;
pub use field::{advance, MethodField, MethodState};
pub use rule::MethodRule;
pub use schedule::{Schedule, Shape};
pub use spec::{MethodParams, MethodSpec, Needs, Runs};
// `Method`, `METHODS`, `markdown` and every method's type (`Cfg`, `Apg`, …)
pub use table::*;

/// Cells per side of the grid that `tilted` and `tempered` sample on.
pub const GRID_SIDE: usize = 512;
/// Margin added around the data set's view extent for that grid.
pub const GRID_MARGIN: f64 = 0.5;

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
    pub const CFG: Method = Method::Cfg(Cfg { schedule: Schedule::CONSTANT });
    /// Classifier guidance with the constant schedule.
    pub const CLASSIFIER: Method = Method::Classifier(Classifier { schedule: Schedule::CONSTANT });

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

    /// What the method needs besides its velocity source.
    pub fn needs(&self) -> Needs {
        self.spec().needs
    }

    /// The method's name, as the CLI spells it.
    pub fn name(&self) -> &'static str {
        self.spec().name
    }

    /// Checks the method's own parameters, naming the first bad one.
    pub fn validate(&self) -> Result<()> {
        self.rule().validate()
    }

    /// The guidance schedule the method's scale follows ([`Schedule::CONSTANT`] for the methods
    /// without one: their scale is constant, or their own, as guidance-interval's and CFG++'s).
    pub fn schedule(&self) -> Schedule {
        self.rule().schedule()
    }

    /// Checks the method against a run of `steps` steps (cfg-zero-star's K must not exceed it).
    pub fn check_steps(&self, steps: usize) -> Result<()> {
        self.rule().check_steps(steps)
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
        self.rule().exact_guide(mixture)
    }

    /// τ of the start noise x0 ~ N(0, τ²I) ([`sample::start_noise`]): 1 but for `noise-scale`.
    pub fn noise_scale(&self) -> f32 {
        self.rule().noise_scale()
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
    if let Some(samples) = method.sample_own(dataset, source, label, cfg) {
        return samples;
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

/// `cfg.n` exact samples of `target` on its grid ([`exact_grid`]), drawn with the seed's
/// sampling stream: how `tilted` and `tempered` sample.
pub(crate) fn grid_samples(
    dataset: &Dataset,
    target: Target,
    cfg: &SampleConfig,
) -> Result<(Array2<f32>, SampleStats)> {
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
