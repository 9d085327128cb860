//! What a method does, in its own file: [`MethodRule`], the trait every method's type implements
//! (`Cfg` in `method/cfg.rs`, `Apg` in `method/apg.rs`, …). A method's row of the method table
//! (`method/table.rs`) names its type; `Method::rule` (generated from the table) is the one
//! switch on the method, and everything else asks the rule: its checks, its schedule, its start
//! noise, the state it keeps, and the velocity field each step follows ([`MethodRule::with_field`]).

use ndarray::Array2;

use super::field::MethodState;
use super::schedule::Schedule;
use crate::classifier::guided::ClassifierSource;
use crate::datasets::Dataset;
use crate::error::Result;
use crate::field::{Bound, FieldSource, Source, StepAt, VelocityField};
use crate::mixture::Mixture;
use crate::particles::Particles;
use crate::sample::{guidance_for, SampleConfig};
use crate::sampler::SampleStats;

/// What a method's field is made of at one evaluation: its models, the class, the scales, where
/// the run is, and the method's state ([`MethodState`]; its own buffers: [`MethodState::own`]).
pub struct On<'o, 'v, 'c> {
    /// The velocity source: a network, or the data's exact field.
    pub velocity: &'o mut FieldSource<'v>,
    /// The classifier, for a method that [`super::Needs::Classifier`] (checked before).
    pub classifier: Option<&'o mut ClassifierSource<'c>>,
    /// The guide, for a method that [`super::Needs::Guide`] (checked before).
    pub guide: Option<&'o mut FieldSource<'c>>,
    /// One label for all points (the class, or n_classes for none).
    pub labels: &'o [u32],
    /// The class (None: unconditional).
    pub class: Option<u32>,
    /// The run's guidance scale w.
    pub w: f32,
    /// w at this time by the method's schedule ([`MethodRule::schedule`]).
    pub w_t: f32,
    /// The time of the evaluation.
    pub t: f32,
    /// Where the run is (told before each step).
    pub at: StepAt,
    pub state: &'o mut MethodState,
}

impl<'o, 'v> On<'o, 'v, '_> {
    /// CFG at the scheduled scale w(t) (the unconditional field without a class).
    pub fn cfg(self) -> Bound<'o, 'v> {
        Bound { source: self.velocity, labels: self.labels, guidance: guidance_for(self.class, self.w_t) }
    }
}

/// A sampling method's behaviour. Everything but [`MethodRule::with_field`]'s default is the
/// plain method's: no checks, constant scale, N(0, I) start noise, no state, no guide, sampled
/// by following its field.
pub trait MethodRule {
    /// Checks the method's own parameters, naming the first bad one.
    fn validate(&self) -> Result<()> {
        Ok(())
    }

    /// Checks the method against a run of `steps` steps.
    fn check_steps(&self, _steps: usize) -> Result<()> {
        Ok(())
    }

    /// The guidance schedule its scale follows ([`Schedule::CONSTANT`]: constant, or its own).
    fn schedule(&self) -> Schedule {
        Schedule::CONSTANT
    }

    /// τ of the start noise x0 ~ N(0, τ²I).
    fn noise_scale(&self) -> f32 {
        1.0
    }

    /// On the exact field, the guide of a method that needs one (the data's mixture, changed).
    fn exact_guide(&self, _mixture: &Mixture) -> Option<Mixture> {
        None
    }

    /// Makes room in `state` for up to `rows` points per evaluation (allocates only when it
    /// needs more than it has: a step allocates nothing after this).
    fn prepare(&self, _state: &mut MethodState, _rows: usize) {}

    /// Makes room for its per-point state over a run of `n` points at guidance `w`.
    fn prepare_points(&self, _state: &mut MethodState, _n: usize, _w: f32) -> Result<()> {
        Ok(())
    }

    /// Calls `f` once with the velocity field the method follows at `on.t` (default: CFG at the
    /// scheduled scale, [`On::cfg`]).
    fn with_field(&self, on: On, f: &mut dyn FnMut(&mut dyn VelocityField)) {
        cfg_field(on, f)
    }

    /// For a method that samples by its own means rather than by following its field (exact
    /// samples of a density on a grid, weighted particles), its `cfg.n` samples of `label`
    /// (checked before); None: the flow of its field, by the sampler. (Called through
    /// `Method::sample_own`, a static switch, not the trait object: the page's wasm never calls
    /// it, and a method of the trait object would keep these samplers in it.)
    fn sample(
        &self,
        _dataset: &Dataset,
        _source: Source,
        _label: Option<u32>,
        _cfg: &SampleConfig,
    ) -> Option<Result<(Array2<f32>, SampleStats)>>
    where
        Self: Sized,
    {
        None
    }

    /// For a method that steps the page's particles itself, one batch of at most `rows` of
    /// them at guidance `w` with the run's noise `seed`; None: the flow of its field.
    fn advance_rows(
        &self,
        _velocity: &mut FieldSource,
        _state: &mut MethodState,
        _particles: &mut Particles,
        _w: f32,
        _rows: usize,
        _seed: u64,
    ) -> Option<Result<usize>> {
        None
    }
}

/// The default field, CFG at w(t) (one copy for every method that uses it: the page's wasm has a
/// size budget).
#[inline(never)]
fn cfg_field(on: On, f: &mut dyn FnMut(&mut dyn VelocityField)) {
    f(&mut on.cfg())
}
