//! Where the network's passes and Adam's update are compiled.
//!
//! Rust compiles a generic function in the crate that instantiates it, at that crate's
//! optimisation level. The page's wasm builds this crate at opt-level 3 and the crates calling it
//! for size (`crate/kernels/src/lib.rs`), so the hot generic code is instantiated here, once per
//! scalar, by the non-generic methods of [`Scalar`]'s two impls; the public methods below call
//! them. Natively every crate is at opt-level 3 and this changes nothing.

use ndarray::ArrayView2;

use crate::adam::Adam;
use crate::mlp::{Mlp, Workspace};
use crate::real::Real;

/// A scalar the network runs in (f32 in the app, f64 for gradient checks), with its passes
/// compiled in this crate.
pub trait Scalar: Real {
    /// [`Mlp::forward`].
    fn forward<'w>(
        mlp: &Mlp<Self>,
        ws: &'w mut Workspace<Self>,
        x: ArrayView2<Self>,
        t: &[Self],
        labels: &[u32],
        extra: &[Self],
    ) -> ArrayView2<'w, Self>;
    /// [`Mlp::backward`].
    fn backward(mlp: &Mlp<Self>, ws: &mut Workspace<Self>, d_out: ArrayView2<Self>, grads: &mut [Self]);
    /// [`Mlp::backward_input`].
    fn backward_input(mlp: &Mlp<Self>, ws: &mut Workspace<Self>, d_out: ArrayView2<Self>);
    /// [`Adam::update`].
    fn adam_update(adam: &mut Adam<Self>, params: &mut [Self], grads: &[Self]) -> f64;
}

macro_rules! scalar {
    ($($t:ty),*) => {$(
        impl Scalar for $t {
            fn forward<'w>(
                mlp: &Mlp<$t>,
                ws: &'w mut Workspace<$t>,
                x: ArrayView2<$t>,
                t: &[$t],
                labels: &[u32],
                extra: &[$t],
            ) -> ArrayView2<'w, $t> {
                mlp.forward_generic(ws, x, t, labels, extra)
            }
            fn backward(mlp: &Mlp<$t>, ws: &mut Workspace<$t>, d_out: ArrayView2<$t>, grads: &mut [$t]) {
                mlp.backward_generic(ws, d_out, grads)
            }
            fn backward_input(mlp: &Mlp<$t>, ws: &mut Workspace<$t>, d_out: ArrayView2<$t>) {
                mlp.backward_input_generic(ws, d_out)
            }
            fn adam_update(adam: &mut Adam<$t>, params: &mut [$t], grads: &[$t]) -> f64 {
                adam.update_generic(params, grads)
            }
        }
    )*};
}
scalar!(f32, f64);

impl<T: Scalar> Mlp<T> {
    /// Runs the network on a batch; returns the output rows (a view into the workspace).
    ///
    /// x: (batch, 2); t: batch values or one shared; labels: batch labels or one shared, each
    /// < n_classes + 1 (ignored when the network has no class input); extra: batch·n_extra values
    /// or n_extra shared. Returns (batch, d_out).
    pub fn forward<'w>(
        &self,
        ws: &'w mut Workspace<T>,
        x: ArrayView2<T>,
        t: &[T],
        labels: &[u32],
        extra: &[T],
    ) -> ArrayView2<'w, T> {
        T::forward(self, ws, x, t, labels, extra)
    }

    /// Backpropagates dL/d_out through the last forward pass, adding the gradient of every
    /// parameter into `grads` (same layout as `params`; the caller zeroes it) and leaving
    /// dL/d_input in the workspace ([`Workspace::input_grad`]).
    ///
    /// d_out: (batch, d_out) for the batch of the last [`Mlp::forward`] on this workspace.
    pub fn backward(&self, ws: &mut Workspace<T>, d_out: ArrayView2<T>, grads: &mut [T]) {
        T::backward(self, ws, d_out, grads)
    }

    /// Backpropagates dL/d_out to dL/d_input only ([`Workspace::input_grad`]), computing no
    /// parameter gradient: one product per layer instead of three (input gradients for exact
    /// Jacobians and classifier guidance). The workspace must ask for the input gradient
    /// ([`Workspace::with_input_grad`]).
    ///
    /// d_out: (batch, d_out) for the batch of the last [`Mlp::forward`] on this workspace.
    pub fn backward_input(&self, ws: &mut Workspace<T>, d_out: ArrayView2<T>) {
        T::backward_input(self, ws, d_out)
    }
}

impl<T: Scalar> Adam<T> {
    /// One update of `params` with `grads`. Returns the gradient norm before clipping.
    pub fn update(&mut self, params: &mut [T], grads: &[T]) -> f64 {
        T::adam_update(self, params, grads)
    }
}
