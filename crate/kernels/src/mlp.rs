//! A multilayer perceptron with hand-written batched backprop.
//!
//! ```text
//! input (batch, d_in) = [x | embed(t) | class_table[label] | embed(extra)...]      (input.rs)
//! z_0 = input·W_0 + b_0            a_0 = f(z_0)     h_0 = a_0
//! z_l = h_{l-1}·W_l + b_l          a_l = f(z_l)     h_l = a_l (+ h_{l-1} if residual)
//! out = h_{L-1}·W_o + b_o          (batch, d_out): a velocity (d_out = 2) or class logits (d_out = K)
//! ```
//! Backward, for dL/d_out given (batch, d_out):
//! ```text
//! dW_o += h_{L-1}ᵀ·d_out   db_o += Σ_rows d_out   dh = d_out·W_oᵀ
//! for l = L-1 .. 0:  dz = dh ⊙ f'(z_l)   dW_l += in_lᵀ·dz   db_l += Σ_rows dz
//!                    dh ← dz·W_lᵀ (+ dh if residual)       (l = 0: d_input = dz·W_0ᵀ)
//! d_table[label_i] += d_input[i, class columns]            dx = d_input[:, 0..2]
//! ```
//! Weights are stored (in, out) so that a batch multiplies from the left. All buffers live in a
//! [`Workspace`] sized once for a number of rows; forward and backward allocate nothing.

use ndarray::{s, Array2, ArrayView2, ArrayViewMut2};
use serde::{Deserialize, Serialize};

use crate::activation::Activation;
use crate::caps::{MAX_CLASSES, MAX_CLASS_DIM, MAX_DEPTH, MAX_EXTRA, MAX_OUTPUTS, MAX_TIME_FREQS, MAX_WIDTH};
use crate::error::Result;
use crate::input::{InputLayout, D_X};
use crate::invalid;
use crate::linalg::{add_column_sums, matmul, rows_dot, transpose_into};

/// Output layers narrower than this use dot products instead of a matrix product.
const SMALL_OUT: usize = 8;
use crate::params::Layout;
use crate::real::Real;
use crate::rng::{self, Rng};

mod workspace;
pub use workspace::Workspace;

/// Architecture of a network. Limits (checked by [`MlpConfig::validate`]): time_freqs ≤ 16,
/// n_classes ≤ 16, class_dim ≤ 64, n_extra ≤ 4, width 1..=512, depth 1..=8, d_out 1..=16.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MlpConfig {
    /// Fourier frequencies per embedded scalar (t and each extra condition).
    pub time_freqs: usize,
    /// Number of classes K; the class table has K + 1 rows, the last one for the null label.
    pub n_classes: usize,
    /// Width of the learned class embedding (0: the network takes no class).
    pub class_dim: usize,
    /// A fixed one-hot class input instead of a learned table (then class_dim = n_classes + 1,
    /// the last slot being the null label). Benchmark W1 uses it.
    #[serde(default)]
    pub class_one_hot: bool,
    /// Extra scalar conditions, each embedded like t (e.g. the guidance scale of a student).
    pub n_extra: usize,
    /// Hidden width.
    pub width: usize,
    /// Number of hidden layers.
    pub depth: usize,
    pub activation: Activation,
    /// Hidden layers after the first add their input (h_l = h_{l-1} + f(z_l)).
    pub residual: bool,
    /// Output width: 2 for a velocity, K for a classifier.
    pub d_out: usize,
}

/// Default hidden width of a velocity network.
pub const DEFAULT_WIDTH: usize = 128;
/// Default number of hidden layers of a velocity network.
pub const DEFAULT_DEPTH: usize = 3;

impl MlpConfig {
    /// A velocity network for `n_classes` classes with the default embeddings.
    pub fn velocity(n_classes: usize, width: usize, depth: usize) -> Self {
        MlpConfig {
            time_freqs: 4,
            n_classes,
            class_dim: 8,
            class_one_hot: false,
            n_extra: 0,
            width,
            depth,
            activation: Activation::Silu,
            residual: false,
            d_out: D_X,
        }
    }

    /// Checks every field against its limit.
    pub fn validate(&self) -> Result<()> {
        let check = |name: &str, v: usize, lo: usize, hi: usize| {
            if v < lo || v > hi {
                Err(invalid!("{name} must be between {lo} and {hi}, got {v}"))
            } else {
                Ok(())
            }
        };
        check("time_freqs", self.time_freqs, 0, MAX_TIME_FREQS)?;
        check("n_classes", self.n_classes, 0, MAX_CLASSES)?;
        check("class_dim", self.class_dim, 0, MAX_CLASS_DIM)?;
        check("n_extra", self.n_extra, 0, MAX_EXTRA)?;
        check("width", self.width, 1, MAX_WIDTH)?;
        check("depth", self.depth, 1, MAX_DEPTH)?;
        check("d_out", self.d_out, 1, MAX_OUTPUTS)?;
        if self.class_dim > 0 && self.n_classes == 0 {
            return Err(invalid!("class_dim is {} but n_classes is 0", self.class_dim));
        }
        if self.class_one_hot && self.class_dim != self.n_classes + 1 {
            return Err(invalid!(
                "a one-hot class input needs class_dim = n_classes + 1 = {}, got {}",
                self.n_classes + 1,
                self.class_dim
            ));
        }
        Ok(())
    }

    /// Column layout of the input row.
    pub fn input(&self) -> InputLayout {
        InputLayout { freqs: self.time_freqs, class_dim: self.class_dim, n_extra: self.n_extra }
    }

    /// The label that means "no class" (the last row of the class table).
    pub fn null_label(&self) -> u32 {
        self.n_classes as u32
    }
}

/// Indices into the layout, by role.
#[derive(Clone, Debug)]
struct Roles {
    table: Option<usize>,
    hidden: Vec<(usize, usize)>,
    out: (usize, usize),
}

/// A network: its architecture and all parameters in one flat buffer.
#[derive(Clone, Debug)]
pub struct Mlp<T> {
    config: MlpConfig,
    layout: Layout,
    roles: Roles,
    /// Every parameter, laid out by [`Mlp::layout`].
    pub params: Vec<T>,
}

impl<T: Real> Mlp<T> {
    /// A network with every parameter zero.
    pub fn zeros(config: MlpConfig) -> Result<Self> {
        config.validate()?;
        let input = config.input();
        let mut layout = Layout::default();
        let table = (config.class_dim > 0 && !config.class_one_hot)
            .then(|| layout.push("class_table", &[config.n_classes + 1, config.class_dim]));
        let mut hidden = Vec::with_capacity(config.depth);
        let mut fan_in = input.d_in();
        for l in 0..config.depth {
            let w = layout.push(format!("hidden{l}.weight"), &[fan_in, config.width]);
            let b = layout.push(format!("hidden{l}.bias"), &[config.width]);
            hidden.push((w, b));
            fan_in = config.width;
        }
        let out = (
            layout.push("out.weight", &[config.width, config.d_out]),
            layout.push("out.bias", &[config.d_out]),
        );
        let params = vec![T::zero(); layout.total];
        Ok(Mlp { config, layout, roles: Roles { table, hidden, out }, params })
    }

    /// A freshly initialised network, as PyTorch initialises `nn.Linear` and `nn.Embedding`:
    /// weights and biases U(±1/√fan_in), class table N(0, 1).
    pub fn new(config: MlpConfig, rng: &mut Rng) -> Result<Self> {
        let mut mlp = Self::zeros(config)?;
        for spec in mlp.layout.tensors.clone() {
            let values = spec.slice_mut(&mut mlp.params);
            if spec.name == "class_table" {
                values.iter_mut().for_each(|v| *v = T::of(rng::normal(rng)));
            } else {
                let fan_in = if spec.name.ends_with(".weight") {
                    spec.shape[0]
                } else {
                    // the weight just before this bias
                    let w = mlp.layout.find(&spec.name.replace(".bias", ".weight")).unwrap();
                    w.shape[0]
                };
                let bound = 1.0 / (fan_in as f64).sqrt();
                values.iter_mut().for_each(|v| *v = T::of((2.0 * rng::uniform(rng) - 1.0) * bound));
            }
        }
        Ok(mlp)
    }

    /// The architecture.
    pub fn config(&self) -> &MlpConfig {
        &self.config
    }

    /// Where each tensor sits in [`Mlp::params`].
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Number of parameters.
    pub fn num_params(&self) -> usize {
        self.params.len()
    }

    /// Buffers for batches of up to `rows` rows. `training` keeps every layer's activations for
    /// [`Mlp::backward`]; without it, forward passes use two ping-pong buffers.
    pub fn workspace(&self, rows: usize, training: bool) -> Workspace<T> {
        Workspace::new(&self.config, rows, training, training)
    }

    /// Buffers for forward passes on up to `rows` rows that keep every layer's activations
    /// ([`Workspace::hidden`]) without training's gradient buffers: for looking inside the network.
    pub fn recording_workspace(&self, rows: usize) -> Workspace<T> {
        Workspace::new(&self.config, rows, false, true)
    }

    /// [`Mlp::forward`], instantiated for each scalar by [`crate::scalar::Scalar`].
    pub(crate) fn forward_generic<'w>(
        &self,
        ws: &'w mut Workspace<T>,
        x: ArrayView2<T>,
        t: &[T],
        labels: &[u32],
        extra: &[T],
    ) -> ArrayView2<'w, T> {
        let b = x.nrows();
        assert!(b <= ws.rows, "batch of {b} rows exceeds the workspace's {}", ws.rows);
        ws.batch = b;
        let input_layout = self.config.input();
        input_layout.assemble(x, t, extra, ws.input.slice_mut(s![..b, ..]));
        self.fill_class_columns(ws, labels);

        let act = self.config.activation;
        let hi = ws.layer_buffers();
        for l in 0..self.config.depth {
            let (wi, bi) = self.roles.hidden[l];
            let w = self.layout.get(wi).mat(&self.params);
            let bias = self.layout.get(bi).slice(&self.params);
            let residual = self.config.residual && l > 0;
            let Workspace { input, z, h, .. } = &mut *ws;
            let mut z = z[hi.index(l)].slice_mut(s![..b, ..]);
            if l == 0 {
                let input = input.slice(s![..b, ..]);
                layer_forward(act, false, input, w, bias, &mut z, &mut h[hi.index(0)], b);
            } else {
                let (hin, hout) = pair(h, hi.index(l - 1), hi.index(l));
                layer_forward(act, residual, hin.slice(s![..b, ..]), w, bias, &mut z, hout, b);
            }
        }
        let (wo, bo) = self.roles.out;
        let h_last = ws.h[hi.index(self.config.depth - 1)].slice(s![..b, ..]);
        let mut out = ws.out.slice_mut(s![..b, ..]);
        fill_rows(&mut out, self.layout.get(bo).slice(&self.params));
        let w_out = self.layout.get(wo).mat(&self.params);
        if self.config.d_out < SMALL_OUT {
            // a few outputs: dot products of each row with the columns of W_out (a copy as rows)
            ws.wt_out.assign(&w_out.t());
            rows_dot(h_last, ws.wt_out.view(), T::one(), &mut out);
        } else {
            matmul(&h_last, &w_out, T::one(), &mut out);
        }
        ws.out.slice(s![..b, ..])
    }

    /// Copies each row's class embedding (or one-hot vector) into the input and remembers the
    /// labels for backward.
    fn fill_class_columns(&self, ws: &mut Workspace<T>, labels: &[u32]) {
        let b = ws.batch;
        let (c0, cd) = (self.config.input().class_col(), self.config.class_dim);
        if cd == 0 {
            return;
        }
        assert!(labels.len() == b || labels.len() == 1, "labels: one shared or one per row");
        let n_rows = (self.config.n_classes + 1) as u32;
        let table = self.roles.table.map(|ti| self.layout.get(ti).mat(&self.params));
        for i in 0..b {
            let y = if labels.len() == 1 { labels[0] } else { labels[i] };
            assert!(y < n_rows, "label {y} out of range (the null label is {})", n_rows - 1);
            ws.labels[i] = y;
            let mut cols = ws.input.slice_mut(s![i, c0..c0 + cd]);
            match &table {
                Some(t) => cols.assign(&t.row(y as usize)),
                None => {
                    cols.fill(T::zero());
                    cols[y as usize] = T::one();
                }
            }
        }
    }

    /// [`Mlp::backward`], instantiated for each scalar by [`crate::scalar::Scalar`].
    pub(crate) fn backward_generic(&self, ws: &mut Workspace<T>, d_out: ArrayView2<T>, grads: &mut [T]) {
        assert_eq!(grads.len(), self.params.len());
        self.backward_with(ws, d_out, Some(grads));
    }

    /// [`Mlp::backward_input`], instantiated for each scalar by [`crate::scalar::Scalar`].
    pub(crate) fn backward_input_generic(&self, ws: &mut Workspace<T>, d_out: ArrayView2<T>) {
        assert!(ws.want_input_grad, "backward_input needs a workspace with_input_grad");
        self.backward_with(ws, d_out, None);
    }

    /// [`Mlp::backward`], with parameter gradients only when `grads` is given.
    fn backward_with(&self, ws: &mut Workspace<T>, d_out: ArrayView2<T>, mut grads: Option<&mut [T]>) {
        assert!(ws.training, "backward needs a training workspace");
        let b = ws.batch;
        assert_eq!(d_out.dim(), (b, self.config.d_out), "d_out must be (batch, d_out)");
        let depth = self.config.depth;
        let act = self.config.activation;

        let (wo, bo) = self.roles.out;
        let Workspace {
            h,
            z,
            dh,
            dz,
            d_input,
            wt,
            wt_out,
            in_t,
            out_t,
            dw_out_t,
            input,
            want_input_grad,
            ..
        } = &mut *ws;
        let h_last = h[depth - 1].slice(s![..b, ..]);
        if let Some(grads) = grads.as_deref_mut() {
            if self.config.d_out < SMALL_OUT {
                // dW_outᵀ = d_outᵀ·h_last: a product with few rows and a wide, contiguous right side
                let mut d_out_t =
                    ArrayViewMut2::from_shape((self.config.d_out, b), &mut out_t[..self.config.d_out * b])
                        .expect("sized for the batch");
                transpose_into(&d_out, &mut d_out_t);
                matmul(&d_out_t, &h_last, T::zero(), &mut dw_out_t.view_mut());
                let mut g = self.layout.get(wo).mat_mut(grads);
                g += &dw_out_t.t();
            } else {
                let mut h_t = ArrayViewMut2::from_shape((h_last.ncols(), b), &mut in_t[..h_last.ncols() * b])
                    .expect("sized for the batch");
                transpose_into(&h_last, &mut h_t);
                matmul(&h_t, &d_out, T::one(), &mut self.layout.get(wo).mat_mut(grads));
            }
            add_column_sums(&d_out, self.layout.get(bo).slice_mut(grads));
        }
        let mut dh = dh.slice_mut(s![..b, ..]);
        // products with a transposed weight go through a row-major copy of it (16k values at
        // most, cheap next to the batch products), so every product runs the fast kernel
        wt_out.assign(&self.layout.get(wo).mat(&self.params).t());
        matmul(&d_out, wt_out, T::zero(), &mut dh);

        for l in (0..depth).rev() {
            let (wi, bi) = self.roles.hidden[l];
            let mut dzv = dz.slice_mut(s![..b, ..]);
            {
                let zl = z[l].slice(s![..b, ..]);
                let (ds, hs, zs) = (
                    dzv.as_slice_memory_order_mut().expect("contiguous"),
                    dh.as_slice_memory_order().expect("contiguous"),
                    zl.as_slice_memory_order().expect("contiguous"),
                );
                let each = ds.iter_mut().zip(hs).zip(zs);
                match act {
                    Activation::Silu => each.for_each(|((dz, &dh), &z)| *dz = dh * Activation::Silu.grad(z)),
                    Activation::Relu => each.for_each(|((dz, &dh), &z)| *dz = dh * Activation::Relu.grad(z)),
                }
            }
            // dW = inᵀ·dz through a transposed copy of the layer's input, so that the product's
            // left side is row-major like every other
            if let Some(grads) = grads.as_deref_mut() {
                let layer_in = if l == 0 { input.slice(s![..b, ..]) } else { h[l - 1].slice(s![..b, ..]) };
                let n_in = layer_in.ncols();
                let mut in_tv =
                    ArrayViewMut2::from_shape((n_in, b), &mut in_t[..n_in * b]).expect("sized for the batch");
                transpose_into(&layer_in, &mut in_tv);
                matmul(&in_tv, &dzv, T::one(), &mut self.layout.get(wi).mat_mut(grads));
                add_column_sums(&dzv, self.layout.get(bi).slice_mut(grads));
            }
            let w_t = &mut wt[l];
            w_t.assign(&self.layout.get(wi).mat(&self.params).t());
            if l > 0 {
                // the residual path's gradient is dh itself: accumulate onto it (β = 1)
                let beta = if self.config.residual { T::one() } else { T::zero() };
                matmul(&dzv, w_t, beta, &mut dh);
            } else if self.roles.table.is_some() || *want_input_grad {
                matmul(&dzv, w_t, T::zero(), &mut d_input.slice_mut(s![..b, ..]));
            }
        }

        if let (Some(ti), Some(grads)) = (self.roles.table, grads) {
            let (c0, cd) = (self.config.input().class_col(), self.config.class_dim);
            let mut dtable = self.layout.get(ti).mat_mut(grads);
            for i in 0..b {
                let y = ws.labels[i] as usize;
                let mut row = dtable.row_mut(y);
                row += &ws.d_input.slice(s![i, c0..c0 + cd]);
            }
        }
    }
}

/// z ← in·W + b, h ← f(z) (+ in if residual), on the first `b` rows of `h`.
#[allow(clippy::too_many_arguments)]
fn layer_forward<T: Real>(
    act: Activation,
    residual: bool,
    input: ArrayView2<T>,
    w: ArrayView2<T>,
    bias: &[T],
    z: &mut ArrayViewMut2<T>,
    h: &mut Array2<T>,
    b: usize,
) {
    fill_rows(z, bias);
    matmul(&input, &w, T::one(), z);
    let mut h = h.slice_mut(s![..b, ..]);
    // one loop per activation over flat slices, so each loop body is branch-free and vectorises
    let (hs, zs) =
        (h.as_slice_memory_order_mut().expect("contiguous"), z.as_slice_memory_order().expect("contiguous"));
    match (act, residual) {
        (Activation::Silu, false) => hs.iter_mut().zip(zs).for_each(|(h, &z)| *h = Activation::Silu.value(z)),
        (Activation::Relu, false) => hs.iter_mut().zip(zs).for_each(|(h, &z)| *h = Activation::Relu.value(z)),
        (act, true) => {
            let xs = input.as_slice_memory_order().expect("contiguous");
            match act {
                Activation::Silu => {
                    hs.iter_mut().zip(zs).zip(xs).for_each(|((h, &z), &x)| *h = Activation::Silu.value(z) + x)
                }
                Activation::Relu => {
                    hs.iter_mut().zip(zs).zip(xs).for_each(|((h, &z), &x)| *h = Activation::Relu.value(z) + x)
                }
            }
        }
    }
}

/// Sets every row of `m` to `row` (the bias, before the product is added on top).
fn fill_rows<T: Real>(m: &mut ArrayViewMut2<T>, row: &[T]) {
    for mut r in m.rows_mut() {
        r.as_slice_mut().expect("contiguous rows").copy_from_slice(row);
    }
}

/// Borrows element `read` immutably and element `write` mutably (read ≠ write).
fn pair<T>(v: &mut [T], read: usize, write: usize) -> (&T, &mut T) {
    assert_ne!(read, write);
    if read < write {
        let (a, b) = v.split_at_mut(write);
        (&a[read], &mut b[0])
    } else {
        let (a, b) = v.split_at_mut(read);
        (&b[0], &mut a[write])
    }
}
