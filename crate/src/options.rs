//! Model and training options as the page sends them (a JSON object, every field optional),
//! and drawn data sets. Turned into an architecture and training settings in one place, so that
//! a worker's trainer and the page's model always agree on the parameter layout.

use serde::Deserialize;

use crate::activation::Activation;
use crate::caps::MAX_PAGE_BATCH;
use crate::classifier::{classifier_arch, ClassifierTrainer};
use crate::datasets::Dataset;
use crate::descent::TrainConfig;
use crate::document::Document;
use crate::document::{blank, Text};
use crate::error::{check_count, Result};
use crate::flow::Trainer;
use crate::invalid;
use crate::mlp::MlpConfig;

/// Options for a model trained in the page; unknown keys are errors.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ModelOptions {
    pub width: usize,
    pub depth: usize,
    pub activation: String,
    pub residual: bool,
    pub lr: f64,
    pub batch: usize,
    pub dropout: f64,
    /// Length of the run (sets the cosine schedule).
    pub steps: usize,
    pub seed: u64,
}

impl Default for ModelOptions {
    fn default() -> Self {
        ModelOptions {
            width: 64,
            depth: 3,
            activation: "silu".into(),
            residual: false,
            lr: 2e-3,
            batch: 256,
            dropout: 0.2,
            steps: 3000,
            seed: 0,
        }
    }
}

impl ModelOptions {
    /// Parses options from JSON text ("" or "null": defaults).
    pub fn from_json(text: &str) -> Result<Self> {
        if blank(text) {
            return Ok(Self::default());
        }
        Self::from_document(&Text(text.as_bytes()))
    }

    /// Options from a parsed document (the page's: `web::json`).
    pub fn from_document(doc: &impl Document) -> Result<Self> {
        doc.read().map_err(|e| invalid!("options: {e}"))
    }

    /// The architecture for `dataset`.
    pub fn architecture(&self, dataset: &Dataset) -> Result<MlpConfig> {
        let mut arch = MlpConfig::velocity(dataset.n_classes(), self.width, self.depth);
        arch.activation = Activation::parse(&self.activation)
            .ok_or_else(|| invalid!("activation must be silu or relu, got '{}'", self.activation))?;
        arch.residual = self.residual;
        arch.validate()?;
        Ok(arch)
    }

    /// The training settings.
    pub fn training(&self) -> Result<TrainConfig> {
        check_count("batch", self.batch as i64, 1, MAX_PAGE_BATCH as i64)?;
        let c = TrainConfig {
            steps: self.steps,
            batch: self.batch,
            lr: self.lr,
            dropout: self.dropout,
            seed: self.seed,
            ..TrainConfig::default()
        };
        c.validate()?;
        Ok(c)
    }

    /// A fresh trainer for `dataset`.
    pub fn trainer(&self, dataset: Dataset) -> Result<Trainer> {
        let arch = self.architecture(&dataset)?;
        Trainer::new(dataset, arch, self.training()?)
    }

    /// A fresh classifier trainer for `dataset` (width, depth and the training settings; the
    /// activation, residual and dropout are not used).
    pub fn classifier_trainer(&self, dataset: Dataset) -> Result<ClassifierTrainer> {
        let arch = classifier_arch(dataset.n_classes(), self.width, self.depth);
        ClassifierTrainer::new(dataset, arch, self.training()?)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Drawn {
    #[serde(default = "default_std")]
    std: f64,
    classes: Vec<DrawnClass>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DrawnClass {
    name: String,
    points: Vec<[f64; 2]>,
}

fn default_std() -> f64 {
    crate::datasets::DRAWN_STD
}

/// The data set called `name`, or, when `drawn` holds JSON `{std?, classes: [{name, points}]}`,
/// a drawn data set.
pub fn dataset(name: &str, drawn: &str) -> Result<Dataset> {
    if blank(drawn) {
        return Dataset::by_name(name);
    }
    drawn_dataset(&Text(drawn.as_bytes()))
}

/// The drawn data set of a parsed document `{std?, classes: [{name, points}]}` (the page's:
/// `web::json`).
pub fn drawn_dataset(doc: &impl Document) -> Result<Dataset> {
    let d: Drawn = doc.read().map_err(|e| invalid!("drawn data: {e}"))?;
    Dataset::custom(d.classes.into_iter().map(|c| (c.name, c.points)).collect(), d.std)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse_with_defaults_and_reject_unknown_keys() {
        assert_eq!(ModelOptions::from_json("").unwrap(), ModelOptions::default());
        let o = ModelOptions::from_json(r#"{"width": 32, "lr": 0.01}"#).unwrap();
        assert_eq!((o.width, o.depth, o.lr), (32, 3, 0.01));
        assert!(ModelOptions::from_json(r#"{"widht": 32}"#).unwrap_err().to_string().contains("widht"));
        assert!(ModelOptions::from_json(r#"{"width": -1}"#).is_err());
        let face = Dataset::by_name("face").unwrap();
        assert!(ModelOptions { width: 0, ..Default::default() }.architecture(&face).is_err());
        assert!(ModelOptions { batch: 100_000, ..Default::default() }.training().is_err());
        assert!(ModelOptions { lr: f64::NAN, ..Default::default() }.training().is_err());
    }

    #[test]
    fn drawn_data_parses() {
        let d = dataset("ignored", r#"{"classes": [{"name": "a", "points": [[0,0],[1,1],[0,1]]}]}"#).unwrap();
        assert_eq!(d.class_names(), ["a"]);
        assert!(dataset("x", r#"{"classes": []}"#).is_err());
        assert!(dataset("x", r#"{"classes": [{"name": "a", "points": [[0,0]]}]}"#).is_err());
        assert!(dataset("x", "{").is_err());
        assert_eq!(dataset("face", "").unwrap().name, "face");
    }
}
