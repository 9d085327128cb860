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
//! Adding a method is done here: a variant of [`Method`], its name ([`Method::NAMES`],
//! [`Method::from_name`]), its parameters' checks ([`Method::validate`]), and its arm of
//! [`MethodField::with_field`] (plus [`Method::solver`] or [`Method::noise_scale`] if it steps or
//! starts differently). A method that needs a second model gets it next to the classifier in
//! [`MethodField::new`]; one that keeps state across steps (per point, or a step counter) keeps
//! it in [`MethodState`], sized by [`MethodState::prepare`] and told where each step is through
//! [`VelocityField::at_step`] (the step's index, time, size and rows).

use std::str::FromStr;

use ndarray::{Array2, ArrayView2, ArrayViewMut2};
use serde::Serialize;

use crate::caps::{MAX_GUIDANCE, MAX_NOISE_SCALE, MAX_VELOCITY_SCALE};
use crate::classifier::check_classifier_arch;
use crate::classifier::guided::{ClassifierGuided, ClassifierScratch, ClassifierSource};
use crate::datasets::Dataset;
use crate::error::{check_range, Error, Result};
use crate::field::{Bound, FieldSource, Guidance, NetworkField, Source, StepAt, VelocityField};
use crate::invalid;
use crate::mixture::Prepared;
use crate::mlp::{Mlp, MlpConfig};
use crate::particles::Particles;
use crate::rcfg::{RcfgField, RcfgScratch, RectifiedCfg};
use crate::rng::{self, stream};
use crate::sample::{self, guidance_for, SampleConfig};
use crate::sampler::{SampleStats, Solver};
use crate::temperature::{Clock, Grid, GridDensity, ScaledVelocity, Target, TEMPERATURE_RANGE};

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

/// A method's state over a run: the buffers of rectified CFG's corrector (and where a method that
/// keeps state across steps keeps it). Sized by [`MethodState::prepare`]; a step allocates
/// nothing.
#[derive(Clone, Debug, Default)]
pub struct MethodState {
    rcfg: Option<RcfgScratch>,
    at: StepAt,
}

impl MethodState {
    /// Makes room for `method` on up to `rows` points per field evaluation (allocates only when
    /// the method needs more than it has).
    pub fn prepare(&mut self, method: &Method, rows: usize) {
        if let Method::RectifiedCfg(_) = method {
            if self.rcfg.as_ref().is_none_or(|s| s.capacity() < rows) {
                self.rcfg = Some(RcfgScratch::new(rows));
            }
        }
    }
}

/// Checks that the velocity network of architecture `net` (None: the exact field) can drive
/// `method` for a data set of `n_classes` classes: a network of those classes, a distilled
/// student (w as its one extra input) for `student` and only then, two outputs.
fn check_velocity(net: Option<&MlpConfig>, method: &Method, n_classes: usize) -> Result<()> {
    let Some(c) = net else {
        if *method == Method::Student {
            return Err(invalid!(
                "the student method needs a student model file (made by train --method distill)"
            ));
        }
        return Ok(());
    };
    if c.n_classes != n_classes {
        return Err(invalid!("the model has {} classes, the data set {n_classes}", c.n_classes));
    }
    match (c.n_extra, *method == Method::Student) {
        (1, true) | (0, false) => {}
        (_, true) => {
            return Err(invalid!("the student method needs a distilled student model (w as an input)"))
        }
        (_, false) => {
            return Err(invalid!("this model is a distilled student (w as an input): use --method student"))
        }
    }
    if c.d_out != 2 {
        return Err(invalid!("this model is not a velocity model (it has {} outputs)", c.d_out));
    }
    Ok(())
}

/// A [`Method`] bound to its models and state, for one class (or unconditionally) at guidance
/// w: the velocity each step follows. The one dispatch on the method ([`MethodField::with_field`]);
/// made only by [`MethodField::new`], which checks everything first.
pub struct MethodField<'r, 'v, 'c> {
    method: Method,
    /// the class (None: unconditional) and its label (n_classes for None)
    class: Option<u32>,
    label: u32,
    w: f32,
    velocity: &'r mut FieldSource<'v>,
    classifier: Option<&'r mut ClassifierSource<'c>>,
    state: &'r mut MethodState,
    calls: usize,
}

impl<'r, 'v, 'c> MethodField<'r, 'v, 'c> {
    /// `method` for `class` (None: unconditional; else below `n_classes`) at guidance `w`, with
    /// the velocity from `velocity` and, for classifier guidance, the gradient from
    /// `classifier`; `state` is made ready for up to `rows` points per evaluation. Errors (and
    /// no field) for a method without a flow (`tilted`, `tempered`), a class out of range, a w
    /// out of range, a model that cannot drive the method, or classifier guidance without a
    /// classifier.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        method: Method,
        n_classes: usize,
        class: Option<u32>,
        w: f32,
        velocity: &'r mut FieldSource<'v>,
        classifier: Option<&'r mut ClassifierSource<'c>>,
        state: &'r mut MethodState,
        rows: usize,
    ) -> Result<Self> {
        method.validate()?;
        if method.is_exact_only() {
            return Err(invalid!(
                "{} samples its density exactly on a grid: it has no flow to follow",
                method.name()
            ));
        }
        if let Some(c) = class {
            if c as usize >= n_classes {
                return Err(invalid!("class {c} out of range (the data set has {n_classes})"));
            }
        }
        check_range("w", w as f64, -MAX_GUIDANCE, MAX_GUIDANCE)?;
        let net = match velocity {
            FieldSource::Network { model, .. } => Some(model.config()),
            FieldSource::Exact { .. } => None,
        };
        check_velocity(net, &method, n_classes)?;
        if method == Method::Classifier && classifier.is_none() {
            return Err(invalid!("classifier guidance needs a classifier (a network, or the exact one)"));
        }
        state.prepare(&method, rows);
        let label = class.unwrap_or(n_classes as u32);
        let mut f = MethodField { method, class, label, w, velocity, classifier, state, calls: 0 };
        f.calls = f.with_field(|v| v.calls());
        Ok(f)
    }

    /// Runs `f` on the velocity field of the method: the one place that switches on it.
    fn with_field<R>(&mut self, f: impl FnOnce(&mut dyn VelocityField) -> R) -> R {
        let labels = std::slice::from_ref(&self.label);
        let cfg = guidance_for(self.class, self.w);
        match (self.method, self.class) {
            (Method::Cfg | Method::NoiseScale { .. }, _)
            | (Method::RectifiedCfg(_) | Method::Classifier, None) => {
                // CFG; rectified CFG and classifier guidance without a class: the unconditional field
                f(&mut Bound { source: self.velocity, labels, guidance: cfg })
            }
            (Method::VelocityScale { temperature, clock }, _) => {
                let mut inner = Bound { source: self.velocity, labels, guidance: cfg };
                f(&mut ScaledVelocity { inner: &mut inner, scale: temperature, clock })
            }
            (Method::RectifiedCfg(rule), Some(_)) => {
                let scratch = self.state.rcfg.as_mut().expect("prepared by MethodField::new");
                f(&mut RcfgField { source: self.velocity, labels, rule, dt: self.state.at.dt, scratch })
            }
            (Method::Student, _) => {
                let FieldSource::Network { model, scratch } = self.velocity else {
                    unreachable!("MethodField::new checked the student")
                };
                f(&mut NetworkField {
                    model,
                    scratch,
                    labels,
                    guidance: Guidance::Conditional,
                    extra: std::slice::from_ref(&self.w),
                })
            }
            (Method::Classifier, Some(_)) => {
                let classifier = self.classifier.as_deref_mut().expect("checked by MethodField::new");
                f(&mut ClassifierGuided {
                    velocity: self.velocity,
                    classifier,
                    labels,
                    base: Guidance::Unconditional,
                    scale: self.w,
                })
            }
            (Method::Tilted | Method::Tempered { .. }, _) => {
                unreachable!("MethodField::new refuses the methods without a flow")
            }
        }
    }
}

impl MethodField<'_, '_, '_> {
    /// The method the field follows.
    pub fn method(&self) -> &Method {
        &self.method
    }
}

/// Moves `particles` along `field` in batches of at most `rows` particles (a step may be split
/// over batches) until the run is done, `end` steps are done, or `over()` (asked after each
/// batch) says the time is up; returns the steps done. The loop of the page's flows
/// (`Flow.advanceFor`), the same run as [`generate`]: a run that has not moved yet and started
/// from seeded noise takes the method's start noise ([`Method::noise_scale`]), and the run must
/// use the method's solver.
pub fn advance(
    particles: &mut Particles,
    field: &mut MethodField,
    rows: usize,
    end: usize,
    mut over: impl FnMut() -> bool,
) -> Result<usize> {
    let method = *field.method();
    let solver = method.solver(particles.solver());
    if solver != particles.solver() {
        return Err(invalid!("{} steps with {solver:?}: make the run with that solver", method.name()));
    }
    particles.use_noise_scale(method.noise_scale());
    while !particles.done() && particles.step() < end {
        particles.advance_rows_field(field, rows)?;
        if over() {
            break;
        }
    }
    Ok(particles.step())
}

impl VelocityField for MethodField<'_, '_, '_> {
    fn eval(&mut self, x: ArrayView2<f32>, t: f32, v: ArrayViewMut2<f32>) {
        self.with_field(|f| f.eval(x, t, v))
    }

    fn calls(&self) -> usize {
        self.calls
    }

    fn at_step(&mut self, at: StepAt) {
        self.state.at = at;
        self.with_field(|f| f.at_step(at))
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
mod tests {
    use super::*;

    fn cfg(n: usize) -> SampleConfig {
        SampleConfig { n, steps: 20, guidance: 3.0, ..SampleConfig::default() }
    }

    #[test]
    fn cfg_method_is_plain_generate() {
        let d = Dataset::by_name("overlapping").unwrap();
        let a = generate(&d, Source::Exact, &Method::Cfg, Some(0), &cfg(200)).unwrap();
        let b = sample::generate(&d, Source::Exact, Some(0), &cfg(200)).unwrap();
        assert_eq!(a.0, b.0);
    }

    #[test]
    fn noise_scale_one_and_velocity_scale_one_are_cfg() {
        let d = Dataset::by_name("face").unwrap();
        let base = generate(&d, Source::Exact, &Method::Cfg, Some(2), &cfg(100)).unwrap().0;
        let ns = generate(&d, Source::Exact, &Method::NoiseScale { tau: 1.0 }, Some(2), &cfg(100)).unwrap().0;
        let vs = generate(
            &d,
            Source::Exact,
            &Method::VelocityScale { temperature: 1.0, clock: Clock::Sampler },
            Some(2),
            &cfg(100),
        )
        .unwrap()
        .0;
        assert_eq!(base, ns);
        assert_eq!(base, vs);
    }

    #[test]
    fn velocity_scale_below_one_stops_short_of_the_data() {
        // T·v with T = 0.5 keeps samples blended with noise: far wider than the class
        let d = Dataset::by_name("non-overlapping").unwrap();
        let c = SampleConfig { guidance: 1.0, ..cfg(2000) };
        let m = Method::VelocityScale { temperature: 0.5, clock: Clock::Sampler };
        let (x, _) = generate(&d, Source::Exact, &m, Some(0), &c).unwrap();
        let div = crate::metrics::diversity(x.view(), &d.mixture(), Some(0));
        assert!(div > 2.0, "diversity {div}");
    }

    #[test]
    fn exact_methods_sample_their_density() {
        let d = Dataset::by_name("non-overlapping").unwrap();
        let c = SampleConfig { guidance: 1.0, ..cfg(4000) };
        let (x, st) = generate(&d, Source::Exact, &Method::Tilted, Some(1), &c).unwrap();
        assert_eq!(st.calls_per_sample, 0);
        let m = crate::metrics::classify(&d.mixture(), x.view());
        assert!(crate::metrics::hit_rate(&m, 1) > 0.999);
        // tempering at T = 4 doubles the spread of a Gaussian class (variance × 4)
        let (y, _) =
            generate(&d, Source::Exact, &Method::Tempered { temperature: 4.0 }, Some(0), &c).unwrap();
        let div = crate::metrics::diversity(y.view(), &d.mixture(), Some(0));
        assert!((div - 4.0).abs() < 0.3, "diversity {div}");
    }

    #[test]
    fn exact_classifier_guidance_samples_as_exact_cfg() {
        // the post's derivation: with the Bayes classifier, classifier guidance at λ = w is CFG
        let d = Dataset::by_name("overlapping").unwrap();
        let a = generate(&d, Source::Exact, &Method::Classifier, Some(1), &cfg(300)).unwrap().0;
        let b = generate(&d, Source::Exact, &Method::Cfg, Some(1), &cfg(300)).unwrap().0;
        let gap = crate::metrics::mean_distance(a.view(), b.view());
        // Pointwise the two fields agree for t > 0 (tests/classifier.rs); only the first Euler
        // step differs: at t = 0 the Bayes classifier's gradient is exactly 0 (x_0 is pure noise)
        // while v_c − v_u = E[x1|c] − E[x1] is not; (1 − t)/t·∇log p(c|x_t) only tends to it.
        let c = SampleConfig { guidance: 1.0, ..cfg(300) };
        let cond = generate(&d, Source::Exact, &Method::Cfg, Some(1), &c).unwrap().0;
        let effect = crate::metrics::mean_distance(b.view(), cond.view());
        assert!(gap < 0.1 * effect, "mean distance {gap}, guidance moves points by {effect}");
    }

    #[test]
    fn bad_parameters_and_sources_are_named() {
        let d = Dataset::by_name("face").unwrap();
        let e = generate(&d, Source::Exact, &Method::NoiseScale { tau: f32::NAN }, Some(0), &cfg(10))
            .unwrap_err();
        assert!(e.to_string().contains("tau"), "{e}");
        let e = generate(&d, Source::Exact, &Method::Student, Some(0), &cfg(10)).unwrap_err();
        assert!(e.to_string().contains("student"), "{e}");
        let e = generate(&d, Source::Exact, &Method::Cfg, Some(9), &cfg(10)).unwrap_err();
        assert!(e.to_string().contains("class 9"), "{e}");
    }

    #[test]
    fn rectified_cfg_reports_three_calls_per_step_and_evaluates() {
        let d = Dataset::by_name("overlapping").unwrap();
        let m = Method::RectifiedCfg(RectifiedCfg::default());
        let mut rng = rng::seeded(0, 0);
        let model = crate::mlp::Mlp::new(crate::mlp::MlpConfig::velocity(2, 16, 1), &mut rng).unwrap();
        let (_, st) = generate(&d, Source::Network(&model), &m, Some(0), &cfg(50)).unwrap();
        assert_eq!(st.calls_per_sample, 3 * 20);
        let r = crate::evaluate::evaluate_with(&d, Source::Exact, None, &m, &cfg(300)).unwrap();
        assert_eq!(r.method, m);
        assert_eq!(r.classes.len(), 2);
    }
}
