//! A method bound to its models and state ([`MethodField`]) is the velocity each step follows
//! (its [`super::MethodRule`]'s field), and [`advance`] is the page's loop over it.

use std::any::Any;

use ndarray::{s, Array2, ArrayView2, ArrayViewMut2};

use super::rule::On;
use super::{Method, Needs};
use crate::caps::MAX_GUIDANCE;
use crate::classifier::guided::ClassifierSource;
use crate::error::{check_range, Result};
use crate::field::{Bound, FieldSource, Guidance, StepAt, VelocityField};
use crate::invalid;
use crate::mlp::MlpConfig;
use crate::particles::Particles;
use crate::sampler::Solver;
use crate::sde::{check_noise, SdeField, DEFAULT_SDE_NOISE};

/// Both velocities of a batch (or a guide's velocity), for the methods that mix them per point
/// (their state: [`MethodState::own`]).
#[derive(Clone, Debug, Default)]
pub(super) struct Both {
    /// (rows, 2) each.
    pub v_u: Array2<f32>,
    pub v_c: Array2<f32>,
}

impl Both {
    /// Makes room for `rows` points (allocates only when it has fewer).
    pub fn fit(&mut self, rows: usize) {
        if self.v_u.nrows() < rows {
            *self = Both { v_u: Array2::zeros((rows, 2)), v_c: Array2::zeros((rows, 2)) };
        }
    }

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

    /// [`Both::eval_pair`], then each point's velocity from its pair, `mix(v_u, v_c)` in f64 (the
    /// methods that combine the two per point by a formula: CFG-Zero*, guidance rescale); without a
    /// class, `v` is the unconditional velocity. x: (n, 2), v: (n, 2).
    #[allow(clippy::too_many_arguments)]
    pub fn eval_mixed(
        &mut self,
        source: &mut FieldSource,
        labels: &[u32],
        class: Option<u32>,
        x: ArrayView2<f32>,
        t: f32,
        mut v: ArrayViewMut2<f32>,
        mix: impl Fn([f64; 2], [f64; 2]) -> [f64; 2],
    ) {
        let Some((vu, vc)) = self.eval_pair(source, labels, class, x, t, v.view_mut()) else {
            return;
        };
        for i in 0..x.nrows() {
            let r = mix([vu[[i, 0]] as f64, vu[[i, 1]] as f64], [vc[[i, 0]] as f64, vc[[i, 1]] as f64]);
            v[[i, 0]] = r[0] as f32;
            v[[i, 1]] = r[1] as f32;
        }
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

/// A method's state over a run: where the run is, the SDE solver's η, and the method's own
/// buffers ([`MethodState::own`]: rectified CFG's corrector, the velocities of the methods that
/// mix v_u and v_c per point, APG's running average per point, `fkc`'s weights), made by the
/// method's [`super::MethodRule::prepare`] and [`super::MethodRule::prepare_points`]; a step allocates nothing
/// after that.
#[derive(Debug, Default)]
pub struct MethodState {
    at: StepAt,
    /// The SDE solver's noise level η (None: [`DEFAULT_SDE_NOISE`]), for runs with [`Solver::Sde`].
    sde_noise: Option<f32>,
    /// The method's own state (the last method that asked for one's).
    own: Option<Box<dyn Any + Send>>,
}

impl MethodState {
    /// The method's own state, of type `S`: made (by `S::default()`, dropping another method's)
    /// when the state holds none of that type, else kept as the last run left it.
    pub fn own<S: Default + Any + Send>(&mut self) -> &mut S {
        if !self.own.as_ref().is_some_and(|s| s.is::<S>()) {
            self.set_own(Box::new(S::default()));
        }
        match self.own.as_mut().and_then(|s| s.downcast_mut()) {
            Some(s) => s,
            None => unreachable!(),
        }
    }

    /// (One copy for every type of state: the page's wasm has a size budget.)
    #[inline(never)]
    fn set_own(&mut self, own: Box<dyn Any + Send>) {
        self.own = Some(own);
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
/// w: the velocity each step follows (its rule's [`super::MethodRule::with_field`]); made only by
/// [`MethodField::new`], which checks everything first.
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
        method.rule().prepare(state, rows);
        let label = class.unwrap_or(n_classes as u32);
        let mut f = MethodField { method, class, label, w, velocity, classifier, guide, state, calls: 0 };
        let mut calls = 0;
        f.with_field(0.0, &mut |v| calls = v.calls());
        f.calls = calls;
        Ok(f)
    }

    /// Runs `f` on the velocity field of the method at time `t` (its scale there: w by the
    /// method's schedule, [`Method::schedule`]): the method's [`super::MethodRule::with_field`].
    fn with_field(&mut self, t: f32, f: &mut dyn FnMut(&mut dyn VelocityField)) {
        let method = self.method;
        let rule = method.rule();
        let on = On {
            velocity: &mut *self.velocity,
            classifier: self.classifier.as_deref_mut(),
            guide: self.guide.as_deref_mut(),
            labels: std::slice::from_ref(&self.label),
            class: self.class,
            w: self.w,
            w_t: rule.schedule().w_at(self.w, t),
            t,
            at: self.state.at,
            state: &mut *self.state,
        };
        rule.with_field(on, f)
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
    let rule = method.rule();
    method.check_steps(particles.steps())?;
    rule.prepare_points(field.state, particles.len(), field.w)?;
    let solver = method.solver(particles.solver());
    if solver != particles.solver() {
        return Err(invalid!("{} steps with {solver:?}: make the run with that solver", method.name()));
    }
    particles.use_noise_scale(method.noise_scale());
    // the run's noise: its seed (a run started from given points draws from seed 0)
    let seed = particles.seed().unwrap_or(0);
    let step = |particles: &mut Particles, field: &mut MethodField| -> Result<usize> {
        if let Some(done) = rule.advance_rows(field.velocity, field.state, particles, field.w, rows, seed) {
            return done;
        }
        match solver {
            Solver::Sde => {
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
        let mut v = v;
        self.with_field(t, &mut |f| f.eval(x, t, v.view_mut()))
    }

    fn calls(&self) -> usize {
        self.calls
    }

    fn calls_at(&mut self, k: usize, t: f32) -> usize {
        let mut calls = 0;
        self.with_field(t, &mut |f| calls = f.calls_at(k, t));
        calls
    }

    fn at_step(&mut self, at: StepAt) {
        self.state.at = at;
        self.with_field(at.t, &mut |f| f.at_step(at))
    }
}
