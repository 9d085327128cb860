//! The native command line: the same core code as the browser build.
//! Every failure prints one line, `error: ...`, and exits with code 2.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

mod data;
mod methods;

use methods::TrainMethod;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use cfg_playground::activation::Activation;
use cfg_playground::adam::Schedule;
use cfg_playground::bench::{run_w1, BenchPlan};
use cfg_playground::caps::{MAX_GUIDANCE, MAX_POINTS, MAX_SAMPLER_STEPS};
use cfg_playground::classifier::{classifier_arch, ClassifierTrainer};
use cfg_playground::datasets::Dataset;
use cfg_playground::descent::{TrainConfig, MAX_BATCH, MAX_STEPS};
use cfg_playground::error::{check_count, check_range, Error, Result};
use cfg_playground::evaluate;
use cfg_playground::field::Source;
use cfg_playground::flow::Trainer;
use cfg_playground::invalid;
use cfg_playground::method;
use cfg_playground::mlp::{MlpConfig, DEFAULT_DEPTH, DEFAULT_WIDTH};
use cfg_playground::model_file::{Dtype, ModelFile, ModelKind};
use cfg_playground::rng;
use cfg_playground::sample::SampleConfig;
use cfg_playground::sampler::Solver;

#[derive(Parser)]
#[command(
    name = "cfg-playground",
    version,
    about = "Classifier-free guidance on 2D toy data: train, sample, evaluate"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the data sets and their classes.
    Datasets {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write labelled points of a data set as CSV (header x,y,label; label is the class name).
    Data {
        #[arg(long)]
        dataset: String,
        #[arg(long, default_value = "1000", allow_negative_numbers = true)]
        n: i64,
        #[arg(long, default_value = "0")]
        seed: u64,
        /// Output file (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Train a flow-matching model with label dropout and write the model file.
    Train(TrainArgs),
    /// Sample points of one class (or unconditionally with --class null) as CSV (header x,y).
    Sample {
        #[command(flatten)]
        source: SourceArgs,
        /// Class name, or null for unconditional samples.
        #[arg(long)]
        class: String,
        #[command(flatten)]
        run: RunArgs,
        #[command(flatten)]
        method: methods::MethodArgs,
        /// Output file (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Run benchmark workload W1 (shared/BENCH.md) and print its numbers.
    Bench {
        /// Print the report as JSON (the fields BENCH.md lists).
        #[arg(long)]
        json: bool,
        /// Timed windows per measurement (the median is reported).
        #[arg(long, default_value_t = 9, allow_negative_numbers = true)]
        windows: i64,
    },
    /// Sample every class at one guidance scale and print metrics per class as JSON.
    Eval {
        #[command(flatten)]
        source: SourceArgs,
        #[command(flatten)]
        run: RunArgs,
        #[command(flatten)]
        method: methods::MethodArgs,
        /// Output file (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Args)]
struct TrainArgs {
    /// The data set (for --method flow and classifier; reflow and distill take the teacher's).
    #[arg(long)]
    dataset: Option<String>,
    /// Your own points instead of --dataset: a CSV file with header x,y,label (as `data` writes).
    #[arg(long, conflicts_with = "dataset")]
    data: Option<PathBuf>,
    #[command(flatten)]
    how: methods::TrainMethodArgs,
    #[arg(long, default_value_t = TrainConfig::default().steps as i64, allow_negative_numbers = true)]
    steps: i64,
    #[arg(long, default_value_t = TrainConfig::default().batch as i64, allow_negative_numbers = true)]
    batch: i64,
    #[arg(long, default_value_t = TrainConfig::default().lr, allow_negative_numbers = true)]
    lr: f64,
    /// Learning-rate schedule.
    #[arg(long, value_enum, default_value_t = Schedule::Cosine)]
    schedule: Schedule,
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

#[derive(Args)]
struct SourceArgs {
    /// A model file written by `train`.
    #[arg(long, required_unless_present = "exact")]
    model: Option<PathBuf>,
    /// Use the exact velocity of the data's Gaussian mixture instead of a network (the data set
    /// of --dataset, --data, or the --model file).
    #[arg(long)]
    exact: bool,
    /// The data set (with --exact).
    #[arg(long, conflicts_with = "data")]
    dataset: Option<String>,
    /// A points file (CSV, header x,y,label) as the data set (with --exact).
    #[arg(long, requires = "exact")]
    data: Option<PathBuf>,
}

#[derive(Args)]
struct RunArgs {
    /// Guidance scale w: v = v_u + w·(v_c − v_u).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    guidance: f64,
    #[arg(long, default_value_t = 100, allow_negative_numbers = true)]
    steps: i64,
    #[arg(long, value_enum, default_value_t = Solver::Euler)]
    solver: Solver,
    #[arg(long, default_value_t = 10_000, allow_negative_numbers = true)]
    n: i64,
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

impl RunArgs {
    fn config(&self) -> Result<SampleConfig> {
        check_range("--guidance", self.guidance, -MAX_GUIDANCE, MAX_GUIDANCE)?;
        Ok(SampleConfig {
            n: check_count("--n", self.n, 1, MAX_POINTS as i64)?,
            steps: check_count("--steps", self.steps, 1, MAX_SAMPLER_STEPS as i64)?,
            solver: self.solver,
            guidance: self.guidance as f32,
            seed: self.seed,
        })
    }
}

/// The data set and the model (None with --exact).
fn load_source(args: &SourceArgs) -> Result<(Dataset, Option<ModelFile>)> {
    if args.exact {
        if let Some(path) = &args.data {
            return Ok((data::read_points(path)?, None));
        }
        if args.model.is_none() {
            let name = args.dataset.as_deref().ok_or_else(|| {
                invalid!("--exact needs the data: --dataset D, --data points.csv or --model file.json")
            })?;
            return Ok((Dataset::by_name(name)?, None));
        }
    }
    let path = args.model.as_ref().expect("clap requires --model without --exact");
    let file = read_model(path)?;
    if let Some(d) = &args.dataset {
        if *d != file.dataset.name {
            return Err(invalid!(
                "--dataset {d} does not match the model's data set '{}'",
                file.dataset.name
            ));
        }
    }
    // with --exact the model file only names the data set (a drawn one is stored in it)
    Ok((file.dataset.clone(), Some(file).filter(|_| !args.exact)))
}

/// The data set to train on: --data or --dataset.
fn train_dataset(a: &TrainArgs) -> Result<Dataset> {
    match (&a.data, &a.dataset) {
        (Some(path), _) => data::read_points(path),
        (None, Some(name)) => Dataset::by_name(name),
        (None, None) => {
            Err(invalid!("train --method {} needs --dataset D or --data points.csv", a.how.method.name()))
        }
    }
}

/// Reads and checks a model file, naming the file in any error.
fn read_model(path: &Path) -> Result<ModelFile> {
    let bytes = std::fs::read(path).map_err(|e| Error::Io(format!("cannot read {}: {e}", path.display())))?;
    ModelFile::from_json(&bytes).map_err(|e| methods::model_error(path, &e))
}

fn inner(e: &Error) -> String {
    match e {
        Error::Invalid(m) | Error::Model(m) | Error::Io(m) => m.clone(),
    }
}

/// Writes `text` to `out`, or to standard output.
fn write_out(out: Option<&Path>, text: &str) -> Result<()> {
    match out {
        Some(p) => {
            std::fs::write(p, text).map_err(|e| Error::Io(format!("cannot write {}: {e}", p.display())))
        }
        None => std::io::stdout()
            .write_all(text.as_bytes())
            .map_err(|e| Error::Io(format!("cannot write to standard output: {e}"))),
    }
}

fn train(a: &TrainArgs) -> Result<()> {
    let config = TrainConfig {
        steps: check_count("--steps", a.steps, 1, MAX_STEPS as i64)?,
        batch: check_count("--batch", a.batch, 1, MAX_BATCH as i64)?,
        lr: a.lr,
        schedule: a.schedule,
        dropout: a.dropout,
        seed: a.seed,
        ..TrainConfig::default()
    };
    config.validate().map_err(|e| invalid!("--{}", inner(&e)))?;
    let dtype = a.dtype;
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
    let file = if a.how.method == TrainMethod::Flow {
        let dataset = train_dataset(a)?;
        let mut arch = MlpConfig::velocity(
            dataset.n_classes(),
            check_count("--width", a.width, 1, 512)?,
            check_count("--depth", a.depth, 1, 8)?,
        );
        arch.activation = a.activation;
        arch.residual = a.residual;
        let mut trainer = Trainer::new(dataset, arch, config.clone())?;
        let loss = run_steps(config.steps, || Ok(trainer.step()))?;
        ModelFile {
            final_loss: Some(loss),
            steps_done: trainer.steps_done(),
            dataset: trainer.dataset,
            model: trainer.model,
            training: config,
        }
    } else if a.how.method == TrainMethod::Classifier {
        let dataset = train_dataset(a)?;
        let arch = classifier_arch(
            dataset.n_classes(),
            check_count("--width", a.width, 1, 512)?,
            check_count("--depth", a.depth, 1, 8)?,
        );
        let mut trainer = ClassifierTrainer::new(dataset, arch, config.clone())?;
        let loss = run_steps(config.steps, || Ok(trainer.step().loss as f32))?;
        eprintln!("classifier accuracy on the last batch: {:.3}", trainer.last().accuracy);
        let file = ModelFile {
            final_loss: Some(loss),
            steps_done: trainer.steps_done(),
            dataset: trainer.dataset,
            model: trainer.model,
            training: config,
        };
        write_out(Some(&a.out), &file.to_json_kind(dtype, ModelKind::Classifier))?;
        eprintln!(
            "trained a classifier in {:.1} s; wrote {}",
            start.elapsed().as_secs_f64(),
            a.out.display()
        );
        return Ok(());
    } else {
        if a.dataset.is_some() || a.data.is_some() {
            return Err(invalid!(
                "--method {} takes the teacher's data set: drop --dataset/--data",
                a.how.method.name()
            ));
        }
        methods::train(&a.how, &config)?
    };
    write_out(Some(&a.out), &file.to_json(dtype))?;
    eprintln!(
        "trained {} steps in {:.1} s; final loss {:.4}; wrote {}",
        file.steps_done,
        start.elapsed().as_secs_f64(),
        file.final_loss.unwrap_or(f32::NAN),
        a.out.display()
    );
    Ok(())
}

/// Runs `steps` training steps with a progress bar on stderr; stops with an error when a step
/// fails or the loss stops being finite. Returns the last loss.
fn run_steps(steps: usize, mut step: impl FnMut() -> Result<f32>) -> Result<f32> {
    let bar = ProgressBar::new(steps as u64);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:32}] {pos}/{len} steps, {per_sec}, loss {msg}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let mut recent = 0.0f64;
    let mut last = f32::NAN;
    let every = 50.min(steps);
    for k in 0..steps {
        last = step().inspect_err(|_| bar.abandon())?;
        if !last.is_finite() {
            bar.abandon();
            return Err(invalid!("training diverged at step {k} (loss {last}); try a smaller --lr"));
        }
        recent += last as f64;
        if (k + 1) % every == 0 {
            bar.set_message(format!("{:.4}", recent / every as f64));
            bar.set_position(k as u64 + 1);
            recent = 0.0;
        }
    }
    bar.finish();
    Ok(last)
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Datasets { json } => {
            let all = Dataset::all();
            let text = if json {
                let list: Vec<_> = all
                    .iter()
                    .map(|d| {
                        serde_json::json!({
                            "name": d.name, "description": d.description, "classes": d.class_names()
                        })
                    })
                    .collect();
                serde_json::to_string_pretty(&list).expect("json") + "\n"
            } else {
                all.iter()
                    .map(|d| {
                        format!(
                            "{:<16} {}\n{:<16} classes: {}\n",
                            d.name,
                            d.description,
                            "",
                            d.class_names().join(", ")
                        )
                    })
                    .collect()
            };
            write_out(None, &text)
        }
        Command::Data { dataset, n, seed, out } => {
            let d = Dataset::by_name(&dataset)?;
            let n = check_count("--n", n, 1, MAX_POINTS as i64)?;
            let (x, labels) = d.sample(n, &mut rng::seeded(seed, rng::stream::DATA));
            let names = d.class_names();
            let mut text = String::from("x,y,label\n");
            for (row, &l) in x.rows().into_iter().zip(&labels) {
                text.push_str(&format!("{},{},{}\n", row[0], row[1], names[l as usize]));
            }
            write_out(out.as_deref(), &text)
        }
        Command::Train(a) => train(&a),
        Command::Bench { json, windows } => {
            let plan =
                BenchPlan { windows: check_count("--windows", windows, 1, 1000)?, ..BenchPlan::default() };
            let start = Instant::now();
            let report = run_w1(&plan, &mut || start.elapsed().as_secs_f64() * 1000.0);
            if json {
                write_out(None, &(serde_json::to_string_pretty(&report).expect("json") + "\n"))
            } else {
                let mut text = format!("W1, {} build, median of {} windows\n", report.build, report.windows);
                for r in [&report.relu, &report.silu] {
                    text.push_str(&format!(
                        "{:>5}: {:8.1} train steps/s ({:.2} GFLOP/s), {:7.2} forward passes of 10k/s ({:.2} GFLOP/s), loss {:.3} -> {:.3}\n",
                        r.activation, r.train_steps_per_s, r.gflops_train, r.forward_10k_per_s, r.gflops_forward, r.loss_first, r.loss_end
                    ));
                }
                write_out(None, &text)
            }
        }
        Command::Sample { source, class, run, method: how, out } => {
            let config = run.config()?;
            let m = how.method()?;
            let (dataset, file) = load_source(&source)?;
            let label = dataset.class_label(&class)?;
            let src = file.as_ref().map_or(Source::Exact, |f| Source::Network(&f.model));
            let models = how.models(&dataset)?;
            let (x, _) = method::generate_with(&dataset, src, models.get(), &m, label, &config)?;
            let mut text = String::from("x,y\n");
            for row in x.rows() {
                text.push_str(&format!("{},{}\n", row[0], row[1]));
            }
            write_out(out.as_deref(), &text)
        }
        Command::Eval { source, run, method: how, out } => {
            let config = run.config()?;
            let m = how.method()?;
            let (dataset, file) = load_source(&source)?;
            let src = file.as_ref().map_or(Source::Exact, |f| Source::Network(&f.model));
            let models = how.models(&dataset)?;
            let report = evaluate::evaluate_with(&dataset, src, models.get(), &m, &config)?;
            write_out(out.as_deref(), &(serde_json::to_string_pretty(&report).expect("json") + "\n"))
        }
    }
}

/// Runs the command line; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind::*;
            if matches!(e.kind(), DisplayHelp | DisplayVersion | DisplayHelpOnMissingArgumentOrSubcommand) {
                let _ = e.print();
                return if e.kind() == DisplayHelpOnMissingArgumentOrSubcommand { 2 } else { 0 };
            }
            // clap's message without its usage block: one line
            // clap's message without its usage block, joined into one line
            let text = e.to_string();
            let message: Vec<&str> = text
                .lines()
                .map(str::trim)
                .take_while(|l| !l.is_empty() && !l.starts_with("Usage:"))
                .collect();
            let line = message.join(" ");
            let line = line.trim_start_matches("error: ");
            eprintln!("error: {line} (see --help)");
            return 2;
        }
    };
    match run(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}
