//! The guidance methods on the command line: `sample --method` and `eval --method`.

use std::path::PathBuf;

use clap::{value_parser, Arg, ArgMatches, Args};

use cfg_playground::datasets::Dataset;
use cfg_playground::error::{check_range, Error, Result};
use cfg_playground::invalid;
use cfg_playground::method::spec::{all_params, needing, Given, Kind, Param, Spelling};
use cfg_playground::method::{Method, Models, Needs, METHODS};
use cfg_playground::mlp::Mlp;
use cfg_playground::model_file::{ModelFile, ModelKind};

use super::inner;

/// How to sample: the method and its own parameters.
#[derive(Args)]
pub struct MethodArgs {
    #[arg(long, default_value = "cfg", help = method_help())]
    pub method: Method,
    /// The method's own parameters: one flag per parameter of the method table.
    #[command(flatten)]
    pub params: ParamArgs,
    /// classifier: a classifier file (made by train --method classifier); without it, the exact
    /// Bayes classifier of the data's mixture.
    #[arg(long)]
    pub classifier: Option<PathBuf>,
    /// autoguidance: the guide, a weaker model file of the same data set and classes (needed
    /// with --model; with --exact the guide is the data's mixture, see --guide-widen).
    #[arg(long)]
    pub guide: Option<PathBuf>,
}

/// `--method`'s help: the names of the method table.
fn method_help() -> String {
    format!(
        "The sampling method: {} (docs/methods.md; classifier is classifier guidance at λ = --guidance)",
        Method::NAMES.join(", ")
    )
}

/// The flags of every method parameter with a CLI flag in the method table ([`METHODS`]), each
/// once (a flag several methods share, as --temperature, lists each method's range), as given.
#[derive(Clone, Debug, Default)]
pub struct ParamArgs {
    given: Vec<(&'static str, Given)>,
}

/// The table's parameters with a CLI flag, each flag once.
fn cli_params() -> impl Iterator<Item = &'static Param> {
    all_params().into_iter().filter(|p| p.flag.is_some())
}

/// The help of one flag: each method that takes it, with what it is, its range and default.
fn param_help(flag: &str) -> String {
    let uses: Vec<String> = METHODS
        .iter()
        .flat_map(|m| m.params.iter().filter(|p| p.flag == Some(flag)).map(move |p| (m, p)))
        .map(|(m, p)| format!("{}: {}, in {} (default {})", m.name, p.doc, p.range_text(), p.default_text()))
        .collect();
    uses.join("; ")
}

impl clap::FromArgMatches for ParamArgs {
    fn from_arg_matches(matches: &ArgMatches) -> std::result::Result<Self, clap::Error> {
        let mut args = ParamArgs::default();
        args.update_from_arg_matches(matches)?;
        Ok(args)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> std::result::Result<(), clap::Error> {
        for p in cli_params() {
            let v = match p.kind {
                Kind::Choice { .. } => matches.get_one::<String>(p.name).map(|t| Given::Text(t.clone())),
                _ => matches.get_one::<f64>(p.name).map(|v| Given::Number(*v)),
            };
            if let Some(v) = v {
                let flag = p.flag.expect("filtered");
                self.given.retain(|(f, _)| *f != flag);
                self.given.push((flag, v));
            }
        }
        Ok(())
    }
}

impl Args for ParamArgs {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cli_params().fold(cmd, |cmd, p| {
            let flag = p.flag.expect("filtered");
            let arg = Arg::new(p.name).long(flag.trim_start_matches("--")).help(param_help(flag));
            // (a choice is checked against the method's row, with the page's one-line error)
            cmd.arg(match p.kind {
                Kind::Choice { .. } => arg.value_parser(value_parser!(String)),
                _ => arg.value_parser(value_parser!(f64)).allow_negative_numbers(true),
            })
        })
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

impl MethodArgs {
    /// The method these arguments name, with its parameters checked against its row of the
    /// method table (the same one-line errors as the page's, with the flags' names).
    pub fn method(&self) -> Result<Method> {
        let spec = self.method.spec();
        // a flag of another method's is a mistake, not a no-op (but --sde-noise is also the η of
        // --solver sde for every method)
        for (flag, _) in &self.params.given {
            if spec.param(flag, Spelling::Cli).is_none() && *flag != "--sde-noise" {
                let takers: Vec<&str> = METHODS
                    .iter()
                    .filter(|m| m.param(flag, Spelling::Cli).is_some())
                    .map(|m| m.name)
                    .collect();
                return Err(invalid!(
                    "{flag} does not go with --method {} (it goes with --method {})",
                    spec.name,
                    takers.join(" or ")
                ));
            }
        }
        let given = self.params.given.iter().map(|(flag, v)| (*flag, v.clone()));
        let m = Method::from_name(spec.name, &spec.parse(given, Spelling::Cli)?)?;
        if self.classifier.is_some() && m.needs() != Needs::Classifier {
            return Err(invalid!("--classifier goes with --method {}", needing(Needs::Classifier)));
        }
        if self.guide.is_some() && m.needs() != Needs::Guide {
            return Err(invalid!("--guide goes with --method {}", needing(Needs::Guide)));
        }
        Ok(m)
    }

    /// The noise level η of `--solver sde` (and of `fkc`): `--sde-noise`, checked (default
    /// [`cfg_playground::sde::DEFAULT_SDE_NOISE`]).
    pub fn sde_noise(&self) -> Result<f32> {
        match self.params.given.iter().find(|(flag, _)| *flag == "--sde-noise") {
            Some((_, Given::Number(v))) => {
                check_range("--sde-noise", *v, 0.0, cfg_playground::sde::MAX_SDE_NOISE).map(|v| v as f32)
            }
            _ => Ok(cfg_playground::sde::DEFAULT_SDE_NOISE),
        }
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

/// Maps a model-loading error onto the file's name.
pub fn model_error(path: &std::path::Path, e: &Error) -> Error {
    Error::Model(format!("{}: {}", path.display(), inner(e)))
}
