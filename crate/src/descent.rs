//! The generic pieces of training a network by gradient descent, shared by every trainer (the
//! flow model's [`crate::flow::Trainer`], the classifier's
//! [`crate::classifier::ClassifierTrainer`], the distilled student's
//! [`crate::distill::Distiller`]): the run's settings ([`TrainConfig`]), one optimiser step with
//! its buffers ([`Descent`]), the squared-error loss ([`mse_grad`]) and what a teacher network
//! must be ([`check_teacher`]). The trainers' common interface is `crate::train::Train`.

use ndarray::{Array2, ArrayView2, ArrayViewMut2, Zip};
use serde::{Deserialize, Serialize};

use crate::adam::{Adam, AdamConfig, Schedule};
use crate::caps::{MAX_TRAIN_BATCH, MAX_TRAIN_STEPS};
use crate::error::{check_count, check_range, Result};
use crate::invalid;
use crate::mlp::{Mlp, Workspace};

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

impl TrainConfig {
    /// Checks every field, naming the first bad one.
    pub fn validate(&self) -> Result<()> {
        check_count("steps", self.steps as i64, 1, MAX_TRAIN_STEPS as i64)?;
        check_count("batch", self.batch as i64, 1, MAX_TRAIN_BATCH as i64)?;
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

/// Checks that `teacher` can teach reflow and distillation: a velocity network (d_out = 2) without
/// extra inputs (not a distilled student, not a classifier).
pub fn check_teacher(teacher: &Mlp<f32>) -> Result<()> {
    let c = teacher.config();
    if c.n_extra != 0 || c.d_out != 2 {
        return Err(invalid!(
            "teacher must be a velocity model made by training (not a distilled student or a classifier)"
        ));
    }
    Ok(())
}

/// One network's optimiser and gradient buffers, sized once for a batch: Adam's state, the
/// parameter gradient, a training workspace and the loss gradient d_out (batch, d_out). Every
/// trainer holds one ([`crate::flow::Trainer`], [`crate::classifier::ClassifierTrainer`],
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
/// into `d_out`: the loss of [`crate::flow::Trainer`] and [`crate::distill::Distiller`].
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
