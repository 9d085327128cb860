//! ∇_x log p(c | x_t, t) from a classifier network (forward, then backward with
//! d_logits = onehot(c) − softmax) or from the exact Bayes classifier of the mixture
//! (∇ log p_t(x | c) − ∇ log p_t(x)), and the classifier-guided velocity field
//! ```text
//! v = v_base + λ·((1 − t)/max(t, 0.02))·∇_x log p(c | x_t, t)
//! ```
//! with v_base the unconditional (or conditional) velocity of a network or of the exact mixture.

use ndarray::{s, Array2, ArrayView2, ArrayViewMut2};

use crate::field::{Bound, FieldSource, Guidance, VelocityField};
use crate::mixture::{Mixture, Prepared};
use crate::mlp::{Mlp, Workspace};
use crate::sampler::grid_points;
use crate::scalar::Scalar;

/// Smallest t used in the guidance factor (1 − t)/t, which diverges at t = 0.
pub const MIN_T_FACTOR: f32 = 0.02;

/// Network passes per point for one classifier gradient: a forward and a backward pass.
pub const CLASSIFIER_CALLS: usize = 2;

/// Buffers for classifier gradients of up to `chunk` points at a time. Sized once.
#[derive(Clone, Debug)]
pub struct ClassifierScratch<T> {
    chunk: usize,
    ws: Workspace<T>,
    /// (chunk, K): dlog p_c / dlogits
    d_out: Array2<T>,
    /// (chunk, 2)
    g: Array2<T>,
    /// chunk values: log p(c | x, t)
    log_p: Vec<T>,
}

impl<T: Scalar> ClassifierScratch<T> {
    /// Buffers for `model`, `chunk` points at a time.
    pub fn new(model: &Mlp<T>, chunk: usize) -> Self {
        let chunk = chunk.max(1);
        ClassifierScratch {
            chunk,
            ws: model.workspace(chunk, true).with_input_grad(),
            d_out: Array2::zeros((chunk, model.config().d_out)),
            g: Array2::zeros((chunk, 2)),
            log_p: vec![T::zero(); chunk],
        }
    }

    /// Points per chunk.
    pub fn chunk(&self) -> usize {
        self.chunk
    }

    /// ∇_x log p(c_i | x_i, t) and log p(c_i | x_i, t) for up to `chunk` rows, into `self.g`
    /// and `self.log_p`. A null label (≥ K) gives 0 for both.
    fn run_chunk(&mut self, model: &Mlp<T>, x: ArrayView2<T>, t: T, labels: &[u32]) {
        let m = x.nrows();
        let k = model.config().d_out;
        let logits = model.forward(&mut self.ws, x, &[t], &[0], &[]);
        for i in 0..m {
            let c = if labels.len() == 1 { labels[0] } else { labels[i] } as usize;
            let row = logits.row(i);
            let mut d = self.d_out.row_mut(i);
            if c >= k {
                d.fill(T::zero());
                self.log_p[i] = T::zero();
                continue;
            }
            let max = row.iter().fold(f64::NEG_INFINITY, |a, &z| a.max(z.f64()));
            let lse = max + row.iter().map(|&z| (z.f64() - max).exp()).sum::<f64>().ln();
            for (j, (dj, &z)) in d.iter_mut().zip(row.iter()).enumerate() {
                let p = (z.f64() - lse).exp();
                *dj = T::of(if j == c { 1.0 } else { 0.0 } - p);
            }
            self.log_p[i] = T::of(row[c].f64() - lse);
        }
        model.backward_input(&mut self.ws, self.d_out.slice(s![..m, ..]));
        self.g.slice_mut(s![..m, ..]).assign(&self.ws.input_grad().slice(s![.., 0..2]));
    }

    /// grad ← ∇_x log p(c | x, t) through the network, and log_p (if given) ← log p(c | x, t).
    ///
    /// x: (n, 2); labels: n or one shared (a null label ≥ K gives 0); grad: (n, 2); log_p: n.
    pub fn log_prob_grad(
        &mut self,
        model: &Mlp<T>,
        x: ArrayView2<T>,
        t: T,
        labels: &[u32],
        mut grad: ArrayViewMut2<T>,
        mut log_p: Option<&mut [T]>,
    ) {
        let n = x.nrows();
        assert_eq!(grad.dim(), (n, 2), "grad must be (n, 2)");
        assert!(labels.len() == 1 || labels.len() == n, "labels: one shared or one per point");
        let mut i0 = 0;
        while i0 < n {
            let i1 = (i0 + self.chunk).min(n);
            let ls = if labels.len() == 1 { labels } else { &labels[i0..i1] };
            self.run_chunk(model, x.slice(s![i0..i1, ..]), t, ls);
            grad.slice_mut(s![i0..i1, ..]).assign(&self.g.slice(s![..i1 - i0, ..]));
            if let Some(lp) = log_p.as_deref_mut() {
                lp[i0..i1].copy_from_slice(&self.log_p[..i1 - i0]);
            }
            i0 = i1;
        }
    }
}

/// The exact Bayes classifier at the prepared time: (log p(c | x_t), ∇_x log p(c | x_t)), with
/// p(c | x_t) ∝ Σ_{k in c} π_k N(x; tμ_k, C_k) and ∇ log p(c | x) = ∇ log p_t(x | c) − ∇ log p_t(x).
pub fn exact_log_prob_grad(prep: &Prepared, x: [f64; 2], class: u32) -> (f64, [f64; 2]) {
    let e = Mixture::eval(prep, x, Some(class));
    (e.log_p_c - e.log_p_u, [e.score_c[0] - e.score_u[0], e.score_c[1] - e.score_u[1]])
}

/// Where classifier gradients come from.
pub enum ClassifierSource<'a> {
    /// A trained classifier network and its scratch buffers.
    Network { model: &'a Mlp<f32>, scratch: &'a mut ClassifierScratch<f32> },
    /// The exact Bayes classifier of the data's mixture.
    Exact { mixture: &'a Mixture, prep: &'a mut Prepared },
}

impl ClassifierSource<'_> {
    /// Network passes per point per gradient (0 for the exact classifier).
    pub fn calls(&self) -> usize {
        match self {
            ClassifierSource::Network { .. } => CLASSIFIER_CALLS,
            ClassifierSource::Exact { .. } => 0,
        }
    }

    /// v ← v + coef·∇_x log p(c | x, t). x: (n, 2); labels: n or one shared (a null label
    /// adds nothing); v: (n, 2).
    pub fn add_grad(
        &mut self,
        x: ArrayView2<f32>,
        t: f32,
        labels: &[u32],
        coef: f32,
        mut v: ArrayViewMut2<f32>,
    ) {
        let n = x.nrows();
        assert_eq!(v.dim(), (n, 2), "v must be (n, 2)");
        assert!(labels.len() == 1 || labels.len() == n, "labels: one shared or one per point");
        match self {
            ClassifierSource::Network { model, scratch } => {
                let mut i0 = 0;
                while i0 < n {
                    let i1 = (i0 + scratch.chunk).min(n);
                    let ls = if labels.len() == 1 { labels } else { &labels[i0..i1] };
                    scratch.run_chunk(model, x.slice(s![i0..i1, ..]), t, ls);
                    for i in i0..i1 {
                        for j in 0..2 {
                            v[[i, j]] += coef * scratch.g[[i - i0, j]];
                        }
                    }
                    i0 = i1;
                }
            }
            ClassifierSource::Exact { mixture, prep } => {
                mixture.prepare(t as f64, prep);
                let k = mixture.n_classes as u32;
                for i in 0..n {
                    let c = if labels.len() == 1 { labels[0] } else { labels[i] };
                    if c >= k {
                        continue;
                    }
                    let (_, g) = exact_log_prob_grad(prep, [x[[i, 0]] as f64, x[[i, 1]] as f64], c);
                    for j in 0..2 {
                        v[[i, j]] += coef * g[j] as f32;
                    }
                }
            }
        }
    }

    /// g ← ∇_x log p(c | x, t). x: (n, 2), g: (n, 2).
    pub fn grad(&mut self, x: ArrayView2<f32>, t: f32, labels: &[u32], mut g: ArrayViewMut2<f32>) {
        g.fill(0.0);
        self.add_grad(x, t, labels, 1.0, g);
    }
}

/// The guidance factor λ·(1 − t)/max(t, 0.02) that turns ∇_x log p(c | x_t) into a velocity.
#[inline]
pub fn guidance_factor(scale: f32, t: f32) -> f32 {
    scale * (1.0 - t) / t.max(MIN_T_FACTOR)
}

/// The classifier-guided velocity v = v_base + λ·((1 − t)/t)·∇_x log p(c | x_t, t): a
/// [`VelocityField`]. Allocation-free.
pub struct ClassifierGuided<'s, 'v, 'c> {
    /// Where v_base comes from (a network or the exact mixture).
    pub velocity: &'s mut FieldSource<'v>,
    /// Where ∇_x log p(c | x_t) comes from.
    pub classifier: &'s mut ClassifierSource<'c>,
    /// One label per point, or one for all: the class c to guide towards (also the velocity's
    /// label when `base` is conditional).
    pub labels: &'s [u32],
    /// The base velocity: [`Guidance::Unconditional`] (classic classifier guidance) or
    /// [`Guidance::Conditional`] (classifier guidance on top of a conditional model).
    pub base: Guidance,
    /// The guidance scale λ.
    pub scale: f32,
}

impl VelocityField for ClassifierGuided<'_, '_, '_> {
    fn eval(&mut self, x: ArrayView2<f32>, t: f32, mut v: ArrayViewMut2<f32>) {
        Bound { source: &mut *self.velocity, labels: self.labels, guidance: self.base }.eval(
            x,
            t,
            v.view_mut(),
        );
        if self.scale != 0.0 {
            self.classifier.add_grad(x, t, self.labels, guidance_factor(self.scale, t), v);
        }
    }

    fn calls(&self) -> usize {
        let velocity = match self.velocity {
            FieldSource::Network { .. } => self.base.calls(),
            FieldSource::Exact { .. } => 0,
        };
        velocity + if self.scale != 0.0 { self.classifier.calls() } else { 0 }
    }
}

/// The classifier's gradient field ∇_x log p(c | x, t) on an nx × ny grid over
/// [−extent, extent]², laid out like [`crate::sampler::eval_grid`]. grid, g: (nx·ny, 2).
#[allow(clippy::too_many_arguments)]
pub fn classifier_grad_grid(
    source: &mut ClassifierSource,
    class: u32,
    t: f32,
    extent: f32,
    nx: usize,
    ny: usize,
    mut grid: ArrayViewMut2<f32>,
    g: ArrayViewMut2<f32>,
) {
    grid_points(extent, nx, ny, grid.view_mut());
    source.grad(grid.view(), t, &[class], g);
}
