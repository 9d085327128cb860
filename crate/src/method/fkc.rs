//! Feynman–Kac-corrected CFG as a method: its sampler is `crate::fkc` (weighted particles on the
//! CFG SDE, over `crate::sde`); its field is CFG's, the drift of that SDE.

use ndarray::Array2;
use serde::Serialize;

use super::field::MethodState;
use super::rule::MethodRule;
use crate::datasets::Dataset;
use crate::error::Result;
use crate::field::{FieldSource, Source};
use crate::particles::Particles;
use crate::sample::SampleConfig;
use crate::sampler::SampleStats;

/// Feynman–Kac-corrected CFG (`crate::fkc`): the CFG SDE of noise level `eta`, with weights
/// and resampling that make it sample the tilted density p^(1−w)·p(·|c)^w.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Fkc {
    pub eta: f32,
}

/// The particles' weights (made for a run by `prepare_points`).
type Weights = Option<crate::fkc::Fkc>;

impl MethodRule for Fkc {
    fn validate(&self) -> Result<()> {
        crate::sde::check_noise(self.eta).map(drop)
    }

    fn prepare_points(&self, state: &mut MethodState, n: usize, w: f32) -> Result<()> {
        match state.own::<Weights>() {
            Some(f) if f.len() == n => f.set(w, self.eta, 0),
            weights => {
                *weights = Some(crate::fkc::Fkc::new(n, w, self.eta, 0)?);
                Ok(())
            }
        }
    }

    fn sample(
        &self,
        dataset: &Dataset,
        source: Source,
        label: Option<u32>,
        cfg: &SampleConfig,
    ) -> Option<Result<(Array2<f32>, SampleStats)>> {
        Some(crate::fkc::generate(dataset, source, label, cfg, self.eta).map(|(x, s)| (x, s.sample_stats())))
    }

    /// The corrected run: the particles' SDE steps with their weights and resampling
    /// (`Particles::advance_rows_fkc`).
    fn advance_rows(
        &self,
        velocity: &mut FieldSource,
        state: &mut MethodState,
        particles: &mut Particles,
        w: f32,
        rows: usize,
        seed: u64,
    ) -> Option<Result<usize>> {
        let weights = state.own::<Weights>().as_mut().expect("made by prepare_points");
        Some(
            weights.set(w, self.eta, seed).and_then(|()| particles.advance_rows_fkc(velocity, weights, rows)),
        )
    }
}
