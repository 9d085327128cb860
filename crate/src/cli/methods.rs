//! The guidance methods on the command line: `sample --method` and `eval --method`.

use std::path::PathBuf;

use clap::Args;

use cfg_playground::caps::{MAX_GUIDANCE, MAX_SAMPLER_STEPS};
use cfg_playground::datasets::Dataset;
use cfg_playground::error::{check_count, check_range, Error, Result};
use cfg_playground::invalid;
use cfg_playground::method::apg::{MAX_ETA, MAX_NORM_THRESHOLD};
use cfg_playground::method::autoguidance::{DEFAULT_WIDEN, MAX_WIDEN};
use cfg_playground::method::{Apg, Method, MethodParams, Models, DEFAULT_INTERVAL, DEFAULT_ZERO_STEPS};
use cfg_playground::mlp::Mlp;
use cfg_playground::model_file::{ModelFile, ModelKind};
use cfg_playground::rcfg::RectifiedCfg;
use cfg_playground::temperature::Clock;

use super::inner;

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

/// Maps a model-loading error onto the file's name.
pub fn model_error(path: &std::path::Path, e: &Error) -> Error {
    Error::Model(format!("{}: {}", path.display(), inner(e)))
}
