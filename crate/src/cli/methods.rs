//! The guidance methods on the command line: `sample --method`, `eval --method` and
//! `train --method reflow|distill`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use cfg_playground::caps::{MAX_GUIDANCE, MAX_POINTS, MAX_SAMPLER_STEPS};
use cfg_playground::datasets::Dataset;
use cfg_playground::descent::TrainConfig;
use cfg_playground::distill::{student_config, DistillConfig, Distiller};
use cfg_playground::error::{check_count, check_range, Error, Result};
use cfg_playground::field::{FieldSource, NetScratch};
use cfg_playground::invalid;
use cfg_playground::method::apg::{MAX_ETA, MAX_NORM_THRESHOLD};
use cfg_playground::method::autoguidance::{DEFAULT_WIDEN, MAX_WIDEN};
use cfg_playground::method::{Apg, Method, MethodParams, Models, DEFAULT_INTERVAL, DEFAULT_ZERO_STEPS};
use cfg_playground::mlp::Mlp;
use cfg_playground::model_file::{ModelFile, ModelKind};
use cfg_playground::rcfg::RectifiedCfg;
use cfg_playground::reflow::{reflow_train_config, reflow_trainer, PairConfig, ReflowConfig};
use cfg_playground::sampler::Solver;
use cfg_playground::temperature::Clock;

use super::{inner, read_model, run_steps};

/// How to sample: the method and its own parameters.
#[derive(Args)]
pub struct MethodArgs {
    /// cfg, rectified-cfg, noise-scale, velocity-scale, tilted, tempered, student, classifier
    /// (classifier guidance at λ = --guidance), guidance-interval, cfg-zero-star, apg or
    /// autoguidance.
    #[arg(long, default_value = "cfg")]
    pub method: Method,
    /// rectified-cfg: λ_max in α(t) = λ_max·(1 − t)^γ.
    #[arg(long, default_value_t = RectifiedCfg::default().lambda_max as f64, allow_negative_numbers = true)]
    pub lambda_max: f64,
    /// rectified-cfg: γ in α(t) = λ_max·(1 − t)^γ.
    #[arg(long, default_value_t = RectifiedCfg::default().gamma as f64, allow_negative_numbers = true)]
    pub gamma: f64,
    /// noise-scale: τ in x0 ~ N(0, τ²I).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub tau: f64,
    /// velocity-scale: T in v ← T·v; tempered: T in p(x|c)^(1/T).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub temperature: f64,
    /// classifier: a classifier file (made by train --method classifier); without it, the exact
    /// Bayes classifier of the data's mixture.
    #[arg(long)]
    pub classifier: Option<PathBuf>,
    /// guidance-interval: CFG acts for t in [--t-lo, --t-hi] (t = 0 noise, 1 data).
    #[arg(long, default_value_t = DEFAULT_INTERVAL.0 as f64, allow_negative_numbers = true)]
    pub t_lo: f64,
    /// guidance-interval: the end of the interval.
    #[arg(long, default_value_t = DEFAULT_INTERVAL.1 as f64, allow_negative_numbers = true)]
    pub t_hi: f64,
    /// cfg-zero-star: the first K steps output zero velocity.
    #[arg(long, default_value_t = DEFAULT_ZERO_STEPS as i64, allow_negative_numbers = true)]
    pub zero_steps: i64,
    /// apg: weight η of the guidance's part parallel to the data prediction.
    #[arg(long, default_value_t = Apg::default().eta as f64, allow_negative_numbers = true)]
    pub eta: f64,
    /// apg: cap r on the guidance's norm in data-prediction space (default: no cap).
    #[arg(long, allow_negative_numbers = true)]
    pub norm_threshold: Option<f64>,
    /// apg: momentum β in [0, 1) of the guidance's running average.
    #[arg(long, default_value_t = Apg::default().momentum as f64, allow_negative_numbers = true)]
    pub momentum: f64,
    /// autoguidance: the guide, a weaker model file of the same data set and classes (needed
    /// with --model; with --exact the guide is the data's mixture, see --guide-widen).
    #[arg(long)]
    pub guide: Option<PathBuf>,
    /// autoguidance with --exact: the guide mixture's covariances are the data's times this
    /// factor (≥ 1), an analytic stand-in for an underfit model.
    #[arg(long, default_value_t = DEFAULT_WIDEN, allow_negative_numbers = true)]
    pub guide_widen: f64,
}

impl MethodArgs {
    /// The method these arguments name, with its parameters checked.
    pub fn method(&self) -> Result<Method> {
        if self.t_lo > self.t_hi {
            return Err(invalid!("--t-lo must not exceed --t-hi, got {} > {}", self.t_lo, self.t_hi));
        }
        let params = MethodParams {
            lambda_max: check_range("--lambda-max", self.lambda_max, 0.0, MAX_GUIDANCE)? as f32,
            gamma: check_range("--gamma", self.gamma, 0.0, 10.0)? as f32,
            tau: self.tau as f32,
            temperature: self.temperature,
            clock: Clock::Sampler,
            t_lo: check_range("--t-lo", self.t_lo, 0.0, 1.0)? as f32,
            t_hi: check_range("--t-hi", self.t_hi, 0.0, 1.0)? as f32,
            zero_steps: check_count("--zero-steps", self.zero_steps, 0, MAX_SAMPLER_STEPS as i64)?,
            apg: Apg {
                eta: check_range("--eta", self.eta, 0.0, MAX_ETA)? as f32,
                norm_threshold: match self.norm_threshold {
                    Some(r) => Some(check_range("--norm-threshold", r, 0.0, MAX_NORM_THRESHOLD)? as f32),
                    None => None,
                },
                momentum: self.momentum as f32,
            },
            guide_widen: check_range("--guide-widen", self.guide_widen, 1.0, MAX_WIDEN)?,
        };
        let m = Method::from_name(self.method.name(), &params).map_err(|e| invalid!("--{}", inner(&e)))?;
        if self.classifier.is_some() && m != Method::Classifier {
            return Err(invalid!("--classifier goes with --method classifier"));
        }
        if self.guide.is_some() && !matches!(m, Method::Autoguidance { .. }) {
            return Err(invalid!("--guide goes with --method autoguidance"));
        }
        Ok(m)
    }

    /// The other models of the method: the classifier and the guide, if given.
    pub fn models(&self, dataset: &Dataset) -> Result<OtherModels> {
        Ok(OtherModels { classifier: self.classifier(dataset)?, guide: self.guide(dataset)? })
    }

    /// The guide file's network, if one was given: a velocity model of the same data.
    fn guide(&self, dataset: &Dataset) -> Result<Option<Mlp<f32>>> {
        let Some(path) = &self.guide else { return Ok(None) };
        let bytes =
            std::fs::read(path).map_err(|e| Error::Io(format!("cannot read {}: {e}", path.display())))?;
        let file = ModelFile::from_json(&bytes).map_err(|e| model_error(path, &e))?;
        if file.dataset != *dataset {
            return Err(invalid!(
                "the guide was trained on '{}', the model on '{}'",
                file.dataset.name,
                dataset.name
            ));
        }
        Ok(Some(file.model))
    }

    /// The classifier file's network, if one was given.
    fn classifier(&self, dataset: &Dataset) -> Result<Option<Mlp<f32>>> {
        let Some(path) = &self.classifier else { return Ok(None) };
        let bytes =
            std::fs::read(path).map_err(|e| Error::Io(format!("cannot read {}: {e}", path.display())))?;
        let file =
            ModelFile::from_json_as(&bytes, ModelKind::Classifier).map_err(|e| model_error(path, &e))?;
        // (drawn data sets are all called "custom": compare the points too)
        if file.dataset != *dataset {
            return Err(invalid!(
                "the classifier was trained on '{}', the model on '{}'",
                file.dataset.name,
                dataset.name
            ));
        }
        Ok(Some(file.model))
    }
}

/// A method's other models, read from their files.
pub struct OtherModels {
    pub classifier: Option<Mlp<f32>>,
    pub guide: Option<Mlp<f32>>,
}

impl OtherModels {
    /// Borrowed, for the core.
    pub fn get(&self) -> Models<'_> {
        Models { classifier: self.classifier.as_ref(), guide: self.guide.as_ref() }
    }
}

/// What `train --method` trains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TrainMethod {
    /// A flow-matching velocity model on the data.
    Flow,
    /// A time-conditioned classifier p(c | x_t, t) for classifier guidance.
    Classifier,
    /// Retraining on the teacher's own noise–sample pairs.
    Reflow,
    /// A student taking w as an input, fitted to the teacher's guided velocity.
    Distill,
}

impl TrainMethod {
    /// The name, as `--method` spells it.
    pub fn name(self) -> &'static str {
        match self {
            TrainMethod::Flow => "flow",
            TrainMethod::Classifier => "classifier",
            TrainMethod::Reflow => "reflow",
            TrainMethod::Distill => "distill",
        }
    }
}

/// What `train --method reflow|distill` needs besides the usual training settings.
#[derive(Args)]
pub struct TrainMethodArgs {
    /// flow (train on the data), classifier (a time-conditioned classifier p(c | x_t, t) for
    /// classifier guidance), reflow (retrain on the teacher's own noise–sample pairs) or distill
    /// (a student taking w as an input, fitted to the teacher's guided velocity).
    #[arg(long, value_enum, default_value_t = TrainMethod::Flow)]
    pub method: TrainMethod,
    /// reflow, distill: the teacher model file.
    #[arg(long)]
    pub teacher: Option<PathBuf>,
    /// reflow: rounds (1 gives the 2-rectified flow, 2 the 3-rectified one).
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    pub rounds: i64,
    /// reflow: pairs per class (and as many unconditional ones).
    #[arg(long, default_value_t = PairConfig::default().n_per_class as i64, allow_negative_numbers = true)]
    pub pairs: i64,
    /// reflow: guidance scale of the class pairs.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub pair_guidance: f64,
    /// distill: w ~ U[0, w_max] in training.
    #[arg(long, default_value_t = DistillConfig::default().w_max as f64, allow_negative_numbers = true)]
    pub w_max: f64,
}

/// Trains by `args.method` (reflow or distill; flow is handled by the caller) and returns the
/// model file to write.
pub fn train(args: &TrainMethodArgs, config: &TrainConfig) -> Result<ModelFile> {
    let path = args
        .teacher
        .as_ref()
        .ok_or_else(|| invalid!("--method {} needs --teacher FILE", args.method.name()))?;
    let teacher = read_model(path)?;
    let dataset: Dataset = teacher.dataset.clone();
    if teacher.model.config().n_extra != 0 || teacher.model.config().d_out != 2 {
        return Err(invalid!(
            "--teacher must be a velocity model made by train (not a student or classifier)"
        ));
    }
    match args.method {
        TrainMethod::Reflow => {
            let rounds = check_count("--rounds", args.rounds, 1, 5)?;
            let n = check_count("--pairs", args.pairs, 1, (MAX_POINTS / 8) as i64)?;
            let pairs = PairConfig {
                n_per_class: n,
                n_null: n,
                steps: 50,
                solver: Solver::Heun,
                guidance: check_range("--pair-guidance", args.pair_guidance, -MAX_GUIDANCE, MAX_GUIDANCE)?
                    as f32,
                seed: config.seed,
            };
            let mut model = teacher.model.clone();
            let mut loss = f32::NAN;
            for r in 0..rounds {
                let mut c = ReflowConfig { pairs: pairs.clone(), train: config.clone() };
                c.pairs.seed = pairs.seed.wrapping_add(r as u64);
                c.train.seed = config.seed.wrapping_add(r as u64);
                eprintln!(
                    "reflow round {} of {rounds}: {} pairs from the current model",
                    r + 1,
                    n * (dataset.n_classes() + 1)
                );
                let mut tr = reflow_trainer(&dataset, &model, &c)?;
                loss = run_steps(config.steps, || Ok(tr.step()))?;
                model = tr.model;
            }
            Ok(ModelFile {
                final_loss: Some(loss),
                steps_done: config.steps * rounds,
                training: reflow_train_config(&ReflowConfig { pairs, train: config.clone() }),
                dataset,
                model,
            })
        }
        TrainMethod::Distill => {
            let dc = DistillConfig {
                steps: config.steps,
                batch: config.batch,
                lr: config.lr,
                schedule: config.schedule,
                clip_norm: config.clip_norm,
                w_max: check_range("--w-max", args.w_max, 0.0, MAX_GUIDANCE)? as f32,
                seed: config.seed,
                ..DistillConfig::default()
            };
            check_count("teacher steps", dc.teacher_steps as i64, 1, MAX_SAMPLER_STEPS as i64)?;
            let mut d = Distiller::new(student_config(teacher.model.config()), dc)?;
            let mut scratch = NetScratch::new(&teacher.model, config.batch);
            let mut source = FieldSource::Network { model: &teacher.model, scratch: &mut scratch };
            let loss = run_steps(config.steps, || d.step(&mut source))?;
            Ok(ModelFile {
                final_loss: Some(loss),
                steps_done: d.steps_done(),
                dataset,
                model: d.student,
                training: config.clone(),
            })
        }
        TrainMethod::Flow | TrainMethod::Classifier => {
            Err(invalid!("--method {} trains without a teacher", args.method.name()))
        }
    }
}

/// Maps a model-loading error onto the file's name.
pub fn model_error(path: &std::path::Path, e: &Error) -> Error {
    Error::Model(format!("{}: {}", path.display(), inner(e)))
}
