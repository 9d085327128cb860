//! The network velocity's exact 2x2 Jacobian ∂v/∂x: one forward pass, then one backward pass
//! per output a with d_out = e_a on every row, whose input gradient's columns 0..2 are row a of
//! each point's Jacobian. For CFG both halves run stacked in one batch and the Jacobians mix
//! like the velocities: J = (1 − w)·J_u + w·J_c.

use ndarray::{s, Array2, Array3, ArrayView2, ArrayViewMut2, ArrayViewMut3};

use crate::density::DivergenceField;
use crate::field::Guidance;
use crate::mlp::{Mlp, Workspace};
use crate::scalar::Scalar;

/// Buffers for Jacobians of up to `chunk` points at a time (2·chunk rows for CFG). Sized once.
#[derive(Clone, Debug)]
pub struct JacobianScratch<T> {
    chunk: usize,
    ws: Workspace<T>,
    /// (2·chunk, 2): the stacked input
    x: Array2<T>,
    labels: Vec<u32>,
    /// (2·chunk, 2)
    d_out: Array2<T>,
    /// (chunk, 2): one chunk's velocities
    v: Array2<T>,
    /// (chunk, 2, 2): one chunk's Jacobians
    jac: Array3<T>,
}

impl<T: Scalar> JacobianScratch<T> {
    /// Buffers for `model`, `chunk` points at a time.
    pub fn new(model: &Mlp<T>, chunk: usize) -> Self {
        let chunk = chunk.max(1);
        JacobianScratch {
            chunk,
            ws: model.workspace(2 * chunk, true).with_input_grad(),
            x: Array2::zeros((2 * chunk, 2)),
            labels: vec![0; 2 * chunk],
            d_out: Array2::zeros((2 * chunk, 2)),
            v: Array2::zeros((chunk, 2)),
            jac: Array3::zeros((chunk, 2, 2)),
        }
    }

    /// Points per chunk.
    pub fn chunk(&self) -> usize {
        self.chunk
    }

    /// Velocities and Jacobians of the first `m` rows of `self.x` into `self.v`, `self.jac`.
    /// labels: m or one shared (the class for the conditional half).
    fn run_chunk(&mut self, model: &Mlp<T>, m: usize, t: T, labels: &[u32], guidance: Guidance, extra: &[T]) {
        let null = model.config().null_label();
        let label = |i: usize| if labels.len() == 1 { labels[0] } else { labels[i] };
        let rows = match guidance {
            Guidance::Cfg(_) => {
                // rows 0..m conditional, m..2m unconditional
                let (top, mut bottom) = self.x.view_mut().split_at(ndarray::Axis(0), m);
                bottom.slice_mut(s![..m, ..]).assign(&top);
                for i in 0..m {
                    self.labels[i] = label(i);
                    self.labels[m + i] = null;
                }
                2 * m
            }
            Guidance::Conditional => {
                (0..m).for_each(|i| self.labels[i] = label(i));
                m
            }
            Guidance::Unconditional => {
                self.labels[..m].iter_mut().for_each(|l| *l = null);
                m
            }
        };
        let w = match guidance {
            Guidance::Cfg(w) => T::of(w as f64),
            _ => T::one(),
        };
        let mix = |c: T, u: T| (T::one() - w) * u + w * c;
        let out =
            model.forward(&mut self.ws, self.x.slice(s![..rows, ..]), &[t], &self.labels[..rows], extra);
        for i in 0..m {
            for a in 0..2 {
                self.v[[i, a]] = if rows == 2 * m { mix(out[[i, a]], out[[m + i, a]]) } else { out[[i, a]] };
            }
        }
        for a in 0..2 {
            let mut d = self.d_out.slice_mut(s![..rows, ..]);
            d.fill(T::zero());
            d.column_mut(a).fill(T::one());
            model.backward_input(&mut self.ws, self.d_out.slice(s![..rows, ..]));
            let ig = self.ws.input_grad();
            for i in 0..m {
                for b in 0..2 {
                    self.jac[[i, a, b]] =
                        if rows == 2 * m { mix(ig[[i, b]], ig[[m + i, b]]) } else { ig[[i, b]] };
                }
            }
        }
    }

    /// v ← v(x, t) and jac ← ∂v/∂x (jac[[i, a, b]] = ∂v_a/∂x_b) under `guidance`.
    ///
    /// x: (n, 2); labels: n or one shared (ignored for unconditional); extra: the network's
    /// n_extra shared extra conditions; v: (n, 2); jac: (n, 2, 2).
    #[allow(clippy::too_many_arguments)]
    pub fn jacobian(
        &mut self,
        model: &Mlp<T>,
        x: ArrayView2<T>,
        t: T,
        labels: &[u32],
        guidance: Guidance,
        extra: &[T],
        mut v: ArrayViewMut2<T>,
        mut jac: ArrayViewMut3<T>,
    ) {
        let n = x.nrows();
        assert_eq!(v.dim(), (n, 2), "v must be (n, 2)");
        assert_eq!(jac.dim(), (n, 2, 2), "jac must be (n, 2, 2)");
        assert!(labels.len() == 1 || labels.len() == n, "labels: one shared or one per point");
        let mut i0 = 0;
        while i0 < n {
            let i1 = (i0 + self.chunk).min(n);
            let m = i1 - i0;
            self.x.slice_mut(s![..m, ..]).assign(&x.slice(s![i0..i1, ..]));
            let ls = if labels.len() == 1 { labels } else { &labels[i0..i1] };
            self.run_chunk(model, m, t, ls, guidance, extra);
            v.slice_mut(s![i0..i1, ..]).assign(&self.v.slice(s![..m, ..]));
            jac.slice_mut(s![i0..i1, .., ..]).assign(&self.jac.slice(s![..m, .., ..]));
            i0 = i1;
        }
    }
}

/// The network's velocity with its exact divergence: a [`DivergenceField`] (f64 points, f32
/// network).
pub struct NetworkDivergence<'a> {
    pub model: &'a Mlp<f32>,
    pub scratch: &'a mut JacobianScratch<f32>,
    /// One label per point, or one for all. Ignored for [`Guidance::Unconditional`].
    pub labels: &'a [u32],
    pub guidance: Guidance,
    /// Extra conditions (n_extra shared values), for networks that take them.
    pub extra: &'a [f32],
}

impl DivergenceField for NetworkDivergence<'_> {
    fn eval_div(&mut self, x: ArrayView2<f64>, t: f64, mut v: ArrayViewMut2<f64>, div: &mut [f64]) {
        let n = x.nrows();
        let sc = &mut *self.scratch;
        let mut i0 = 0;
        while i0 < n {
            let i1 = (i0 + sc.chunk).min(n);
            let m = i1 - i0;
            for i in 0..m {
                for j in 0..2 {
                    sc.x[[i, j]] = x[[i0 + i, j]] as f32;
                }
            }
            let ls = if self.labels.len() == 1 { self.labels } else { &self.labels[i0..i1] };
            sc.run_chunk(self.model, m, t as f32, ls, self.guidance, self.extra);
            for i in 0..m {
                for j in 0..2 {
                    v[[i0 + i, j]] = sc.v[[i, j]] as f64;
                }
                div[i0 + i] = sc.jac[[i, 0, 0]] as f64 + sc.jac[[i, 1, 1]] as f64;
            }
            i0 = i1;
        }
    }

    fn calls(&self) -> usize {
        // a forward pass and two backward passes per half
        3 * self.guidance.calls()
    }
}
