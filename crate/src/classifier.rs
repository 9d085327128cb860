//! Classifier guidance: a time-conditioned classifier p(c | x_t, t), its input gradient, the
//! exact Bayes classifier of the data's mixture, and the classifier-guided velocity field.
//!
//! The classifier is the same [`Mlp`] as the velocity networks, without a class input
//! (class_dim = 0) and with K outputs (the logits). It is trained with softmax cross-entropy on
//! the points of the probability path, with their data labels:
//! ```text
//! x1, c ~ data;  x0 ~ N(0, I);  t ~ U(0, 1);  x_t = (1 − t)·x0 + t·x1
//! loss = mean_i (logsumexp(logits_i) − logits_i[c_i]);   dloss/dlogits_i = (softmax_i − onehot(c_i)) / batch
//! ```
//! Guidance (see [`guided`]): for the straight path v = x/t + ((1−t)/t)·∇log p_t(x), so adding
//! λ·((1−t)/t)·∇_x log p(c | x_t) to v_u gives exactly v_u + λ·(v_c − v_u): with the exact Bayes
//! classifier, classifier guidance at scale λ *is* classifier-free guidance at w = λ.

pub mod guided;

pub use guided::{
    classifier_grad_grid, exact_log_prob_grad, ClassifierGuided, ClassifierScratch, ClassifierSource,
};

use ndarray::{Array2, ArrayView2, ArrayViewMut2};

use crate::activation::Activation;
use crate::datasets::Dataset;
use crate::descent::{Descent, TrainConfig};
use crate::error::Result;
use crate::invalid;
use crate::mlp::{Mlp, MlpConfig};
use crate::real::Real;
use crate::rng::{self, stream, Rng};

/// The architecture of a classifier for `n_classes` classes: the velocity networks' time
/// embedding, no class input, `n_classes` logits out.
pub fn classifier_arch(n_classes: usize, width: usize, depth: usize) -> MlpConfig {
    MlpConfig {
        time_freqs: 4,
        n_classes,
        class_dim: 0,
        class_one_hot: false,
        n_extra: 0,
        width,
        depth,
        activation: Activation::Silu,
        residual: false,
        d_out: n_classes,
    }
}

/// Checks that `arch` is a classifier for `n_classes` classes (no class input, no extra
/// conditions, one logit per class, at least 2 classes).
pub fn check_classifier_arch(arch: &MlpConfig, n_classes: usize) -> Result<()> {
    arch.validate()?;
    if arch.class_dim != 0 || arch.class_one_hot {
        return Err(invalid!("a classifier takes no class input, but class_dim is {}", arch.class_dim));
    }
    if arch.n_extra != 0 {
        return Err(invalid!("a classifier takes no extra conditions, but n_extra is {}", arch.n_extra));
    }
    if n_classes < 2 || arch.n_classes != n_classes || arch.d_out != n_classes {
        return Err(invalid!(
            "a classifier for {n_classes} classes needs n_classes = d_out = {n_classes} (and at least 2), got \
             n_classes {} and d_out {}",
            arch.n_classes,
            arch.d_out
        ));
    }
    Ok(())
}

/// Loss and accuracy of a batch.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ClassifierStats {
    /// Mean cross-entropy (nats).
    pub loss: f64,
    /// Share of rows whose largest logit is their label.
    pub accuracy: f64,
}

/// Softmax cross-entropy of `logits` (n, K) against `labels` (n), with a stable log-softmax.
/// Writes dloss/dlogits = (softmax − onehot)/n into `d_logits` (n, K); returns the mean loss and
/// the accuracy.
pub fn softmax_xent<T: Real>(
    logits: ArrayView2<T>,
    labels: &[u32],
    mut d_logits: ArrayViewMut2<T>,
) -> ClassifierStats {
    let (n, k) = logits.dim();
    assert_eq!(labels.len(), n, "one label per row");
    assert_eq!(d_logits.dim(), (n, k), "d_logits must be (n, K)");
    let inv_n = 1.0 / n.max(1) as f64;
    let (mut loss, mut correct) = (0.0f64, 0usize);
    for ((row, mut d), &y) in logits.rows().into_iter().zip(d_logits.rows_mut()).zip(labels) {
        let y = y as usize;
        assert!(y < k, "label {y} out of range for {k} classes");
        let (mut max, mut arg) = (f64::NEG_INFINITY, 0);
        for (j, &z) in row.iter().enumerate() {
            if z.f64() > max {
                max = z.f64();
                arg = j;
            }
        }
        let sum: f64 = row.iter().map(|&z| (z.f64() - max).exp()).sum();
        let lse = max + sum.ln();
        loss += lse - row[y].f64();
        correct += (arg == y) as usize;
        for (j, (dj, &z)) in d.iter_mut().zip(row.iter()).enumerate() {
            let p = (z.f64() - lse).exp();
            *dj = T::of((p - if j == y { 1.0 } else { 0.0 }) * inv_n);
        }
    }
    ClassifierStats { loss: loss * inv_n, accuracy: correct as f64 * inv_n }
}

/// A classifier being trained on the probability path of a data set. Owns the model, Adam's
/// state and every batch buffer: a step allocates nothing. All randomness comes from the seed.
#[derive(Clone, Debug)]
pub struct ClassifierTrainer {
    pub dataset: Dataset,
    pub model: Mlp<f32>,
    /// Training settings; `dropout` is not used (every row keeps its label).
    pub config: TrainConfig,
    descent: Descent,
    rng: Rng,
    /// (batch, 2) each
    x1: Array2<f32>,
    xt: Array2<f32>,
    labels: Vec<u32>,
    t: Vec<f32>,
    last: ClassifierStats,
}

impl ClassifierTrainer {
    /// A fresh classifier for `dataset` (arch from [`classifier_arch`]), initialised from the seed.
    pub fn new(dataset: Dataset, arch: MlpConfig, config: TrainConfig) -> Result<Self> {
        config.validate()?;
        check_classifier_arch(&arch, dataset.n_classes())?;
        let model = Mlp::new(arch, &mut rng::seeded(config.seed, stream::INIT))?;
        Self::with_model(dataset, model, config)
    }

    /// Continues training `model` with fresh optimiser state.
    pub fn with_model(dataset: Dataset, model: Mlp<f32>, config: TrainConfig) -> Result<Self> {
        config.validate()?;
        check_classifier_arch(model.config(), dataset.n_classes())?;
        let b = config.batch;
        Ok(ClassifierTrainer {
            descent: Descent::new(&model, config.adam(), b),
            rng: rng::seeded(config.seed, stream::TRAIN),
            x1: Array2::zeros((b, 2)),
            xt: Array2::zeros((b, 2)),
            labels: vec![0; b],
            t: vec![0.0; b],
            last: ClassifierStats { loss: f64::NAN, accuracy: f64::NAN },
            dataset,
            model,
            config,
        })
    }

    /// Steps done so far.
    pub fn steps_done(&self) -> usize {
        self.descent.steps()
    }

    /// Loss and accuracy of the last step's batch (NaN before the first step).
    pub fn last(&self) -> ClassifierStats {
        self.last
    }

    /// One training step; returns the batch's loss and accuracy (before the update).
    pub fn step(&mut self) -> ClassifierStats {
        let rng = &mut self.rng;
        self.dataset.sample_into(rng, self.x1.view_mut(), &mut self.labels);
        self.t.iter_mut().for_each(|t| *t = rng::uniform(rng) as f32);
        for (i, mut xt) in self.xt.rows_mut().into_iter().enumerate() {
            let t = self.t[i];
            for j in 0..2 {
                xt[j] = (1.0 - t) * rng::normal(rng) as f32 + t * self.x1[[i, j]];
            }
        }
        let labels = &self.labels;
        let stats = self.descent.step(&mut self.model, self.xt.view(), &self.t, &[0], &[], |logits, d| {
            softmax_xent(logits, labels, d)
        });
        self.last = stats;
        stats
    }

    /// Runs `n` steps; returns the mean loss and accuracy over them.
    pub fn train(&mut self, n: usize) -> ClassifierStats {
        let mut total = ClassifierStats::default();
        for _ in 0..n {
            let s = self.step();
            total.loss += s.loss;
            total.accuracy += s.accuracy;
        }
        let n = n.max(1) as f64;
        ClassifierStats { loss: total.loss / n, accuracy: total.accuracy / n }
    }
}

/// Held-out loss and accuracy of a classifier at one time t: `n` fresh points x_t of the path
/// (seeded), classified by `model`. Allocates its buffers (not for hot loops).
pub fn evaluate_classifier(
    model: &Mlp<f32>,
    dataset: &Dataset,
    t: f32,
    n: usize,
    seed: u64,
) -> ClassifierStats {
    let mut r = rng::seeded(seed, stream::EVAL_REF);
    let (x1, labels) = dataset.sample(n, &mut r);
    let mut xt = Array2::<f32>::zeros((n, 2));
    for (xt, &x1) in xt.iter_mut().zip(x1.iter()) {
        *xt = (1.0 - t) * rng::normal(&mut r) as f32 + t * x1;
    }
    let mut ws = model.workspace(n, false);
    let logits = model.forward(&mut ws, xt.view(), &[t], &[0], &[]);
    let mut d = Array2::<f32>::zeros(logits.dim());
    softmax_xent(logits, &labels, d.view_mut())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xent_gradient_matches_central_differences() {
        let mut r = rng::seeded(3, 1);
        let logits = Array2::from_shape_fn((4, 3), |_| 3.0 * rng::normal(&mut r));
        let labels = [0u32, 2, 1, 2];
        let mut d = Array2::zeros((4, 3));
        let s = softmax_xent(logits.view(), &labels, d.view_mut());
        let h = 1e-5;
        for i in 0..4 {
            for j in 0..3 {
                let mut l = logits.clone();
                let mut scratch = Array2::zeros((4, 3));
                l[[i, j]] += h;
                let up = softmax_xent(l.view(), &labels, scratch.view_mut()).loss;
                l[[i, j]] -= 2.0 * h;
                let dn = softmax_xent(l.view(), &labels, scratch.view_mut()).loss;
                let num = (up - dn) / (2.0 * h);
                assert!((num - d[[i, j]]).abs() < 1e-9, "({i}, {j}): {num} vs {}", d[[i, j]]);
            }
        }
        // the loss itself, for one row, by the definition −log softmax
        let row = logits.row(0);
        let z: f64 = row.iter().map(|v| v.exp()).sum();
        let l0 = -(row[0].exp() / z).ln();
        assert!(s.loss.is_finite() && l0 > 0.0);
    }

    #[test]
    fn xent_is_stable_for_huge_logits() {
        let logits = ndarray::arr2(&[[1000.0f32, -1000.0], [-1000.0, 1000.0]]);
        let mut d = Array2::zeros((2, 2));
        let s = softmax_xent(logits.view(), &[0, 0], d.view_mut());
        assert_eq!(s.accuracy, 0.5);
        assert!((s.loss - 1000.0).abs() < 1e-3, "{}", s.loss);
        assert!(d.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn the_architecture_is_checked() {
        assert!(check_classifier_arch(&classifier_arch(3, 16, 2), 3).is_ok());
        let e = check_classifier_arch(&classifier_arch(3, 16, 2), 2).unwrap_err();
        assert!(e.to_string().contains("d_out"), "{e}");
        let e = check_classifier_arch(&MlpConfig::velocity(2, 16, 2), 2).unwrap_err();
        assert!(e.to_string().contains("class input"), "{e}");
    }
}
