//! The post's noise scaling: CFG at w from start noise x0 ~ N(0, τ²I).

use serde::Serialize;

use super::rule::MethodRule;
use crate::caps::MAX_NOISE_SCALE;
use crate::error::{check_range, Result};

/// CFG at w from x0 ~ N(0, τ²I) (`sample::start_noise`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct NoiseScale {
    pub tau: f32,
}

impl MethodRule for NoiseScale {
    fn validate(&self) -> Result<()> {
        check_range("tau", self.tau as f64, 0.0, MAX_NOISE_SCALE).map(drop)
    }

    fn noise_scale(&self) -> f32 {
        self.tau
    }
}
