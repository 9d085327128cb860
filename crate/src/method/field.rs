//! The one dispatch on [`Method`]: a method bound to its models and state ([`MethodField`]) is
//! the velocity each step follows, and [`advance`] is the page's loop over it.

use ndarray::{s, Array2, ArrayView2, ArrayViewMut2};

use super::apg::ApgField;
use super::autoguidance::AutoguidanceField;
use super::cfg_plus_plus::effective_w;
use super::interval::IntervalField;
use super::zero_star::ZeroStarField;
use super::{Method, Needs};
use crate::caps::MAX_GUIDANCE;
use crate::classifier::guided::{ClassifierGuided, ClassifierSource};
use crate::error::{check_range, Result};
use crate::field::{Bound, FieldSource, Guidance, NetworkField, StepAt, VelocityField};
use crate::fkc::{Fkc, FkcStats};
use crate::invalid;
use crate::mlp::MlpConfig;
use crate::particles::Particles;
use crate::rcfg::{RcfgField, RcfgScratch};
use crate::sample::guidance_for;
use crate::sampler::Solver;
use crate::sde::{check_noise, SdeField, DEFAULT_SDE_NOISE};
use crate::temperature::ScaledVelocity;

/// Both velocities of a batch (or a guide's velocity), for the methods that mix them per point.
#[derive(Clone, Debug)]
pub(super) struct Both {
    /// (rows, 2) each.
    pub v_u: Array2<f32>,
    pub v_c: Array2<f32>,
}

impl Both {
    /// The first step of the methods that mix v_u and v_c per point (APG, CFG-Zero*): without a
    /// class, writes the unconditional velocity of `x` at `t` into `v` and gives None; for a
    /// class (`labels`), evaluates both velocities in one stacked pass and gives them,
    /// (rows of x, 2) each.
    pub fn eval_pair(
        &mut self,
        source: &mut FieldSource,
        labels: &[u32],
        class: Option<u32>,
        x: ArrayView2<f32>,
        t: f32,
        v: ArrayViewMut2<f32>,
    ) -> Option<(ArrayViewMut2<'_, f32>, ArrayViewMut2<'_, f32>)> {
        if class.is_none() {
            Bound { source, labels, guidance: Guidance::Unconditional }.eval(x, t, v);
            return None;
        }
        let n = x.nrows();
        let (mut vu, mut vc) = (self.v_u.slice_mut(s![..n, ..]), self.v_c.slice_mut(s![..n, ..]));
        source.eval_both(x, t, labels, vu.view_mut(), vc.view_mut());
        Some((vu, vc))
    }

    /// Network calls per point of [`Both::eval_pair`]: both velocities for a class (one
    /// stacked pass), one without, none on the exact field.
    pub fn pair_calls(source: &FieldSource, class: Option<u32>) -> usize {
        match (source, class) {
            (FieldSource::Exact { .. }, _) => 0,
            (FieldSource::Network { .. }, None) => 1,
            (FieldSource::Network { .. }, Some(_)) => source.calls_both(),
        }
    }
}

/// A method's state over a run: the buffers of rectified CFG's corrector and of the methods
/// that mix v_u and v_c per point, APG's running average per point, and where the run is. Sized
/// by [`MethodState::prepare`] (APG's average on the first step of a run with more points than
/// before); a step allocates nothing after that.
#[derive(Clone, Debug, Default)]
pub struct MethodState {
    rcfg: Option<RcfgScratch>,
    both: Option<Both>,
    average: Vec<[f64; 2]>,
    at: StepAt,
    /// The SDE solver's noise level η (None: [`DEFAULT_SDE_NOISE`]), for runs with [`Solver::Sde`].
    sde_noise: Option<f32>,
    /// Feynman–Kac-corrected CFG's particles' weights and statistics (`fkc` runs only).
    fkc: Option<Fkc>,
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
        if let Method::CfgZeroStar { .. } | Method::Apg(_) | Method::Autoguidance { .. } = method {
            if self.both.as_ref().is_none_or(|b| b.v_u.nrows() < rows) {
                self.both = Some(Both { v_u: Array2::zeros((rows, 2)), v_c: Array2::zeros((rows, 2)) });
            }
        }
    }
}

impl MethodState {
    /// Makes room for the per-point state of `method` over a run of `n` points (APG's running
    /// average; `fkc`'s weights, made for `n` particles at guidance `w`), so that no step
    /// allocates.
    pub fn prepare_points(&mut self, method: &Method, n: usize, w: f32) -> Result<()> {
        if let Method::Apg(rule) = method {
            if rule.momentum > 0.0 && self.average.len() < n {
                self.average.resize(n, [0.0; 2]);
            }
        }
        match *method {
            Method::Fkc { eta } => match self.fkc.as_mut() {
                Some(f) if f.len() == n => f.set(w, eta, 0)?,
                _ => self.fkc = Some(Fkc::new(n, w, eta, 0)?),
            },
            _ => self.fkc = None,
        }
        Ok(())
    }

    /// Sets the noise level η of runs made with [`Solver::Sde`] (checked).
    pub fn set_sde_noise(&mut self, eta: f32) -> Result<()> {
        self.sde_noise = Some(check_noise(eta)?);
        Ok(())
    }

    /// The noise level η of runs made with [`Solver::Sde`].
    pub fn sde_noise(&self) -> f32 {
        self.sde_noise.unwrap_or(DEFAULT_SDE_NOISE)
    }

    /// The statistics of the last `fkc` run (None after any other method).
    pub fn fkc_stats(&self) -> Option<FkcStats> {
        self.fkc.as_ref().map(Fkc::stats)
    }
}

/// Checks that the velocity network of architecture `net` (None: the exact field) can drive
/// `method` for a data set of `n_classes` classes: a network of those classes, a distilled
/// student (w as its one extra input) for `student` and only then, two outputs.
pub(super) fn check_velocity(net: Option<&MlpConfig>, method: &Method, n_classes: usize) -> Result<()> {
    let student = method.needs() == Needs::Student;
    let Some(c) = net else {
        if student {
            return Err(invalid!(
                "the {} method needs a student model file (made by train --method distill)",
                method.name()
            ));
        }
        return Ok(());
    };
    if c.n_classes != n_classes {
        return Err(invalid!("the model has {} classes, the data set {n_classes}", c.n_classes));
    }
    match (c.n_extra, student) {
        (1, true) | (0, false) => {}
        (_, true) => {
            return Err(invalid!(
                "the {} method needs a distilled student model (w as an input)",
                method.name()
            ))
        }
        (_, false) => {
            return Err(invalid!(
                "this model is a distilled student (w as an input): use --method {}",
                super::spec::needing(Needs::Student)
            ))
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
    /// (the guide shares the classifier's lifetime 'c: the other models a method takes)
    guide: Option<&'r mut FieldSource<'c>>,
    state: &'r mut MethodState,
    calls: usize,
}

impl<'r, 'v, 'c> MethodField<'r, 'v, 'c> {
    /// `method` for `class` (None: unconditional; else below `n_classes`) at guidance `w`, with
    /// the velocity from `velocity` and, for classifier guidance, the gradient from
    /// `classifier`, for autoguidance the guide's velocity from `guide` (a weaker network, or
    /// the widened mixture); `state` is made ready for up to `rows` points per evaluation.
    /// Errors (and no field) for a method without a flow (`tilted`, `tempered`), a class out of
    /// range, a w out of range, a model that cannot drive the method, classifier guidance
    /// without a classifier, or autoguidance without a guide (or with a guide of other classes).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        method: Method,
        n_classes: usize,
        class: Option<u32>,
        w: f32,
        velocity: &'r mut FieldSource<'v>,
        classifier: Option<&'r mut ClassifierSource<'c>>,
        guide: Option<&'r mut FieldSource<'c>>,
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
        if method.needs() == Needs::Classifier && classifier.is_none() {
            return Err(invalid!("{} needs a classifier (a network, or the exact one)", method.name()));
        }
        if method.needs() == Needs::Guide {
            match guide.as_deref() {
                None => {
                    return Err(invalid!("{} needs a guide (a weaker model of the same data)", method.name()))
                }
                Some(FieldSource::Network { model, .. }) => {
                    check_velocity(Some(model.config()), &Method::CFG, n_classes)
                        .map_err(|e| invalid!("the guide does not fit: {e}"))?
                }
                Some(FieldSource::Exact { mixture, .. }) if mixture.n_classes != n_classes => {
                    return Err(invalid!(
                        "the guide mixture has {} classes, the data set {n_classes}",
                        mixture.n_classes
                    ))
                }
                Some(FieldSource::Exact { .. }) => {}
            }
        }
        state.prepare(&method, rows);
        let label = class.unwrap_or(n_classes as u32);
        let mut f = MethodField { method, class, label, w, velocity, classifier, guide, state, calls: 0 };
        f.calls = f.with_field(0.0, |v| v.calls());
        Ok(f)
    }

    /// Runs `f` on the velocity field of the method at time `t` (its scale there: w by the
    /// method's schedule, [`Method::schedule`]): the one place that switches on the method.
    fn with_field<R>(&mut self, t: f32, f: impl FnOnce(&mut dyn VelocityField) -> R) -> R {
        let labels = std::slice::from_ref(&self.label);
        let w = self.method.schedule().w_at(self.w, t);
        let cfg = guidance_for(self.class, w);
        match (self.method, self.class) {
            (Method::Cfg { .. } | Method::NoiseScale { .. }, _)
            | (Method::RectifiedCfg(_) | Method::Classifier { .. }, None) => {
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
            (Method::Classifier { .. }, Some(_)) => {
                let classifier = self.classifier.as_deref_mut().expect("checked by MethodField::new");
                f(&mut ClassifierGuided {
                    velocity: self.velocity,
                    classifier,
                    labels,
                    base: Guidance::Unconditional,
                    scale: w,
                })
            }
            (Method::GuidanceInterval { t_lo, t_hi }, class) => {
                f(&mut IntervalField { source: self.velocity, labels, class, w: self.w, t_lo, t_hi })
            }
            (Method::CfgZeroStar { zero_steps, .. }, class) => {
                let (k, both) =
                    (self.state.at.k, self.state.both.as_mut().expect("prepared by MethodField::new"));
                let source = &mut *self.velocity;
                f(&mut ZeroStarField { source, labels, class, w, zero_steps, k, both })
            }
            (Method::Apg(rule), class) => {
                let st = &mut *self.state;
                let both = st.both.as_mut().expect("prepared by MethodField::new");
                let (at, average) = (st.at, &mut st.average);
                let source = &mut *self.velocity;
                f(&mut ApgField { source, labels, class, w, rule, at, both, average })
            }
            (Method::Autoguidance { .. }, class) => {
                let guide = self.guide.as_deref_mut().expect("checked by MethodField::new");
                let both = self.state.both.as_mut().expect("prepared by MethodField::new");
                let source = &mut *self.velocity;
                f(&mut AutoguidanceField { source, guide, labels, class, w, both })
            }
            (Method::Fkc { .. }, _) => {
                // the CFG field (the drift of its SDE before the noise and the weights: the
                // corrected run itself is stepped by `advance`, through `Particles::advance_rows_fkc`)
                f(&mut Bound { source: self.velocity, labels, guidance: cfg })
            }
            (Method::CfgPlusPlus, class) => {
                // an Euler step of CFG at λ·(t + h)(1 − t)/h (the row insists on Euler)
                let w_eff = effective_w(self.w, t, self.state.at.dt);
                f(&mut Bound { source: self.velocity, labels, guidance: guidance_for(class, w_eff) })
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
/// (`Flow.advanceFor`), the same run as [`super::generate`]: a run that has not moved yet and started
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
    method.check_steps(particles.steps())?;
    field.state.prepare_points(&method, particles.len(), field.w)?;
    let solver = method.solver(particles.solver());
    if solver != particles.solver() {
        return Err(invalid!("{} steps with {solver:?}: make the run with that solver", method.name()));
    }
    particles.use_noise_scale(method.noise_scale());
    // the run's noise: its seed (a run started from given points draws from seed 0)
    let seed = particles.seed().unwrap_or(0);
    let step = |particles: &mut Particles, field: &mut MethodField| -> Result<usize> {
        match (method, solver) {
            (Method::Fkc { eta }, _) => {
                let fkc = field.state.fkc.as_mut().expect("made by prepare_points");
                fkc.set(field.w, eta, seed)?;
                particles.advance_rows_fkc(field.velocity, fkc, rows)
            }
            (_, Solver::Sde) => {
                let eta = field.state.sde_noise();
                particles.advance_rows_field(&mut SdeField::new(field, eta, seed)?, rows)
            }
            _ => particles.advance_rows_field(field, rows),
        }
    };
    while !particles.done() && particles.step() < end {
        step(particles, field)?;
        if over() {
            break;
        }
    }
    Ok(particles.step())
}

impl VelocityField for MethodField<'_, '_, '_> {
    fn eval(&mut self, x: ArrayView2<f32>, t: f32, v: ArrayViewMut2<f32>) {
        self.with_field(t, |f| f.eval(x, t, v))
    }

    fn calls(&self) -> usize {
        self.calls
    }

    fn calls_at(&mut self, k: usize, t: f32) -> usize {
        self.with_field(t, |f| f.calls_at(k, t))
    }

    fn at_step(&mut self, at: StepAt) {
        self.state.at = at;
        self.with_field(at.t, |f| f.at_step(at))
    }
}
