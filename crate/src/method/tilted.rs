//! Exact samples of the tilted density p(x)^(1−w)·p(x|c)^w on a grid (no network, no flow).

use ndarray::Array2;
use serde::Serialize;

use super::rule::MethodRule;
use crate::datasets::Dataset;
use crate::error::Result;
use crate::field::Source;
use crate::sample::SampleConfig;
use crate::sampler::SampleStats;
use crate::temperature::Target;

/// p(x)^(1−w)·p(x|c)^w, sampled exactly on its grid ([`super::exact_grid`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Tilted;

impl MethodRule for Tilted {
    fn sample(
        &self,
        dataset: &Dataset,
        _source: Source,
        label: Option<u32>,
        cfg: &SampleConfig,
    ) -> Option<Result<(Array2<f32>, SampleStats)>> {
        let target = match label {
            Some(class) => Target::Tilted { class, w: cfg.guidance as f64 },
            // tilting needs a class: unconditionally it is p(x) itself
            None => Target::Tempered { class: None, temperature: 1.0 },
        };
        Some(super::grid_samples(dataset, target, cfg))
    }
}
