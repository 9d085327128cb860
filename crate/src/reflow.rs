//! Rectified flow ("reflow"): straighten a model's paths by retraining it on its own coupling.
//!
//! ```text
//! pairs:    x0 ~ N(0, I),  x1 = the sampler's endpoint from x0 (class c at scale w, or null)
//! retrain:  x_t = (1 − t)·x0 + t·x1,  target x1 − x0,  label c (dropped to null with prob. p)
//! ```
//! The first model (trained on independent noise and data) is 1-rectified; retraining it on its
//! own pairs gives the 2-rectified model, and so on. The coupling of a model's ODE is
//! deterministic, so its straight-line field has crossing-free paths that are straighter; few
//! Euler steps then land close to where many steps land.
//!
//! Pairs made at a guidance scale w ≠ 1 bake that guidance into the new conditional field (its
//! samples follow the guided distribution at w = 1); guiding the rectified model again applies
//! guidance twice. Straightness is [`SampleStats::straightness`]: mean over points and steps of
//! ‖(x1 − x0) − ẋ_t‖², measured by the sampler.

use ndarray::{s, Array2};
use serde::{Deserialize, Serialize};

use crate::caps::{MAX_GUIDANCE, MAX_POINTS, MAX_REFLOW_ROUNDS, MAX_SAMPLER_STEPS};
use crate::datasets::Dataset;
use crate::descent::{check_teacher, TrainConfig};
use crate::error::{check_count, check_range, Result};
use crate::field::{Bound, FieldSource, Source};
use crate::flow::{Pairs, Trainer};
use crate::metrics;
use crate::mlp::Mlp;
use crate::rng::{self, stream};
use crate::sample::{self, guidance_for, SampleConfig};
use crate::sampler::{noise_into, Integrator, SampleStats, Solver};

/// Random stream of the pairs' noise (separate from sampling and training).
const PAIR_STREAM: u64 = stream::SAMPLE + 100;

/// How to make the pairs of one reflow round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairConfig {
    /// Pairs per class.
    pub n_per_class: usize,
    /// Unconditional pairs (null label), sampled with the unconditional field.
    pub n_null: usize,
    /// Sampler steps from noise to endpoint.
    pub steps: usize,
    pub solver: Solver,
    /// Guidance scale for the class pairs (1: the conditional field).
    pub guidance: f32,
    pub seed: u64,
}

impl Default for PairConfig {
    fn default() -> Self {
        PairConfig {
            n_per_class: 4000,
            n_null: 4000,
            steps: 50,
            solver: Solver::Heun,
            guidance: 1.0,
            seed: 0,
        }
    }
}

impl PairConfig {
    /// Checks every field, naming the first bad one.
    pub fn validate(&self) -> Result<()> {
        check_count("n_per_class", self.n_per_class as i64, 0, MAX_POINTS as i64)?;
        check_count("n_null", self.n_null as i64, 0, MAX_POINTS as i64)?;
        if self.n_per_class == 0 && self.n_null == 0 {
            return Err(crate::invalid!("n_per_class and n_null are both 0: no pairs"));
        }
        check_count("steps", self.steps as i64, 1, MAX_SAMPLER_STEPS as i64)?;
        check_range("guidance", self.guidance as f64, -MAX_GUIDANCE, MAX_GUIDANCE)?;
        Ok(())
    }
}

/// Pairs (x0, x1, label) from following `source`: `n_per_class` per class at `cfg.guidance`,
/// then `n_null` unconditional ones (label n_classes). Rows are grouped by class, in order.
pub fn generate_pairs(dataset: &Dataset, source: &mut FieldSource, cfg: &PairConfig) -> Result<Pairs> {
    cfg.validate()?;
    if let FieldSource::Network { model, .. } = source {
        if model.config().n_classes != dataset.n_classes() {
            return Err(crate::invalid!("the model's classes do not match data set '{}'", dataset.name));
        }
    }
    let k = dataset.n_classes();
    let null = k as u32;
    let n = k * cfg.n_per_class + cfg.n_null;
    if n > MAX_POINTS {
        return Err(crate::invalid!("{n} pairs in all exceed the limit of {MAX_POINTS}"));
    }
    let mut x0 = Array2::zeros((n, 2));
    noise_into(&mut rng::seeded(cfg.seed, PAIR_STREAM), x0.view_mut());
    let mut x1 = x0.clone();
    let mut labels = vec![null; n];
    let mut integrator = Integrator::new(cfg.n_per_class.max(cfg.n_null));
    let mut row = 0;
    let groups = (0..k).map(|c| (Some(c as u32), cfg.n_per_class)).chain([(None, cfg.n_null)]);
    for (label, m) in groups {
        if m == 0 {
            continue;
        }
        let y = label.unwrap_or(null);
        labels[row..row + m].iter_mut().for_each(|l| *l = y);
        let mut field = Bound { source, labels: &[y], guidance: guidance_for(label, cfg.guidance) };
        integrator.run(&mut field, x1.slice_mut(s![row..row + m, ..]), cfg.steps, cfg.solver, None);
        row += m;
    }
    Pairs::new(x0, x1, labels)
}

/// Settings of one reflow round: the pairs, then the retraining on them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReflowConfig {
    pub pairs: PairConfig,
    pub train: TrainConfig,
}

/// A trainer that retrains a copy of `model` (its weights as the starting point) on pairs made
/// by `model` itself: one round of a [`Reflow`] run.
///
/// With unconditional pairs in the set (`n_null` > 0) the labels are kept as they are (no label
/// dropout): dropping a class pair's label to null would teach the null label a blend of the
/// class couplings (one x0 leads to a different endpoint per class), which is neither the
/// unconditional coupling nor straight. The null label learns from the unconditional pairs.
pub fn reflow_trainer(dataset: &Dataset, model: &Mlp<f32>, cfg: &ReflowConfig) -> Result<Trainer> {
    let mut scratch = crate::field::NetScratch::new(model, 1024);
    let mut source = FieldSource::Network { model, scratch: &mut scratch };
    let pairs = generate_pairs(dataset, &mut source, &cfg.pairs)?;
    Trainer::with_pairs(dataset.clone(), model.clone(), reflow_train_config(cfg), pairs)
}

/// The training settings a reflow round uses: `cfg.train`, without label dropout when the pairs
/// hold their own unconditional pairs (see [`reflow_trainer`]).
pub fn reflow_train_config(cfg: &ReflowConfig) -> TrainConfig {
    let mut train = cfg.train.clone();
    if cfg.pairs.n_null > 0 {
        train.dropout = 0.0;
    }
    train
}

/// The settings of round `r` (from 0) of a run of several: `cfg` with the pair and training seeds
/// plus r.
pub fn round_config(cfg: &ReflowConfig, r: usize) -> ReflowConfig {
    let mut c = cfg.clone();
    c.pairs.seed = cfg.pairs.seed.wrapping_add(r as u64);
    c.train.seed = cfg.train.seed.wrapping_add(r as u64);
    c
}

/// `rounds` reflow rounds from `model` as one run of `rounds × cfg.train.steps` steps: round r
/// makes its pairs with the model as round r − 1 left it and retrains that model on them, with the
/// settings of [`round_config`]. The first round's pairs are made by [`Reflow::new`], each later
/// round's by the step that starts it.
#[derive(Clone, Debug)]
pub struct Reflow {
    dataset: Dataset,
    cfg: ReflowConfig,
    rounds: usize,
    round: usize,
    trainer: Trainer,
}

impl Reflow {
    /// The run from `model` (a velocity network of `dataset`, see [`check_teacher`]): 1 to
    /// [`MAX_REFLOW_ROUNDS`] rounds.
    pub fn new(dataset: &Dataset, model: &Mlp<f32>, cfg: &ReflowConfig, rounds: usize) -> Result<Self> {
        check_count("rounds", rounds as i64, 1, MAX_REFLOW_ROUNDS as i64)?;
        check_teacher(model)?;
        let trainer = reflow_trainer(dataset, model, &round_config(cfg, 0))?;
        Ok(Reflow { dataset: dataset.clone(), cfg: cfg.clone(), rounds, round: 0, trainer })
    }

    /// One training step (after making the next round's pairs when the round is over); its loss.
    pub fn step(&mut self) -> Result<f32> {
        if self.trainer.steps_done() >= self.cfg.train.steps && self.round + 1 < self.rounds {
            let next = round_config(&self.cfg, self.round + 1);
            self.trainer = reflow_trainer(&self.dataset, &self.trainer.model, &next)?;
            self.round += 1;
        }
        Ok(self.trainer.step())
    }

    /// Steps done, over every round so far.
    pub fn steps_done(&self) -> usize {
        self.round * self.cfg.train.steps + self.trainer.steps_done()
    }

    /// The run's planned length: rounds × steps per round.
    pub fn total_steps(&self) -> usize {
        self.rounds * self.cfg.train.steps
    }

    /// The round being trained (from 0).
    pub fn round(&self) -> usize {
        self.round
    }

    /// The trainer of the current round (its model is the run's model).
    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    /// The data set.
    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    /// The training settings the run's model file records: the first round's
    /// ([`reflow_train_config`]).
    pub fn training(&self) -> TrainConfig {
        reflow_train_config(&self.cfg)
    }
}

/// `rounds` reflow rounds from `model` (1-rectified): returns the 2-, 3-, ... rectified models
/// (a [`Reflow`] run, its model at the end of each round).
pub fn rectify(
    dataset: &Dataset,
    model: &Mlp<f32>,
    cfg: &ReflowConfig,
    rounds: usize,
) -> Result<Vec<Mlp<f32>>> {
    let mut run = Reflow::new(dataset, model, cfg, rounds)?;
    let mut out: Vec<Mlp<f32>> = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        for _ in 0..cfg.train.steps {
            run.step()?;
        }
        out.push(run.trainer.model.clone());
    }
    Ok(out)
}

/// Sample quality against the step count: for each entry of `steps`, the sliced W2 between
/// `n` samples of class `label` (Euler, scale `w`, noise from `seed`) and fresh class data,
/// with the sampler's statistics (straightness, calls).
pub fn quality_by_steps(
    dataset: &Dataset,
    source: Source,
    label: u32,
    w: f32,
    steps: &[usize],
    n: usize,
    seed: u64,
) -> Result<Vec<(f64, SampleStats)>> {
    if label as usize >= dataset.n_classes() {
        return Err(crate::invalid!(
            "class {label} out of range (data set '{}' has {})",
            dataset.name,
            dataset.n_classes()
        ));
    }
    let data = dataset.sample_class(label, n, &mut rng::seeded(seed, stream::EVAL_REF));
    let mut proj = rng::seeded(seed, stream::PROJECTIONS);
    steps
        .iter()
        .map(|&st| {
            let cfg = SampleConfig { n, steps: st, solver: Solver::Euler, guidance: w, seed, sde_noise: 1.0 };
            let (x, stats) = sample::generate(dataset, source, Some(label), &cfg)?;
            Ok((metrics::sliced_w2(x.view(), data.view(), 64, &mut proj), stats))
        })
        .collect()
}

/// Straightness of `n` samples of class `label` (None: unconditional) at scale `w`, measured
/// with `steps` Heun steps (many steps approach the continuous path's value).
pub fn straightness(
    dataset: &Dataset,
    source: Source,
    label: Option<u32>,
    w: f32,
    n: usize,
    steps: usize,
    seed: u64,
) -> Result<f64> {
    let cfg = SampleConfig { n, steps, solver: Solver::Heun, guidance: w, seed, sde_noise: 1.0 };
    Ok(sample::generate(dataset, source, label, &cfg)?.1.straightness)
}
