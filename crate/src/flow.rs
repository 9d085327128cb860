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

use ndarray::{Array2, ArrayView2, ArrayViewMut2, Zip};
use serde::{Deserialize, Serialize};

use crate::adam::{Adam, AdamConfig, Schedule};
use crate::datasets::Dataset;
use crate::error::{check_count, check_range, Result};
use crate::mlp::{Mlp, MlpConfig, Workspace};
use crate::rng::{self, stream, Rng};

/// Training settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    pub steps: usize,
    pub batch: usize,
    pub lr: f64,
    pub schedule: Schedule,
    /// Probability of replacing a label by the null label.
    pub dropout: f64,
    pub weight_decay: f64,
    /// Largest global gradient norm (0: no clipping).
    pub clip_norm: f64,
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            steps: 6000,
            batch: 512,
            lr: 2e-3,
            schedule: Schedule::Cosine,
            dropout: 0.2,
            weight_decay: 0.0,
            clip_norm: 1.0,
            seed: 0,
        }
    }
}

/// Largest number of training steps in one run.
pub const MAX_STEPS: usize = 1_000_000;
/// Largest training batch.
pub const MAX_BATCH: usize = 8192;
/// A loss above this is divergence ([`Trainer::train_checked`]): the targets x1 − x0 are O(1), so a
/// network that is learning has a loss of order 1; an exploding one (a learning rate of 10, say)
/// passes 1e6 on its way to 1e30 or to infinity.
pub const DIVERGED_LOSS: f64 = 1e6;

impl TrainConfig {
    /// Checks every field, naming the first bad one.
    pub fn validate(&self) -> Result<()> {
        check_count("steps", self.steps as i64, 1, MAX_STEPS as i64)?;
        check_count("batch", self.batch as i64, 1, MAX_BATCH as i64)?;
        check_range("lr", self.lr, 1e-7, 10.0)?;
        check_range("dropout", self.dropout, 0.0, 1.0)?;
        check_range("weight_decay", self.weight_decay, 0.0, 1.0)?;
        check_range("clip_norm", self.clip_norm, 0.0, 1e6)?;
        Ok(())
    }

    /// Adam's settings for this run.
    pub(crate) fn adam(&self) -> AdamConfig {
        AdamConfig {
            lr: self.lr,
            weight_decay: self.weight_decay,
            clip_norm: self.clip_norm,
            schedule: self.schedule,
            total_steps: self.steps,
            ..AdamConfig::default()
        }
    }
}

/// A fixed coupling of noise and endpoints to train on (reflow): row i pairs x0[i] with x1[i]
/// under label labels[i] (n_classes = null).
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

    /// Runs up to `n` steps, stopping at the first that diverges: a non-finite loss or weight,
    /// or a loss above [`DIVERGED_LOSS`]. Returns the mean loss, or an error naming the step.
    pub fn train_checked(&mut self, n: usize) -> Result<f32> {
        let mut total = 0.0f64;
        for _ in 0..n {
            let loss = self.step();
            if !loss.is_finite()
                || loss as f64 > DIVERGED_LOSS
                || self.model.params.iter().any(|p| !p.is_finite())
            {
                return Err(crate::invalid!(
                    "training diverged at step {} (loss {loss}); lower the learning rate",
                    self.steps_done()
                ));
            }
            total += loss as f64;
        }
        Ok((total / n.max(1) as f64) as f32)
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

/// One network's optimiser and gradient buffers, sized once for a batch: Adam's state, the
/// parameter gradient, a training workspace and the loss gradient d_out (batch, d_out). Every
/// trainer holds one ([`Trainer`], [`crate::classifier::ClassifierTrainer`],
/// [`crate::distill::Distiller`]); a step allocates nothing.
#[derive(Clone, Debug)]
pub struct Descent {
    adam: Adam<f32>,
    grads: Vec<f32>,
    ws: Workspace<f32>,
    d_out: Array2<f32>,
}

impl Descent {
    /// Fresh optimiser state for `model`, buffers for `batch` rows.
    pub fn new(model: &Mlp<f32>, adam: AdamConfig, batch: usize) -> Self {
        Descent {
            adam: Adam::new(adam, model.num_params()),
            grads: vec![0.0; model.num_params()],
            ws: model.workspace(batch, true),
            d_out: Array2::zeros((batch, model.config().d_out)),
        }
    }

    /// Adam steps done.
    pub fn steps(&self) -> usize {
        self.adam.steps()
    }

    /// One gradient step on `model`: the forward pass on the batch (x: (batch, 2); t, labels,
    /// extra as [`Mlp::forward`] takes them), `loss(out, d_out)` writes ∂loss/∂out into d_out
    /// (batch, d_out) and returns what the step reports, then backward and an Adam update.
    pub fn step<R>(
        &mut self,
        model: &mut Mlp<f32>,
        x: ArrayView2<f32>,
        t: &[f32],
        labels: &[u32],
        extra: &[f32],
        loss: impl FnOnce(ArrayView2<f32>, ArrayViewMut2<f32>) -> R,
    ) -> R {
        let out = model.forward(&mut self.ws, x, t, labels, extra);
        let r = loss(out, self.d_out.view_mut());
        self.grads.iter_mut().for_each(|g| *g = 0.0);
        model.backward(&mut self.ws, self.d_out.view(), &mut self.grads);
        self.adam.update(&mut model.params, &self.grads);
        r
    }
}

/// The mean squared error mean((out − target)²) of (batch, 2) arrays, with its gradient written
/// into `d_out`: the loss of [`Trainer`] and [`crate::distill::Distiller`].
pub fn mse_grad(out: ArrayView2<f32>, target: ArrayView2<f32>, mut d_out: ArrayViewMut2<f32>) -> f32 {
    let scale = 2.0 / out.len() as f32;
    let mut loss = 0.0f64;
    Zip::from(&mut d_out).and(&out).and(&target).for_each(|d, &o, &y| {
        let e = o - y;
        loss += (e * e) as f64;
        *d = scale * e;
    });
    (loss / out.len() as f64) as f32
}
