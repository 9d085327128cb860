//! The native command line: the same core code as the browser build.
//! Every failure prints one line, `error: ...`, and exits with code 2.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

mod data;
mod methods;
mod train;

use clap::{Args, Parser, Subcommand};

use cfg_playground::bench::{run_w1, BenchPlan};
use cfg_playground::caps::{MAX_BENCH_WINDOWS, MAX_GUIDANCE, MAX_POINTS, MAX_SAMPLER_STEPS};
use cfg_playground::datasets::Dataset;
use cfg_playground::error::{check_count, check_range, Error, Result};
use cfg_playground::evaluate;
use cfg_playground::field::Source;
use cfg_playground::invalid;
use cfg_playground::method;
use cfg_playground::model_file::ModelFile;
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
    Train(train::TrainArgs),
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
            sde_noise: cfg_playground::sde::DEFAULT_SDE_NOISE,
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
        Command::Train(a) => train::train(&a),
        Command::Bench { json, windows } => {
            let plan = BenchPlan {
                windows: check_count("--windows", windows, 1, MAX_BENCH_WINDOWS as i64)?,
                ..BenchPlan::default()
            };
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
            let config = SampleConfig { sde_noise: how.sde_noise()?, ..run.config()? };
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
            let config = SampleConfig { sde_noise: how.sde_noise()?, ..run.config()? };
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
