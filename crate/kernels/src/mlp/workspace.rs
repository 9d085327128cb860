//! The buffers of one network's forward and backward passes ([`Workspace`]), sized once for a
//! number of rows: forward and backward allocate nothing.

use ndarray::{s, Array2, ArrayView2};

use super::MlpConfig;
use crate::real::Real;

/// Maps a layer to its activation buffer: one per layer when every layer is kept (training,
/// recording), else alternating.
#[derive(Clone, Copy)]
pub(super) struct BufferIndex {
    keep: bool,
}

impl BufferIndex {
    pub(super) fn index(self, l: usize) -> usize {
        if self.keep {
            l
        } else {
            l % 2
        }
    }
}

/// Every buffer one network needs for batches of up to `rows` rows.
#[derive(Clone, Debug)]
pub struct Workspace<T> {
    pub(super) rows: usize,
    pub(super) batch: usize,
    pub(super) training: bool,
    /// every layer's activations are kept (training or recording), not only the last two
    pub(super) keep: bool,
    pub(super) labels: Vec<u32>,
    /// (rows, d_in)
    pub(super) input: Array2<T>,
    /// pre-activations, (rows, width) each: one per layer when training, else two (ping-pong)
    pub(super) z: Vec<Array2<T>>,
    /// activations, (rows, width) each: one per layer when training, else two (ping-pong)
    pub(super) h: Vec<Array2<T>>,
    /// (rows, d_out)
    pub(super) out: Array2<T>,
    /// (rows, width), training only
    pub(super) dh: Array2<T>,
    /// (rows, width), training only
    pub(super) dz: Array2<T>,
    /// (rows, d_in), training only
    pub(super) d_input: Array2<T>,
    /// transposed hidden weights, training only: (width, fan_in) per layer
    pub(super) wt: Vec<Array2<T>>,
    /// the output weights transposed: (d_out, width)
    pub(super) wt_out: Array2<T>,
    /// a transposed layer input, training only: max(d_in, width) × rows values
    pub(super) in_t: Vec<T>,
    /// dL/d_out transposed, training only: d_out × rows values
    pub(super) out_t: Vec<T>,
    /// whether backward computes dL/d_input even without a class table to train
    pub(super) want_input_grad: bool,
    /// dL/dW_out transposed, training only: (d_out, width)
    pub(super) dw_out_t: Array2<T>,
}

impl<T: Real> Workspace<T> {
    pub(super) fn new(c: &MlpConfig, rows: usize, training: bool, keep: bool) -> Self {
        let d_in = c.input().d_in();
        let grad_rows = if training { rows } else { 0 };
        let keep = keep || training;
        let n_layers = if keep { c.depth } else { c.depth.min(2) };
        Workspace {
            rows,
            batch: 0,
            training,
            keep,
            labels: vec![0; rows],
            input: Array2::zeros((rows, d_in)),
            z: (0..n_layers).map(|_| Array2::zeros((rows, c.width))).collect(),
            h: (0..n_layers).map(|_| Array2::zeros((rows, c.width))).collect(),
            out: Array2::zeros((rows, c.d_out)),
            dh: Array2::zeros((grad_rows, c.width)),
            dz: Array2::zeros((grad_rows, c.width)),
            d_input: Array2::zeros((grad_rows, d_in)),
            wt: if training {
                (0..c.depth).map(|l| Array2::zeros((c.width, if l == 0 { d_in } else { c.width }))).collect()
            } else {
                Vec::new()
            },
            wt_out: Array2::zeros((c.d_out, c.width)),
            in_t: vec![T::zero(); d_in.max(c.width) * grad_rows],
            out_t: vec![T::zero(); c.d_out * grad_rows],
            want_input_grad: false,
            dw_out_t: Array2::zeros((c.d_out, if training { c.width } else { 0 })),
        }
    }

    /// Which buffer holds layer l: its own when training, else shared (ping-pong for h).
    pub(super) fn layer_buffers(&self) -> BufferIndex {
        BufferIndex { keep: self.keep }
    }

    /// The input rows of the last forward pass, class embedding included: (batch, d_in).
    pub fn input(&self) -> ArrayView2<'_, T> {
        self.input.slice(s![..self.batch, ..])
    }

    /// Hidden layer `l`'s activations h_l in the last forward pass, (batch, width), when this
    /// workspace keeps every layer (training, [`crate::mlp::Mlp::recording_workspace`]); else None.
    pub fn hidden(&self, l: usize) -> Option<ArrayView2<'_, T>> {
        self.keep.then(|| self.h.get(l)).flatten().map(|h| h.slice(s![..self.batch, ..]))
    }

    /// The output rows of the last forward pass: (batch, d_out).
    pub fn output(&self) -> ArrayView2<'_, T> {
        self.out.slice(s![..self.batch, ..])
    }

    /// Largest batch this workspace takes.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Asks backward for dL/d_input ([`Workspace::input_grad`]) even when no class table needs
    /// it (classifier guidance, exact divergences and gradient checks do).
    pub fn with_input_grad(mut self) -> Self {
        self.want_input_grad = true;
        self
    }

    /// dL/d_input of the last backward pass: (batch, d_in); columns 0..2 are dL/dx. Computed
    /// when the network has a class table, or after [`Workspace::with_input_grad`].
    pub fn input_grad(&self) -> ArrayView2<'_, T> {
        self.d_input.slice(s![..self.batch, ..])
    }
}
