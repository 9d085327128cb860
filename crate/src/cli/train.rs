//! `train`: one dispatch from `--method` to a trainer (`cfg_playground::train::Train`), then the
//! same loop, progress bar and model file for every one.

use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use cfg_playground::activation::Activation;
use cfg_playground::adam::Schedule;
use cfg_playground::caps::{
    MAX_DEPTH, MAX_GUIDANCE, MAX_REFLOW_PAIRS, MAX_REFLOW_ROUNDS, MAX_TRAIN_BATCH, MAX_TRAIN_STEPS, MAX_WIDTH,
};
use cfg_playground::classifier::{classifier_arch, ClassifierTrainer};
use cfg_playground::datasets::Dataset;
use cfg_playground::descent::{check_teacher, TrainConfig};
use cfg_playground::distill::{DistillConfig, Distillation, StudentStart};
use cfg_playground::error::{check_count, check_range, Error, Result};
use cfg_playground::flow::Trainer;
use cfg_playground::invalid;
use cfg_playground::mlp::{MlpConfig, DEFAULT_DEPTH, DEFAULT_WIDTH};
use cfg_playground::model_file::{Dtype, ModelFile};
use cfg_playground::reflow::{PairConfig, Reflow, ReflowConfig};
use cfg_playground::sampler::Solver;
use cfg_playground::train::Train;

use super::{data, inner, read_model, write_out};

#[derive(Args)]
pub struct TrainArgs {
    /// The data set (for --method flow and classifier; reflow and distill take the teacher's).
    #[arg(long)]
    dataset: Option<String>,
    /// Your own points instead of --dataset: a CSV file with header x,y,label (as `data` writes).
    #[arg(long, conflicts_with = "dataset")]
    data: Option<PathBuf>,
    /// flow (train on the data), classifier (a time-conditioned classifier p(c | x_t, t) for
    /// classifier guidance), reflow (retrain on the teacher's own noise–sample pairs) or distill
    /// (a student taking w as an input, fitted to the teacher's guided velocity).
    #[arg(long, value_enum, default_value_t = TrainMethod::Flow)]
    method: TrainMethod,
    /// reflow, distill: the teacher model file.
    #[arg(long)]
    teacher: Option<PathBuf>,
    /// reflow: rounds (1 gives the 2-rectified flow, 2 the 3-rectified one).
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    rounds: i64,
    /// reflow: pairs per class (and as many unconditional ones).
    #[arg(long, default_value_t = PairConfig::default().n_per_class as i64, allow_negative_numbers = true)]
    pairs: i64,
    /// reflow: guidance scale of the class pairs.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pair_guidance: f64,
    /// distill: w ~ U[0, w_max] in training.
    #[arg(long, default_value_t = DistillConfig::default().w_max as f64, allow_negative_numbers = true)]
    w_max: f64,
    #[arg(long, default_value_t = TrainConfig::default().steps as i64, allow_negative_numbers = true)]
    steps: i64,
    #[arg(long, default_value_t = TrainConfig::default().batch as i64, allow_negative_numbers = true)]
    batch: i64,
    #[arg(long, default_value_t = TrainConfig::default().lr, allow_negative_numbers = true)]
    lr: f64,
    /// Learning-rate schedule.
    #[arg(long, value_enum, default_value_t = Schedule::Cosine)]
    lr_schedule: Schedule,
    /// The old spelling of --lr-schedule: an error that names it (--schedule is the guidance
    /// schedule of sample and eval).
    #[arg(long, hide = true)]
    schedule: Option<String>,
    /// Probability of dropping a label to null.
    #[arg(long, default_value_t = TrainConfig::default().dropout, allow_negative_numbers = true)]
    dropout: f64,
    #[arg(long, default_value_t = DEFAULT_WIDTH as i64, allow_negative_numbers = true)]
    width: i64,
    #[arg(long, default_value_t = DEFAULT_DEPTH as i64, allow_negative_numbers = true)]
    depth: i64,
    #[arg(long, value_enum, default_value_t = Activation::Silu)]
    activation: Activation,
    /// Residual hidden layers.
    #[arg(long)]
    residual: bool,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Storage of the weights: f32 (exact) or f16 (half the size).
    #[arg(long, value_enum, default_value_t = Dtype::F32)]
    dtype: Dtype,
    #[arg(long)]
    out: PathBuf,
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
    fn name(self) -> &'static str {
        match self {
            TrainMethod::Flow => "flow",
            TrainMethod::Classifier => "classifier",
            TrainMethod::Reflow => "reflow",
            TrainMethod::Distill => "distill",
        }
    }
}

/// Trains what `--method` names and writes its model file.
pub fn train(a: &TrainArgs) -> Result<()> {
    if a.schedule.is_some() {
        return Err(invalid!(
            "train takes --lr-schedule (the learning rate's); --schedule is the guidance schedule of sample and eval"
        ));
    }
    let config = TrainConfig {
        steps: check_count("--steps", a.steps, 1, MAX_TRAIN_STEPS as i64)?,
        batch: check_count("--batch", a.batch, 1, MAX_TRAIN_BATCH as i64)?,
        lr: a.lr,
        schedule: a.lr_schedule,
        dropout: a.dropout,
        seed: a.seed,
        ..TrainConfig::default()
    };
    config.validate().map_err(|e| invalid!("--{}", inner(&e)))?;
    // fail on an unwritable output before spending a minute training
    if let Some(dir) = a.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.is_dir() {
            return Err(Error::Io(format!(
                "cannot write {}: no directory {}",
                a.out.display(),
                dir.display()
            )));
        }
    }
    let start = Instant::now();
    let mut trainer = trainer(a, config)?;
    run_steps(trainer.as_mut())?;
    write_out(Some(&a.out), &trainer.to_json(a.dtype))?;
    if let Some(accuracy) = trainer.last_accuracy() {
        eprintln!("accuracy on the last batch: {accuracy:.3}");
    }
    eprintln!(
        "trained {} steps in {:.1} s; final loss {:.4}; wrote {}",
        trainer.steps_done(),
        start.elapsed().as_secs_f64(),
        trainer.last_loss(),
        a.out.display()
    );
    Ok(())
}

/// The trainer `--method` names: the one place the command line switches on it.
fn trainer(a: &TrainArgs, config: TrainConfig) -> Result<Box<dyn Train>> {
    let width = || check_count("--width", a.width, 1, MAX_WIDTH as i64);
    let depth = || check_count("--depth", a.depth, 1, MAX_DEPTH as i64);
    Ok(match a.method {
        TrainMethod::Flow => {
            let dataset = train_dataset(a)?;
            let mut arch = MlpConfig::velocity(dataset.n_classes(), width()?, depth()?);
            arch.activation = a.activation;
            arch.residual = a.residual;
            Box::new(Trainer::new(dataset, arch, config)?)
        }
        TrainMethod::Classifier => {
            let dataset = train_dataset(a)?;
            let arch = classifier_arch(dataset.n_classes(), width()?, depth()?);
            Box::new(ClassifierTrainer::new(dataset, arch, config)?)
        }
        TrainMethod::Reflow => {
            let teacher = teacher(a)?;
            let rounds = check_count("--rounds", a.rounds, 1, MAX_REFLOW_ROUNDS as i64)?;
            let n = check_count("--pairs", a.pairs, 1, MAX_REFLOW_PAIRS as i64)?;
            let guidance = check_range("--pair-guidance", a.pair_guidance, -MAX_GUIDANCE, MAX_GUIDANCE)?;
            let pairs = PairConfig {
                n_per_class: n,
                n_null: n,
                steps: 50,
                solver: Solver::Heun,
                guidance: guidance as f32,
                seed: config.seed,
            };
            let k = teacher.dataset.n_classes();
            eprintln!("reflow: {rounds} round(s), each on {} pairs from the model as it is", n * (k + 1));
            let cfg = ReflowConfig { pairs, train: config };
            Box::new(Reflow::new(&teacher.dataset, &teacher.model, &cfg, rounds)?)
        }
        TrainMethod::Distill => {
            let teacher = teacher(a)?;
            let w_max = check_range("--w-max", a.w_max, 0.0, MAX_GUIDANCE)? as f32;
            Box::new(Distillation::new(teacher.dataset, teacher.model, config, w_max, StudentStart::Fresh)?)
        }
    })
}

/// The data set to train on (flow, classifier): --data or --dataset.
fn train_dataset(a: &TrainArgs) -> Result<Dataset> {
    if a.teacher.is_some() {
        return Err(invalid!("--teacher goes with --method reflow or distill"));
    }
    match (&a.data, &a.dataset) {
        (Some(path), _) => data::read_points(path),
        (None, Some(name)) => Dataset::by_name(name),
        (None, None) => {
            Err(invalid!("train --method {} needs --dataset D or --data points.csv", a.method.name()))
        }
    }
}

/// The teacher model file (reflow, distill), which also names the data set.
fn teacher(a: &TrainArgs) -> Result<ModelFile> {
    if a.dataset.is_some() || a.data.is_some() {
        return Err(invalid!(
            "--method {} takes the teacher's data set: drop --dataset/--data",
            a.method.name()
        ));
    }
    let path =
        a.teacher.as_ref().ok_or_else(|| invalid!("--method {} needs --teacher FILE", a.method.name()))?;
    let file = read_model(path)?;
    check_teacher(&file.model).map_err(|e| invalid!("--{}", inner(&e)))?;
    Ok(file)
}

/// Runs the trainer to its planned length with a progress bar on stderr; stops with an error when
/// a step fails or diverges.
fn run_steps(trainer: &mut dyn Train) -> Result<()> {
    let steps = trainer.total_steps() - trainer.steps_done();
    let bar = ProgressBar::new(steps as u64);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:32}] {pos}/{len} steps, {per_sec}, loss {msg}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let mut recent = 0.0f64;
    let every = 50.min(steps);
    for k in 0..steps {
        recent += trainer.run(1).inspect_err(|_| bar.abandon())? as f64;
        if (k + 1) % every == 0 {
            bar.set_message(format!("{:.4}", recent / every as f64));
            bar.set_position(k as u64 + 1);
            recent = 0.0;
        }
    }
    bar.finish();
    Ok(())
}
