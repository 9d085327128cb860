//! Flow-matching training with label dropout, exactly the post's train step:
//!
//! ```text
//! labels[rand < p] = null;  t ~ U(0, 1);  x0 ~ N(0, I);  x_t = (1 − t)·x0 + t·x1
//! v_target = x1 − x0;       loss = mean((model(x_t, t, labels) − v_target)²)
//! ```
//! One [`Trainer`] owns the model, Adam's state, the data set and every batch buffer, so a
//! step allocates nothing. All randomness comes from the training seed.
//!
//! A trainer made with [`Trainer::with_pairs`] draws (x0, x1, label) from a fixed set of
//! [`Pairs`] instead of pairing fresh noise with fresh data: the same straight-line loss on a
//! given coupling, which is what rectified flow (reflow, `reflow.rs`) retrains on.

use ndarray::Array2;

use crate::datasets::Dataset;
use crate::descent::{mse_grad, Descent, TrainConfig};
use crate::error::Result;
use crate::mlp::{Mlp, MlpConfig};
use crate::rng::{self, stream, Rng};

/// A fixed coupling of noise and endpoints to train on (reflow): row i pairs `x0[i]` with `x1[i]`
/// under label `labels[i]` (n_classes = null).
#[derive(Clone, Debug, PartialEq)]
pub struct Pairs {
    /// (n, 2) starting noise.
    pub x0: Array2<f32>,
    /// (n, 2) endpoints.
    pub x1: Array2<f32>,
    /// n labels.
    pub labels: Vec<u32>,
}

impl Pairs {
    /// Checks the shapes (x0 and x1 (n, 2), n labels, n ≥ 1) and that every value is finite.
    pub fn new(x0: Array2<f32>, x1: Array2<f32>, labels: Vec<u32>) -> Result<Self> {
        let n = labels.len();
        if n == 0 || x0.dim() != (n, 2) || x1.dim() != (n, 2) {
            return Err(crate::invalid!(
                "pairs: x0 {:?} and x1 {:?} must both be ({n}, 2) for {n} labels, with n ≥ 1",
                x0.dim(),
                x1.dim()
            ));
        }
        if !x0.iter().chain(x1.iter()).all(|v| v.is_finite()) {
            return Err(crate::invalid!("pairs: every coordinate must be finite"));
        }
        Ok(Pairs { x0, x1, labels })
    }

    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no pairs (never, for pairs made by [`Pairs::new`]).
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
}

/// A model being trained on a data set.
#[derive(Clone, Debug)]
pub struct Trainer {
    pub dataset: Dataset,
    pub model: Mlp<f32>,
    pub config: TrainConfig,
    descent: Descent,
    rng: Rng,
    /// (batch, 2) each
    x1: Array2<f32>,
    xt: Array2<f32>,
    target: Array2<f32>,
    labels: Vec<u32>,
    t: Vec<f32>,
    /// Values of the network's extra scalar conditions, shared by the batch (zeros by default).
    pub extra: Vec<f32>,
    last_loss: f32,
    /// Set: batches come from these pairs instead of (noise, data).
    pairs: Option<Pairs>,
}

impl Trainer {
    /// A fresh model for `dataset`, initialised from the seed.
    pub fn new(dataset: Dataset, arch: MlpConfig, config: TrainConfig) -> Result<Self> {
        config.validate()?;
        if arch.n_classes != dataset.n_classes() {
            return Err(crate::invalid!(
                "the network has {} classes but data set '{}' has {}",
                arch.n_classes,
                dataset.name,
                dataset.n_classes()
            ));
        }
        let model = Mlp::new(arch, &mut rng::seeded(config.seed, stream::INIT))?;
        Ok(Self::with_model(dataset, model, config))
    }

    /// Continues training `model` (its parameters as they are) with fresh optimiser state.
    pub fn with_model(dataset: Dataset, model: Mlp<f32>, config: TrainConfig) -> Self {
        let b = config.batch;
        Trainer {
            descent: Descent::new(&model, config.adam(), b),
            rng: rng::seeded(config.seed, stream::TRAIN),
            x1: Array2::zeros((b, 2)),
            xt: Array2::zeros((b, 2)),
            target: Array2::zeros((b, 2)),
            labels: vec![0; b],
            t: vec![0.0; b],
            extra: vec![0.0; model.config().n_extra],
            last_loss: f32::NAN,
            pairs: None,
            dataset,
            model,
            config,
        }
    }

    /// Trains `model` (its parameters as they are, fresh optimiser state) on a fixed coupling:
    /// each batch row is a pair drawn uniformly with replacement, its label replaced by the null
    /// label with probability `config.dropout` (so that guidance still works), t ~ U(0, 1),
    /// x_t = (1 − t)·x0 + t·x1 and target x1 − x0.
    pub fn with_pairs(dataset: Dataset, model: Mlp<f32>, config: TrainConfig, pairs: Pairs) -> Result<Self> {
        config.validate()?;
        let null = model.config().null_label();
        if let Some(y) = pairs.labels.iter().find(|&&y| y > null) {
            return Err(crate::invalid!("pairs: label {y} out of range (the null label is {null})"));
        }
        if model.config().n_classes != dataset.n_classes() {
            return Err(crate::invalid!("the model's classes do not match data set '{}'", dataset.name));
        }
        let mut tr = Self::with_model(dataset, model, config);
        tr.pairs = Some(pairs);
        Ok(tr)
    }

    /// The pairs this trainer draws from, if it was made by [`Trainer::with_pairs`].
    pub fn pairs(&self) -> Option<&Pairs> {
        self.pairs.as_ref()
    }

    /// Steps done so far.
    pub fn steps_done(&self) -> usize {
        self.descent.steps()
    }

    /// The loss of the last step (NaN before the first).
    pub fn last_loss(&self) -> f32 {
        self.last_loss
    }

    /// One training step; returns its loss.
    pub fn step(&mut self) -> f32 {
        if self.pairs.is_some() {
            self.fill_from_pairs();
        } else {
            self.fill_from_data();
        }
        self.descend()
    }

    /// A batch of fresh data, dropped-out labels, t and noise (the post's train step).
    fn fill_from_data(&mut self) {
        let rng = &mut self.rng;
        let null = self.model.config().null_label();
        self.dataset.sample_into(rng, self.x1.view_mut(), &mut self.labels);
        for y in self.labels.iter_mut() {
            if rng::uniform(rng) < self.config.dropout {
                *y = null;
            }
        }
        self.t.iter_mut().for_each(|t| *t = rng::uniform(rng) as f32);
        for (i, ((mut xt, mut target), x1)) in
            self.xt.rows_mut().into_iter().zip(self.target.rows_mut()).zip(self.x1.rows()).enumerate()
        {
            let t = self.t[i];
            for j in 0..2 {
                let x0 = rng::normal(rng) as f32;
                xt[j] = (1.0 - t) * x0 + t * x1[j];
                target[j] = x1[j] - x0;
            }
        }
    }

    /// A batch of pairs drawn with replacement, dropped-out labels and t.
    fn fill_from_pairs(&mut self) {
        let (rng, pairs) = (&mut self.rng, self.pairs.as_ref().expect("a pair trainer"));
        let null = self.model.config().null_label();
        for i in 0..self.labels.len() {
            let k = rng::index(rng, pairs.len());
            let drop = rng::uniform(rng) < self.config.dropout;
            self.labels[i] = if drop { null } else { pairs.labels[k] };
            let t = rng::uniform(rng) as f32;
            self.t[i] = t;
            for j in 0..2 {
                let (x0, x1) = (pairs.x0[[k, j]], pairs.x1[[k, j]]);
                self.xt[[i, j]] = (1.0 - t) * x0 + t * x1;
                self.target[[i, j]] = x1 - x0;
            }
        }
    }

    /// Forward, loss, backward and an Adam step on the filled batch; returns the loss.
    fn descend(&mut self) -> f32 {
        let target = self.target.view();
        let loss = self.descent.step(
            &mut self.model,
            self.xt.view(),
            &self.t,
            &self.labels,
            &self.extra,
            |out, d| mse_grad(out, target, d),
        );
        self.last_loss = loss;
        loss
    }

    /// Runs `n` steps; returns the mean loss over them.
    pub fn train(&mut self, n: usize) -> f32 {
        let mut total = 0.0f64;
        for _ in 0..n {
            total += self.step() as f64;
        }
        (total / n.max(1) as f64) as f32
    }
}
