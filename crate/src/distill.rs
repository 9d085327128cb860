//! Guidance distillation: a student network that takes the guidance scale w as an input and
//! reproduces the teacher's guided velocity v_u + w·(v_c − v_u) in one network call per step.
//!
//! ```text
//! w ~ U[0, w_max],  x_t = a state of the TEACHER'S OWN guided trajectory at scale w, at time t
//! target = (1 − w)·v_u(x_t, t) + w·v_c(x_t, t)             (the teacher's CFG velocity)
//! loss   = mean((student(x_t, t, c, w) − target)²)
//! ```
//! The post's code takes x_t from the noise/data interpolation (1 − t)·x0 + t·x1 instead. That
//! trains the student where the *unguided* paths go, but at w > 1 the guided sampler leaves
//! them (it condenses each class), so the student would be asked about states it never saw in
//! training. Here every training state comes from integrating the teacher's CFG field with
//! Euler from fresh noise: the trajectories share a random time offset per batch, so that the
//! recorded times cover [0, 1), and each row records the state at a random node of its own path.
//!
//! The teacher is a [`FieldSource`]: a trained network, or the exact mixture field (a fast,
//! deterministic teacher whose guided samples are ground truth).

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::adam::{AdamConfig, Schedule};
use crate::caps::{MAX_GUIDANCE, MAX_TEACHER_STEPS, MAX_TRAIN_BATCH, MAX_TRAIN_STEPS};
use crate::datasets::Dataset;
use crate::descent::{check_teacher, mse_grad, Descent, TrainConfig};
use crate::error::{check_count, check_range, Result};
use crate::field::{FieldSource, Guidance, NetScratch, Source};
use crate::method::{self, Method};
use crate::metrics;
use crate::mlp::{Mlp, MlpConfig};
use crate::rng::{self, stream, Rng};
use crate::sample::SampleConfig;
use crate::sampler::{noise_into, Solver};

/// Distillation settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistillConfig {
    pub steps: usize,
    /// Teacher trajectories (and training rows) per step.
    pub batch: usize,
    pub lr: f64,
    pub schedule: Schedule,
    pub clip_norm: f64,
    /// w ~ U[0, w_max].
    pub w_max: f32,
    /// Euler steps of the teacher's trajectories.
    pub teacher_steps: usize,
    /// Probability that a trajectory is unconditional (null label: target v_u, w ignored).
    pub null_share: f64,
    pub seed: u64,
}

impl Default for DistillConfig {
    fn default() -> Self {
        DistillConfig {
            steps: 3000,
            batch: 256,
            lr: 2e-3,
            schedule: Schedule::Cosine,
            clip_norm: 1.0,
            w_max: 5.0,
            teacher_steps: 16,
            null_share: 0.1,
            seed: 0,
        }
    }
}

impl DistillConfig {
    /// Checks every field, naming the first bad one.
    pub fn validate(&self) -> Result<()> {
        check_count("steps", self.steps as i64, 1, MAX_TRAIN_STEPS as i64)?;
        check_count("batch", self.batch as i64, 1, MAX_TRAIN_BATCH as i64)?;
        check_range("lr", self.lr, 1e-7, 10.0)?;
        check_range("clip_norm", self.clip_norm, 0.0, 1e6)?;
        check_range("w_max", self.w_max as f64, 0.0, MAX_GUIDANCE)?;
        check_count("teacher_steps", self.teacher_steps as i64, 1, MAX_TEACHER_STEPS as i64)?;
        check_range("null_share", self.null_share, 0.0, 1.0)?;
        Ok(())
    }

    /// The settings of a distillation run made from a run's training settings: its steps, batch,
    /// learning rate, schedule, clipping and seed, with w ~ U[0, w_max] (the rest as the default).
    pub fn from_training(training: &TrainConfig, w_max: f32) -> Self {
        DistillConfig {
            steps: training.steps,
            batch: training.batch,
            lr: training.lr,
            schedule: training.schedule,
            clip_norm: training.clip_norm,
            w_max,
            seed: training.seed,
            ..DistillConfig::default()
        }
    }
}

/// The student's architecture: the teacher's, plus one extra input (w).
pub fn student_config(teacher: &MlpConfig) -> MlpConfig {
    MlpConfig { n_extra: 1, ..teacher.clone() }
}

/// How a student starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StudentStart {
    /// Fresh weights from the seed ([`Distiller::new`]).
    Fresh,
    /// A copy of the teacher that ignores w ([`Distiller::from_teacher`]).
    Teacher,
}

/// A distillation run that owns its teacher network: the [`Distiller`], the teacher and its
/// scratch, and what the student's model file records (the teacher's data set and the training
/// settings the run was made from). `crate::train::Train` steps it.
#[derive(Clone, Debug)]
pub struct Distillation {
    pub distiller: Distiller,
    teacher: Mlp<f32>,
    scratch: NetScratch,
    pub dataset: Dataset,
    pub training: TrainConfig,
}

impl Distillation {
    /// Distils `teacher`, a velocity network of `dataset` ([`check_teacher`]), with the settings
    /// of [`DistillConfig::from_training`]`(training, w_max)`, the student starting as `start` says.
    pub fn new(
        dataset: Dataset,
        teacher: Mlp<f32>,
        training: TrainConfig,
        w_max: f32,
        start: StudentStart,
    ) -> Result<Self> {
        check_teacher(&teacher)?;
        let cfg = DistillConfig::from_training(&training, w_max);
        let distiller = match start {
            StudentStart::Fresh => Distiller::new(student_config(teacher.config()), cfg)?,
            StudentStart::Teacher => Distiller::from_teacher(&teacher, cfg)?,
        };
        if teacher.config().n_classes != dataset.n_classes() {
            return Err(crate::invalid!("the teacher's classes do not match data set '{}'", dataset.name));
        }
        Ok(Distillation {
            scratch: NetScratch::new(&teacher, training.batch),
            distiller,
            teacher,
            dataset,
            training,
        })
    }

    /// One step of [`Distiller::step`] with the teacher; its loss.
    pub fn step(&mut self) -> Result<f32> {
        let mut teacher = FieldSource::Network { model: &self.teacher, scratch: &mut self.scratch };
        self.distiller.step(&mut teacher)
    }
}

/// Random stream of distillation (teacher trajectories and batches).
const DISTILL_STREAM: u64 = stream::TRAIN + 200;

/// A student being distilled from a teacher. Owns every buffer: a step allocates nothing.
#[derive(Clone, Debug)]
pub struct Distiller {
    pub student: Mlp<f32>,
    pub config: DistillConfig,
    descent: Descent,
    rng: Rng,
    /// (batch, 2) each: trajectory state, teacher velocities, recorded states and targets.
    x: Array2<f32>,
    v_u: Array2<f32>,
    v_c: Array2<f32>,
    xt: Array2<f32>,
    target: Array2<f32>,
    labels: Vec<u32>,
    /// Per row: guidance scale (the student's extra input), recorded time, node to record.
    w: Vec<f32>,
    t: Vec<f32>,
    node: Vec<usize>,
    last_loss: f32,
}

impl Distiller {
    /// A fresh student (architecture `arch`, which must have n_extra = 1 and d_out = 2),
    /// initialised from the seed.
    pub fn new(arch: MlpConfig, config: DistillConfig) -> Result<Self> {
        config.validate()?;
        if arch.n_extra != 1 || arch.d_out != 2 {
            return Err(crate::invalid!(
                "a student needs n_extra = 1 and d_out = 2, got n_extra = {} and d_out = {}",
                arch.n_extra,
                arch.d_out
            ));
        }
        let student = Mlp::new(arch, &mut rng::seeded(config.seed, stream::INIT))?;
        let b = config.batch;
        let z = || Array2::zeros((b, 2));
        let adam = AdamConfig {
            lr: config.lr,
            clip_norm: config.clip_norm,
            schedule: config.schedule,
            total_steps: config.steps,
            ..AdamConfig::default()
        };
        Ok(Distiller {
            descent: Descent::new(&student, adam, b),
            rng: rng::seeded(config.seed, DISTILL_STREAM),
            x: z(),
            v_u: z(),
            v_c: z(),
            xt: z(),
            target: z(),
            labels: vec![0; b],
            w: vec![0.0; b],
            t: vec![0.0; b],
            node: vec![0; b],
            last_loss: f32::NAN,
            student,
            config,
        })
    }

    /// A student that starts as a copy of the network `teacher` (which must take no extra input):
    /// every tensor copied, the first layer's weights for the new w input zero, so that before
    /// training it computes the teacher's v(x, t, c) at every w.
    pub fn from_teacher(teacher: &Mlp<f32>, config: DistillConfig) -> Result<Self> {
        if teacher.config().n_extra != 0 {
            return Err(crate::invalid!(
                "a teacher takes no extra input, got n_extra = {}",
                teacher.config().n_extra
            ));
        }
        let mut ds = Self::new(student_config(teacher.config()), config)?;
        for spec in &teacher.layout().tensors {
            let dst =
                ds.student.layout().find(&spec.name).expect("the student has the teacher's tensors").clone();
            let src = spec.slice(&teacher.params);
            let out = dst.slice_mut(&mut ds.student.params);
            // the extra input's columns come last, so its weights are the last rows of hidden0
            out[..src.len()].copy_from_slice(src);
            out[src.len()..].iter_mut().for_each(|v| *v = 0.0);
        }
        Ok(ds)
    }

    /// Checks that `teacher` has the student's classes.
    pub fn check_teacher(&self, teacher: &FieldSource) -> Result<()> {
        let (t, s) = (classes_of(teacher), self.student.config().n_classes);
        if t != s {
            return Err(crate::invalid!("the teacher has {t} classes but the student {s}"));
        }
        Ok(())
    }

    /// Steps done so far.
    pub fn steps_done(&self) -> usize {
        self.descent.steps()
    }

    /// The loss of the last step (NaN before the first).
    pub fn last_loss(&self) -> f32 {
        self.last_loss
    }

    /// One step: simulate a batch of teacher trajectories, record one state per trajectory with
    /// the teacher's guided velocity there, and fit the student to it. Returns the loss, or an
    /// error (and no step) if the teacher's classes are not the student's
    /// ([`Distiller::check_teacher`]).
    pub fn step(&mut self, teacher: &mut FieldSource) -> Result<f32> {
        self.check_teacher(teacher)?;
        self.simulate(teacher);
        let target = self.target.view();
        let loss =
            self.descent.step(&mut self.student, self.xt.view(), &self.t, &self.labels, &self.w, |out, d| {
                mse_grad(out, target, d)
            });
        self.last_loss = loss;
        Ok(loss)
    }

    /// Runs `n` steps; returns the mean loss over them (an error as [`Distiller::step`]).
    pub fn train(&mut self, teacher: &mut FieldSource, n: usize) -> Result<f32> {
        let mut total = 0.0f64;
        for _ in 0..n {
            total += self.step(teacher)? as f64;
        }
        Ok((total / n.max(1) as f64) as f32)
    }

    /// Fills (xt, t, labels, w) → target from fresh teacher trajectories. The nodes are
    /// t_0 = 0 and t_j = (j − 1 + u)/S for j = 1..S (u ~ U[0, 1) shared by the batch), Euler
    /// steps go from node to node, and row i records node `node[i]` ~ U{0..S}.
    fn simulate(&mut self, teacher: &mut FieldSource) {
        let rng = &mut self.rng;
        let (k, st) = (self.student.config().n_classes, self.config.teacher_steps);
        let null = k as u32;
        noise_into(rng, self.x.view_mut());
        for i in 0..self.labels.len() {
            let uncond = k == 0 || rng::uniform(rng) < self.config.null_share;
            self.labels[i] = if uncond { null } else { rng::index(rng, k) as u32 };
            self.w[i] = (rng::uniform(rng) * self.config.w_max as f64) as f32;
            self.node[i] = rng::index(rng, st + 1);
        }
        let u = rng::uniform(rng) as f32;
        let last = self.node.iter().copied().max().unwrap_or(0);
        let node_t = |j: usize| if j == 0 { 0.0 } else { (j as f32 - 1.0 + u) / st as f32 };
        for j in 0..=last {
            let t = node_t(j);
            teacher.eval_both(self.x.view(), t, &self.labels, self.v_u.view_mut(), self.v_c.view_mut());
            let dt = node_t(j + 1) - t;
            for i in 0..self.labels.len() {
                // the null label's "v_c" is v_u, so its mix is v_u whatever w is
                let g = Guidance::Cfg(self.w[i]);
                for c in 0..2 {
                    let v = g.mix(self.v_u[[i, c]], self.v_c[[i, c]]);
                    if self.node[i] == j {
                        self.xt[[i, c]] = self.x[[i, c]];
                        self.target[[i, c]] = v;
                    }
                    self.x[[i, c]] += dt * v;
                }
                if self.node[i] == j {
                    self.t[i] = t;
                }
            }
        }
    }
}

/// For each w of `ws`: the mean distance between the student's and the teacher's CFG endpoints
/// from the same `n` noise points (class `label` of `dataset`, `steps` Euler steps each), both
/// sampled by [`method::generate`].
#[allow(clippy::too_many_arguments)]
pub fn endpoint_gap(
    dataset: &Dataset,
    teacher: Source,
    student: &Mlp<f32>,
    label: u32,
    ws: &[f32],
    n: usize,
    steps: usize,
    seed: u64,
) -> Result<Vec<f64>> {
    ws.iter()
        .map(|&w| {
            let cfg = SampleConfig { n, steps, solver: Solver::Euler, guidance: w, seed, sde_noise: 1.0 };
            let (a, _) = method::generate(dataset, teacher, &Method::CFG, Some(label), &cfg)?;
            let (b, _) = method::generate(
                dataset,
                Source::Network(student),
                &Method::Student(method::Student),
                Some(label),
                &cfg,
            )?;
            Ok(metrics::mean_distance(a.view(), b.view()))
        })
        .collect()
}

/// Number of classes of a teacher.
fn classes_of(teacher: &FieldSource) -> usize {
    match teacher {
        FieldSource::Network { model, .. } => model.config().n_classes,
        FieldSource::Exact { mixture, .. } => mixture.n_classes,
    }
}
