//! Exact samples of the tempered density p(x|c)^(1/T) on a grid (no network, no flow).

use ndarray::Array2;
use serde::Serialize;

use super::rule::MethodRule;
use crate::datasets::Dataset;
use crate::error::{check_range, Result};
use crate::field::Source;
use crate::sample::SampleConfig;
use crate::sampler::SampleStats;
use crate::temperature::{Target, TEMPERATURE_RANGE};

/// p(x|c)^(1/T), sampled exactly on its grid ([`super::exact_grid`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Tempered {
    pub temperature: f64,
}

impl MethodRule for Tempered {
    fn validate(&self) -> Result<()> {
        check_range("temperature", self.temperature, TEMPERATURE_RANGE.0, TEMPERATURE_RANGE.1).map(drop)
    }

    fn sample(
        &self,
        dataset: &Dataset,
        _source: Source,
        label: Option<u32>,
        cfg: &SampleConfig,
    ) -> Option<Result<(Array2<f32>, SampleStats)>> {
        let target = Target::Tempered { class: label, temperature: self.temperature };
        Some(super::grid_samples(dataset, target, cfg))
    }
}
