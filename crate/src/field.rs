//! Velocity fields the sampler can follow: the network (unconditional, conditional or
//! classifier-free guided) and the exact field of the data's Gaussian mixture.
//!
//! Guidance mixes the two velocities as v = (1 − w)·v_u + w·v_c, which is v_u + w·(v_c − v_u)
//! written so that w = 0 gives v_u and w = 1 gives v_c exactly, bit for bit.

use ndarray::{s, Array2, ArrayView2, ArrayViewMut2};

use crate::datasets::Dataset;
use crate::error::Result;
use crate::mixture::{Mixture, Prepared};
use crate::mlp::{Mlp, Workspace};

pub use crate::guidance::Guidance;

/// Where a sampler step is: besides x and t, what a field may need to know (a corrector's step
/// size, a step counter, the rows of a per-point state).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StepAt {
    /// The step's index in its run (0 first).
    pub k: usize,
    /// The step goes from t to t + dt.
    pub t: f32,
    pub dt: f32,
    /// The rows of the run's points this call moves (a step may be split over calls).
    pub from: usize,
    pub to: usize,
}

/// A time-dependent velocity field on batches of 2D points.
pub trait VelocityField {
    /// v ← v(x, t). x: (n, 2), v: (n, 2).
    fn eval(&mut self, x: ArrayView2<f32>, t: f32, v: ArrayViewMut2<f32>);
    /// Network calls per point per evaluation (0 for an analytic field).
    fn calls(&self) -> usize;
    /// Network calls per point of the evaluation at time `t` of step `k`: [`VelocityField::calls`]
    /// but for fields whose cost changes along the run (guidance only in an interval of t, zero
    /// velocity in the first steps). The sampler sums these into
    /// [`crate::sampler::SampleStats::calls_per_sample`].
    fn calls_at(&mut self, _k: usize, _t: f32) -> usize {
        self.calls()
    }
    /// Told before the evaluations of each step (or part of a step): where it is. Fields that
    /// only need x and t ignore it.
    fn at_step(&mut self, _at: StepAt) {}
}

/// Buffers for running a network on large point sets in chunks. Sized once.
#[derive(Clone, Debug)]
pub struct NetScratch {
    chunk: usize,
    ws: Workspace<f32>,
    x: Array2<f32>,
    labels: Vec<u32>,
}

impl NetScratch {
    /// Buffers for `model`, evaluating `chunk` points at a time (2·chunk rows for CFG).
    pub fn new(model: &Mlp<f32>, chunk: usize) -> Self {
        NetScratch {
            chunk,
            ws: model.workspace(2 * chunk, false),
            x: Array2::zeros((2 * chunk, 2)),
            labels: vec![0; 2 * chunk],
        }
    }

    /// Points per chunk.
    pub fn chunk(&self) -> usize {
        self.chunk
    }
}

/// The network's velocity for labelled points.
pub struct NetworkField<'a> {
    pub model: &'a Mlp<f32>,
    pub scratch: &'a mut NetScratch,
    /// One label per point, or one for all. Ignored for [`Guidance::Unconditional`].
    pub labels: &'a [u32],
    pub guidance: Guidance,
    /// Extra conditions (n_extra shared values), for networks that take them.
    pub extra: &'a [f32],
}

impl VelocityField for NetworkField<'_> {
    fn eval(&mut self, x: ArrayView2<f32>, t: f32, mut v: ArrayViewMut2<f32>) {
        let n = x.nrows();
        let null = self.model.config().null_label();
        let chunk = self.scratch.chunk;
        let mut i0 = 0;
        while i0 < n {
            let i1 = (i0 + chunk).min(n);
            let m = i1 - i0;
            let sc = &mut *self.scratch;
            let xs = x.slice(s![i0..i1, ..]);
            let label = |i: usize| if self.labels.len() == 1 { self.labels[0] } else { self.labels[i] };
            match self.guidance {
                Guidance::Unconditional | Guidance::Conditional => {
                    let labels: &[u32] = if self.guidance == Guidance::Unconditional {
                        std::slice::from_ref(&null)
                    } else if self.labels.len() == 1 {
                        self.labels
                    } else {
                        &self.labels[i0..i1]
                    };
                    let out = self.model.forward(&mut sc.ws, xs, &[t], labels, self.extra);
                    v.slice_mut(s![i0..i1, ..]).assign(&out);
                }
                Guidance::Cfg(_) => {
                    // rows 0..m: conditional, rows m..2m: unconditional, in one forward pass
                    sc.x.slice_mut(s![..m, ..]).assign(&xs);
                    sc.x.slice_mut(s![m..2 * m, ..]).assign(&xs);
                    for i in 0..m {
                        sc.labels[i] = label(i0 + i);
                        sc.labels[m + i] = null;
                    }
                    let out = self.model.forward(
                        &mut sc.ws,
                        sc.x.slice(s![..2 * m, ..]),
                        &[t],
                        &sc.labels[..2 * m],
                        self.extra,
                    );
                    for i in 0..m {
                        for j in 0..2 {
                            v[[i0 + i, j]] = self.guidance.mix(out[[m + i, j]], out[[i, j]]);
                        }
                    }
                }
            }
            i0 = i1;
        }
    }

    fn calls(&self) -> usize {
        self.guidance.calls()
    }
}

/// The exact velocity of the data's mixture (no network): ground truth.
pub struct ExactField<'a> {
    pub mixture: &'a Mixture,
    pub prep: &'a mut Prepared,
    /// One label per point, or one for all (n_classes = null).
    pub labels: &'a [u32],
    pub guidance: Guidance,
}

impl VelocityField for ExactField<'_> {
    fn eval(&mut self, x: ArrayView2<f32>, t: f32, v: ArrayViewMut2<f32>) {
        self.mixture.prepare(t as f64, self.prep);
        let null = self.mixture.n_classes as u32;
        Mixture::eval_guided(self.prep, x, self.labels, null, self.guidance, v);
    }

    fn calls(&self) -> usize {
        0
    }
}

/// Where velocities come from, as the CLI names it: a trained network, or the exact velocity of
/// the data's mixture. [`Source::with_field`] gives it buffers, making it a [`FieldSource`].
#[derive(Clone, Copy)]
pub enum Source<'a> {
    /// A trained network.
    Network(&'a Mlp<f32>),
    /// The exact velocity of the data's mixture.
    Exact,
}

impl<'a> Source<'a> {
    /// Checks that a network source has the classes of `dataset`.
    pub fn check(&self, dataset: &Dataset) -> Result<()> {
        match self {
            Source::Network(model) if model.config().n_classes != dataset.n_classes() => {
                Err(crate::invalid!("the model's classes do not match data set '{}'", dataset.name))
            }
            _ => Ok(()),
        }
    }

    /// "network" or "exact".
    pub fn name(&self) -> &'static str {
        match self {
            Source::Network(_) => "network",
            Source::Exact => "exact",
        }
    }

    /// Runs `f` with this source as a [`FieldSource`] for runs of `n` points (network passes of
    /// at most 1024 points; `mixture`: the data's, for the exact field): the one place a
    /// [`Source`] becomes a [`FieldSource`].
    pub fn with_field<R>(self, mixture: &Mixture, n: usize, f: impl FnOnce(&mut FieldSource) -> R) -> R {
        match self {
            Source::Network(model) => {
                let mut scratch = NetScratch::new(model, 1024.min(n.max(1)));
                f(&mut FieldSource::Network { model, scratch: &mut scratch })
            }
            Source::Exact => {
                let mut prep = Prepared::default();
                f(&mut FieldSource::Exact { mixture, prep: &mut prep })
            }
        }
    }
}

/// Where velocities come from, with their buffers, before labels and guidance are chosen.
pub enum FieldSource<'a> {
    /// A network and its scratch buffers.
    Network { model: &'a Mlp<f32>, scratch: &'a mut NetScratch },
    /// The data's exact mixture.
    Exact { mixture: &'a Mixture, prep: &'a mut Prepared },
}

/// A [`FieldSource`] bound to labels and a guidance mode: a [`VelocityField`] (no allocation).
pub struct Bound<'s, 'a> {
    pub source: &'s mut FieldSource<'a>,
    /// One label per point, or one for all (n_classes = null).
    pub labels: &'s [u32],
    pub guidance: Guidance,
}

impl VelocityField for Bound<'_, '_> {
    fn eval(&mut self, x: ArrayView2<f32>, t: f32, v: ArrayViewMut2<f32>) {
        match self.source {
            FieldSource::Network { model, scratch } => {
                let mut f =
                    NetworkField { model, scratch, labels: self.labels, guidance: self.guidance, extra: &[] };
                f.eval(x, t, v)
            }
            FieldSource::Exact { mixture, prep } => {
                let mut f = ExactField { mixture, prep, labels: self.labels, guidance: self.guidance };
                f.eval(x, t, v)
            }
        }
    }

    fn calls(&self) -> usize {
        match self.source {
            FieldSource::Network { .. } => self.guidance.calls(),
            FieldSource::Exact { .. } => 0,
        }
    }
}

impl FieldSource<'_> {
    /// Both velocities at once: v_u ← v(x, t, null) and v_c ← v(x, t, label), from one forward
    /// pass over the stacked batch for a network (2 network calls per point; 0 for the exact
    /// field), so that callers can mix them per point (per-row guidance scales, or the
    /// difference v_c − v_u alone).
    ///
    /// x: (n, 2); labels: one per point or one for all (n_classes = null); v_u, v_c: (n, 2).
    pub fn eval_both(
        &mut self,
        x: ArrayView2<f32>,
        t: f32,
        labels: &[u32],
        mut v_u: ArrayViewMut2<f32>,
        mut v_c: ArrayViewMut2<f32>,
    ) {
        let n = x.nrows();
        let label = |i: usize| if labels.len() == 1 { labels[0] } else { labels[i] };
        match self {
            FieldSource::Network { model, scratch } => {
                let null = model.config().null_label();
                let chunk = scratch.chunk;
                let mut i0 = 0;
                while i0 < n {
                    let i1 = (i0 + chunk).min(n);
                    let m = i1 - i0;
                    let sc = &mut **scratch;
                    // rows 0..m: conditional, rows m..2m: unconditional
                    sc.x.slice_mut(s![..m, ..]).assign(&x.slice(s![i0..i1, ..]));
                    sc.x.slice_mut(s![m..2 * m, ..]).assign(&x.slice(s![i0..i1, ..]));
                    for i in 0..m {
                        sc.labels[i] = label(i0 + i);
                        sc.labels[m + i] = null;
                    }
                    let out = model.forward(
                        &mut sc.ws,
                        sc.x.slice(s![..2 * m, ..]),
                        &[t],
                        &sc.labels[..2 * m],
                        &[],
                    );
                    v_c.slice_mut(s![i0..i1, ..]).assign(&out.slice(s![..m, ..]));
                    v_u.slice_mut(s![i0..i1, ..]).assign(&out.slice(s![m..2 * m, ..]));
                    i0 = i1;
                }
            }
            FieldSource::Exact { mixture, prep } => {
                mixture.prepare(t as f64, prep);
                let null = mixture.n_classes as u32;
                for i in 0..n {
                    let y = label(i);
                    let e =
                        Mixture::eval(prep, [x[[i, 0]] as f64, x[[i, 1]] as f64], (y != null).then_some(y));
                    for j in 0..2 {
                        v_u[[i, j]] = e.v_u[j] as f32;
                        v_c[[i, j]] = e.v_c[j] as f32;
                    }
                }
            }
        }
    }

    /// Network calls per point of [`FieldSource::eval_both`] (2 for a network, 0 exact).
    pub fn calls_both(&self) -> usize {
        match self {
            FieldSource::Network { .. } => 2,
            FieldSource::Exact { .. } => 0,
        }
    }
}
